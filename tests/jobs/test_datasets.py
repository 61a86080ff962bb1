"""Dataset jobs through HTTP (issue 12), run inline as their request commits: the contract, the
price against the synchronous endpoint's, refunds, and the ZIP of tables whose ids join."""

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from billing.models import CreditEntry
from generators import dataset_jobs, jobs
from generators.engine import LATEST
from generators.engine.datasets import PARTS
from generators.models import Job
from generators.summary import Tally
from tests.conftest import Consumer

PARAMS = {"productType": "saas", "seed": 77}
TABLES = [
    "customers",
    "feedback",
    "tickets",
    "ticket_messages",
    "interviews",
    "interview_questions",
]


@pytest.fixture
def dana(make_consumer: Any) -> Consumer:
    return make_consumer("dana@example.com", "pro", name="Dana")


def submit(consumer: Consumer, **body: Any) -> Any:
    body = {"type": "dataset", "count": 40, "format": "csv", "params": PARAMS, **body}
    return consumer.client.post("/api/jobs", body, format="json")


def run(consumer: Consumer, capture: Any, **body: Any) -> dict[str, Any]:
    with capture(execute=True):
        response = submit(consumer, **body)
    assert response.status_code == 202, response.json()
    return consumer.client.get(f"/api/jobs/{response.json()['data']['id']}").json()["data"]


def archive(consumer: Consumer, job: dict[str, Any]) -> zipfile.ZipFile:
    response = consumer.client.get(f"/api/jobs/{job['id']}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"synthgen-dataset-{job['id'][:8]}.zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def csv_table(zipped: zipfile.ZipFile, table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zipped.read(f"{table}.csv").decode())))


def jsonl_table(zipped: zipfile.ZipFile, table: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in zipped.read(f"{table}.jsonl").decode().splitlines()]


def ledger(consumer: Consumer) -> list[tuple[str, int]]:
    entries = CreditEntry.objects.filter(account=consumer.account).order_by("pk")
    return [(entry.kind, entry.amount) for entry in entries]


@pytest.mark.parametrize("count", [1, 13, 50])
def test_a_dataset_job_costs_what_the_synchronous_endpoint_charges_for_the_same_seed(
    bob: Consumer, count: int
) -> None:
    body = {"productType": "saas", "customerCount": count, "seed": 77}
    sync = bob.client.post("/api/datasets/generate", body, format="json").json()
    balance = bob.refresh().balance

    job = submit(bob, count=count).json()

    assert job["data"]["price"] == sync["creditsUsed"] == job["creditsUsed"]
    assert bob.refresh().balance == balance - sync["creditsUsed"]


def test_a_dry_run_reports_the_price_and_the_seed_it_drew_and_changes_nothing(
    bob: Consumer,
) -> None:
    dry = submit(bob, count=30, params={"productType": "saas"}, dryRun=True).json()

    assert dry["dryRun"] is True
    assert isinstance(dry["seed"], int)
    assert dry["batches"] == 30
    assert bob.refresh().balance == 1_000
    assert not Job.objects.exists()
    real = submit(bob, count=30, params={"productType": "saas", "seed": dry["seed"]}).json()
    assert real["data"]["price"] == dry["credits"] > 0


def test_a_dry_run_with_a_seed_prices_that_seed(bob: Consumer) -> None:
    dry = submit(bob, dryRun=True).json()
    real = submit(bob).json()

    assert (dry["seed"], dry["credits"]) == (77, real["data"]["price"])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"count": 10_001}, "count", "Must be a whole number from 1 to 10000 for dataset"),
        ({"count": 0}, "count", None),
        ({"format": "json"}, "format", "Must be one of: jsonl, csv for dataset"),
        ({"params": {**PARAMS, "customerCount": 5}}, "params.customerCount", None),
        ({"params": {**PARAMS, "churnRate": 2}}, "params.churnRate", None),
        ({"params": {**PARAMS, "include": ["emails"]}}, "params.include", None),
        ({"params": {**PARAMS, "generatorVersion": "1.0.0"}}, "params.generatorVersion", None),
        ({"params": {"seed": 1}}, "params.productType", None),
    ],
)
def test_a_bad_dataset_job_is_a_400_that_costs_nothing(
    bob: Consumer, change: dict[str, Any], field: str, message: str | None
) -> None:
    response = submit(bob, **change)

    assert response.status_code == 400
    details = response.json()["details"]
    assert field in details
    if message:
        assert details[field] == message
    assert bob.refresh().balance == 1_000
    assert not Job.objects.exists()


def test_a_dataset_job_runs_and_reports_its_progress_in_customers(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    done = run(bob, django_capture_on_commit_callbacks, count=40)

    assert (done["status"], done["progress"], done["entriesDone"], done["count"]) == (
        "succeeded",
        100,
        40,
        40,
    )
    assert done["type"] == "dataset"
    assert done["params"]["seed"] == 77
    assert ledger(bob)[1:] == [("debit", -done["price"])]


def test_the_zip_holds_one_csv_per_table_and_a_manifest(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    done = run(bob, django_capture_on_commit_callbacks, count=40)

    zipped = archive(bob, done)
    names = zipped.namelist()
    assert names == ["manifest.json"] + [f"{table}.csv" for table in TABLES]
    manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["seed"] == 77
    assert manifest["generatorVersion"] == done["generatorVersion"] == LATEST
    assert manifest["parameters"]["productType"] == "saas"
    assert manifest["parameters"]["customerCount"] == 40
    assert manifest["complete"] is True
    for table in TABLES:
        rows = csv_table(zipped, table)
        described = manifest["tables"][table]
        assert described["file"] == f"{table}.csv"
        assert described["rows"] == len(rows)
        header = zipped.read(f"{table}.csv").decode().splitlines()[0]
        assert header.split(",") == described["columns"] or not rows
    assert manifest["tables"]["customers"]["rows"] == 40
    assert manifest["tables"]["feedback"]["rows"] > 0
    assert manifest["tables"]["tickets"]["rows"] > 0
    assert "product.name" in manifest["tables"]["customers"]["columns"]


def test_every_customer_id_in_the_csvs_resolves_to_one_customer(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    done = run(bob, django_capture_on_commit_callbacks, count=40)

    zipped = archive(bob, done)
    customers = csv_table(zipped, "customers")
    ids = [row["id"] for row in customers]
    assert len(set(ids)) == len(ids) == 40
    for table in ("feedback", "tickets", "interviews"):
        rows = csv_table(zipped, table)
        assert {row["customerId"] for row in rows} <= set(ids)
    tickets = {row["id"] for row in csv_table(zipped, "tickets")}
    assert {row["ticketId"] for row in csv_table(zipped, "ticket_messages")} <= tickets
    interviews = {row["id"] for row in csv_table(zipped, "interviews")}
    questions = csv_table(zipped, "interview_questions")
    assert {row["interviewId"] for row in questions} <= interviews


def test_the_job_holds_what_the_synchronous_endpoint_makes_for_the_same_seed(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    body = {"productType": "saas", "customerCount": 40, "seed": 77}
    sync = bob.client.post("/api/datasets/generate", body, format="json").json()["data"]

    done = run(bob, django_capture_on_commit_callbacks, count=40, format="jsonl")

    zipped = archive(bob, done)
    assert zipped.namelist() == ["manifest.json"] + [f"{table}.jsonl" for table in TABLES]
    assert jsonl_table(zipped, "customers") == sync["customers"]
    assert jsonl_table(zipped, "feedback") == sync["feedback"]
    assert jsonl_table(zipped, "tickets") == sync["tickets"]
    manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["tables"]["feedback"]["file"] == "feedback.jsonl"
    assert manifest["tables"]["feedback"]["rows"] == len(sync["feedback"])


def test_include_leaves_a_part_out_of_the_price_and_the_zip(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    done = run(bob, django_capture_on_commit_callbacks, params={**PARAMS, "include": ["tickets"]})

    zipped = archive(bob, done)
    assert csv_table(zipped, "feedback") == []
    assert done["price"] == len(csv_table(zipped, "tickets")) > 0


def test_cancelling_a_queued_dataset_job_refunds_its_whole_price(dana: Consumer) -> None:
    job = submit(dana).json()["data"]

    cancelled = dana.client.delete(f"/api/jobs/{job['id']}").json()["data"]

    assert (cancelled["status"], cancelled["refundedCredits"]) == ("cancelled", job["price"])
    assert dana.refresh().balance == 10_000
    assert ledger(dana)[-2:] == [("debit", -job["price"]), ("refund", job["price"])]


def test_a_dataset_job_cancelled_midway_refunds_what_it_did_not_deliver_and_keeps_a_partial_zip(
    dana: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    job = submit(dana, count=48).json()["data"]
    stored = Job.objects.get(pk=job["id"])
    chunks = list(stored.chunks.order_by("index"))
    assert sum(chunk.credits for chunk in chunks) == job["price"]
    for chunk in chunks[:2]:
        jobs.build_chunk(job_id=job["id"], index=chunk.index)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = dana.client.delete(f"/api/jobs/{job['id']}").json()["data"]

    delivered = chunks[0].credits + chunks[1].credits
    assert cancelled["refundedCredits"] == job["price"] - delivered
    assert dana.refresh().balance == 10_000 - delivered
    shown = dana.client.get(f"/api/jobs/{job['id']}").json()["data"]
    zipped = archive(dana, shown)
    manifest = json.loads(zipped.read("manifest.json"))
    customers = chunks[0].batch_count + chunks[1].batch_count
    assert (manifest["complete"], manifest["customers"]) == (False, customers)
    assert len(csv_table(zipped, "customers")) == customers


def test_a_dataset_job_that_fails_is_refunded(
    bob: Consumer, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(dataset_jobs, "generate_dataset", broken)

    done = run(bob, django_capture_on_commit_callbacks)

    assert done["status"] == "failed"
    assert done["refundedCredits"] == done["price"] > 0
    assert bob.refresh().balance == 1_000
    assert ledger(bob)[-2:] == [("debit", -done["price"]), ("refund", done["price"])]


def test_a_dataset_job_of_customers_alone_is_free_and_writes_no_ledger_entry(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    sync = bob.client.post(
        "/api/datasets/generate",
        {**PARAMS, "include": ["interviews"], "interviewShare": 0},
        format="json",
    ).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(bob, params={**PARAMS, "include": ["interviews"], "interviewShare": 0})

    assert response.status_code == 202
    assert (response.json()["creditsUsed"], sync["creditsUsed"]) == (0, 0)
    assert response.json()["remainingCredits"] == 1_000
    job = bob.client.get(f"/api/jobs/{response.json()['data']['id']}").json()["data"]
    assert (job["status"], job["price"]) == ("succeeded", 0)
    assert len(csv_table(archive(bob, job), "customers")) == 40
    assert bob.refresh().balance == 1_000
    assert not CreditEntry.objects.filter(account=bob.account, amount__lt=0).exists()


def test_the_csvs_hold_the_synchronous_endpoints_dataset_cell_for_cell(
    bob: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    body = {"productType": "saas", "customerCount": 40, "seed": 77}
    sync = bob.client.post("/api/datasets/generate", body, format="json").json()["data"]

    done = run(bob, django_capture_on_commit_callbacks, count=40)

    # Its summary is the synchronous answer's: one per part, merged from the chunks' tallies.
    assert done["summary"] == {
        part: Tally(kind=part).add_all(sync[part]).summary() for part in PARTS
    }
    zipped = archive(bob, done)
    for table in ("customers", "feedback", "tickets"):
        rows = csv_table(zipped, table)
        assert len(rows) == len(sync[table])
        for row, item in zip(rows, sync[table], strict=True):
            expected = {key: jobs.csv_cell(value) for key, value in jobs.flatten(item).items()}
            assert {key: value for key, value in row.items() if value != ""} == {
                key: value for key, value in expected.items() if value != ""
            }
