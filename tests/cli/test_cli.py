"""`synthgen`, the command-line client, against a live server."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import synthgen
from tests.conftest import Consumer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEEDBACK = ["--product-type", "mobile_app", "--mix", "balanced"]


def test_feedback_prints_the_entries_as_json(live_server: Any, bob: Consumer) -> None:
    done = synthgen(
        "feedback", *FEEDBACK, "--count", "3", "--seed", "9", key=bob.key, url=live_server.url
    )

    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    assert [set(entry) >= {"id", "rating", "title", "content"} for entry in entries] == [True] * 3
    assert done.stderr == "2 credits used, 998 left\n"


def test_tickets_and_interviews_print_readable_tables(live_server: Any, bob: Consumer) -> None:
    tickets = synthgen(
        "tickets",
        "--product-type",
        "saas",
        "--count",
        "4",
        "--table",
        key=bob.key,
        url=live_server.url,
    )
    interviews = synthgen(
        "interviews", "--product-type", "fintech", "--questions", "2", "--table",
        key=bob.key, url=live_server.url,
    )  # fmt: skip

    assert tickets.returncode == interviews.returncode == 0
    lines = tickets.stdout.splitlines()
    assert lines[0].split() == ["PRIORITY", "CATEGORY", "STATUS", "CHANNEL", "SUBJECT"]
    assert len(lines) == 5
    assert "Q1. " in interviews.stdout and "Q2. " in interviews.stdout


def test_a_job_is_submitted_followed_and_downloaded(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    done = synthgen(
        "job", "tickets", "--product-type", "ecommerce", "--count", "120", "--format", "csv",
        "-o", "tickets.csv", key=bob.key, url=live_server.url, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "100%  120/120  succeeded" in done.stderr
    assert done.stderr.endswith("Saved 120 entries to tickets.csv.\n")
    rows = list(csv.DictReader((tmp_path / "tickets.csv").open()))
    assert len(rows) == 120
    assert "customer.email" in rows[0]


def test_a_job_file_is_named_by_the_server_without_o(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    done = synthgen(
        "job",
        "feedback",
        *FEEDBACK,
        "--count",
        "60",
        key=bob.key,
        url=live_server.url,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    (saved,) = tmp_path.glob("synthgen-feedback-*.jsonl")
    assert len(saved.read_text().splitlines()) == 60


def test_account_shows_plan_limits_and_balance(live_server: Any, alice: Consumer) -> None:
    done = synthgen("account", key=alice.key, url=live_server.url)

    assert done.returncode == 0
    assert "Plan:           Free Tier\n" in done.stdout
    assert "Requests today: 0 of 5\n" in done.stdout
    assert "Credits:        50\n" in done.stdout


def test_a_bad_key_is_one_line_and_exit_code_3(live_server: Any, db: None) -> None:
    done = synthgen("account", key="sg_live_nope", url=live_server.url)

    assert done.returncode == 3
    assert done.stderr == ("synthgen: error: Invalid or missing API key: check SYNTHGEN_API_KEY\n")
    assert synthgen("account", key=None, url=live_server.url).returncode == 3


def test_running_out_of_credits_says_the_balance(live_server: Any, alice: Consumer) -> None:
    done = synthgen(
        "job", "feedback", *FEEDBACK, "--count", "100000", key=alice.key, url=live_server.url
    )

    assert done.returncode == 4
    assert done.stderr == (
        "synthgen: error: out of credits: this needs 4000 and the account has 50\n"
    )


def test_a_rate_limited_request_says_when_to_retry(live_server: Any, alice: Consumer) -> None:
    for _ in range(5):
        alice.client.post(
            "/api/tickets/generate", {"productType": "saas", "ticketCount": 1}, format="json"
        )

    done = synthgen(
        "tickets", "--product-type", "saas", "--count", "1", key=alice.key, url=live_server.url
    )

    assert done.returncode == 5
    assert done.stderr.startswith("synthgen: error: rate limited: ")
    assert re.search(r"; retry in (\d+h \d\dm|\d+m \d\ds|\d+s)\n$", done.stderr)
    assert done.stderr.count("\n") == 1


def test_invalid_parameters_name_every_bad_field(live_server: Any, bob: Consumer) -> None:
    done = synthgen(
        "feedback",
        "--product-type",
        "spaceship",
        "--mix",
        "sunny",
        "--count",
        "99",
        key=bob.key,
        url=live_server.url,
    )

    assert done.returncode == 1
    assert done.stderr.startswith("synthgen: error: Invalid request parameters: ")
    for field in ("productType", "sentimentMix", "feedbackCount"):
        assert field in done.stderr


def test_an_unreachable_server_is_one_line(bob: Consumer) -> None:
    done = synthgen("account", key=bob.key, url="http://127.0.0.1:9")

    assert done.returncode == 1
    assert done.stderr.startswith("synthgen: error: cannot reach SynthGen at http://127.0.0.1:9")


def test_a_malformed_key_is_one_line_not_a_traceback(live_server: Any, db: None) -> None:
    done = synthgen("account", key="banner text\nsg_live_abc", url=live_server.url)

    assert done.returncode == 3
    assert done.stderr.count("\n") == 1


def test_dry_run_prints_the_price_and_standing_and_charges_nothing(
    live_server: Any, bob: Consumer
) -> None:
    done = synthgen(
        "tickets", "--product-type", "saas", "--count", "7", "--dry-run",
        key=bob.key, url=live_server.url,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Price:          7 credits (dry run: nothing charged)"
    assert lines[1] == "Credits:        1,000, 993 after"
    assert re.fullmatch(r"Requests today: 0 of 100, resets \S+Z", lines[2]), lines[2]
    assert lines[3] == "Standing:       would be accepted"
    assert done.stderr == ""
    assert bob.refresh().balance == 1000


def test_a_job_dry_run_the_balance_cannot_pay_says_so_and_exits_0(
    live_server: Any, alice: Consumer, tmp_path: Path
) -> None:
    done = synthgen(
        "job", "feedback", *FEEDBACK, "--count", "100000", "--dry-run",
        key=alice.key, url=live_server.url, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    rows = dict(line.split(":", 1) for line in done.stdout.splitlines())
    assert rows["Price"].strip() == "4,000 credits (dry run: nothing charged)"
    assert rows["Credits"].strip() == "50"
    assert rows["Standing"].strip().startswith("would be refused (402): ")
    assert rows["Batches"].strip().startswith("2,000, about ")
    assert list(tmp_path.iterdir()) == [] and alice.refresh().balance == 50


DATASET = ["dataset", "--product-type", "saas", "--customers", "6", "--seed", "21"]


def _joined(data: dict[str, Any]) -> bool:
    """Every review and ticket names a customer of the dataset, by id and by name."""
    names = {customer["id"]: customer["name"] for customer in data["customers"]}
    return all(names[entry["customerId"]] == entry["author"] for entry in data["feedback"]) and all(
        names[ticket["customerId"]] == ticket["customer"]["name"] for ticket in data["tickets"]
    )


def test_a_dataset_prints_customers_whose_reviews_and_tickets_join(
    live_server: Any, bob: Consumer
) -> None:
    done = synthgen(*DATASET, "--churn-rate", "0.5", key=bob.key, url=live_server.url)

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"customers", "feedback", "tickets", "interviews"}
    assert len(data["customers"]) == 6 and data["feedback"] and data["tickets"]
    assert _joined(data)
    spent = 1000 - bob.refresh().balance
    assert done.stderr == f"{spent} credits used, {1000 - spent} left, seed 21\n"


def test_a_dataset_is_written_to_a_file_with_o_and_a_seed_repeats_it(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    written = synthgen(*DATASET, "-o", "saas.json", key=bob.key, url=live_server.url, cwd=tmp_path)
    printed = synthgen(*DATASET, key=bob.key, url=live_server.url)

    assert written.returncode == printed.returncode == 0, written.stderr
    assert written.stdout == ""
    data = json.loads((tmp_path / "saas.json").read_text())
    assert data == json.loads(printed.stdout)
    counts = ", ".join(f"{len(data[part])} {part}" for part in data)
    assert written.stderr.startswith(f"Saved {counts} to saas.json.\n")


def test_a_dataset_dry_run_prices_a_seed_that_then_costs_exactly_that(
    live_server: Any, bob: Consumer
) -> None:
    estimate = synthgen(
        "dataset", "--product-type", "ecommerce", "--customers", "8", "--dry-run",
        key=bob.key, url=live_server.url,
    )  # fmt: skip

    assert estimate.returncode == 0, estimate.stderr
    rows = dict(line.split(":", 1) for line in estimate.stdout.splitlines())
    price = int(
        re.fullmatch(r"(\d+) credits \(dry run: nothing charged\)", rows["Price"].strip())[1]
    )
    seed = re.fullmatch(
        r"(\d+) \(pass --seed \1 for this dataset and price\)", rows["Seed"].strip()
    )
    assert seed and bob.refresh().balance == 1000
    done = synthgen(
        "dataset", "--product-type", "ecommerce", "--customers", "8", "--seed", seed[1],
        key=bob.key, url=live_server.url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert bob.refresh().balance == 1000 - price


def test_a_dataset_the_balance_cannot_pay_exits_4(live_server: Any, alice: Consumer) -> None:
    done = synthgen(
        "dataset", "--product-type", "saas", "--customers", "50", "--seed", "1",
        key=alice.key, url=live_server.url,
    )  # fmt: skip

    assert done.returncode == 4
    assert re.fullmatch(
        r"synthgen: error: out of credits: this needs \d+ and the account has 50\n", done.stderr
    )
    assert done.stdout == "" and alice.refresh().balance == 50


def test_a_datasets_bad_options_are_named_and_exit_1(live_server: Any, bob: Consumer) -> None:
    done = synthgen(
        "dataset", "--product-type", "saas", "--customers", "99", "--churn-rate", "2",
        "--include", "tickets,memes", key=bob.key, url=live_server.url,
    )  # fmt: skip

    assert done.returncode == 1
    assert done.stderr.startswith("synthgen: error: Invalid request parameters: ")
    for field in ("customerCount", "churnRate", "include"):
        assert field in done.stderr
    assert bob.refresh().balance == 1000


DATASET_TABLES = [
    "customers",
    "feedback",
    "tickets",
    "ticket_messages",
    "interviews",
    "interview_questions",
]


def test_a_dataset_job_is_followed_and_saved_as_a_zip_of_tables_whose_ids_join(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    done = synthgen(
        "job", "dataset", "--product-type", "saas", "--customers", "60", "--seed", "5",
        "--format", "csv", "-o", "saas.zip", key=bob.key, url=live_server.url, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "100%  60/60  succeeded" in done.stderr
    assert done.stderr.endswith("Saved 60 customers to saas.zip.\n")
    zipped = zipfile.ZipFile(tmp_path / "saas.zip")
    assert zipped.namelist() == ["manifest.json"] + [f"{table}.csv" for table in DATASET_TABLES]
    manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["customers"] == 60 and manifest["seed"] == 5

    def rows(table: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(zipped.read(f"{table}.csv").decode())))

    customers = {row["id"] for row in rows("customers")}
    feedback, tickets, interviews = rows("feedback"), rows("tickets"), rows("interviews")
    assert len(customers) == 60 and feedback and tickets
    assert {row["customerId"] for row in feedback + tickets + interviews} <= customers
    assert {row["ticketId"] for row in rows("ticket_messages")} <= {t["id"] for t in tickets}
    questions = {row["interviewId"] for row in rows("interview_questions")}
    assert questions <= {row["id"] for row in interviews}
    assert bob.refresh().balance == 1000 - accepted_price(done.stderr)


def accepted_price(stderr: str) -> int:
    """The price the CLI said it charged when the job was accepted."""
    accepted = re.search(r"Job [0-9a-f-]+ accepted: (\d+) credits\.", stderr)
    assert accepted, stderr
    return int(accepted[1])


def test_a_dataset_job_dry_run_prints_the_price_and_seed_and_exits_0(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    args = ["job", "dataset", "--product-type", "saas", "--customers", "60", "-o", "x.zip"]
    estimate = synthgen(*args, "--dry-run", key=bob.key, url=live_server.url, cwd=tmp_path)

    assert estimate.returncode == 0, estimate.stderr
    rows = dict(line.split(":", 1) for line in estimate.stdout.splitlines())
    price = re.fullmatch(r"(\d+) credits \(dry run: nothing charged\)", rows["Price"].strip())
    seed = re.fullmatch(
        r"(\d+) \(pass --seed \1 for this dataset and price\)", rows["Seed"].strip()
    )
    assert price and seed and "Batches" in rows
    assert bob.refresh().balance == 1000 and not (tmp_path / "x.zip").exists()

    done = synthgen(*args, "--seed", seed[1], key=bob.key, url=live_server.url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert bob.refresh().balance == 1000 - int(price[1])


def test_a_dataset_job_over_10000_customers_is_named_and_exits_1(
    live_server: Any, bob: Consumer
) -> None:
    done = synthgen(
        "job", "dataset", "--product-type", "saas", "--customers", "10001",
        key=bob.key, url=live_server.url,
    )  # fmt: skip

    assert done.returncode == 1
    assert done.stderr.startswith("synthgen: error: Invalid request parameters: ")
    assert "count" in done.stderr and "10000" in done.stderr
    assert bob.refresh().balance == 1000
