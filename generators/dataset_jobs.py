"""Dataset jobs (issue 12): a customer base built in chunks of customers and exported as a ZIP
of one file per table, whose ids join.

A chunk is customers ``first_batch`` .. ``first_batch + batch_count - 1`` (the engine makes any
run of customers on its own), written as a ZIP of one JSON-lines member per table. The export
streams every table's rows chunk by chunk into one ZIP: CSV (format ``csv``) or JSON lines
(format ``jsonl``), with ``manifest.json`` first. Nothing holds more than one chunk's rows.
"""

import csv
import datetime as dt
import io
import json
import math
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import default_storage

from billing.prices import dataset_price
from generators.api import dataset_rates
from generators.engine import generate_dataset, part_counts
from generators.engine.datasets import PARTS
from generators.models import Job, JobChunk
from generators.summary import Tally

TABLES = (
    "customers",
    "feedback",
    "tickets",
    "ticket_messages",
    "interviews",
    "interview_questions",
)
# The list a parent row carries that becomes a table of its own, one row per item, and the
# column naming the parent: a ticket's messages, an interview's questions.
CHILDREN = {
    "tickets": ("ticket_messages", ("messages", "thread"), "ticketId"),
    "interviews": ("interview_questions", ("questions",), "interviewId"),
}
# Customers of a chunk: small enough that a chunk is a few seconds' work and its rows fit in
# memory many times over, large enough that a 10,000-customer job is 16 chunks.
MAX_CUSTOMERS_PER_CHUNK = 1_000
TARGET_CHUNKS = 16


@dataclass(frozen=True)
class ChunkPlan:
    first: int
    customers: int
    credits: int


def engine_params(
    params: dict[str, Any], *, version: str, seed: int, window: Any
) -> dict[str, Any]:
    """generate_dataset's keyword arguments for a job's validated params."""
    return {
        "version": version,
        "product_type": params["productType"],
        "seed": seed,
        "window": window,
        "satisfaction": params["satisfaction"],
        "churn_rate": params["churnRate"],
        "include": params["include"],
        "rates": dataset_rates(params),
    }


def plan(
    *, count: int, params: dict[str, Any], version: str, seed: int, window: Any
) -> list[ChunkPlan]:
    """The job's chunks, each with its part of the price.

    The price is that of the whole dataset at the synchronous endpoint (reviews in requests of
    up to 50), so each chunk's credits are the price of the customers up to its end less that
    of the customers before it: the chunks' credits add up to the price exactly.
    """
    per_chunk = min(MAX_CUSTOMERS_PER_CHUNK, max(1, math.ceil(count / TARGET_CHUNKS)))
    kwargs = engine_params(params, version=version, seed=seed, window=window)
    feedback = tickets = charged = 0
    questions: list[int] = []
    chunks = []
    for first in range(0, count, per_chunk):
        customers = min(per_chunk, count - first)
        counts = part_counts(customer_count=customers, first=first, **kwargs)
        feedback += counts["feedback"]
        tickets += counts["tickets"]
        questions += counts["interview_questions"]
        total = dataset_price(feedback=feedback, tickets=tickets, interview_questions=questions)
        chunks.append(ChunkPlan(first=first, customers=customers, credits=total - charged))
        charged = total
    return chunks


def price(*, count: int, params: dict[str, Any], version: str, seed: int, window: Any) -> int:
    chunks = plan(count=count, params=params, version=version, seed=seed, window=window)
    return sum(chunk.credits for chunk in chunks)


def tables(dataset: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The engine's dataset as the export's tables: lists of items moved to tables of their
    own, each item with its parent's id and its position (from 1)."""
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    rows["customers"] = dataset["customers"]
    rows["feedback"] = dataset["feedback"]
    for parent in ("tickets", "interviews"):
        child, keys, parent_column = CHILDREN[parent]
        for item in dataset[parent]:
            row = dict(item)
            for key in keys:
                children = row.pop(key, None)
                if not isinstance(children, list):
                    continue
                for position, value in enumerate(children, start=1):
                    fields = value if isinstance(value, dict) else {"text": value}
                    rows[child].append({parent_column: row["id"], "position": position, **fields})
            rows[parent].append(row)
    return rows


def build_chunk(
    job: Job, chunk: JobChunk, spool: IO[bytes]
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Write the chunk's customers into `spool` as a ZIP of one member per table, in the job's
    format (a CSV member has the chunk's own columns); the flattened columns of each table, and
    the chunk's summary: the rows of each table and each part's tally. The export then mostly
    copies bytes."""
    from generators.jobs import csv_cell, flatten, merge_columns

    dataset = generate_dataset(
        customer_count=chunk.batch_count,
        first=chunk.first_batch,
        complexity=job.params["complexityLevel"],
        **engine_params(
            job.params,
            version=job.generator_version,
            seed=job.seed,
            window=(job.window_start, job.window_end),
        ),
    )
    columns: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    parts = {part: Tally(kind=part).add_all(dataset[part]).to_json() for part in PARTS}
    # Stored, not deflated: a chunk lives minutes, and only the export is worth compressing.
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for table, rows in tables(dataset).items():
            columns[table], counts[table] = [], len(rows)
            if job.format == Job.Format.JSONL:
                with archive.open(f"{table}.jsonl", "w") as member:
                    for row in rows:
                        member.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                        merge_columns(columns[table], flatten(row))
                continue
            flat = [flatten(row) for row in rows]
            for cells in flat:
                merge_columns(columns[table], cells)
            with archive.open(f"{table}.csv", "w") as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="", write_through=True)
                writer = csv.DictWriter(text, fieldnames=columns[table], restval="")
                writer.writeheader()
                for cells in flat:
                    writer.writerow({key: csv_cell(value) for key, value in cells.items()})
                text.detach()
    return columns, {"rows": counts, "parts": parts}


def chunk_rows(chunk: JobChunk) -> dict[str, int]:
    return dict((chunk.summary or {}).get("rows", {}))


def job_summary(chunks: Sequence[JobChunk]) -> dict[str, Any] | None:
    """The summary of the whole dataset, shaped as the synchronous endpoint's (one per part),
    merged from the chunks' tallies; None if a chunk kept none."""
    totals = {part: Tally(kind=part) for part in PARTS}
    for chunk in chunks:
        stored = (chunk.summary or {}).get("parts")
        if stored is None:
            return None
        for part, tally in totals.items():
            tally.merge(Tally.from_json(part, stored[part]))
    return {part: tally.summary() for part, tally in totals.items()}


def _members(chunks: Sequence[JobChunk], name: str) -> Iterator[tuple[JobChunk, IO[bytes]]]:
    """Each chunk's member `name`, open for reading, one chunk at a time."""
    for chunk in chunks:
        with (
            default_storage.open(chunk.file, "rb") as source,
            zipfile.ZipFile(source) as archive,
            archive.open(name) as member,
        ):
            yield chunk, member


def _copy_csv(
    chunk_columns: list[str], member: IO[bytes], out: IO[bytes], columns: list[str]
) -> None:
    """A chunk's CSV rows under the export's header: copied as they are when the chunk has
    the export's columns in order, else read and written again in the export's columns."""
    if chunk_columns == columns:
        member.readline()  # the chunk's header: column names hold no line breaks
        shutil.copyfileobj(member, out)
        return
    source = io.TextIOWrapper(member, encoding="utf-8", newline="")
    target = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    reader, writer = csv.reader(source), csv.writer(target)
    header = next(reader, [])
    positions = {name: index for index, name in enumerate(header)}
    places = [positions.get(name) for name in columns]
    for row in reader:
        writer.writerow(["" if place is None else row[place] for place in places])
    target.detach()


def manifest(job: Job, chunks: Sequence[JobChunk], columns: dict[str, list[str]]) -> dict[str, Any]:
    rows = {table: sum(chunk_rows(chunk).get(table, 0) for chunk in chunks) for table in TABLES}
    extension = "csv" if job.format == Job.Format.CSV else "jsonl"
    return {
        "type": "dataset",
        "jobId": str(job.pk),
        "format": job.format,
        "parameters": {**job.params, "customerCount": job.count},
        "seed": job.seed,
        "generatorVersion": job.generator_version,
        "dateFrom": _iso(job.window_start),
        "dateTo": _iso(job.window_end),
        "customers": rows["customers"],
        "complete": rows["customers"] == job.count,
        "tables": {
            table: {
                "file": f"{table}.{extension}",
                "rows": rows[table],
                "columns": columns[table],
            }
            for table in TABLES
        },
    }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_export(job: Job, chunks: Sequence[JobChunk], out: IO[bytes]) -> None:
    """Stream the chunks' tables into `out` as one ZIP, one table and one chunk at a time."""
    from generators.jobs import merge_columns

    columns: dict[str, list[str]] = {table: [] for table in TABLES}
    for chunk in chunks:
        for table in TABLES:
            merge_columns(columns[table], (chunk.columns or {}).get(table, []))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        info = json.dumps(manifest(job, chunks, columns), indent=2, ensure_ascii=False)
        archive.writestr("manifest.json", info + "\n")
        for table in TABLES:
            if job.format == Job.Format.JSONL:
                with archive.open(f"{table}.jsonl", "w", force_zip64=True) as member:
                    for _, source in _members(chunks, f"{table}.jsonl"):
                        shutil.copyfileobj(source, member)
                continue
            with archive.open(f"{table}.csv", "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="", write_through=True)
                csv.writer(text).writerow(columns[table])
                text.detach()
                for chunk, source in _members(chunks, f"{table}.csv"):
                    chunk_columns = (chunk.columns or {}).get(table, [])
                    _copy_csv(chunk_columns, source, member, columns[table])
