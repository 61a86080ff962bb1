"""The lost-chunk sweep queues again the chunks no worker has held for TASK_REDELIVERY_AFTER
(here their tasks run inline, as eager Celery does), long before a stalled job is failed."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from generators import jobs
from generators.models import Job, JobChunk
from tests.conftest import Consumer

FEEDBACK = {"productType": "web_app", "sentimentMix": "negative", "complexityLevel": "simple"}


@pytest.fixture
def long_ago(settings: Any) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.TASK_REDELIVERY_AFTER + 1)


def accept(consumer: Consumer, count: int) -> str:
    """A job accepted and charged whose tasks never ran (its broker lost them)."""
    body = {"type": "feedback", "count": count, "format": "jsonl", "params": FEEDBACK}
    response = consumer.client.post("/api/jobs", body, format="json")
    assert response.status_code == 202
    return response.json()["data"]["id"]


def test_a_job_whose_tasks_were_all_lost_is_queued_again_and_finishes(
    bob: Consumer, long_ago: dt.datetime
) -> None:
    job_id = accept(bob, 1_000)
    Job.objects.filter(pk=job_id).update(created_at=long_ago)

    assert jobs.requeue_lost_chunks() == Job.objects.get(pk=job_id).chunk_count

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.entries_done) == ("succeeded", 1_000)
    assert not JobChunk.objects.filter(job_id=job_id, queued_at=None).exists()
    assert bob.refresh().balance == 1_000 - 40


def test_only_the_chunks_no_worker_holds_are_queued_again(
    bob: Consumer, long_ago: dt.datetime
) -> None:
    job_id = accept(bob, 500)  # 10 batches, 10 chunks
    Job.objects.filter(pk=job_id).update(status="running", created_at=long_ago)
    chunks = JobChunk.objects.filter(job_id=job_id)
    now = timezone.now()
    chunks.update(queued_at=long_ago, started_at=now)  # in a worker's hands right now
    chunks.filter(index=1).update(started_at=long_ago)  # its worker vanished
    chunks.filter(index=2).update(started_at=None)  # the broker lost it
    chunks.filter(index=3).update(queued_at=now, started_at=None)  # queued just now

    assert jobs.requeue_lost_chunks() == 2

    assert set(chunks.exclude(finished_at=None).values_list("index", flat=True)) == {1, 2}
    assert jobs.requeue_lost_chunks() == 0  # they count once, and were just queued


def test_a_fresh_job_and_a_finished_one_are_left_alone(
    bob: Consumer, long_ago: dt.datetime
) -> None:
    fresh = accept(bob, 100)
    cancelled = accept(bob, 100)
    jobs.cancel_job(job=Job.objects.get(pk=cancelled))
    Job.objects.filter(pk=cancelled).update(created_at=long_ago)

    assert jobs.requeue_lost_chunks() == 0
    assert Job.objects.get(pk=fresh).status == "queued"


def test_a_job_whose_assembly_was_lost_gets_its_file(bob: Consumer, long_ago: dt.datetime) -> None:
    job_id = accept(bob, 300)
    job = Job.objects.get(pk=job_id)
    for chunk in job.chunks.all():
        jobs.build_chunk(job_id=job_id, index=chunk.index)  # built, but never assembled
    Job.objects.filter(pk=job_id).update(progressed_at=long_ago)
    assert Job.objects.get(pk=job_id).status == "running"

    assert jobs.requeue_lost_chunks() == 0  # no chunk to build again

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.entries_done) == ("succeeded", 300)
    assert job.file_size
