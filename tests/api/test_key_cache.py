"""The verified-key cache (accounts.key_cache): a cached key costs no query, and revoking,
rotating, suspending and plan changes are seen on the very next request, by every process."""

import datetime as dt
from collections.abc import Iterator

import pytest
import requests
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiKey
from accounts.services import revoke_key, rotate_key, set_suspended
from billing.models import Tier
from billing.services import change_tier
from tests.conftest import Consumer, require_services, served_database_url
from tests.servers import Gunicorn, gunicorn

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "ecommerce", "sentimentMix": "balanced", "feedbackCount": 5}


@pytest.fixture
def key_cache() -> Iterator[None]:
    """The cache on, in this process (the per-process cache will do when Redis is absent)."""
    with override_settings(API_KEY_CACHE_SECONDS=60):
        yield


@pytest.mark.django_db
def test_a_cached_key_is_checked_without_a_query(bob: Consumer, key_cache: None) -> None:
    assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    assert not [query for query in queries.captured_queries if "accounts_apikey" in query["sql"]]


@pytest.mark.django_db
def test_a_revoked_cached_key_is_refused_on_its_next_request(
    alice: Consumer, key_cache: None
) -> None:
    assert alice.client.get("/api/account").status_code == 200
    revoke_key(api_key=ApiKey.objects.get(account=alice.account))
    assert alice.client.get("/api/account").status_code == 401


@pytest.mark.django_db
def test_a_cached_key_rotated_without_grace_is_refused_at_once(
    alice: Consumer, key_cache: None
) -> None:
    assert alice.client.get("/api/account").status_code == 200
    old = ApiKey.objects.get(account=alice.account)
    rotate_key(account=alice.account, api_key_id=old.pk, grace=dt.timedelta(0))
    assert alice.client.get("/api/account").status_code == 401


@pytest.mark.django_db
def test_a_cached_key_deleted_by_staff_is_refused_on_its_next_request(
    alice: Consumer, key_cache: None, staff_client: object
) -> None:
    assert alice.client.get("/api/account").status_code == 200
    api_key = ApiKey.objects.get(account=alice.account)
    deleted = staff_client.post(f"/admin/accounts/apikey/{api_key.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not ApiKey.objects.filter(pk=api_key.pk).exists()
    assert alice.client.get("/api/account").status_code == 401


@pytest.mark.django_db
def test_the_balance_shown_is_current_although_the_key_is_cached(
    bob: Consumer, key_cache: None
) -> None:
    assert bob.client.get("/api/account").json()["data"]["remainingCredits"] == 1_000
    assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    assert bob.client.get("/api/account").json()["data"]["remainingCredits"] == 998


@pytest.mark.django_db
def test_last_use_is_written_once_however_many_requests_follow(
    bob: Consumer, key_cache: None
) -> None:
    assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    used = ApiKey.objects.get(account=bob.account).last_used_at
    assert used is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    assert ApiKey.objects.get(account=bob.account).last_used_at == used
    assert not [query for query in queries.captured_queries if "last_used_at" in query["sql"]]


# Across processes: gunicorn's workers share the cache (Redis) with this process, which makes
# the changes; rows must be committed for them to see.
served = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def server(alice: Consumer) -> Iterator[Gunicorn]:
    require_services(postgres=True, redis=True)
    with gunicorn(env={"DATABASE_URL": served_database_url()}, workers=2, probe_key=alice.key) as s:
        yield s


def statuses(server: Gunicorn, consumer: Consumer, count: int = 6) -> list[int]:
    """Each request on a new connection, so that both workers answer some."""
    headers = {"Authorization": f"Bearer {consumer.key}"}
    return [
        requests.get(f"{server.url}/api/account", headers=headers, timeout=10).status_code
        for _ in range(count)
    ]


def headers_of(server: Gunicorn, consumer: Consumer) -> requests.structures.CaseInsensitiveDict:
    headers = {"Authorization": f"Bearer {consumer.key}"}
    answer = requests.post(f"{server.url}{FEEDBACK}", json=BODY, headers=headers, timeout=10)
    assert answer.status_code == 200
    return answer.headers


@served
def test_a_key_revoked_here_is_refused_by_every_worker_on_its_next_request(
    alice: Consumer, server: Gunicorn
) -> None:
    assert statuses(server, alice) == [200] * 6  # now cached, for every worker
    revoke_key(api_key=ApiKey.objects.get(account=alice.account))
    assert statuses(server, alice) == [401] * 6


@served
def test_a_suspension_here_is_seen_by_every_worker_on_the_next_request(
    alice: Consumer, server: Gunicorn
) -> None:
    assert statuses(server, alice) == [200] * 6
    set_suspended(account=alice.account, suspended=True)
    assert statuses(server, alice) == [403] * 6
    set_suspended(account=alice.account, suspended=False)
    assert statuses(server, alice) == [200] * 6


@served
def test_a_plan_change_here_is_seen_by_every_worker_on_the_next_request(
    alice: Consumer, server: Gunicorn
) -> None:
    assert headers_of(server, alice)["X-RateLimit-Limit"] == "5"
    change_tier(account=alice.account, tier=Tier.objects.get(slug="basic"))
    limits = {headers_of(server, alice)["X-RateLimit-Limit"] for _ in range(4)}
    assert limits == {str(Tier.objects.get(slug="basic").daily_request_limit)}
