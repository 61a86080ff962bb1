"""Celery tasks for bulk jobs: each takes ids and calls one service in generators.jobs."""

import logging
import threading

from celery import Task, shared_task
from django.conf import settings
from django.db import connections

from generators import jobs
from generators.models import Job
from synthgen.celery import app

logger = logging.getLogger("synthgen.jobs")

# A chunk is at most 20 batches (1,000 entries) and the last one also assembles the file, a
# few seconds for 100,000 entries; these limits leave wide room and still catch a hung task.
CHUNK_SOFT_TIME_LIMIT = 120
CHUNK_TIME_LIMIT = 150
CHUNK_RETRIES = 3


def enqueue_job(job_id: str) -> None:
    """Queue a job's chunks; without a broker (eager Celery), run them on a thread instead, so
    the POST still answers at once in the embedded default."""
    if app.conf.task_always_eager and settings.JOBS_RUN_IN_THREAD:
        thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"job-{job_id}")
        thread.daemon = True
        thread.start()
        return
    start_job.delay(job_id)


def _run_in_thread(job_id: str) -> None:
    try:
        start_job.apply(args=(job_id,))
    except Exception:
        logger.exception("Job %s failed on its background thread", job_id)
    finally:
        connections.close_all()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def start_job(job_id: str) -> None:
    """Fan the job out: one task per chunk, for however many workers there are."""
    chunk_count = Job.objects.values_list("chunk_count", flat=True).get(pk=job_id)
    for index in range(chunk_count):
        build_chunk.delay(job_id, index)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=CHUNK_RETRIES,
    soft_time_limit=CHUNK_SOFT_TIME_LIMIT,
    time_limit=CHUNK_TIME_LIMIT,
)
def build_chunk(self: Task, job_id: str, index: int) -> None:
    """Build one chunk; the task that finishes the last one assembles the file."""
    try:
        if jobs.build_chunk(job_id=job_id, index=index):
            jobs.assemble_job(job_id=job_id)
    except Exception as exc:
        # Eager tasks cannot be retried later (there is no broker to hold them): fail at once.
        if self.request.retries < CHUNK_RETRIES and not self.request.is_eager:
            logger.warning("Chunk %s of job %s failed, retrying: %r", index, job_id, exc)
            raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
        logger.exception("Chunk %s of job %s failed for good", index, job_id)
        jobs.fail_job(job_id=job_id, error="The job failed while generating its entries")


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=CHUNK_RETRIES,
    soft_time_limit=CHUNK_SOFT_TIME_LIMIT,
    time_limit=CHUNK_TIME_LIMIT,
)
def assemble_job(self: Task, job_id: str) -> None:
    """Write the file of what a cancelled or failed job delivered."""
    try:
        jobs.assemble_job(job_id=job_id)
    except Exception as exc:
        if self.request.retries >= CHUNK_RETRIES or self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task
def expire_job_files() -> int:
    """Beat: delete export files older than 7 days."""
    return jobs.expire_files()


@shared_task
def fail_stalled_jobs() -> int:
    """Beat: fail and refund jobs whose chunks stopped finishing."""
    return jobs.fail_stalled_jobs()
