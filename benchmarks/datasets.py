"""Measures how well a dataset's stories hold together, and how fast it is made (issue 12).

On one dataset per product type (2,000 customers by default), prints:

- referential integrity: items whose ``customerId`` resolves and whose name and email are
  their customer's (target 100%);
- temporal order: tickets and reviews after signup and before churn (target 100%);
- story agreement: reviews written after one of the customer's tickets that talk about that
  ticket's aspect (target 90%);
- churn gap: active customers' mean rating minus churned customers' (target 1.5 stars);
- resolution gap: mean rating of reviews after a ticket resolved within a day minus after
  one still unresolved (target 0.5 stars);
- churn interviews naming the main pain (target 90%);
- speed: customers per second in-process, and the dataset's reviews per second against the
  feedback engine's own rate in the same run (the ratio; a dataset adds journeys and
  tickets, so it is expected below 1).

With ``--job``, it also runs a 10,000-customer dataset job (CSV tables in a ZIP) on two real
Celery workers and prints the job's customers per second and entries (reviews and tickets) per
second, against the engine's own in-process rate on one core measured just before and after it
(the ratio job / (2 x engine)). Like ``benchmarks/jobs.py`` it builds a throwaway database
(PostgreSQL from DATABASE_URL, or an SQLite file) and uses its own queue on REDIS_URL (default
the local Redis, db 0); services must be local.

Run: ``.venv/bin/python benchmarks/datasets.py [--customers N] [--job [--job-customers N]]``.
"""

import argparse
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators.engine import LATEST  # noqa: E402
from generators.engine.datasets import generate_dataset  # noqa: E402
from generators.engine.feedback import generate_feedback  # noqa: E402

WINDOW = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
TYPES = ("saas", "ecommerce", "hardware")
SEED = 2026


def coherence(dataset: dict[str, list[dict]]) -> dict[str, float | None]:
    """The issue's coherence figures of one dataset (None where there is nothing to count)."""
    customers = {customer["id"]: customer for customer in dataset["customers"]}
    tickets: dict[str, list[dict]] = defaultdict(list)
    for ticket in sorted(dataset["tickets"], key=lambda item: item["createdAt"]):
        tickets[ticket["customerId"]].append(ticket)
    joined = in_order = items = 0
    for kind, moment, person in (
        ("feedback", "timestamp", lambda item: (item["author"], None)),
        ("tickets", "createdAt", lambda item: tuple(item["customer"].values())),
    ):
        for item in dataset[kind]:
            items += 1
            owner = customers.get(item["customerId"])
            if owner is None:
                continue
            name, email = person(item)
            joined += name == owner["name"] and email in (None, owner["email"])
            in_order += owner["signupAt"] < item[moment] < (owner["churnedAt"] or "9999")
    after = agreeing = 0
    fast: list[int] = []
    unresolved: list[int] = []
    ratings: dict[str, list[int]] = defaultdict(list)
    for entry in dataset["feedback"]:
        ratings[customers[entry["customerId"]]["status"]].append(entry["rating"])
        earlier = [t for t in tickets[entry["customerId"]] if t["createdAt"] < entry["timestamp"]]
        if not earlier:
            continue
        ticket = earlier[-1]
        after += 1
        agreeing += ticket["aspect"] in entry["aspects"]
        resolved = ticket["resolvedAt"]
        if resolved is None or resolved > entry["timestamp"]:
            unresolved.append(entry["rating"])
        elif _hours(ticket["createdAt"], resolved) <= 24:
            fast.append(entry["rating"])
    # A churn interview names the main pain when what its answers talk about (``aspects``,
    # as a review's) holds the aspect the customer's last review was about.
    last_review: dict[str, dict] = {}
    for entry in sorted(dataset["feedback"], key=lambda item: item["timestamp"]):
        last_review[entry["customerId"]] = entry
    churn_interviews = [
        (interview, last_review.get(interview["customerId"]))
        for interview in dataset["interviews"]
        if interview.get("interviewType") == "churn"
        and customers[interview["customerId"]]["status"] == "churned"
    ]
    return {
        "integrity": joined / items if items else None,
        "temporal": in_order / items if items else None,
        "story": agreeing / after if after else None,
        "churn_gap": _gap(ratings["active"], ratings["churned"]),
        "resolution_gap": _gap(fast, unresolved),
        "churn_pain": (
            sum(
                review is not None
                and interview.get("mainPain") in review["aspects"]
                and interview.get("mainPain") in interview.get("aspects", ())
                for interview, review in churn_interviews
            )
            / len(churn_interviews)
            if churn_interviews
            else None
        ),
    }


def _gap(high: list[int], low: list[int]) -> float | None:
    return mean(high) - mean(low) if high and low else None


def _hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def _show(value: float | None, *, percent: bool) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if percent else f"{value:+.2f}"


def feedback_rate(product_type: str, count: int) -> float:
    """The feedback engine's own reviews per second, 50 per call as the API makes them."""
    made, start, seed = 0, time.perf_counter(), 0
    while made < count:
        made += len(
            generate_feedback(
                product_type=product_type,
                sentiment_mix="balanced",
                count=50,
                complexity="medium",
                seed=seed,
                window=WINDOW,
            )  # fmt: skip
        )
        seed += 1
    return made / (time.perf_counter() - start)


JOB_PARAMS = {"productType": "saas", "complexityLevel": "medium", "satisfaction": "balanced",
              "churnRate": 0.2, "include": ["feedback", "tickets", "interviews"]}  # fmt: skip
ENGINE_SECONDS = 3


def dataset_engine_rate() -> tuple[float, float]:
    """Customers and entries (reviews and tickets) per second of the dataset engine alone on
    this process's one core, in chunks of 625 customers as the job makes them."""
    customers = entries = first = 0
    started = time.perf_counter()
    while (took := time.perf_counter() - started) < ENGINE_SECONDS:
        made = generate_dataset(product_type="saas", customer_count=625, seed=SEED,
                                complexity="medium", window=WINDOW, churn_rate=0.2,
                                first=first)  # fmt: skip
        customers += len(made["customers"])
        entries += len(made["feedback"]) + len(made["tickets"])
        first += 625
    return customers / took, entries / took


def job_benchmark(customers: int, worker_count: int = 2) -> None:
    """A dataset job on real Celery workers against the engine's in-process rate."""
    import os
    import shutil
    import tempfile
    import urllib.parse

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import jobs as bench_jobs  # benchmarks/jobs.py: its workers, queue and local-only checks

    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    bench_jobs.refuse_remote(redis_url, "REDIS_URL")
    bench_jobs.refuse_remote(os.environ.get("DATABASE_URL", ""), "DATABASE_URL")
    media = tempfile.mkdtemp(prefix="synthgen-bench-media-")
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")
    import django

    django.setup()
    from django.db import connection

    from accounts.services import create_account
    from billing.models import Tier
    from generators import jobs
    from generators.models import Job
    from synthgen.celery import app

    app.conf.task_always_eager = False
    app.conf.task_default_queue = bench_jobs.QUEUE
    bench_name = f"bench_datasets_{os.getpid()}"
    if connection.vendor == "sqlite":
        bench_name = str(Path(media) / "bench.sqlite3")
    connection.settings_dict["TEST"]["NAME"] = bench_name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    env = {**os.environ, "MEDIA_ROOT": media}
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = bench_name
    else:
        database = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = database._replace(path="/" + bench_name).geturl()
    try:
        tier = Tier.objects.filter(daily_request_limit=None).order_by("-starting_credits").first()
        account, _ = create_account(email="bench@example.com", tier=tier, credits=10_000_000)
        before = dataset_engine_rate()
        workers = bench_jobs.start_workers(worker_count, env)
        try:
            started = time.perf_counter()
            job, _ = jobs.create_job(account=account, api_key=None, kind="dataset",
                                     count=customers, format="csv",
                                     params={**JOB_PARAMS, "generatorVersion": LATEST},
                                     request_id=f"bench-{time.time_ns()}")  # fmt: skip
            accepted = time.perf_counter() - started
            while not job.is_finished:
                if time.perf_counter() - started > bench_jobs.JOB_TIMEOUT:
                    sys.exit(f"the job did not finish within {bench_jobs.JOB_TIMEOUT} seconds")
                time.sleep(0.05)
                job.refresh_from_db()
            seconds = time.perf_counter() - started
            peaks = [bench_jobs.peak_rss_kib(worker.pid) for worker in workers]
        finally:
            bench_jobs.stop(workers)
        if job.status != Job.Status.SUCCEEDED:
            sys.exit(f"the job {job.status}: {job.error}")
        after = dataset_engine_rate()
        engine_customers = (before[0] + after[0]) / 2  # either side: the machine drifts
        engine_entries = (before[1] + after[1]) / 2
        from django.db.models import Max

        last_chunk = job.chunks.aggregate(last=Max("finished_at"))["last"]
        assembly = (job.finished_at - last_chunk).total_seconds() if job.finished_at else 0.0
        rows = [chunk.summary["rows"] for chunk in job.chunks.all()]
        busy = sorted(
            (chunk.finished_at - chunk.started_at).total_seconds()
            for chunk in job.chunks.only("started_at", "finished_at")
        )
        entries = sum(part["feedback"] + part["tickets"] for part in rows)
        rate = entries / seconds
        print(
            f"\nDataset job on {connection.vendor}, {worker_count} workers, broker {redis_url}: "
            f"{customers:,} customers, {entries:,} reviews and tickets, {job.chunk_count} chunks, "
            f"price {job.price:,} credits"
        )
        print(
            f"  {seconds:.2f} s end to end ({accepted:.2f} s pricing and queueing, "
            f"{assembly:.2f} s assembling; chunks {sum(busy):.2f} s in tasks, "
            f"{busy[0]:.2f} to {busy[-1]:.2f} s each): "
            f"{customers / seconds:,.0f} customers/s, {rate:,.0f} entries/s; engine alone "
            f"{engine_customers:,.0f} customers/s, {engine_entries:,.0f} entries/s on one core; "
            f"job / ({worker_count} x engine) {rate / (worker_count * engine_entries):.2f}; "
            f"file {(job.file_size or 0) / 1e6:.1f} MB; worker peak RSS "
            + ", ".join(f"{peak / 1024:.0f} MiB" for peak in peaks)
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(media, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--job", action="store_true", help="also run a job on 2 Celery workers")
    parser.add_argument("--job-customers", type=int, default=10_000)
    arguments = parser.parse_args()
    customers = arguments.customers
    print(f"N = {customers} customers per product type, seed {SEED}, medium, churn rate 0.2")
    print(
        f"{'type':<10} {'integrity':>9} {'temporal':>9} {'story':>7} {'churn gap':>9} "
        f"{'resol. gap':>10} {'churn pain':>10} {'cust/s':>7} {'reviews/s':>9} "
        f"{'engine/s':>8} {'ratio':>5}"
    )
    for product_type in TYPES:
        start = time.perf_counter()
        dataset = generate_dataset(product_type=product_type, customer_count=customers,
                                   seed=SEED, complexity="medium", window=WINDOW,
                                   churn_rate=0.2)  # fmt: skip
        seconds = time.perf_counter() - start
        figures = coherence(dataset)
        engine = feedback_rate(product_type, len(dataset["feedback"]) // 2 or 50)
        reviews = len(dataset["feedback"]) / seconds
        print(
            f"{product_type:<10} {_show(figures['integrity'], percent=True):>9} "
            f"{_show(figures['temporal'], percent=True):>9} "
            f"{_show(figures['story'], percent=True):>7} "
            f"{_show(figures['churn_gap'], percent=False):>9} "
            f"{_show(figures['resolution_gap'], percent=False):>10} "
            f"{_show(figures['churn_pain'], percent=True):>10} "
            f"{customers / seconds:>7.0f} {reviews:>9.0f} {engine:>8.0f} {reviews / engine:>5.2f}"
        )
        print(
            f"{'':<10} {len(dataset['feedback'])} reviews, {len(dataset['tickets'])} tickets, "
            f"{len(dataset['interviews'])} interviews"
        )
    print("targets: integrity and temporal 100%, story >= 90%, churn gap >= +1.50, "
          "resolution gap >= +0.50, churn pain >= 90%")  # fmt: skip
    if arguments.job:
        job_benchmark(arguments.job_customers)


if __name__ == "__main__":
    main()
