"""The jobs API through HTTP, with jobs run inline (eager Celery) when their request commits."""

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from billing.models import CreditEntry
from generators import jobs
from generators.engine import LATEST
from generators.models import Job
from tests.conftest import Consumer
from tests.jobs.conftest import wait_for

FEEDBACK = {"productType": "mobile_app", "sentimentMix": "balanced"}


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the on-commit callbacks (the job's tasks) of the requests made inside it."""
    return django_capture_on_commit_callbacks


def submit(consumer: Consumer, **body: Any) -> Any:
    body = {"type": "feedback", "count": 120, "format": "jsonl", "params": FEEDBACK, **body}
    return consumer.client.post("/api/jobs", body, format="json")


def run(consumer: Consumer, capture: Any, **body: Any) -> dict[str, Any]:
    """Submit a job and let it run inline as its request commits; its final state."""
    with capture(execute=True):
        response = submit(consumer, **body)
    assert response.status_code == 202, response.json()
    return consumer.client.get(f"/api/jobs/{response.json()['data']['id']}").json()["data"]


def download(consumer: Consumer, job: dict[str, Any]) -> Any:
    return consumer.client.get(f"/api/jobs/{job['id']}/download")


def content(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def ledger(consumer: Consumer) -> list[tuple[str, int]]:
    entries = CreditEntry.objects.filter(account=consumer.account).order_by("pk")
    return [(entry.kind, entry.amount) for entry in entries]


def test_a_job_is_accepted_at_once_with_its_price_and_status_url(bob: Consumer) -> None:
    response = submit(bob)

    assert response.status_code == 202
    body = response.json()
    job = body["data"]
    assert job["status"] == "queued"
    assert job["progress"] == 0
    assert job["price"] == 6
    assert job["statusUrl"] == f"http://testserver/api/jobs/{job['id']}"
    assert body["creditsUsed"] == 6
    assert body["remainingCredits"] == 994
    assert bob.refresh().balance == 994
    assert ledger(bob)[-1] == ("debit", -6)


@pytest.mark.parametrize(
    ("kind", "count", "params", "price"),
    [
        ("feedback", 1, FEEDBACK, 2),
        ("feedback", 50, FEEDBACK, 2),
        ("feedback", 51, FEEDBACK, 4),
        ("feedback", 100_000, FEEDBACK, 4_000),
        ("tickets", 7, {"productType": "saas"}, 7),
        ("interviews", 3, {"productType": "fintech", "questionCount": 4}, 24),
    ],
)
def test_the_price_is_what_the_synchronous_endpoints_charge_for_the_same_output(
    make_consumer: Any, kind: str, count: int, params: dict, price: int
) -> None:
    pro = make_consumer("dana@example.com", "pro", name="Dana")

    response = submit(pro, type=kind, count=count, params=params)

    assert response.json()["data"]["price"] == price
    assert pro.refresh().balance == 10_000 - price


def test_an_invalid_job_is_refused_with_every_bad_field_and_costs_nothing(bob: Consumer) -> None:
    response = submit(
        bob,
        count=True,
        format="xml",
        params={"sentimentMix": "sunny", "feedbackCount": 5, "complexityLevel": "medium"},
        priority="high",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_PARAMETERS"
    assert set(body["details"]) == {
        "count",
        "format",
        "params.productType",
        "params.sentimentMix",
        "params.feedbackCount",
        "priority",
    }
    assert bob.refresh().balance == 1_000
    assert not Job.objects.exists()


def test_an_unknown_job_type_and_a_body_that_is_not_an_object_are_refused(bob: Consumer) -> None:
    expected = {"type": "Must be one of: feedback, tickets, interviews, dataset"}
    assert submit(bob, type="poems").json()["details"] == expected
    for malformed in ({}, [], 3, None):
        response = submit(bob, type=malformed)
        assert (response.status_code, response.json()["code"]) == (400, "INVALID_PARAMETERS")
        assert "type" in response.json()["details"]
    response = bob.client.post("/api/jobs", [1, 2], format="json")
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_JSON")


def test_jobs_are_limited_to_100000_entries_and_2000_interviews(bob: Consumer) -> None:
    too_many = submit(bob, count=100_001)
    interviews = submit(
        bob, type="interviews", count=2_001, params={"productType": "saas", "questionCount": 1}
    )

    assert too_many.json()["details"]["count"] == "Must be a whole number from 1 to 100000"
    assert interviews.json()["details"]["count"].endswith("from 1 to 2000 for interviews")


def test_a_job_the_balance_cannot_cover_is_402_and_nothing_is_queued(alice: Consumer) -> None:
    response = submit(alice, count=100_000)

    assert response.status_code == 402
    body = response.json()
    assert (body["code"], body["requiredCredits"], body["remainingCredits"]) == (
        "INSUFFICIENT_CREDITS",
        4_000,
        50,
    )
    assert not Job.objects.exists()
    assert alice.refresh().balance == 50


def test_a_job_counts_as_one_request_toward_the_daily_limit(alice: Consumer) -> None:
    response = submit(alice)

    assert response["X-RateLimit-Limit"] == "5"
    assert response["X-RateLimit-Remaining"] == "4"


def test_a_job_runs_to_the_end_and_reports_progress_and_times(bob: Consumer, commits: Any) -> None:
    job = run(bob, commits)

    assert job["status"] == "succeeded"
    assert job["progress"] == 100
    assert job["entriesDone"] == 120
    assert job["createdAt"] <= job["startedAt"] <= job["finishedAt"]
    assert job["downloadUrl"] == f"http://testserver/api/jobs/{job['id']}/download"
    assert job["error"] is None


def test_a_jsonl_export_has_one_entry_a_line_and_a_filename(bob: Consumer, commits: Any) -> None:
    job = run(bob, commits, count=120, format="jsonl")
    response = download(bob, job)

    assert response["Content-Type"] == "application/x-ndjson"
    filename = f"synthgen-feedback-{job['id'][:8]}.jsonl"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    entries = [json.loads(line) for line in content(response).splitlines()]
    assert len(entries) == 120
    assert len({entry["id"] for entry in entries}) == 120


def test_a_csv_export_has_a_header_and_nested_fields_as_columns(
    bob: Consumer, commits: Any
) -> None:
    params = {"productType": "ecommerce", "complexityLevel": "complex"}
    job = run(bob, commits, type="tickets", count=60, format="csv", params=params)
    response = download(bob, job)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(content(response))))
    assert len(rows) == 60
    assert {"id", "subject", "customer.name", "customer.email"} <= set(rows[0])
    assert any(column.startswith("thread.1.") for column in rows[0])
    assert all(row["customer.email"] for row in rows)


def test_a_json_export_is_one_array(bob: Consumer, commits: Any) -> None:
    params = {"productType": "saas", "questionCount": 3}
    job = run(bob, commits, type="interviews", count=4, format="json", params=params)
    response = download(bob, job)

    assert response["Content-Type"] == "application/json"
    interviews = json.loads(content(response))
    assert len(interviews) == 4
    assert all(len(interview["questions"]) == 3 for interview in interviews)


def test_a_seeded_job_equals_the_synchronous_endpoint_batch_by_batch(
    bob: Consumer, commits: Any
) -> None:
    params = {**FEEDBACK, "seed": 41, "complexityLevel": "simple"}
    job = run(bob, commits, count=120, params=params)
    exported = [json.loads(line) for line in content(download(bob, job)).splitlines()]

    synchronous = []
    for batch, count in enumerate([50, 50, 20]):
        body = {**params, "seed": 41 + batch, "feedbackCount": count}
        synchronous += bob.client.post("/api/feedback/generate", body, format="json").json()["data"]
    assert exported == synchronous


def test_a_job_without_a_seed_picks_one_and_reports_it(bob: Consumer) -> None:
    first = submit(bob).json()["data"]["params"]["seed"]
    second = submit(bob).json()["data"]["params"]["seed"]

    assert isinstance(first, int)
    assert first != second


def test_the_accounts_jobs_are_listed_newest_first(bob: Consumer, alice: Consumer) -> None:
    ids = [submit(bob, count=count).json()["data"]["id"] for count in (1, 2, 3)]
    submit(alice)

    listed = bob.client.get("/api/jobs").json()["data"]

    assert [job["id"] for job in listed] == ids[::-1]
    assert [job["id"] for job in bob.client.get("/api/jobs?limit=1").json()["data"]] == ids[-1:]


def test_another_accounts_job_is_404(bob: Consumer, alice: Consumer, commits: Any) -> None:
    job = run(bob, commits)

    for response in (
        alice.client.get(f"/api/jobs/{job['id']}"),
        alice.client.delete(f"/api/jobs/{job['id']}"),
        alice.client.get(f"/api/jobs/{job['id']}/download"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")
    assert Job.objects.get().status == "succeeded"


def test_cancelling_a_queued_job_refunds_its_whole_price(alice: Consumer) -> None:
    job = submit(alice, count=120).json()["data"]

    response = alice.client.delete(f"/api/jobs/{job['id']}")

    assert response.status_code == 200
    cancelled = response.json()["data"]
    assert (cancelled["status"], cancelled["refundedCredits"]) == ("cancelled", 6)
    assert alice.refresh().balance == 50
    assert ledger(alice)[-2:] == [("debit", -6), ("refund", 6)]
    assert alice.client.get("/api/account").json()["data"]["requestsToday"] == 0
    assert alice.client.get(f"/api/jobs/{job['id']}/download").json()["code"] == "JOB_NOT_READY"


def test_cancelling_twice_refunds_once(alice: Consumer) -> None:
    job = submit(alice).json()["data"]

    alice.client.delete(f"/api/jobs/{job['id']}")
    again = alice.client.delete(f"/api/jobs/{job['id']}")

    assert again.status_code == 200
    assert alice.refresh().balance == 50
    assert [kind for kind, _ in ledger(alice)].count("refund") == 1


def test_a_finished_job_cannot_be_cancelled(bob: Consumer, commits: Any) -> None:
    job = run(bob, commits)

    response = bob.client.delete(f"/api/jobs/{job['id']}")

    assert (response.status_code, response.json()["code"]) == (409, "JOB_FINISHED")
    assert bob.refresh().balance == 994


def test_the_file_of_a_running_job_is_not_ready(bob: Consumer) -> None:
    job = submit(bob).json()["data"]

    response = download(bob, job)

    assert (response.status_code, response.json()["code"]) == (409, "JOB_NOT_READY")


def test_files_expire_after_7_days_and_the_job_says_so(bob: Consumer, commits: Any) -> None:
    job = run(bob, commits)
    assert jobs.expire_files(now=timezone.now() + dt.timedelta(days=6)) == 0

    assert jobs.expire_files(now=timezone.now() + dt.timedelta(days=7, minutes=1)) == 1

    shown = bob.client.get(f"/api/jobs/{job['id']}").json()["data"]
    assert (shown["fileExpired"], shown["downloadUrl"]) == (True, None)
    assert shown["fileExpiresAt"] == job["fileExpiresAt"]
    response = download(bob, job)
    assert (response.status_code, response.json()["code"]) == (410, "JOB_EXPIRED")
    assert jobs.default_storage.listdir(f"jobs/{job['id']}") == ([], [])


def test_an_idempotent_retry_replays_the_job_and_charges_once(bob: Consumer) -> None:
    body = {"type": "feedback", "count": 120, "format": "csv", "params": FEEDBACK}
    headers = {"HTTP_IDEMPOTENCY_KEY": "job-1"}

    first = bob.client.post("/api/jobs", body, format="json", **headers)
    second = bob.client.post("/api/jobs", body, format="json", **headers)
    other = bob.client.post("/api/jobs", {**body, "count": 121}, format="json", **headers)

    assert second.status_code == 202
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert Job.objects.count() == 1
    assert bob.refresh().balance == 994


def test_a_job_that_keeps_failing_fails_cleanly_with_a_refund(bob: Consumer, commits: Any) -> None:
    params = {"productType": "no_such_product", "sentimentMix": "balanced"}
    with commits(execute=True):
        job, _ = jobs.create_job(
            account=bob.account,
            api_key=None,
            kind="feedback",
            count=120,
            format="jsonl",
            params={**params, "complexityLevel": "medium", "generatorVersion": LATEST},
            request_id="broken-job",
        )

    shown = bob.client.get(f"/api/jobs/{job.pk}").json()["data"]
    assert shown["status"] == "failed"
    assert shown["error"] == "The job failed while generating its entries"
    assert shown["refundedCredits"] == 6
    assert bob.refresh().balance == 1_000
    assert ledger(bob)[-2:] == [("debit", -6), ("refund", 6)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_job_runs_in_the_background_after_a_202(
    bob: Consumer, settings: Any
) -> None:
    settings.JOBS_RUN_IN_THREAD = True

    response = submit(bob, count=300)

    assert response.status_code == 202
    assert response.json()["data"]["status"] == "queued"
    url = f"/api/jobs/{response.json()['data']['id']}"
    job = wait_for(
        lambda: (shown := bob.client.get(url).json()["data"])["status"] == "succeeded" and shown,
        what="the background job",
    )
    assert job["entriesDone"] == 300
    assert len(content(download(bob, job)).splitlines()) == 300


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_a_chunk_the_database_refused_a_moment_is_built_all_the_same(
    bob: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No sweep runs without a broker: a chunk left to it would hold the job back for good.
    build, refused = jobs.build_chunk, []

    def locked_once(**kwargs: Any) -> bool:
        if not refused:
            refused.append(kwargs["index"])
            raise OperationalError("database table is locked: generators_job")
        return build(**kwargs)

    monkeypatch.setattr(jobs, "build_chunk", locked_once)

    job = submit(bob, count=300).json()["data"]

    assert refused == [0]
    shown = bob.client.get(f"/api/jobs/{job['id']}").json()["data"]
    assert (shown["status"], shown["entriesDone"]) == ("succeeded", 300)
    assert len(content(download(bob, shown)).splitlines()) == 300


def test_a_job_that_stopped_making_progress_is_failed_and_refunded(bob: Consumer) -> None:
    job = submit(bob).json()["data"]
    stalled_since = timezone.now() - jobs.STALL_LIMIT - dt.timedelta(minutes=1)
    Job.objects.filter(pk=job["id"]).update(progressed_at=stalled_since)
    fresh = submit(bob).json()["data"]

    assert jobs.fail_stalled_jobs() == 1

    shown = bob.client.get(f"/api/jobs/{job['id']}").json()["data"]
    assert (shown["status"], shown["refundedCredits"]) == ("failed", 6)
    assert shown["error"].startswith("The job stopped making progress")
    assert bob.client.get(f"/api/jobs/{fresh['id']}").json()["data"]["status"] == "queued"
    assert bob.refresh().balance == 994


def test_a_restarted_embedded_server_refunds_the_jobs_its_last_run_left_unfinished(
    alice: Consumer, settings: Any
) -> None:
    settings.REDIS_URL = ""
    job = submit(alice, count=120).json()["data"]
    assert alice.refresh().balance == 44

    call_command("fail_interrupted_jobs", stdout=io.StringIO())

    shown = alice.client.get(f"/api/jobs/{job['id']}").json()["data"]
    assert (shown["status"], shown["refundedCredits"]) == ("failed", 6)
    assert shown["error"].startswith("The server restarted before the job finished")
    assert alice.refresh().balance == 50


def test_interrupted_jobs_are_left_to_the_workers_when_a_broker_is_configured(
    alice: Consumer, settings: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    job = submit(alice, count=120).json()["data"]
    with pytest.raises(CommandError, match="REDIS_URL is set"):
        call_command("fail_interrupted_jobs")
    assert alice.client.get(f"/api/jobs/{job['id']}").json()["data"]["status"] == "queued"
