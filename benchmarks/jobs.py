"""Bulk jobs on real Celery workers against the engine's own rate: entries per second end to end
beside what N workers could do if they did nothing but generate, and worker peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/synthgen REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/jobs.py

Runs a 100,000-entry feedback job (JSON lines) on one worker process, then on two, and a
10,000-entry job on two to show that memory does not grow with the count. Just before and
after each job it measures the engine alone on one core (the same kind, complexity and 50-entry
batches, in this process), and prints the job's rate as a share of N times that rate (issue
11 asks for at least 0.8). It builds its own
throwaway database (PostgreSQL from DATABASE_URL, or an SQLite file without it) and uses its
own Celery queue on REDIS_URL (default: the local Redis, db 0), so it disturbs nothing else
there. Services must be local.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")

QUEUE = f"bench-jobs-{os.getpid()}"
RUNS = [(1, 100_000), (2, 100_000), (2, 10_000)]
JOB_TIMEOUT = 600
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}


def worker_main(queue: str) -> None:
    """A Celery worker on its own queue; tasks it queues (the chunks) go there too."""
    from synthgen.celery import app

    app.conf.task_default_queue = queue
    app.worker_main(
        ["worker", "-Q", queue, "--concurrency=1", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "-n", f"{queue}-{os.getpid()}@%h"]
    )  # fmt: skip


def refuse_remote(url: str, name: str) -> None:
    if url and urllib.parse.urlsplit(url).hostname not in LOCAL_HOSTS:
        sys.exit(f"benchmarks/jobs.py runs against local services only; {name} is {url}")


def peak_rss_kib(group: int) -> int:
    """The largest peak resident set (VmHWM) among the processes of a process group."""
    peak = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, IndexError, ValueError):
            continue
    return peak


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    from synthgen.celery import app

    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", QUEUE],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline:
            sys.exit("the Celery workers did not start within 60 seconds")
    return workers


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


ENGINE_SECONDS = 3
PARAMS = {"productType": "mobile_app", "sentimentMix": "mixed", "complexityLevel": "medium"}


def engine_rate() -> float:
    """Entries per second of the engine alone, on this process's one core: the job's batches
    (50 feedback entries, the same parameters), for about ENGINE_SECONDS."""
    from generators import engine
    from generators.jobs import JOB_BATCH_ENTRIES
    from generators.serializers import generation_window

    window = generation_window(date_from=None, date_to=None)
    entries, batch = 0, 0
    started = time.perf_counter()
    while (took := time.perf_counter() - started) < ENGINE_SECONDS:
        entries += len(
            engine.generate_feedback(
                version=engine.LATEST,
                product_type=PARAMS["productType"],
                sentiment_mix=PARAMS["sentimentMix"],
                complexity=PARAMS["complexityLevel"],
                count=JOB_BATCH_ENTRIES,
                seed=batch,
                window=window,
            )
        )
        batch += 1
    return entries / took


def run_job(account: object, count: int) -> tuple[float, float, int]:
    """Seconds from acceptance to a finished file, the seconds of its assembly, its size."""
    from django.db.models import Max

    from generators import jobs
    from generators.engine import LATEST
    from generators.models import Job

    started = time.perf_counter()
    job, _ = jobs.create_job(
        account=account,
        api_key=None,
        kind="feedback",
        count=count,
        format="jsonl",
        params={**PARAMS, "generatorVersion": LATEST},
        request_id=f"bench-{time.time_ns()}",
    )
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        if time.perf_counter() - started > JOB_TIMEOUT:
            sys.exit(f"the job did not finish within {JOB_TIMEOUT} seconds")
        time.sleep(0.05)
    if job.status != Job.Status.SUCCEEDED:
        sys.exit(f"the job {job.status}: {job.error}")
    last_chunk = job.chunks.aggregate(last=Max("finished_at"))["last"]
    assembly = (job.finished_at - last_chunk).total_seconds()
    busy = sum(
        (chunk.finished_at - chunk.started_at).total_seconds()
        for chunk in job.chunks.only("started_at", "finished_at")
    )
    print(f"  ({job.chunk_count} chunks, {busy:.2f} s inside chunk tasks)")
    return time.perf_counter() - started, assembly, job.file_size or 0


def main() -> None:
    # Real workers need a broker; the local Redis every developer machine runs is the default.
    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    refuse_remote(redis_url, "REDIS_URL")
    refuse_remote(os.environ.get("DATABASE_URL", ""), "DATABASE_URL")
    media = tempfile.mkdtemp(prefix="synthgen-bench-media-")
    os.environ["MEDIA_ROOT"] = media

    import django

    django.setup()
    from django.db import connection

    from accounts.services import create_account
    from billing.models import Tier
    from synthgen.celery import app

    app.conf.task_always_eager = False
    app.conf.task_default_queue = QUEUE
    bench_name = f"bench_jobs_{os.getpid()}"
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
        account, _ = create_account(email="bench@example.com", tier=tier, credits=1_000_000)
        print(f"Feedback jobs (JSON lines, medium) on {connection.vendor}, broker {redis_url}")
        for worker_count, count in RUNS:
            before = engine_rate()
            workers = start_workers(worker_count, env)
            try:
                seconds, assembly, size = run_job(account, count)
                peaks = [peak_rss_kib(worker.pid) for worker in workers]
            finally:
                stop(workers)
            alone = (before + engine_rate()) / 2  # either side of the job: the machine drifts
            rate = count / seconds
            print(
                f"{count:>7,} entries, {worker_count} worker{'s' if worker_count > 1 else ' '}: "
                f"{seconds:6.2f} s ({assembly:.2f} s assembling), {rate:8,.0f} entries/s; "
                f"engine alone {alone:7,.0f}/s on one core, job / ({worker_count} x engine) "
                f"{rate / (worker_count * alone):.2f} (goal >= 0.80); file {size / 1e6:5.1f} MB, "
                "worker peak RSS " + ", ".join(f"{peak / 1024:.0f} MiB" for peak in peaks)
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        import django

        django.setup()
        worker_main(sys.argv[2])
    else:
        main()
