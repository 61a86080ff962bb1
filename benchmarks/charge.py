"""Requests per second through the whole charge path against the cheapest authenticated call.

Run: ``.venv/bin/python benchmarks/charge.py`` (a fresh embedded SQLite database), or
``--database-url postgres://...`` and ``--redis-url redis://...`` for the production setup
(the database is migrated and gets a benchmark plan and account). It starts gunicorn on
127.0.0.1, then alternates bounded rounds of ``GET /api/account`` (authentication only) and
``POST /api/feedback/generate`` with 5 entries (authentication, burst limit, daily limit,
debit and ledger entry, generation, usage record), and prints both rates and their ratio.

``--summary`` instead measures, in-process, what an answer's `summary` costs beside the
generation it describes: 5 and 50 entries of each kind (5 and 25 questions of an interview),
and a job chunk's tally, which also digests every sentence; it prints each ratio.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FEEDBACK = json.dumps(
    {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5}
).encode()
SETUP = """
from accounts.services import create_account
from billing.models import Tier
tier, _ = Tier.objects.update_or_create(slug="benchmark", defaults=dict(
    name="Benchmark", daily_request_limit=10**9, burst_limit_per_minute=10**9,
    starting_credits=0, monthly_credits=0))
account, key = create_account(
    email=f"bench-{__import__('time').time_ns()}@synthgen.local", tier=tier, credits=10**9)
print(key)
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default="", help="default: the per-process cache")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=1500, help="per endpoint, in all")
    parser.add_argument("--seconds", type=float, default=30, help="cap per endpoint")
    parser.add_argument(
        "--summary", action="store_true", help="measure the summary against generation instead"
    )
    parser.add_argument("--rounds", type=int, default=200, help="--summary: answers per size")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(args: argparse.Namespace, scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DEBUG="1", LOG_LEVEL="WARNING", SQLITE_PATH=str(scratch / "bench.sqlite3"))
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def prepare(env: dict[str, str]) -> str:
    """Migrate, create the benchmark plan and account; returns its API key."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    shell = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return shell.stdout.decode().strip().splitlines()[-1]


def call(port: int, method: str, path: str, key: str, body: bytes | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until_serving(port: int, key: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during startup")
        try:
            if call(port, "GET", "/api/account", key, None) == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start serving within 60 s")


def measure(
    port: int,
    key: str,
    method: str,
    path: str,
    body: bytes | None,
    *,
    count: int,
    seconds: float,
    concurrency: int,
) -> tuple[int, float, int]:
    """(requests done, seconds taken, non-200 answers), `count` requests or `seconds` at most."""
    lock = threading.Lock()
    done, failed = 0, 0
    deadline = time.perf_counter() + seconds

    def client(share: int) -> None:
        nonlocal done, failed
        for _ in range(share):
            if time.perf_counter() > deadline:
                return
            status = call(port, method, path, key, body)
            with lock:
                done += 1
                failed += status != 200

    share = max(1, count // concurrency)
    threads = [threading.Thread(target=client, args=(share,)) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, time.perf_counter() - start, failed


def summary_cost(rounds: int) -> None:
    """Seconds per answer of generating it and of summarising it, alternated per answer."""
    import datetime as dt
    import gc

    sys.path.insert(0, str(ROOT))
    from generators import engine
    from generators.summary import Tally

    window = (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2024, 3, 31, tzinfo=dt.UTC))
    common = {"version": engine.LATEST, "complexity": "medium", "window": window}
    writers = {
        "feedback": lambda n, seed: engine.generate_feedback(
            product_type="saas", sentiment_mix="mixed", count=n, seed=seed, **common
        ),
        "tickets": lambda n, seed: engine.generate_tickets(
            product_type="saas", count=n, seed=seed, **common
        ),
        "interviews": lambda n, seed: [
            engine.generate_interview(
                product_type="saas", question_count=n, interview_type="churn", seed=seed, **common
            )
        ],
    }
    sizes = {"feedback": (5, 50), "tickets": (5, 50), "interviews": (5, 25)}
    print(f"summary beside generation, in-process, {rounds} answers per size (medium level)")
    for kind, write in writers.items():
        for size in sizes[kind]:
            write(size, 0)  # load the vocabulary first
            generating = answering = chunking = 0.0
            gc.disable()  # as timeit does: a collection would land on whichever step runs
            for seed in range(rounds):
                start = time.perf_counter()
                data = write(size, seed)
                made = time.perf_counter()
                Tally(kind=kind).add_all(data).summary()
                answered = time.perf_counter()
                Tally(kind=kind, distinct=set()).add_all(data).digest_bytes()
                generating += made - start
                answering += answered - made
                chunking += time.perf_counter() - answered
            gc.enable()
            print(
                f"  {kind + ' ' + str(size):<14} generation {generating / rounds * 1e6:7.0f} us"
                f"  answer's summary {answering / rounds * 1e6:5.0f} us"
                f" ({answering / generating:.3f} of generation)"
                f"  job chunk's tally with sentences {chunking / rounds * 1e6:5.0f} us"
                f" ({chunking / generating:.3f})"
            )


def main() -> None:
    args = parse_args()
    if args.summary:
        summary_cost(args.rounds)
        return
    with tempfile.TemporaryDirectory(prefix="synthgen-bench-") as scratch:
        env = server_env(args, Path(scratch))
        key = prepare(env)
        port = free_port()
        command = [
            str(BIN / "gunicorn"),
            "synthgen.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ]
        server = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            wait_until_serving(port, key, server)
            report(args, port, key)
        finally:
            server.terminate()
            server.wait(timeout=15)
        ledger = subprocess.run(
            [sys.executable, "manage.py", "check_ledger"], cwd=ROOT, env=env, capture_output=True
        )
        print("check_ledger after the run:", "clean" if ledger.returncode == 0 else "DRIFT")


def report(args: argparse.Namespace, port: int, key: str) -> None:
    endpoints = {
        "GET /api/account": ("GET", "/api/account", None),
        "POST /api/feedback/generate (5 entries)": ("POST", "/api/feedback/generate", FEEDBACK),
    }
    for method, path, body in endpoints.values():  # warm every worker's imports and caches
        measure(port, key, method, path, body, count=args.workers * 10, seconds=10, concurrency=4)
    totals = {name: [0, 0.0, 0] for name in endpoints}
    rounds = 3  # alternate, so drift in the machine's load hits both sides alike
    for _ in range(rounds):
        for name, (method, path, body) in endpoints.items():
            done, took, failed = measure(
                port, key, method, path, body,
                count=args.requests // rounds, seconds=args.seconds / rounds,
                concurrency=args.concurrency,
            )  # fmt: skip
            totals[name][0] += done
            totals[name][1] += took
            totals[name][2] += failed
    database = "PostgreSQL" if args.database_url else "SQLite (embedded)"
    cache = "Redis" if args.redis_url else "per-process cache"
    print(
        f"gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
        f"{database}, {cache}, {os.cpu_count()} CPUs"
    )
    rates = {}
    for name, (done, took, failed) in totals.items():
        rates[name] = done / took
        print(f"  {name:<42} {rates[name]:8.1f} req/s  ({done} requests, {failed} not 200)")
    account, charged = rates.values()
    print(f"  charge path / cheapest authenticated call: {charged / account:.2f}")


if __name__ == "__main__":
    main()
