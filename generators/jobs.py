"""What happens to bulk generation jobs: accepting and charging, building chunks, assembling the
export, cancelling or failing with a refund of what was not delivered, queueing again the chunks
whose task was lost, and expiring files."""

import csv
import datetime as dt
import io
import json
import math
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from accounts.models import Account, ApiKey
from accounts.webhooks import events as webhook_events
from billing.prices import JOB_BATCH_ENTRIES, job_price
from billing.services import (
    Charge,
    answer_request,
    charge_request,
    record_usage,
    refund_request,
    requests_today,
)
from generators import dataset_jobs, engine
from generators.items import JOB_ITEMS, csv_columns
from generators.models import Job, JobChunk
from generators.serializers import generation_window
from generators.summary import Tally, job_summary

ENDPOINT = "/api/jobs"
FILE_LIFETIME = dt.timedelta(days=7)
# A job stuck this long without a chunk finishing (its tasks lost, or the web process that ran
# it in the embedded mode restarted) is failed and refunded by the sweep.
STALL_LIMIT = dt.timedelta(hours=2)
# About this many chunks per job, so a few workers share even a small job, but never more
# than this many batches in one chunk, so a lost chunk costs little to build again (5,000
# feedback entries: well under a second of generation). Each chunk also costs a task, a file
# and a few commits, so smaller ones spend a worker's time on those instead (issue 11).
TARGET_CHUNKS = 16
MAX_BATCHES_PER_CHUNK = 100
# The last two chunks' worth of batches come in chunks this many times smaller, so the workers
# finish together: the others wait for the last one at most a small chunk, not a whole one.
TAIL_CHUNKS = 2
TAIL_SPLIT = 4
# A chunk that killed its worker this many times is not tried again (a poison task).
MAX_CHUNK_ATTEMPTS = 5
# Far enough below the synchronous endpoints' largest seed that seed + batch stays valid there.
SEED_LIMIT = 2**62


class QueueUnavailable(Exception):
    """The broker refused the job's task: the job and its charge were rolled back."""


CONTENT_TYPES: dict[str, str] = {
    Job.Format.JSONL: "application/x-ndjson",
    Job.Format.CSV: "text/csv; charset=utf-8",
    Job.Format.JSON: "application/json",
}
ZIP_CONTENT_TYPE = "application/zip"


def content_type(job: Job) -> str:
    """A dataset's file is a ZIP of tables whatever its format; other jobs' files are one."""
    return ZIP_CONTENT_TYPE if job.kind == Job.Kind.DATASET else CONTENT_TYPES[job.format]


def batch_count(*, kind: str, count: int) -> int:
    """Batches of a job: 50 entries each, or one interview (one customer) each."""
    if kind in (Job.Kind.INTERVIEWS, Job.Kind.DATASET):
        return count
    return math.ceil(count / JOB_BATCH_ENTRIES)


def batch_entries(*, kind: str, count: int, batch: int) -> int:
    """Entries of one batch (its interview counts as one entry)."""
    if kind == Job.Kind.INTERVIEWS:
        return 1
    return min(JOB_BATCH_ENTRIES, count - batch * JOB_BATCH_ENTRIES)


def price_of(*, kind: str, count: int, params: dict[str, Any]) -> int:
    return job_price(kind=kind, count=count, question_count=params.get("questionCount", 1))


# What one worker builds in a second, chunk files and the export included (entries; for
# interviews, questions): about half what a job run in-process on a 2-core machine managed
# (feedback 8,800, tickets 18,000, interview questions 17,500 a second), for the queue and
# database round trips of real workers; and the time a job waits for its first worker. A dry
# run's estimate, for one worker: more workers share the chunks.
UNITS_PER_SECOND: dict[str, int] = {
    Job.Kind.FEEDBACK: 4_000,
    Job.Kind.TICKETS: 8_000,
    Job.Kind.INTERVIEWS: 8_000,
    # Customers with their reviews and tickets: 700 to 2,300 a second in-process, a chunk
    # task about half that (benchmarks/datasets.py --job).
    Job.Kind.DATASET: 600,
}
START_SECONDS = 1


@dataclass(frozen=True)
class JobEstimate:
    price: int
    batches: int
    seconds: int


def estimate_job(*, kind: str, count: int, params: dict[str, Any]) -> JobEstimate:
    """What a job would cost, its batches and about how long it would take; changes nothing.

    A dataset's price depends on what its seed makes: `params` must hold the seed."""
    units = count * params["questionCount"] if kind == Job.Kind.INTERVIEWS else count
    if kind == Job.Kind.DATASET:
        window = generation_window(date_from=params.get("dateFrom"), date_to=params.get("dateTo"))
        price = dataset_jobs.price(count=count, params=params, version=params["generatorVersion"],
                                   seed=params["seed"], window=window)  # fmt: skip
    else:
        price = price_of(kind=kind, count=count, params=params)
    return JobEstimate(
        price=price,
        batches=batch_count(kind=kind, count=count),
        seconds=START_SECONDS + math.ceil(units / UNITS_PER_SECOND[kind]),
    )


def draw_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def create_job(
    *,
    account: Account,
    api_key: ApiKey | None,
    kind: str,
    count: int,
    format: str,
    params: dict[str, Any],
    request_id: str,
) -> tuple[Job, Charge]:
    """Charge the job's price (one request toward the daily limit) and queue it, all or nothing.

    The task is handed to the broker inside the transaction, so a broker that refuses it rolls
    the job and its charge back (QueueUnavailable): a job is charged only once it is queued.
    `params` are validated; their `seed` and the window of their `dateFrom`/`dateTo` (the
    synchronous endpoints' window) are fixed on the job here, so every chunk uses the same.
    """
    started = time.perf_counter()
    params = dict(params)
    version = params.pop("generatorVersion")
    seed = params.pop("seed", None)
    if seed is None:
        seed = draw_seed()
    window_start, window_end = generation_window(
        date_from=params.pop("dateFrom", None), date_to=params.pop("dateTo", None)
    )
    plan = None
    if kind == Job.Kind.DATASET:
        window = (window_start, window_end)
        plan = dataset_jobs.plan(
            count=count, params=params, version=version, seed=seed, window=window
        )
        price = sum(part.credits for part in plan)
    else:
        price = price_of(kind=kind, count=count, params=params)
    with transaction.atomic():
        if price:
            charge = charge_request(
                account=account,
                api_key=api_key,
                credits=price,
                endpoint=ENDPOINT,
                units=count,
                request_id=request_id,
            )
        else:
            charge = _free(account=account, api_key=api_key, count=count, request_id=request_id)
        job = Job.objects.create(
            account=account,
            api_key=api_key,
            kind=kind,
            count=count,
            format=format,
            params=params,
            seed=seed,
            window_start=window_start,
            window_end=window_end,
            generator_version=version,
            price=price,
            chunk_count=0,
            request_id=request_id,
        )
        chunks = _plan_chunks(job) if plan is None else _dataset_chunks(job, plan)
        JobChunk.objects.bulk_create(chunks)
        Job.objects.filter(pk=job.pk).update(chunk_count=len(chunks))
        job.chunk_count = len(chunks)
        # Accepted is answered: from here on the job, not the request, delivers the charge.
        duration_ms = round((time.perf_counter() - started) * 1000)
        if charge.usage_id is not None:
            answer_request(charge=charge, status=202, duration_ms=duration_ms)
        _enqueue(job.pk)
    return job, charge


def _free(*, account: Account, api_key: ApiKey | None, count: int, request_id: str) -> Charge:
    """A job that costs nothing (a dataset of customers alone): as the synchronous endpoint
    answers one, no ledger entry (there is none of zero credits) and no request toward the
    daily limit, but its usage record."""
    record_usage(account=account, api_key=api_key, endpoint=ENDPOINT, units=count, status=202,
                 duration_ms=0, request_id=request_id)  # fmt: skip
    account.refresh_from_db(fields=["balance"])
    return Charge(
        account_id=account.pk,
        credits=0,
        balance=account.balance,
        requests_today=requests_today(account),
        day=timezone.now().astimezone(dt.UTC).date(),
        endpoint=ENDPOINT,
        request_id=request_id,
    )


def _enqueue(job_id: Any) -> None:
    from generators import tasks  # tasks import this module

    tasks.enqueue_job(str(job_id))


def queue_chunks(*, job_id: str) -> bool:
    """Queue a task for each unfinished chunk of the job; False if there is no such job (yet)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return False
    if not job.is_finished:
        _queue(job.pk, list(job.chunks.filter(finished_at=None).values_list("index", flat=True)))
    return True


def _queue(job_id: Any, indexes: list[int]) -> None:
    """Hand the chunks' tasks to the broker and note when, also for the ones that went out
    before the broker failed (the rest are left to the lost-chunk sweep)."""
    from generators import tasks

    queued: list[int] = []
    try:
        for index in indexes:
            tasks.build_chunk.delay(str(job_id), index)
            queued.append(index)
    finally:
        JobChunk.objects.filter(job_id=job_id, index__in=queued).update(queued_at=timezone.now())


def requeue_lost_chunks(*, now: dt.datetime | None = None) -> int:
    """Queue again the unfinished chunks of live jobs whose task was lost; how many.

    Lost means: no worker has held it for TASK_REDELIVERY_AFTER (longer than a task may run),
    since it was queued, or due to be, or since its last attempt began (the worker died with
    it, the time limit killed it, or the database was away). Redis hands out the tasks of a
    dead worker again after the same time; this also finds the ones the broker itself lost (an
    outage, a restart). A chunk still waiting in a queue longer than that gets a second task,
    which finds the chunk finished and stops: the first attempt to finish is the one that
    counts. A file whose assembly was lost is queued again too.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.TASK_REDELIVERY_AFTER)
    lost = (
        JobChunk.objects.filter(
            job__status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
            job__created_at__lt=cutoff,
            finished_at=None,
        )
        .filter(Q(queued_at=None) | Q(queued_at__lt=cutoff))
        .filter(Q(started_at=None) | Q(started_at__lt=cutoff))
        .order_by("job_id", "index")
    )
    by_job: dict[Any, list[int]] = {}
    for job_id, index in lost.values_list("job_id", "index"):
        by_job.setdefault(job_id, []).append(index)
    for job_id, indexes in by_job.items():
        _queue(job_id, indexes)
    # Jobs whose file was never written: the last chunk's assembly, or the partial file of a
    # cancelled or failed job, lost the same ways.
    unassembled = Job.objects.filter(
        Q(status=Job.Status.RUNNING, chunks_done=F("chunk_count"))
        | Q(status__in=(Job.Status.FAILED, Job.Status.CANCELLED), chunks_done__gt=0),
        file="",
        expired_at=None,
        progressed_at__lt=cutoff,
    )
    for job_id in unassembled.values_list("pk", flat=True):
        _enqueue_assembly(job_id)
    return sum(len(indexes) for indexes in by_job.values())


def _plan_chunks(job: Job) -> list[JobChunk]:
    batches = batch_count(kind=job.kind, count=job.count)
    per_chunk = min(MAX_BATCHES_PER_CHUNK, max(1, math.ceil(batches / TARGET_CHUNKS)))
    chunks = []
    for index, (first, last) in enumerate(chunk_bounds(batches=batches, per_chunk=per_chunk)):
        entries = sum(
            batch_entries(kind=job.kind, count=job.count, batch=batch)
            for batch in range(first, last)
        )
        credits = price_of(kind=job.kind, count=entries, params=job.params)
        chunks.append(
            JobChunk(
                job=job,
                index=index,
                first_batch=first,
                batch_count=last - first,
                entries=entries,
                credits=credits,
            )
        )
    return chunks


def chunk_bounds(*, batches: int, per_chunk: int) -> list[tuple[int, int]]:
    """The first batch and the one after the last of each chunk, in order: `per_chunk` batches
    each, but the last TAIL_CHUNKS chunks' worth split TAIL_SPLIT ways."""
    tail_start = max(0, math.ceil(batches / per_chunk) - TAIL_CHUNKS) * per_chunk
    small = max(1, per_chunk // TAIL_SPLIT)
    starts = [*range(0, tail_start, per_chunk), *range(tail_start, batches, small)]
    return [
        (first, min(batches, first + (per_chunk if first < tail_start else small)))
        for first in starts
    ]


def _dataset_chunks(job: Job, plan: list[dataset_jobs.ChunkPlan]) -> list[JobChunk]:
    # A dataset's batches are its customers, and its entries too: progress is in customers.
    return [
        JobChunk(
            job=job,
            index=index,
            first_batch=part.first,
            batch_count=part.customers,
            entries=part.customers,
            credits=part.credits,
        )
        for index, part in enumerate(plan)
    ]


def generate_batch(job: Job, batch: int) -> list[dict[str, Any]]:
    """Batch `batch` of the job: what the synchronous endpoint returns for seed + batch."""
    params = job.params
    common = {
        "product_type": params["productType"],
        "complexity": params["complexityLevel"],
        "seed": job.seed + batch,
        "window": (job.window_start, job.window_end),
        "version": job.generator_version,
    }
    if job.kind == Job.Kind.INTERVIEWS:
        interview = engine.generate_interview(
            question_count=params["questionCount"],
            interview_type=params["interviewType"],
            **common,
        )
        return [interview]
    count = batch_entries(kind=job.kind, count=job.count, batch=batch)
    if job.kind == Job.Kind.TICKETS:
        return engine.generate_tickets(count=count, **common)
    return engine.generate_feedback(sentiment_mix=params["sentimentMix"], count=count, **common)


def build_chunk(*, job_id: str, index: int) -> bool:
    """Build one chunk into its own storage object; True when the job is ready to assemble.

    Safe to run twice, also at the same time: only the first to finish is recorded.
    """
    # The chunk with its job, in one query: each round trip a chunk makes is a wait on the
    # database, about a tenth of a chunk's time beside its entries on a busy machine (issue 11).
    chunk = JobChunk.objects.select_related("job").filter(job_id=job_id, index=index).first()
    if chunk is None:
        if Job.objects.filter(pk=job_id).exists():
            raise JobChunk.DoesNotExist(f"Job {job_id} has no chunk {index}")
        return False  # deleted with its account
    job = chunk.job
    if job.is_finished:  # cancelled, or failed
        return False
    if chunk.finished_at is None:
        ready = _build(job, chunk)
        if ready is not None:
            return ready
    return Job.objects.filter(
        pk=job_id, status=Job.Status.RUNNING, chunks_done=F("chunk_count")
    ).exists()


def _build(job: Job, chunk: JobChunk) -> bool | None:
    """Build and record the chunk: whether it was the job's last, or None if it was not
    recorded (another attempt was first, the job stopped, or it kept failing)."""
    now = timezone.now()
    JobChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1, started_at=now)
    if chunk.attempts + 1 > MAX_CHUNK_ATTEMPTS:
        fail_job(job_id=str(job.pk), error="A part of the job kept failing")
        return None
    if job.status == Job.Status.QUEUED:  # its first chunk to start, or nearly
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=now
        )
    if job.kind == Job.Kind.DATASET:
        return _build_dataset(job, chunk)
    columns: list[str] = []
    tally = Tally(kind=job.kind, distinct=set())

    def batches() -> Iterator[bytes]:
        for batch in range(chunk.first_batch, chunk.first_batch + chunk.batch_count):
            entries = generate_batch(job, batch)
            tally.add_all(entries)
            if job.format == Job.Format.CSV:
                for entry in entries:
                    merge_columns(columns, flatten(entry))
            yield encode_lines(entries)

    # Storage writes each batch's lines as they are made. A chunk that fails half way leaves a
    # partial file nobody records; the job's folder goes when its files expire.
    name = default_storage.save(f"jobs/{job.pk}/chunk-{chunk.index:05d}.jsonl", Parts(batches()))
    ready = _record_chunk(job_id=job.pk, chunk=chunk, name=name, columns=columns,
                          summary=tally.to_json(), digests=tally.digest_bytes())  # fmt: skip
    if ready is None:
        default_storage.delete(name)
    return ready


def _build_dataset(job: Job, chunk: JobChunk) -> bool | None:
    with tempfile.TemporaryFile() as spool:
        columns, summary = dataset_jobs.build_chunk(job, chunk, spool)
        spool.seek(0)
        name = default_storage.save(f"jobs/{job.pk}/chunk-{chunk.index:05d}.zip", File(spool))
    # Its summary: its rows per table, for the manifest, and each part's tally.
    ready = _record_chunk(job_id=job.pk, chunk=chunk, name=name, columns=columns,
                          summary=summary, digests=None)  # fmt: skip
    if ready is None:
        default_storage.delete(name)
    return ready


def _record_chunk(
    *,
    job_id: Any,
    chunk: JobChunk,
    name: str,
    columns: list[str] | dict[str, list[str]],
    summary: dict[str, Any],
    digests: bytes | None,
) -> bool | None:
    """Count a finished chunk once: whether it was the job's last to finish, or None if it was
    already counted or the job is over. The summary and digests are made before, so the job's
    row is locked only for the few writes."""
    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().only("status", "chunks_done", "chunk_count")
        job = locked.get(pk=job_id)
        if job.status != Job.Status.RUNNING:
            return None
        won = JobChunk.objects.filter(pk=chunk.pk, finished_at=None).update(
            file=name,
            columns=columns,
            summary=summary,
            sentence_digests=digests,
            finished_at=now,
        )
        if not won:
            return None
        Job.objects.filter(pk=job_id).update(
            chunks_done=F("chunks_done") + 1,
            entries_done=F("entries_done") + chunk.entries,
            progressed_at=now,
        )
    # The job's row was locked: no other chunk was counted in between.
    return job.chunks_done + 1 == job.chunk_count


def assemble_job(*, job_id: str) -> None:
    """Write the export from the finished chunks, in order; the first assembler to finish wins.

    A running job with every chunk done succeeds; a cancelled or failed one gets the file of
    what it delivered before it stopped.
    """
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.file or job.expired_at or job.status == Job.Status.QUEUED:
        return
    if job.status == Job.Status.RUNNING and job.chunks_done < job.chunk_count:
        return
    chunks = list(job.chunks.exclude(finished_at=None).exclude(file="").order_by("index"))
    if not chunks:
        return
    path = f"jobs/{job.pk}/{export_filename(job)}"
    if job.kind == Job.Kind.DATASET:
        with tempfile.TemporaryFile() as spool:
            dataset_jobs.write_export(job, chunks, spool)
            spool.seek(0)
            name = default_storage.save(path, File(spool))
    else:
        name = default_storage.save(path, Parts(export_parts(job.format, chunks)))
    size = default_storage.size(name)
    if job.kind == Job.Kind.DATASET:
        summary = dataset_jobs.job_summary(chunks)
    else:
        summary = file_summary(job, chunks)
    if not _record_export(job_id=job.pk, name=name, size=size, summary=summary):
        default_storage.delete(name)
        return
    for chunk in chunks:
        default_storage.delete(chunk.file)
    JobChunk.objects.filter(job_id=job.pk).update(sentence_digests=None)


def file_summary(job: Job, chunks: Sequence[JobChunk]) -> dict[str, Any] | None:
    """The summary of the file made of `chunks`, from their tallies; None if a chunk has none
    (built before summaries were kept)."""
    tallies = []
    for chunk in chunks:
        if chunk.summary is None or chunk.sentence_digests is None:
            return None
        tallies.append((chunk.summary, bytes(chunk.sentence_digests)))
    return job_summary(job.kind, tallies)


def _record_export(*, job_id: Any, name: str, size: int, summary: dict[str, Any] | None) -> bool:
    now = timezone.now()
    done = Job.objects.filter(
        pk=job_id, file="", status=Job.Status.RUNNING, chunks_done=F("chunk_count")
    ).update(
        file=name,
        file_size=size,
        summary=summary,
        status=Job.Status.SUCCEEDED,
        finished_at=now,
        progressed_at=now,
    )
    if done:
        webhook_events.job_finished(job_id=job_id)
        return True
    stopped = (Job.Status.FAILED, Job.Status.CANCELLED)
    return bool(
        Job.objects.filter(pk=job_id, file="", status__in=stopped).update(
            file=name, file_size=size, summary=summary
        )
    )


def export_filename(job: Job) -> str:
    # A dataset's tables come in one ZIP, of CSV files or of JSON-lines files.
    extension = "zip" if job.kind == Job.Kind.DATASET else job.format
    return f"synthgen-{job.kind}-{str(job.pk)[:8]}.{extension}"


class Parts(File):
    """A file made while it is written, from parts: a chunk or an export goes to storage as it
    is produced, never first copied into a temporary file. For storages that write a file from
    its `chunks()`, as the file system's does."""

    def __init__(self, parts: Iterable[bytes]) -> None:
        super().__init__(None)
        self._parts = iter(parts)

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return (part for part in self._parts if part)


# One encoder for every entry (json.dumps with an option builds one per call): the same text.
_encoder = json.JSONEncoder(ensure_ascii=False)
# What `_encoder.encode` runs for a dict, built once instead of on every call (with its
# circular reference check, which entries never need): the same text, 20% faster (issue 11).
_encode_fast: Callable[[Any], str] = _encoder.encode
if c_make_encoder is not None:
    _make = c_make_encoder(None, _encoder.default, encode_basestring, None, ": ", ", ",
                           False, False, True)  # fmt: skip

    def _encode_fast(entry: Any) -> str:
        return "".join(_make(entry, 0))


def encode_lines(entries: Sequence[Any]) -> bytes:
    """The entries as JSON lines, each ending in a line break, in UTF-8.

    Each line is encoded on its own: one emoji makes its line four bytes a character, and would
    make the whole batch so if the lines were joined first; ASCII lines encode as a copy. A
    sixth less time than joining (issue 11)."""
    if not entries:
        return b""
    return b"\n".join([*map(str.encode, map(_encode_fast, entries)), b""])


COPY_BLOCK = 1 << 20


def export_parts(format: str, chunks: Sequence[JobChunk]) -> Iterator[bytes]:
    """The export of the chunks' JSON lines in the job's format, one chunk in memory at most."""
    if format == Job.Format.JSONL:
        for chunk in chunks:
            yield from _blocks(chunk.file)
        return
    if format == Job.Format.JSON:
        yield from _json_array(chunks)
        return
    yield from _csv(chunks)


def _blocks(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as source:
        while block := source.read(COPY_BLOCK):
            yield block


def _chunk_lines(chunk: JobChunk) -> list[bytes]:
    with default_storage.open(chunk.file, "rb") as source:
        return [line.rstrip(b"\n") for line in source if line.strip()]


def _json_array(chunks: Iterable[JobChunk]) -> Iterator[bytes]:
    yield b"["
    separator = b"\n"
    for chunk in chunks:
        lines = _chunk_lines(chunk)
        if lines:
            yield separator + b",\n".join(lines)
            separator = b",\n"
    yield b"\n]\n"


def _csv(chunks: Sequence[JobChunk]) -> Iterator[bytes]:
    columns: list[str] = []
    for chunk in chunks:
        merge_columns(columns, chunk.columns)
    columns = csv_columns(JOB_ITEMS[chunks[0].job.kind], columns)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns, restval="")
    writer.writeheader()
    for chunk in chunks:
        for line in _chunk_lines(chunk):
            writer.writerow(
                {key: csv_cell(value) for key, value in flatten(json.loads(line)).items()}
            )
        yield text.getvalue().encode()
        text.seek(0)
        text.truncate()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested fields as columns: `customer.email`, and list items by position, `thread.1.body`."""
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = value.items()
    elif isinstance(value, list):
        items = ((str(position), item) for position, item in enumerate(value, start=1))
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat.update(flatten(item, f"{prefix}.{key}" if prefix else key))
    return flat


def merge_columns(merged: list[str], columns: Iterable[str]) -> None:
    """Add unseen columns after the column they follow, so `thread.3.*` lands after `thread.2.*`."""
    known = set(merged)
    position = 0
    for column in columns:
        if column in known:
            position = merged.index(column) + 1
            continue
        merged.insert(position, column)
        known.add(column)
        position += 1


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cancel_job(*, job: Job) -> Job:
    """Stop a queued or running job and refund what it had not delivered; a no-op once over."""
    return _stop(job_id=job.pk, status=Job.Status.CANCELLED, error="")


def fail_job(*, job_id: str, error: str) -> Job:
    """Give up on a job and refund what it had not delivered."""
    return _stop(job_id=job_id, status=Job.Status.FAILED, error=error[:300])


def _stop(*, job_id: Any, status: str, error: str) -> Job:
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job
        delivered = job.chunks.exclude(finished_at=None).aggregate(total=Sum("credits"))["total"]
        refund = job.price - (delivered or 0)
        Job.objects.filter(pk=job.pk).update(
            status=status, error=error, refunded=refund, finished_at=now, progressed_at=now
        )
        if refund:
            _refund(job, refund)
        webhook_events.job_finished(job_id=job.pk)
        if delivered:
            transaction.on_commit(lambda: _enqueue_assembly(job.pk))
    job.refresh_from_db()
    return job


def _refund(job: Job, credits: int) -> None:
    # A job that stopped short did not give what was asked, so, like a failed request, it also
    # gives back its place in the day's request count.
    charge = Charge(
        account_id=job.account_id,
        credits=credits,
        balance=0,
        requests_today=0,
        day=job.created_at.astimezone(dt.UTC).date(),
        endpoint=ENDPOINT,
        request_id=job.request_id,
    )
    undelivered = job.count - job.entries_done
    what = "customers" if job.kind == Job.Kind.DATASET else "entries"
    refund_request(charge=charge, reason=f"Job {job.pk}: {undelivered} {what} not delivered")


def _enqueue_assembly(job_id: Any) -> None:
    from generators import tasks

    tasks.assemble_job.delay(str(job_id))


def expire_files(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs finished more than 7 days ago; the jobs then say so."""
    cutoff = (now or timezone.now()) - FILE_LIFETIME
    expired = 0
    for job in Job.objects.filter(finished_at__lt=cutoff, expired_at=None):
        _delete_folder(f"jobs/{job.pk}")
        expired += Job.objects.filter(pk=job.pk, expired_at=None).update(
            expired_at=timezone.now(), file=""
        )
    return expired


def _delete_folder(folder: str) -> None:
    # Also catches chunk files a killed worker saved but never recorded.
    if not default_storage.exists(folder):
        return
    _, files = default_storage.listdir(folder)
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def fail_stalled_jobs(
    *,
    now: dt.datetime | None = None,
    stall_limit: dt.timedelta = STALL_LIMIT,
    error: str = "The job stopped making progress; undelivered credits were refunded",
) -> int:
    """Fail (and refund) jobs whose chunks stopped finishing, so no job waits forever."""
    cutoff = (now or timezone.now()) - stall_limit
    stalled = Job.objects.filter(
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING), progressed_at__lt=cutoff
    )
    return sum(1 for job in stalled if fail_job(job_id=str(job.pk), error=error).error == error)
