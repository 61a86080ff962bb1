"""Health checks for operators and load balancers: /health/live and /health/ready.

Answered by a middleware placed first, before the host check, the HTTPS redirect, sessions or
authentication, so a probe that knows only the machine's address and speaks plain HTTP gets
its answer. JSON, no authentication, nothing secret: each check says "ok" or "failing", and
why is logged, not shown.

- live: the process answers. Nothing else is touched.
- ready: the database answers, every migration this code knows is applied, and, when
  configured, Redis (the cache) and the Celery broker answer. 503 while any of them fails.
"""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from synthgen.celery import app as celery_app
from synthgen.middleware import Handler

logger = logging.getLogger("synthgen.health")

PROBE_TIMEOUT = 2  # seconds, for each of Redis and the broker
_migrations_applied = False  # once true it stays true for this process's code


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")
    _migrations_applied = True


_redis_client: redis.Redis | None = None


def _redis() -> None:
    global _redis_client
    if _redis_client is None:
        _redis_client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT
        )
    _redis_client.ping()


def _broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT)


def checks() -> dict[str, Callable[[], None]]:
    """What readiness needs here: Redis and the broker only where they are configured."""
    found = {"database": _database, "migrations": _migrations}
    if settings.REDIS_URL:
        found["redis"] = _redis
    if not celery_app.conf.task_always_eager:
        found["broker"] = _broker
    return found


def readiness() -> tuple[bool, dict[str, str]]:
    results = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as exc:  # whatever it is, the answer is "failing"; the log says why
            logger.warning("Readiness check %s failed: %s", name, exc)
            results[name] = "failing"
        else:
            results[name] = "ok"
    return all(result == "ok" for result in results.values()), results


def _answer(body: dict[str, object], status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == "/health/live":
            return _answer({"status": "ok"}, 200)
        if path == "/health/ready":
            ready, results = readiness()
            return _answer(
                {"status": "ok" if ready else "failing", "checks": results}, 200 if ready else 503
            )
        return self.get_response(request)
