"""Jobs run inline in a private media folder, or on real Celery workers started by the test.

The workers run with the production settings, scaled down so that a test sees a lost task come
back in seconds: every task may run TASK_TIME_LIMIT seconds, the broker hands a dead worker's
tasks out again after TASK_REDELIVERY_AFTER, and beat (when a test starts it) sweeps every
SWEEP_INTERVAL.
"""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings

from synthgen.celery import app as celery_app
from tests.conftest import require_services, served_database_url
from tests.servers import Celery

TASK_TIME_LIMIT = 6
TASK_REDELIVERY_AFTER = TASK_TIME_LIMIT + 5  # as synthgen/settings.py derives it
SWEEP_INTERVAL = 1


@pytest.fixture(autouse=True)
def _inline_jobs_in_private_media(settings: Any, tmp_path: Path) -> None:
    """Eager jobs run inside the request's commit, not on a thread, unless a test says so."""
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Celery]:
    """Start workers with `workers.start()` (and beat with `workers.start_beat()`) on the test
    database and Redis db; they are all stopped when the test ends."""
    require_services(postgres=True, redis=True)
    broker = os.environ["REDIS_URL"]
    redis.Redis.from_url(broker).flushdb()  # no task left over from an earlier test
    env = {
        "DATABASE_URL": served_database_url(),
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "TASK_TIME_LIMIT": str(TASK_TIME_LIMIT),
        "SWEEP_INTERVAL": str(SWEEP_INTERVAL),
    }
    log_dir = tmp_path / "worker-logs"
    log_dir.mkdir()
    pool = Celery(env, log_dir)
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
