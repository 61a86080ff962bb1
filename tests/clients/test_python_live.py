"""The Python client against a live server: every operation, and the errors it raises typed."""

import csv
import io
import json
import time
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from synthgen_client import (
    InsufficientCreditsError,
    InvalidParametersError,
    JobFinishedError,
    NotFoundError,
    RateLimitError,
    SynthGen,
    UnauthorizedError,
    verify_webhook,
)
from synthgen_client.types import (
    Account,
    Customer,
    Dataset,
    DatasetAnswer,
    DatasetEstimate,
    DatasetFeedbackEntry,
    DatasetInterview,
    DatasetTicket,
    FeedbackAnswer,
    FeedbackEntry,
    Interview,
    InterviewsAnswer,
    Job,
    Ticket,
    TicketsAnswer,
    WebhookDelivery,
    WebhookEndpoint,
)

from billing.models import Tier
from billing.prices import dataset_price
from synthgen.celery import app as celery_app
from tests.conftest import Consumer, require_services
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _jobs_inline_and_local_webhooks(settings: Any, tmp_path: Path) -> None:
    """A job runs inside its POST's commit (no worker needed); webhooks may go to 127.0.0.1.

    On the tests' in-memory SQLite a delivery is made inside the request that records it, not
    on the server's sweeper thread: another thread's connection to a shared-cache memory
    database is refused ("table is locked") rather than made to wait.
    """
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_RUN_IN_THREAD = connection.vendor != "sqlite"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def client_for(live_server: Any, consumer: Consumer, **options: Any) -> SynthGen:
    return SynthGen(consumer.key, base_url=live_server.url, **options)


def test_the_three_generators_answer_their_data_and_cost(live_server: Any, bob: Consumer) -> None:
    client = client_for(live_server, bob)

    feedback = client.generate_feedback(
        product_type="mobile_app", sentiment_mix="positive", feedback_count=3, seed=7
    )
    tickets = client.generate_tickets(
        product_type="saas", ticket_count=4, complexity_level="simple"
    )
    interviews = client.generate_interviews(
        product_type="fintech", question_count=2, interview_type="churn"
    )

    assert [entry["sentiment"] for entry in feedback["data"]] == ["positive"] * 3
    assert feedback["seed"] == 7 and feedback["creditsUsed"] == 2
    assert len(tickets["data"]) == 4 and tickets["creditsUsed"] == 4
    assert len(interviews["data"][0]["questions"]) == 2 and interviews["creditsUsed"] == 4
    assert interviews["remainingCredits"] == 1000 - 2 - 4 - 4 == bob.refresh().balance


def test_the_same_idempotency_key_replays_and_charges_once(live_server: Any, bob: Consumer) -> None:
    client = client_for(live_server, bob)
    fields = {"product_type": "web_app", "ticket_count": 5, "idempotency_key": "order-1"}

    first = client.generate_tickets(**fields)
    second = client.generate_tickets(**fields)

    assert first == second
    assert bob.refresh().balance == 1000 - 5


def test_a_job_is_followed_with_progress_and_streamed_to_a_file(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    client = client_for(live_server, bob)
    answer = client.create_job(
        type="tickets", count=120, format="csv", params={"productType": "ecommerce"}
    )
    seen: list[Job] = []

    job = client.wait_for_job(answer["data"]["id"], on_progress=seen.append, poll_interval=0.1)
    path = client.download_job(job["id"], directory=tmp_path)

    assert answer["creditsUsed"] == 120 and seen[-1]["status"] == "succeeded"
    assert job["progress"] == 100 and job["entriesDone"] == 120
    assert path is not None and path.name.startswith("synthgen-tickets-")
    assert len(list(csv.DictReader(path.open()))) == 120
    assert [listed["id"] for listed in client.list_jobs(limit=5)] == [job["id"]]
    assert client.get_job(job["id"])["downloadUrl"] == job["downloadUrl"]


def test_a_download_streams_in_chunks_with_the_servers_name(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)
    job = client.create_job(
        type="feedback", count=60, params={"productType": "saas", "sentimentMix": "mixed"}
    )["data"]
    job = client.wait_for_job(job, poll_interval=0.1)
    buffer = io.BytesIO()

    with client.open_download(job["id"]) as download:
        chunks = list(download.iter_bytes(chunk_size=1024))
    client.download_job(job["id"], buffer)

    assert len(chunks) > 1 and download.filename and download.filename.endswith(".jsonl")
    assert b"".join(chunks) == buffer.getvalue()
    assert len(buffer.getvalue().splitlines()) == 60


def test_a_finished_job_cannot_be_cancelled(live_server: Any, bob: Consumer) -> None:
    client = client_for(live_server, bob)
    job = client.create_job(type="tickets", count=3, params={"productType": "saas"})["data"]

    with pytest.raises(JobFinishedError) as raised:
        client.cancel_job(job["id"])

    assert raised.value.status == 409


def test_a_queued_job_is_cancelled_and_refunded(live_server: Any, bob: Consumer) -> None:
    require_services(redis=True)  # queued on the broker, where no worker takes it
    celery_app.conf.task_always_eager = False
    client = client_for(live_server, bob)
    try:
        job = client.create_job(type="tickets", count=50, params={"productType": "saas"})["data"]
        cancelled = client.cancel_job(job["id"])
    finally:
        celery_app.control.purge()  # its start, which no worker will take

    assert cancelled["status"] == "cancelled" and cancelled["refundedCredits"] == 50
    assert client.get_account()["remainingCredits"] == 1000


def test_the_account_is_read_and_its_threshold_changed(live_server: Any, bob: Consumer) -> None:
    client = client_for(live_server, bob)

    before = client.get_account()
    changed = client.update_account(low_credit_threshold=100)
    cleared = client.update_account(low_credit_threshold=None)

    assert before["tier"] == "basic" and before["remainingCredits"] == 1000
    assert before["apiKey"] and bob.key.startswith(before["apiKey"])
    assert changed["lowCreditThreshold"] == 100 and cleared["lowCreditThreshold"] is None


def _delivered(client: SynthGen, endpoint_id: str, attempts: int = 1) -> list[WebhookDelivery]:
    """The endpoint's deliveries once every one has finished with `attempts` attempts, so that
    no delivery is left for the server's sweeper thread after the test."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        deliveries = client.list_webhook_deliveries(endpoint_id)
        if deliveries and all(
            d["status"] != "pending" and d["attemptCount"] == attempts for d in deliveries
        ):
            return deliveries
        time.sleep(0.05)
    raise AssertionError(f"the deliveries to {endpoint_id} did not finish")


def test_webhook_endpoints_are_managed_and_their_events_verify(
    live_server: Any, bob: Consumer, receiver: Receiver
) -> None:
    client = client_for(live_server, bob)
    created = client.create_webhook(url=receiver.url, events=["job.succeeded"], description="ci")
    endpoint_id = created["id"]

    test = client.send_test_webhook(endpoint_id)
    [delivery] = _delivered(client, endpoint_id)
    [request] = receiver.wait_for(1)
    event = verify_webhook(created["secret"], request.body, request.headers)
    rotated = client.rotate_webhook_secret(endpoint_id)
    client.redeliver_webhook(endpoint_id, delivery["id"])
    _delivered(client, endpoint_id, attempts=2)
    receiver.wait_for(2)
    again = verify_webhook(
        rotated["secret"], receiver.received[1].body, receiver.received[1].headers
    )
    updated = client.update_webhook(endpoint_id, events=["job.failed", "credits.low"])

    assert test["eventType"] == "webhook.test" and delivery["status"] == "succeeded"
    assert event["type"] == "webhook.test" and again["id"] == event["id"]
    assert rotated["secret"] != created["secret"]
    assert client.get_webhook_delivery(endpoint_id, delivery["id"])["attemptCount"] == 2
    assert (
        sorted(updated["events"]) == ["credits.low", "job.failed"]
        and updated["description"] == "ci"
    )
    assert [listed["id"] for listed in client.list_webhooks()] == [endpoint_id]
    assert client.get_webhook(endpoint_id)["url"] == receiver.url
    assert client.delete_webhook(endpoint_id)["id"] == endpoint_id
    with pytest.raises(NotFoundError):
        client.get_webhook(endpoint_id)


def test_a_job_the_balance_cannot_pay_is_a_typed_402(live_server: Any, alice: Consumer) -> None:
    client = client_for(live_server, alice)

    with pytest.raises(InsufficientCreditsError) as raised:
        client.create_job(
            type="feedback",
            count=100_000,
            params={"productType": "mobile_app", "sentimentMix": "balanced"},
        )

    assert raised.value.status == 402
    assert (raised.value.required_credits, raised.value.remaining_credits) == (4000, 50)
    assert alice.refresh().balance == 50


def test_the_daily_limit_is_a_typed_429_raised_without_waiting(
    live_server: Any, alice: Consumer
) -> None:
    # Without the per-minute burst limit (also 5 on Free), the sixth request meets the daily one.
    Tier.objects.filter(slug="free").update(burst_limit_per_minute=None)
    for _ in range(5):
        alice.client.post(
            "/api/tickets/generate", {"productType": "saas", "ticketCount": 1}, format="json"
        )
    waits: list[float] = []
    client = client_for(live_server, alice, max_retry_wait=5, sleep=waits.append)

    with pytest.raises(RateLimitError) as raised:
        client.generate_tickets(product_type="saas", ticket_count=1)

    assert raised.value.status == 429 and raised.value.code == "RATE_LIMIT_EXCEEDED"
    assert raised.value.message == "Daily request limit of 5 reached; it resets at 00:00 UTC"
    assert raised.value.retry_after is not None and raised.value.retry_after > 5
    assert waits == []


def test_bad_fields_and_a_bad_key_are_typed_errors(live_server: Any, bob: Consumer) -> None:
    client = client_for(live_server, bob)

    with pytest.raises(InvalidParametersError) as invalid:
        client.generate_feedback(product_type="spaceship", sentiment_mix="sunny", feedback_count=99)
    with pytest.raises(UnauthorizedError):
        SynthGen("sg_live_nope", base_url=live_server.url).get_account()

    assert set(invalid.value.details) == {"productType", "sentimentMix", "feedbackCount"}
    assert bob.refresh().balance == 1000


def _shaped_as(value: dict[str, Any], typed: Any) -> bool:
    """Every key the TypedDict requires is there, and nothing it does not name."""
    keys = set(value)
    return typed.__required_keys__ <= keys <= typed.__required_keys__ | typed.__optional_keys__


def test_the_typed_answers_name_every_field_the_server_sends(
    live_server: Any, bob: Consumer, receiver: Receiver
) -> None:
    client = client_for(live_server, bob)
    feedback = client.generate_feedback(
        product_type="saas", sentiment_mix="mixed", feedback_count=2
    )
    tickets = client.generate_tickets(
        product_type="saas", ticket_count=2, complexity_level="complex"
    )
    interviews = client.generate_interviews(product_type="saas", question_count=1)
    job = client.create_job(type="tickets", count=1, params={"productType": "saas"})["data"]
    endpoint = client.create_webhook(url=receiver.url, events=["job.failed"])

    assert _shaped_as(dict(feedback), FeedbackAnswer)
    assert _shaped_as(dict(tickets), TicketsAnswer)
    assert _shaped_as(dict(interviews), InterviewsAnswer)
    assert all(_shaped_as(dict(entry), FeedbackEntry) for entry in feedback["data"])
    assert all(_shaped_as(dict(ticket), Ticket) for ticket in tickets["data"])
    assert all(_shaped_as(dict(interview), Interview) for interview in interviews["data"])
    assert _shaped_as(dict(client.get_job(job["id"])), Job)
    assert _shaped_as(dict(client.get_account()), Account)
    assert _shaped_as(dict(endpoint), WebhookEndpoint)
    assert _shaped_as(dict(client.send_test_webhook(endpoint["id"])), WebhookDelivery)
    assert _shaped_as(dict(_delivered(client, endpoint["id"])[0]), WebhookDelivery)


def test_dry_runs_price_each_request_and_charge_or_count_nothing(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)
    before = client.get_account()

    feedback = client.generate_feedback(
        product_type="mobile_app", sentiment_mix="mixed", feedback_count=30, dry_run=True
    )
    tickets = client.generate_tickets(product_type="saas", ticket_count=7, dry_run=True)
    interviews = client.generate_interviews(product_type="fintech", question_count=3, dry_run=True)
    job = client.create_job(type="tickets", count=120, params={"productType": "saas"}, dry_run=True)

    prices = [answer["credits"] for answer in (feedback, tickets, interviews, job)]
    assert prices == [2, 7, 6, 120]
    assert tickets["remainingCreditsAfter"] == 1000 - 7 and tickets["creditsUsed"] == 0
    assert job["allowed"] and job["refusal"] is None and job["dailyLimit"]["allowed"]
    assert job["batches"] == 3 and job["estimatedSeconds"] >= 0
    after = client.get_account()
    assert (after["remainingCredits"], after["requestsToday"]) == (
        before["remainingCredits"],
        before["requestsToday"],
    )
    assert bob.refresh().balance == 1000 and client.list_jobs() == []


def test_a_dry_run_the_balance_cannot_pay_answers_the_402_it_would_meet(
    live_server: Any, alice: Consumer
) -> None:
    client = client_for(live_server, alice)

    estimate = client.create_job(
        type="feedback",
        count=100_000,
        params={"productType": "mobile_app", "sentimentMix": "balanced"},
        dry_run=True,
    )

    assert (estimate["allowed"], estimate["sufficientCredits"]) == (False, False)
    assert estimate["remainingCreditsAfter"] is None
    refusal = estimate["refusal"]
    assert refusal is not None and refusal["status"] == 402
    assert refusal["body"]["code"] == "INSUFFICIENT_CREDITS"
    assert alice.refresh().balance == 50


def _shown(counts: Mapping[str, int]) -> dict[str, int]:
    return {value: times for value, times in counts.items() if times}


def _words(texts: list[str]) -> tuple[int, int]:
    counts = [len(text.split()) for text in texts]
    return min(counts), max(counts)


def test_answers_carry_summaries_equal_to_a_recount_of_their_data(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)

    feedback = client.generate_feedback(
        product_type="ecommerce", sentiment_mix="balanced", feedback_count=12, seed=3
    )
    tickets = client.generate_tickets(product_type="saas", ticket_count=9, seed=4)
    interviews = client.generate_interviews(product_type="saas", question_count=6, seed=5)

    entries = feedback["data"]
    summary = feedback["summary"]
    assert summary["entries"] == 12
    assert _shown(summary["sentiment"]) == Counter(entry["sentiment"] for entry in entries)
    assert _shown(summary["ratings"]) == Counter(str(entry["rating"]) for entry in entries)
    words = summary["words"]
    assert (words["min"], words["max"]) == _words([entry["content"] for entry in entries])
    assert _shown(tickets["summary"]["priority"]) == Counter(t["priority"] for t in tickets["data"])
    assert tickets["summary"]["category"] == Counter(t["category"] for t in tickets["data"])
    questions = interviews["data"][0]["questions"]
    assert interviews["summary"]["questions"] == len(questions) == 6
    assert _shown(interviews["summary"]["stages"]) == Counter(q["stage"] for q in questions)


def test_a_finished_jobs_summary_equals_a_recount_of_its_file(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)
    job = client.create_job(
        type="feedback", count=60, params={"productType": "saas", "sentimentMix": "mixed"}
    )["data"]
    job = client.wait_for_job(job, poll_interval=0.1)
    with client.open_download(job["id"]) as download:
        lines = b"".join(download.iter_bytes()).decode().splitlines()
    entries = [json.loads(line) for line in lines]

    summary = job["summary"]
    assert summary is not None and summary["entries"] == 60 == len(entries)
    assert _shown(summary.get("sentiment", {})) == Counter(e["sentiment"] for e in entries)
    assert _shown(summary.get("ratings", {})) == Counter(str(e["rating"]) for e in entries)
    words = summary["words"]
    assert (words["min"], words["max"]) == _words([entry["content"] for entry in entries])
    sentences = summary["sentences"]
    assert 0 < sentences["distinct"] <= sentences["total"]
    repeated = (sentences["total"] - sentences["distinct"]) / sentences["total"]
    assert sentences["repeatedShare"] == round(repeated, 4)


def test_a_dataset_joins_every_item_to_its_customer_and_costs_its_parts(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)

    answer = client.generate_dataset(
        product_type="saas",
        customer_count=8,
        seed=3,
        churn_rate=0.5,
        interview_share=1.0,
        questions_per_interview=2,
    )

    data = answer["data"]
    assert _shaped_as(dict(answer), DatasetAnswer) and _shaped_as(dict(data), Dataset)
    assert all(_shaped_as(dict(customer), Customer) for customer in data["customers"])
    assert all(_shaped_as(dict(entry), DatasetFeedbackEntry) for entry in data["feedback"])
    assert all(_shaped_as(dict(ticket), DatasetTicket) for ticket in data["tickets"])
    assert all(_shaped_as(dict(item), DatasetInterview) for item in data["interviews"])
    customers = {customer["id"]: customer for customer in data["customers"]}
    assert len(customers) == 8 and data["feedback"] and data["tickets"]
    for entry in data["feedback"]:
        assert entry["author"] == customers[entry["customerId"]]["name"]
    for ticket in data["tickets"]:
        owner = customers[ticket["customerId"]]
        assert ticket["customer"] == {"name": owner["name"], "email": owner["email"]}
    for interview in data["interviews"]:
        assert interview["interviewee"]["name"] == customers[interview["customerId"]]["name"]
    price = dataset_price(
        feedback=len(data["feedback"]),
        tickets=len(data["tickets"]),
        interview_questions=[len(item["questions"]) for item in data["interviews"]],
    )
    assert answer["creditsUsed"] == price and bob.refresh().balance == 1000 - price
    assert answer["summary"]["tickets"]["entries"] == len(data["tickets"])


def test_a_dataset_dry_run_names_the_seed_whose_dataset_it_priced(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)

    estimate = client.generate_dataset(product_type="ecommerce", customer_count=5, dry_run=True)
    assert _shaped_as(dict(estimate), DatasetEstimate)
    assert estimate["creditsUsed"] == 0 and bob.refresh().balance == 1000

    answer = client.generate_dataset(
        product_type="ecommerce", customer_count=5, seed=estimate["seed"]
    )
    assert answer["creditsUsed"] == estimate["credits"]
    assert bob.refresh().balance == 1000 - estimate["credits"]


def test_a_larger_dataset_with_the_same_seed_keeps_its_first_customers(
    live_server: Any, bob: Consumer
) -> None:
    client = client_for(live_server, bob)

    small = client.generate_dataset(product_type="fintech", customer_count=3, seed=11)["data"]
    large = client.generate_dataset(product_type="fintech", customer_count=6, seed=11)["data"]

    assert large["customers"][:3] == small["customers"]
    first = {customer["id"] for customer in small["customers"]}
    assert [t for t in large["tickets"] if t["customerId"] in first] == small["tickets"]


def test_a_dataset_job_is_created_and_its_zip_streamed_down(
    live_server: Any, bob: Consumer, tmp_path: Path
) -> None:
    client = client_for(live_server, bob)
    params = {"productType": "saas", "seed": 9, "churnRate": 0.3}
    estimate = client.create_job(
        type="dataset", count=30, format="jsonl", params=params, dry_run=True
    )
    answer = client.create_job(type="dataset", count=30, format="jsonl", params=params)

    job = client.wait_for_job(answer["data"]["id"], poll_interval=0.1)
    assert job["type"] == "dataset" and job["status"] == "succeeded"
    assert job["entriesDone"] == 30 and estimate["seed"] == 9
    assert answer["creditsUsed"] == estimate["credits"] == job["price"]
    assert bob.refresh().balance == 1000 - job["price"]
    with client.open_download(job["id"]) as download:
        assert download.content_type == "application/zip"
        assert download.filename == f"synthgen-dataset-{job['id'][:8]}.zip"
        chunks = list(download.iter_bytes(chunk_size=512))
    path = client.download_job(job["id"], directory=tmp_path)

    assert len(chunks) > 1 and path is not None and path.read_bytes() == b"".join(chunks)
    zipped = zipfile.ZipFile(path)
    manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["customers"] == 30 and manifest["parameters"]["churnRate"] == 0.3
    customers = [json.loads(line) for line in zipped.read("customers.jsonl").splitlines()]
    feedback = [json.loads(line) for line in zipped.read("feedback.jsonl").splitlines()]
    assert len(customers) == 30 and feedback
    assert {entry["customerId"] for entry in feedback} <= {c["id"] for c in customers}
