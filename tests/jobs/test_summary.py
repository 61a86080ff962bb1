"""A finished job's summary is a recount of its downloaded file, sentences included."""

import csv
import io
import json
import re
from typing import Any

import pytest

from generators import jobs
from generators.models import JobChunk
from generators.summary import Tally, job_summary
from tests.conftest import Consumer
from tests.generators_api.test_summary import (
    recount_feedback,
    recount_interviews,
    recount_tickets,
)
from tests.jobs import test_workers
from tests.jobs.test_api import content, download, run, submit
from tests.servers import Celery


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the on-commit callbacks (the job's tasks) of the requests made inside it."""
    return django_capture_on_commit_callbacks


SENTENCE_END = re.compile(r"(?<=[.!?…]) ")


def sentences(texts: list[str]) -> dict[str, Any]:
    lines = [line for text in texts for line in text.splitlines()]
    found = [part.strip() for line in lines for part in SENTENCE_END.split(line)]
    found = [sentence for sentence in found if sentence]
    distinct = len(set(found))
    share = round((len(found) - distinct) / len(found), 4)
    return {"total": len(found), "distinct": distinct, "repeatedShare": share}


def lines(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content(response).splitlines()]


def test_a_feedback_jobs_summary_is_a_recount_of_its_file(bob: Consumer, commits: Any) -> None:
    params = {"productType": "saas", "sentimentMix": "mixed", "complexityLevel": "complex"}
    job = run(bob, commits, count=1234, params=params)
    entries = lines(download(bob, job))

    assert len(entries) == 1234
    texts = [entry["content"] for entry in entries]
    assert job["summary"] == {**recount_feedback(entries), "sentences": sentences(texts)}


def test_a_ticket_jobs_summary_is_a_recount_of_its_csv_file(bob: Consumer, commits: Any) -> None:
    params = {"productType": "fintech", "complexityLevel": "complex"}
    job = run(bob, commits, type="tickets", count=333, format="csv", params=params)
    rows = list(csv.DictReader(io.StringIO(content(download(bob, job)))))

    assert len(rows) == 333
    texts = [row["description"] for row in rows]
    assert job["summary"] == {**recount_tickets(rows), "sentences": sentences(texts)}


def test_an_interview_jobs_summary_is_a_recount_of_its_json_file(
    bob: Consumer, commits: Any
) -> None:
    params = {"productType": "hardware", "questionCount": 6, "interviewType": "usability"}
    job = run(bob, commits, type="interviews", count=7, format="json", params=params)
    interviews = json.loads(content(download(bob, job)))

    answers = [
        question["answer"] for interview in interviews for question in interview["questions"]
    ]
    assert job["summary"] == {**recount_interviews(interviews), "sentences": sentences(answers)}
    assert job["summary"]["questions"] == 42


def test_a_job_has_no_summary_until_its_file_is_written(bob: Consumer) -> None:
    job = submit(bob).json()["data"]
    assert job["status"] == "queued"
    assert job["summary"] is None


def test_a_cancelled_jobs_summary_counts_what_it_delivered(bob: Consumer, commits: Any) -> None:
    job = submit(bob, count=2500).json()["data"]
    jobs.build_chunk(job_id=job["id"], index=0)
    with commits(execute=True):
        cancelled = bob.client.delete(f"/api/jobs/{job['id']}")
    assert cancelled.status_code == 200
    shown = bob.client.get(f"/api/jobs/{job['id']}").json()["data"]
    entries = lines(download(bob, shown))

    assert shown["status"] == "cancelled"
    assert 0 < len(entries) < 2500
    texts = [entry["content"] for entry in entries]
    assert shown["summary"] == {**recount_feedback(entries), "sentences": sentences(texts)}


def test_the_sentence_digests_are_dropped_once_the_file_is_written(
    bob: Consumer, commits: Any
) -> None:
    job = run(bob, commits, count=300)
    chunks = JobChunk.objects.filter(job_id=job["id"])
    assert chunks.count() > 1
    assert not chunks.exclude(sentence_digests=None).exists()
    assert all(chunk.summary["entries"] > 0 for chunk in chunks)


@pytest.mark.parametrize("repeats", [1, 3])
def test_repeated_sentences_across_chunks_are_counted_once_each(repeats: int) -> None:
    entry = {"sentiment": "positive", "rating": 5, "content": "Great. Really great! Great."}
    chunks = []
    for _ in range(repeats):
        tally = Tally(kind="feedback", distinct=set()).add_all([entry])
        chunks.append((tally.to_json(), tally.digest_bytes()))
    summary = job_summary("feedback", chunks)
    assert summary["sentences"] == sentences([entry["content"]] * repeats)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chunks_built_by_separate_worker_processes_sum_up_to_the_files_summary(
    workers: Celery, bob: Consumer
) -> None:
    workers.start(concurrency=2)
    params = {"productType": "hardware", "sentimentMix": "balanced", "complexityLevel": "simple"}
    job = test_workers.submit(bob, type="feedback", count=1_500, format="jsonl", params=params)

    done = test_workers.finished(bob, job, workers)

    entries = [json.loads(line) for line in test_workers.download(bob, job).splitlines()]
    assert done["status"] == "succeeded"
    assert JobChunk.objects.filter(job_id=job["id"]).count() > 2
    texts = [entry["content"] for entry in entries]
    assert done["summary"] == {**recount_feedback(entries), "sentences": sentences(texts)}
