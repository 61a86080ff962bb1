"""Celery tasks for bulk jobs: each takes ids and calls one service in generators.jobs.

Every task's time limits are the settings' (TASK_TIME_LIMIT), which also size the broker's
visibility timeout: a chunk of at most 100 batches (5,000 entries) takes a few seconds of
generation, and the last one also assembles the file, about a second for 100,000 entries.
"""

import logging
import threading
import time

import kombu.exceptions
from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction

from generators import jobs
from synthgen.celery import app

logger = logging.getLogger("synthgen.jobs")

CHUNK_RETRIES = 3
DATABASE_AWAY = (OperationalError, InterfaceError)
# Without a broker no one would build a chunk later (no sweep runs), and what stops one there
# is mostly SQLite's lock, held for a moment by a request: try a few times before giving up.
EAGER_TRIES = 5
# start_job is published before its job commits; this many seconds for the commit to land.
START_RETRIES = 10


def enqueue_job(job_id: str) -> None:
    """Queue the start of a job from inside the transaction that creates it.

    With a broker, the task is published at once, so a broker that refuses it rolls the job and
    its charge back (QueueUnavailable). Without one (eager Celery) the job runs once the
    transaction commits, on a thread, so the POST still answers at once in the embedded default.
    """
    if app.conf.task_always_eager:
        transaction.on_commit(lambda: _run_eagerly(job_id))
        return
    try:
        start_job.delay(job_id)
    except kombu.exceptions.OperationalError as exc:
        raise jobs.QueueUnavailable from exc


def _run_eagerly(job_id: str) -> None:
    if not settings.JOBS_RUN_IN_THREAD:
        start_job.apply(args=(job_id,))
        return
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"job-{job_id}")
    thread.daemon = True
    thread.start()


def _run_in_thread(job_id: str) -> None:
    try:
        start_job.apply(args=(job_id,))
    except Exception:
        logger.exception("Job %s failed on its background thread", job_id)
    finally:
        connections.close_all()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def start_job(self: Task, job_id: str) -> None:
    """Fan the job out: one task per chunk, for however many workers there are."""
    if jobs.queue_chunks(job_id=job_id):
        return
    # Not committed yet (we were published from inside its transaction), or rolled back.
    if self.request.retries >= START_RETRIES or self.request.is_eager:
        logger.warning("Job %s does not exist; its transaction must have rolled back", job_id)
        return
    raise self.retry(countdown=1, max_retries=START_RETRIES)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=CHUNK_RETRIES)
def build_chunk(self: Task, job_id: str, index: int) -> None:
    """Build one chunk; the task that finishes the last one assembles the file."""
    try:
        _build(job_id, index, tries=EAGER_TRIES if self.request.is_eager else 1)
    except Exception as exc:
        # Eager tasks cannot be retried later (there is no broker to hold them): fail at once.
        if self.request.retries < CHUNK_RETRIES and not self.request.is_eager:
            logger.warning("Chunk %s of job %s failed, retrying: %r", index, job_id, exc)
            raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
        if isinstance(exc, DATABASE_AWAY):
            # Not the job's fault: the lost-chunk sweep builds it once the database is back.
            logger.warning("Chunk %s of job %s left to the sweep: %r", index, job_id, exc)
            return
        logger.exception("Chunk %s of job %s failed for good", index, job_id)
        jobs.fail_job(job_id=job_id, error="The job failed while generating its entries")


def _build(job_id: str, index: int, *, tries: int) -> None:
    for attempt in range(tries):
        try:
            if jobs.build_chunk(job_id=job_id, index=index):
                jobs.assemble_job(job_id=job_id)
            return
        except DATABASE_AWAY as exc:
            if attempt == tries - 1:
                raise
            logger.warning("Chunk %s of job %s failed, trying again: %r", index, job_id, exc)
            time.sleep(0.05 * 2**attempt)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=CHUNK_RETRIES)
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
def requeue_lost_chunks() -> int:
    """Beat: queue again the chunks whose task was lost with its worker or the broker."""
    return jobs.requeue_lost_chunks()


@shared_task
def fail_stalled_jobs() -> int:
    """Beat: fail and refund jobs whose chunks stopped finishing."""
    return jobs.fail_stalled_jobs()
