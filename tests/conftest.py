"""Shared fixtures: a fixed cast of accounts and keys, and the rules for service-backed tests.

alice: Free plan, 50 credits. bob: Basic plan, 1,000 credits. charlie: suspended, Pro plan.
"""

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django_ratelimit.core import _get_window
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.services import create_account
from billing.models import Tier
from synthgen.celery import app as celery_app
from tests.servers import with_database

IN_CI = os.getenv("CI", "").lower() == "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test must restore the database it flushes (serialized_rollback):
    the flush drops the plans the data migration made, and one that re-creates content types
    breaks the restore of the next test that does use serialized_rollback."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


@pytest.fixture(autouse=True)
def _clean_cache_and_eager_tasks() -> Iterator[None]:
    """Rate-limit counters live in the cache (Redis in CI): each test starts from zero.
    Tasks run eagerly unless a test starts a real worker."""
    cache.clear()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(scope="session")
def live_server(live_server: object, django_db_blocker: object) -> Iterator[object]:
    """pytest-django's live server, which at the end of the session also makes sure no
    connection of its threads is left on the test database: a request thread closes its own
    just after it answers (racing the teardown), and a thread that died holding one leaves
    it open; PostgreSQL will not drop a database in use."""
    yield live_server
    if connection.vendor != "postgresql":
        return
    others = "datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(20):
            cursor.execute(f"SELECT count(*) FROM pg_stat_activity WHERE {others}")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
        cursor.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}")


def require_services(*, postgres: bool = False, redis: bool = False) -> None:
    """Skip a test that needs the real servers; under CI=true, fail instead."""
    missing = []
    if postgres and connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if redis and not os.getenv("REDIS_URL"):
        missing.append("Redis (REDIS_URL)")
    if not missing:
        return
    message = "needs " + " and ".join(missing)
    if IN_CI:
        pytest.fail(message + ", which CI must provide")
    pytest.skip(message)


def served_database_url() -> str:
    """DATABASE_URL pointing at the test database, for the servers a test starts."""
    return with_database(os.environ["DATABASE_URL"], connection.settings_dict["NAME"])


def fresh_window(value: str, *, margin: float = 5) -> None:
    """django-ratelimit's minute windows end at a second jittered by what is counted (a key
    id, an address): start a burst at least `margin` seconds inside one, so that it measures
    the limiter rather than a window boundary."""
    while _get_window(value, 60) - time.time() < margin:
        time.sleep(0.5)


def fresh_burst_window(consumer: "Consumer") -> None:
    fresh_window(str(consumer.account.api_keys.get().pk))


@dataclass
class Consumer:
    account: Account
    key: str
    client: APIClient

    def refresh(self) -> Account:
        self.account.refresh_from_db()
        return self.account


def _consumer(email: str, tier: str, **options: object) -> Consumer:
    account, key = create_account(email=email, tier=Tier.objects.get(slug=tier), **options)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Consumer(account=account, key=key, client=client)


@pytest.fixture
def make_consumer(db: None) -> Callable[..., Consumer]:
    return _consumer


@pytest.fixture
def alice(db: None) -> Consumer:
    return _consumer("alice@example.com", "free", name="Alice")


@pytest.fixture
def bob(db: None) -> Consumer:
    return _consumer("bob@example.com", "basic", name="Bob")


@pytest.fixture
def charlie(db: None) -> Consumer:
    consumer = _consumer("charlie@example.com", "pro", name="Charlie")
    Account.objects.filter(pk=consumer.account.pk).update(is_suspended=True)
    return consumer


@pytest.fixture
def staff(db: None, django_user_model: type) -> object:
    return django_user_model.objects.create_superuser("sam", "sam@synthgen.local", "pw-Staff-123")


@pytest.fixture
def staff_client(client: object, staff: object) -> object:
    client.force_login(staff)
    return client
