"""Jobs on real Celery workers over Redis and PostgreSQL: exports, crashes, cancels, failures."""

import csv
import io
import json
import time
from typing import Any

import pytest
import requests
from django.db.models import Sum
from django.utils import timezone

from billing.models import CreditEntry
from generators import jobs
from generators.engine import LATEST
from generators.models import Job, JobChunk
from tests.conftest import Consumer
from tests.jobs.conftest import SWEEP_INTERVAL, TASK_REDELIVERY_AFTER, wait_for
from tests.servers import Celery, RedisServer, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEEDBACK = {"productType": "mobile_app", "sentimentMix": "mixed", "complexityLevel": "complex"}


@pytest.fixture
def dana(make_consumer: Any) -> Consumer:
    """A Pro account: 10,000 credits, enough for a job of a few ten thousand entries."""
    return make_consumer("dana@example.com", "pro", name="Dana")


def submit(consumer: Consumer, **body: Any) -> dict[str, Any]:
    response = consumer.client.post("/api/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["data"]


def status(consumer: Consumer, job: dict[str, Any]) -> dict[str, Any]:
    return consumer.client.get(f"/api/jobs/{job['id']}").json()["data"]


def finished(consumer: Consumer, job: dict[str, Any], workers: Celery) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        shown = status(consumer, job)
        return shown if shown["status"] not in ("queued", "running") else None

    try:
        return wait_for(done, timeout=90, what=f"job {job['id']} to finish")
    except pytest.fail.Exception:
        print(workers.logs())
        raise


def download(consumer: Consumer, job: dict[str, Any]) -> str:
    response = consumer.client.get(f"/api/jobs/{job['id']}/download")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def expected_ids(job_id: str, batches: range) -> list[str]:
    """What the job must hold: batch b is what the engine gives for seed + b."""
    job = Job.objects.get(pk=job_id)
    return [entry["id"] for batch in batches for entry in jobs.generate_batch(job, batch)]


def ledger_of(consumer: Consumer) -> list[tuple[str, int]]:
    entries = CreditEntry.objects.filter(account=consumer.account).order_by("pk")
    return [(entry.kind, entry.amount) for entry in entries]


def assert_ledger_balances(consumer: Consumer) -> None:
    total = CreditEntry.objects.filter(account=consumer.account).aggregate(sum=Sum("amount"))
    assert consumer.refresh().balance == total["sum"]


@pytest.mark.parametrize(
    ("body", "parse"),
    [
        (
            {"type": "feedback", "count": 730, "format": "jsonl", "params": FEEDBACK},
            lambda text: [json.loads(line) for line in text.splitlines()],
        ),
        (
            {"type": "tickets", "count": 260, "format": "csv", "params": {"productType": "saas"}},
            lambda text: list(csv.DictReader(io.StringIO(text))),
        ),
        (
            {
                "type": "interviews",
                "count": 9,
                "format": "json",
                "params": {"productType": "travel", "questionCount": 5},
            },
            json.loads,
        ),
    ],
    ids=["feedback-jsonl", "tickets-csv", "interviews-json"],
)
def test_a_job_runs_end_to_end_on_celery_workers(
    workers: Celery, bob: Consumer, body: dict[str, Any], parse: Any
) -> None:
    workers.start(concurrency=2)
    job = submit(bob, **body)

    done = finished(bob, job, workers)

    assert (done["status"], done["progress"], done["entriesDone"]) == (
        "succeeded",
        100,
        body["count"],
    )
    entries = parse(download(bob, job))
    batches = range(jobs.batch_count(kind=body["type"], count=body["count"]))
    assert [entry["id"] for entry in entries] == expected_ids(job["id"], batches)
    assert ledger_of(bob)[1:] == [("debit", -job["price"])]
    assert_ledger_balances(bob)
    assert jobs.default_storage.listdir(f"jobs/{job['id']}")[1] == [
        f"synthgen-{body['type']}-{job['id'][:8]}.{body['format']}"
    ]


# A dead worker's chunks come back after TASK_REDELIVERY_AFTER (Redis's visibility timeout,
# and the lost-chunk sweep at its next SWEEP_INTERVAL); then the rest of the job is built.
WORK_LEFT_ALLOWANCE = 30
RECOVERY_BOUND = TASK_REDELIVERY_AFTER + SWEEP_INTERVAL + WORK_LEFT_ALLOWANCE


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing_and_recovers_in_bound(
    workers: Celery, dana: Consumer
) -> None:
    first = workers.start(concurrency=2)
    workers.start_beat()
    job = submit(dana, type="feedback", count=20_000, format="jsonl", params=FEEDBACK)
    wait_for(lambda: status(dana, job)["entriesDone"] > 0, what="a first chunk")

    workers.kill(first)  # the main process and its pool, as if the machine died
    killed = time.monotonic()
    killed_at = status(dana, job)
    workers.start(concurrency=2)
    done = finished(dana, job, workers)
    took = time.monotonic() - killed

    assert killed_at["status"] == "running"
    assert killed_at["entriesDone"] < 20_000
    assert done["status"] == "succeeded", done
    assert took < RECOVERY_BOUND, f"took {took:.1f} s"
    lines = download(dana, job).splitlines()
    assert [json.loads(line)["id"] for line in lines] == expected_ids(job["id"], range(400))
    # Chunks that were in the killed worker's hands ran again on the new one.
    assert JobChunk.objects.filter(job_id=job["id"], attempts__gt=1).exists()
    assert ledger_of(dana)[1:] == [("debit", -800)]
    assert_ledger_balances(dana)


def test_chunks_the_broker_lost_in_an_outage_are_queued_again_and_the_job_finishes(
    workers: Celery, dana: Consumer
) -> None:
    broker = RedisServer()  # our own, so that stopping it disturbs no one
    broker.start()
    try:
        on_broker = {"REDIS_URL": broker.url}
        with gunicorn(env={**workers.env, **on_broker}, probe_key=dana.key) as server:
            workers.start(concurrency=1, env=on_broker)
            workers.start_beat(env=on_broker)
            workers.supervise()  # as production's systemd would, should the worker exit
            answer = requests.post(
                f"{server.url}/api/jobs",
                json={"type": "feedback", "count": 20_000, "format": "jsonl", "params": FEEDBACK},
                headers={"Authorization": f"Bearer {dana.key}"},
                timeout=30,
            )
            assert answer.status_code == 202, answer.text
            job = answer.json()["data"]
            wait_for(lambda: status(dana, job)["entriesDone"] > 0, what="a first chunk")

            broker.stop()  # every chunk still waiting in its queue is gone with it
            stopped, stopped_at = time.monotonic(), timezone.now()
            time.sleep(2)
            broker.start()
            done = finished(dana, job, workers)
            took = time.monotonic() - stopped
    finally:
        broker.stop()

    assert done["status"] == "succeeded", done
    assert took < RECOVERY_BOUND, f"took {took:.1f} s"
    requeued = JobChunk.objects.filter(job_id=job["id"], queued_at__gt=stopped_at)
    assert requeued.exists()  # by the sweep: the broker came back empty
    lines = download(dana, job).splitlines()
    assert [json.loads(line)["id"] for line in lines] == expected_ids(job["id"], range(400))
    assert ledger_of(dana)[1:] == [("debit", -800)]
    assert_ledger_balances(dana)


def test_a_job_cancelled_mid_run_refunds_what_it_had_not_delivered(
    workers: Celery, dana: Consumer
) -> None:
    workers.start(concurrency=1)
    job = submit(dana, type="feedback", count=30_000, format="jsonl", params=FEEDBACK)
    wait_for(lambda: status(dana, job)["entriesDone"] > 0, what="a first chunk")

    cancelled = dana.client.delete(f"/api/jobs/{job['id']}").json()["data"]

    assert cancelled["status"] == "cancelled"
    delivered = JobChunk.objects.filter(job_id=job["id"]).exclude(finished_at=None)
    delivered_credits = delivered.aggregate(sum=Sum("credits"))["sum"]
    assert cancelled["refundedCredits"] == 1_200 - delivered_credits > 0
    assert ledger_of(dana)[1:] == [("debit", -1_200), ("refund", cancelled["refundedCredits"])]
    assert dana.refresh().balance == 10_000 - delivered_credits
    assert_ledger_balances(dana)
    # What was delivered is a file of exactly the finished chunks, in order.
    shown = wait_for(lambda: (shown := status(dana, job))["downloadUrl"] and shown)
    assert shown["entriesDone"] == cancelled["entriesDone"]
    batches = [
        b
        for chunk in delivered.order_by("index")
        for b in range(chunk.first_batch, chunk.first_batch + chunk.batch_count)
    ]  # noqa: E501
    lines = download(dana, job).splitlines()
    assert [json.loads(line)["id"] for line in lines] == expected_ids(job["id"], batches)


def test_a_job_whose_chunks_keep_failing_fails_cleanly_with_a_refund(
    workers: Celery, bob: Consumer
) -> None:
    workers.start(concurrency=2)
    broken = {"productType": "no_such_product", "sentimentMix": "positive"}
    job, _ = jobs.create_job(
        account=bob.account,
        api_key=None,
        kind="feedback",
        count=120,
        format="csv",
        params={**broken, "complexityLevel": "simple", "generatorVersion": LATEST},
        request_id="broken-on-workers",
    )

    done = finished(bob, {"id": str(job.pk)}, workers)

    assert done["status"] == "failed"
    assert done["error"] == "The job failed while generating its entries"
    assert done["refundedCredits"] == 6
    assert ledger_of(bob)[1:] == [("debit", -6), ("refund", 6)]
    assert bob.refresh().balance == 1_000
    assert_ledger_balances(bob)
