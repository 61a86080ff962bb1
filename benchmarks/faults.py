"""Faults under a bounded load on a local production-like stack, and what they cost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/faults.py

It builds the stack from nothing and takes it all down again: a database of its own
(``--database``, default ``synthgen_faults``, dropped at the end), its own redis-server on a
free port, a TCP proxy of its own between the app and PostgreSQL, gunicorn with ``DEBUG=0``
(4 sync workers), one Celery worker (2 processes) under a supervisor that starts it again
when it exits (as systemd's ``Restart=always`` would), and beat. It never stops the PostgreSQL
server or any other Redis: "PostgreSQL refuses connections" is the proxy closing its listener
and dropping its connections, "Redis is stopped" is its own redis-server.

Under the load (client threads generating feedback; three in four requests carry an
Idempotency-Key and are retried until they are answered, as a careful client does, the others
are sent once) and a bulk job, it kills a gunicorn worker (one on a CPU, so most likely
generating after its charge), kills the Celery worker (main process and pool) mid-job, makes
PostgreSQL refuse connections for 5 s and stops Redis for 5 s, submitting a job meanwhile.
Then it prints the answers by status, the charges stranded before and after the sweep, how long
the interrupted job took to finish, and ``check_ledger``'s result, and checks that every
answered request was charged exactly once.

The bounds are scaled down so a run takes about two minutes (``--task-time-limit``,
``--answer-timeout``, ``--sweep-interval``); production's are 150 s, 60 s and 60 s.
"""

import argparse
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The processes the fault tests start; their code is shared, so that what this measures is
# what the tests prove.
from tests.servers import (  # noqa: E402
    Celery,
    Gunicorn,
    RedisServer,
    TcpProxy,
    gunicorn,
    with_database,
)

JOB = {
    "type": "feedback",
    "count": 60_000,
    "format": "jsonl",
    "params": {"productType": "fintech", "sentimentMix": "balanced", "complexityLevel": "complex"},
}
ACCOUNTS = 4
OUTAGE = 5.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.getenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="the PostgreSQL server (any database on it); default: DATABASE_URL",
    )
    parser.add_argument(
        "--database", default="synthgen_faults", help="a new database: created, then dropped"
    )
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument(
        "--entries",
        type=int,
        default=50,
        help="complex feedback entries per request (50, the most, spends the longest "
        "generating, after the charge)",
    )
    parser.add_argument("--seconds", type=float, default=45, help="how long new requests start")
    parser.add_argument("--task-time-limit", type=int, default=20)
    parser.add_argument("--answer-timeout", type=int, default=35, help="above gunicorn's 30 s")
    parser.add_argument("--sweep-interval", type=int, default=5)
    return parser.parse_args()


@dataclass
class Tally:
    """What the clients saw. A logical request is one piece of work: its first try and the
    retries that carry the same Idempotency-Key."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)  # per account: logical requests with a 200
    unanswered: int = 0  # logical requests that gave up (keyless ones that failed)

    def saw(self, status: int | str) -> None:
        with self.lock:
            self.attempts[status] += 1


def call(method: str, url: str, **options: Any) -> requests.Response | str:
    try:
        return requests.request(method, url, timeout=60, **options)
    except requests.RequestException:
        return "no answer"


def client(
    base: str, body: dict[str, Any], keys: list[str], until: float, tally: Tally, give_up: float
) -> Callable[[int], None]:
    def run(number: int) -> None:
        turn = 0
        while time.monotonic() < until:
            turn += 1
            account = (number + turn) % len(keys)
            headers = {"Authorization": f"Bearer {keys[account]}"}
            keyed = turn % 4 != 0
            if keyed:
                headers["Idempotency-Key"] = secrets.token_hex(12)
            url = f"{base}/api/feedback/generate"
            while True:
                answer = call("POST", url, json=body, headers=headers)
                status = answer if isinstance(answer, str) else answer.status_code
                tally.saw(status)
                if status == 200:
                    with tally.lock:
                        tally.answered[account] += 1
                    break
                if not keyed or time.monotonic() > give_up:
                    with tally.lock:
                        tally.unanswered += 1
                    break
                wait = answer.headers.get("Retry-After", "1") if not isinstance(answer, str) else 1
                time.sleep(min(float(wait), 2))

    return run


def stack_env(database_url: str, bounds: dict[str, str], scratch: Path) -> dict[str, str]:
    """Production settings for every process of the stack, and for this one."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "600",  # production's persistent connections
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        **bounds,
    }


def create_database(server_url: str, name: str) -> None:
    """A new database; never one that exists, which may be someone's (it is dropped after)."""
    with psycopg.connect(server_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(
                f"The database {name} exists; pass --database with a new name, or drop it "
                f"(dropdb {name}) if an earlier run left it behind."
            )
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare() -> list[str]:
    """Migrate, collect the static files, and open the accounts; their API keys."""
    from django.core.management import call_command

    from accounts.services import create_account
    from billing.models import Tier

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    tier, _ = Tier.objects.update_or_create(
        slug="faults",
        defaults={
            "name": "Faults",
            "daily_request_limit": 10**6,
            "burst_limit_per_minute": 10**6,
            "starting_credits": 0,
            "monthly_credits": 0,
        },
    )
    return [
        create_account(email=f"faults-{number}@synthgen.local", tier=tier, credits=10**6)[1]
        for number in range(ACCOUNTS)
    ]


def stranded_now() -> tuple[int, int]:
    """(charges stranded right now, charges the sweep has refunded as never answered)."""
    from billing.models import UsageRecord
    from billing.services import stranded_charges

    refunded = UsageRecord.objects.filter(status=UsageRecord.NO_ANSWER).count()
    return stranded_charges().count(), refunded


def check_ledger() -> tuple[int, str]:
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_ledger", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), (out.getvalue() + err.getvalue()).strip()
    return 0, out.getvalue().strip()


def charged_once(tally: Tally) -> str:
    """Each account's debits minus refunds for generation against 2 credits per request
    answered 200: what the clients got is exactly what was charged."""
    from django.db.models import Sum

    from billing.models import CreditEntry

    moved, expected = {}, {}
    for number in range(ACCOUNTS):
        entries = CreditEntry.objects.filter(
            account__email=f"faults-{number}@synthgen.local", kind__in=("debit", "refund")
        ).exclude(endpoint="/api/jobs")
        moved[number] = entries.aggregate(total=Sum("amount"))["total"] or 0
        expected[number] = -2 * tally.answered[number]
    verdict = "yes" if moved == expected else "NO"
    return f"{verdict} (credits taken per account {moved}, 2 per 200: {expected})"


def jobs_made() -> str:
    from generators.models import Job

    succeeded = Job.objects.filter(status=Job.Status.SUCCEEDED).count()
    return f"{Job.objects.count()} made for 2 Idempotency-Keys, {succeeded} succeeded"


def job_state(base: str, key: str, job_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    answer = call("GET", f"{base}/api/jobs/{job_id}", headers=headers)
    return answer.json()["data"] if not isinstance(answer, str) and answer.ok else {}


def exact_job(base: str, key: str, job_id: str, state: dict[str, Any]) -> bool:
    """The file holds exactly the job's entries: batch b is what the engine gives for seed + b."""
    from generators import jobs
    from generators.models import Job

    if state.get("status") != "succeeded":
        return False
    headers = {"Authorization": f"Bearer {key}"}
    answer = requests.get(f"{base}/api/jobs/{job_id}/download", headers=headers, timeout=120)
    ids = [json.loads(line)["id"] for line in answer.text.splitlines()]
    job = Job.objects.get(pk=job_id)
    batches = range(jobs.batch_count(kind=job.kind, count=job.count))
    return ids == [entry["id"] for batch in batches for entry in jobs.generate_batch(job, batch)]


class JobWatch(threading.Thread):
    """Polls a job until it finishes, and notes when (the API may fail meanwhile)."""

    def __init__(self, base: str, key: str, job_id: str) -> None:
        super().__init__(daemon=True)
        self.base, self.key, self.job_id = base, key, job_id
        self.state: dict[str, Any] = {}
        self.finished_at: float | None = None

    def run(self) -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            state = job_state(self.base, self.key, self.job_id)
            self.state = state or self.state
            if state.get("status") not in (None, "queued", "running"):
                self.finished_at = time.monotonic()
                return
            time.sleep(0.2)


def worker_on_cpu(server: Gunicorn) -> int:
    """A gunicorn worker that is running on a CPU right now, so most likely generating, after
    its request was charged (one waiting on the database sleeps); any worker after 2 s."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        for pid in server.worker_pids():
            with suppress(OSError):
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R":
                    return pid
        time.sleep(0.001)
    return server.worker_pids()[0]


@dataclass
class Stack:
    server: Gunicorn
    celery: Celery
    worker: subprocess.Popen
    redis: RedisServer
    proxy: TcpProxy


def main() -> None:
    args = parse_args()
    if urllib.parse.urlsplit(args.database_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("benchmarks/faults.py runs against a local PostgreSQL only")
    direct = with_database(args.database_url, args.database)
    bounds = {
        "TASK_TIME_LIMIT": str(args.task_time_limit),
        "CHARGE_ANSWER_TIMEOUT": str(args.answer_timeout),
        "SWEEP_INTERVAL": str(args.sweep_interval),
    }
    redis, proxy = RedisServer(), TcpProxy(target=direct)
    with tempfile.TemporaryDirectory(prefix="synthgen-faults-") as folder, ExitStack() as stack:
        scratch = Path(folder)
        (scratch / "logs").mkdir()
        # This process reaches PostgreSQL directly (the proxy will refuse), and needs no Redis.
        os.environ.update(stack_env(direct, bounds, scratch), REDIS_URL="")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")
        create_database(args.database_url, args.database)
        stack.callback(drop_database, args.database_url, args.database)
        django.setup()
        keys = prepare()
        redis.start()
        stack.callback(redis.stop)
        proxy.accept()
        stack.callback(proxy.refuse)
        env = {**stack_env(proxy.url(direct), bounds, scratch), "REDIS_URL": redis.url}
        env["SECRET_KEY"] = os.environ["SECRET_KEY"]
        celery = Celery(env, scratch / "logs")
        stack.callback(celery.stop_all)
        server = stack.enter_context(gunicorn(env=env, probe_key=keys[0], workers=4, debug=False))
        worker = celery.start(concurrency=2)
        celery.start_beat()
        celery.supervise()  # restarts a worker that exits, as systemd's Restart=always does
        report = run(args, keys, Stack(server, celery, worker, redis, proxy))
        report["check_ledger"] = check_ledger()
        print_report(args, report)
        if report["job"].get("status") != "succeeded":
            print("The job did not finish; the Celery logs:\n" + celery.logs()[-6000:])
        from django.db import connections

        connections.close_all()


def run(args: argparse.Namespace, keys: list[str], stack: Stack) -> dict[str, Any]:
    base = stack.server.url
    report: dict[str, Any] = {"events": []}
    started = time.monotonic()

    def event(text: str) -> None:
        report["events"].append(f"t={time.monotonic() - started:5.1f} s  {text}")

    tally = Tally()
    until = started + args.seconds
    give_up = until + args.answer_timeout + 4 * args.sweep_interval + 30
    body = {
        "productType": "saas",
        "sentimentMix": "mixed",
        "feedbackCount": args.entries,
        "complexityLevel": "complex",
    }
    run_client = client(base, body, keys, until, tally, give_up)
    threads = [threading.Thread(target=run_client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    headers = {"Authorization": f"Bearer {keys[0]}", "Idempotency-Key": "faults-job-1"}
    job = requests.post(f"{base}/api/jobs", json=JOB, headers=headers, timeout=60).json()["data"]
    watch = JobWatch(base, keys[0], job["id"])
    watch.start()
    event(f"a job of {JOB['count']:,} entries accepted")

    time.sleep(3)
    pid = worker_on_cpu(stack.server)
    os.kill(pid, signal.SIGKILL)
    event(f"kill -9 gunicorn worker {pid}")

    while watch.state.get("entriesDone", 0) == 0:
        time.sleep(0.05)
    stack.celery.kill(stack.worker)
    killed = time.monotonic()
    event(
        f"kill -9 the Celery worker (main and pool), job at {watch.state['entriesDone']:,}; "
        "its supervisor starts another"
    )

    time.sleep(6)
    stack.proxy.refuse()
    event(f"PostgreSQL refuses connections for {OUTAGE:.0f} s")
    time.sleep(OUTAGE)
    stack.proxy.accept()

    time.sleep(6)
    stack.redis.stop()
    event(f"Redis stopped for {OUTAGE:.0f} s; a job submitted meanwhile")
    second = {"Authorization": f"Bearer {keys[1]}", "Idempotency-Key": "faults-job-2"}
    small = {**JOB, "count": 1_000}
    refused = call("POST", f"{base}/api/jobs", json=small, headers=second)
    time.sleep(OUTAGE)
    stack.redis.start()
    event("Redis back, empty (it keeps nothing)")
    retried = call("POST", f"{base}/api/jobs", json=small, headers=second)
    report["second_job"] = [r if isinstance(r, str) else r.status_code for r in (refused, retried)]

    for thread in threads:
        thread.join()
    event("load over: every request answered, or sent once and failed")
    report["stranded_before"] = stranded_now()
    watch.join(timeout=300)
    report["job"], report["job_took"] = (
        watch.state,
        watch.finished_at and watch.finished_at - killed,
    )
    time.sleep(args.answer_timeout + 2 * args.sweep_interval)  # past the last possible strand
    report["stranded_after"] = stranded_now()
    report["tally"] = tally
    report["exact"] = exact_job(base, keys[0], job["id"], watch.state)
    report["charged_once"] = charged_once(tally)
    report["jobs_made"] = jobs_made()
    report["restarts"] = stack.celery.restarts
    return report


def print_report(args: argparse.Namespace, report: dict[str, Any]) -> None:
    tally: Tally = report["tally"]
    print(
        "Stack: gunicorn 4 sync workers (DEBUG=0), a supervised Celery worker (2 processes) and "
        f"beat, PostgreSQL through a proxy, its own redis-server; {os.cpu_count()} CPUs"
    )
    redelivery = args.task_time_limit + max(5, args.task_time_limit // 5)
    print(
        f"Bounds: TASK_TIME_LIMIT {args.task_time_limit} s (redelivery after {redelivery} s), "
        f"CHARGE_ANSWER_TIMEOUT {args.answer_timeout} s, SWEEP_INTERVAL {args.sweep_interval} s"
    )
    print(
        f"Load: {args.clients} clients for {args.seconds:.0f} s, POST /api/feedback/generate "
        f"({args.entries} complex entries), 3 in 4 with an Idempotency-Key and retried until "
        f"answered; a {JOB['count']:,}-entry job"
    )
    for line in report["events"]:
        print("  " + line)
    print(
        f"Requests answered: {sum(tally.attempts.values()):,} tries; "
        f"{sum(tally.answered.values()):,} requests answered 200, {tally.unanswered} not "
        "(sent once, without a key)"
    )
    statuses = sorted(tally.attempts.items(), key=lambda item: str(item[0]))
    print("Answers by status: " + ", ".join(f"{status}: {count:,}" for status, count in statuses))
    (stranded, refunded), (left, refunded_in_all) = (
        report["stranded_before"],
        report["stranded_after"],
    )
    print(
        f"Stranded charges (debited, never answered): before the sweep {stranded + refunded} "
        f"({refunded} of them refunded by the time the load ended), after the sweep {left}; "
        f"{refunded_in_all} refunded in all"
    )
    job, took = report["job"], report["job_took"]
    print(
        f"Interrupted job: {job.get('status')}, {job.get('entriesDone', 0):,} entries, "
        + (f"finished {took:.1f} s after its worker was killed" if took else "NOT finished")
        + f" (bound: redelivery {redelivery} s + a sweep {args.sweep_interval} s + the work "
        "left); file exact: " + ("yes" if report["exact"] else "NO")
    )
    refused, retried = report["second_job"]
    print(
        f"Job submitted while Redis was away: {refused}; its retry with the same key once Redis "
        f"was back: {retried}; jobs: {report['jobs_made']}"
    )
    print(
        f"Celery workers that exited by themselves (and were started again): {report['restarts']}"
    )
    print(f"Charged exactly once per answered request: {report['charged_once']}")
    code, text = report["check_ledger"]
    print(f"check_ledger (exit {code}): {text}")


if __name__ == "__main__":
    main()
