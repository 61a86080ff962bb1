"""Credits, limits and idempotency under real concurrency: threads and gunicorn processes
against PostgreSQL and Redis. Exact counts, never "about right"."""

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
import requests
from django.db import connections
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.models import Account
from billing.models import CreditEntry, DailyUsage, Tier
from billing.services import grant_all_monthly_credits
from tests.conftest import Consumer, fresh_burst_window, require_services, served_database_url
from tests.servers import gunicorn

# Rows written here must be visible to other threads and processes, so each test commits;
# serialized_rollback puts back the plans that the flush afterwards removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

T = TypeVar("T")
FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "ecommerce", "sentimentMix": "balanced", "feedbackCount": 5}


def at_once(count: int, call: Callable[[int], T]) -> list[T]:
    """Run `call` on `count` threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        try:
            barrier.wait(timeout=30)
            return call(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def post_feedback(key: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()
    }
    response = client.post(FEEDBACK, BODY, format="json", **extra)
    return response.status_code, response.content


def ledger_sum(account: Account) -> int:
    return CreditEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]


def test_40_simultaneous_requests_with_credits_for_10_give_10_successes_and_30_402s(
    make_consumer: Callable[..., Consumer],
) -> None:
    require_services(postgres=True, redis=True)
    consumer = make_consumer("rich@example.com", "pro", credits=20)
    results = at_once(40, lambda _: post_feedback(consumer.key))
    assert Counter(status for status, _ in results) == {200: 10, 402: 30}
    account = consumer.refresh()
    assert account.balance == 0
    assert ledger_sum(account) == 0
    assert CreditEntry.objects.filter(account=account, kind="debit").count() == 10
    assert DailyUsage.objects.get(account=account).requests == 10


def test_a_burst_of_30_on_a_free_account_accepts_exactly_5(alice: Consumer) -> None:
    require_services(postgres=True, redis=True)
    results = at_once(30, lambda _: post_feedback(alice.key))
    assert Counter(status for status, _ in results) == {200: 5, 429: 25}
    assert alice.refresh().balance == ledger_sum(alice.account) == 50 - 5 * 2
    assert DailyUsage.objects.get(account=alice.account).requests == 5


def test_the_daily_counter_alone_holds_a_burst_of_30_to_5(alice: Consumer) -> None:
    require_services(postgres=True, redis=True)
    Tier.objects.filter(slug="free").update(burst_limit_per_minute=None)
    results = at_once(30, lambda _: post_feedback(alice.key))
    assert Counter(status for status, _ in results) == {200: 5, 429: 25}
    assert DailyUsage.objects.get(account=alice.account).requests == 5
    assert alice.refresh().balance == ledger_sum(alice.account) == 40


def test_the_burst_limiter_alone_admits_exactly_its_rate(bob: Consumer) -> None:
    require_services(postgres=True, redis=True)
    Tier.objects.filter(slug="basic").update(burst_limit_per_minute=5)
    fresh_burst_window(bob)
    results = at_once(30, lambda _: post_feedback(bob.key))
    assert Counter(status for status, _ in results) == {200: 5, 429: 25}
    assert DailyUsage.objects.get(account=bob.account).requests == 5


def test_20_simultaneous_retries_with_one_idempotency_key_charge_once(bob: Consumer) -> None:
    require_services(postgres=True, redis=True)
    results = at_once(20, lambda _: post_feedback(bob.key, {"Idempotency-Key": "retry-me"}))
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {200, 409}
    assert statuses[200] >= 1
    assert len({body for status, body in results if status == 200}) == 1
    assert CreditEntry.objects.filter(account=bob.account, kind="debit").count() == 1
    assert bob.refresh().balance == ledger_sum(bob.account) == 998
    assert post_feedback(bob.key, {"Idempotency-Key": "retry-me"}) in results


def test_the_monthly_grant_run_on_several_workers_at_once_grants_once(
    make_consumer: Callable[..., Consumer],
) -> None:
    require_services(postgres=True, redis=True)
    consumers = [make_consumer(f"m{i}@example.com", "basic") for i in range(5)]
    Account.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    granted = at_once(6, lambda _: grant_all_monthly_credits())
    assert sum(granted) == 5
    for consumer in consumers:
        assert CreditEntry.objects.filter(account=consumer.account, kind="monthly").count() == 1
        assert consumer.refresh().balance == ledger_sum(consumer.account) == 2_000


def test_a_burst_of_30_across_4_gunicorn_workers_accepts_exactly_5(
    make_consumer: Callable[..., Consumer],
) -> None:
    require_services(postgres=True, redis=True)
    free = make_consumer("free@example.com", "free")
    # Same plan without its burst limit: only the database's daily counter stands in the way.
    Tier.objects.create(
        slug="free-no-burst", name="Free, no burst", daily_request_limit=5,
        starting_credits=50, monthly_credits=50,
    )  # fmt: skip
    unthrottled = make_consumer("daily@example.com", "free-no-burst")
    env = {"DATABASE_URL": served_database_url()}
    with gunicorn(env=env, workers=4, probe_key=free.key) as server:

        def call(index: int) -> int:
            consumer = (free, unthrottled)[index % 2]
            headers = {"Authorization": f"Bearer {consumer.key}"}
            return requests.post(
                f"{server.url}{FEEDBACK}", json=BODY, headers=headers, timeout=30
            ).status_code

        statuses = at_once(60, call)
    for index, consumer in enumerate((free, unthrottled)):
        assert Counter(statuses[index::2]) == {200: 5, 429: 25}
        account = consumer.refresh()
        assert DailyUsage.objects.get(account=account).requests == 5
        assert account.balance == ledger_sum(account) == 40
