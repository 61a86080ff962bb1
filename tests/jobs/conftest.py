"""Jobs run inline in a private media folder, or on real Celery workers started by the test."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from synthgen.celery import app as celery_app
from tests.conftest import require_services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _inline_jobs_in_private_media(settings: Any, tmp_path: Path) -> None:
    """Eager jobs run inside the request's commit, not on a thread, unless a test says so."""
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


class Workers:
    """Celery worker processes on the test's PostgreSQL database and Redis db."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: list[subprocess.Popen] = []

    def start(self, *options: str, concurrency: int = 2) -> subprocess.Popen:
        """A worker; `options` are more `celery worker` options (e.g. --beat)."""
        name = f"test{len(self.running)}-{os.getpid()}@%h"
        log = open(self.log_dir / f"worker-{len(self.running)}.log", "wb")  # noqa: SIM115
        command = ["-m", "tests.jobs.worker", f"--concurrency={concurrency}", "-n", name, *options]
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill takes its children too
        )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool at once, as if its machine died."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.log_dir.glob("*.log"))


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    """Start workers with `workers.start()`; they are all stopped when the test ends."""
    require_services(postgres=True, redis=True)
    broker = os.environ["REDIS_URL"]
    redis.Redis.from_url(broker).flushdb()  # no task left over from an earlier test
    database = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    test_database = database._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    env = {
        **os.environ,
        "DATABASE_URL": test_database,
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "DB_CONN_MAX_AGE": "0",
    }
    log_dir = tmp_path / "worker-logs"
    log_dir.mkdir()
    pool = Workers(env, log_dir)
    celery_app.conf.task_always_eager = False
    try:
        yield pool
    finally:
        pool.stop_all()
        celery_app.conf.task_always_eager = True


def wait_for(
    condition: Callable[[], Any], *, timeout: float = 60, every: float = 0.1, what: str = ""
) -> Any:
    """Poll until `condition()` is truthy and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    pytest.fail(f"timed out after {timeout}s waiting for {what or condition}")
