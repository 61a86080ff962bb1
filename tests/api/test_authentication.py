"""Bearer keys: every way in that should fail answers 401; suspension answers 403."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import keys
from accounts.models import ApiKey
from accounts.services import issue_key, revoke_key

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"success": False, "error": "Invalid or missing API key", "code": "UNAUTHORIZED"}


def _get(authorization: str | None) -> object:
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get("/api/account")


def test_a_valid_key_reads_its_account(alice: object) -> None:
    response = alice.client.get("/api/account")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["email"] == "alice@example.com"
    assert data["tier"] == "free"
    assert data["dailyRequestLimit"] == 5
    assert data["requestsToday"] == 0
    assert data["remainingCredits"] == 50


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Token sg_live_abc",
        "Bearer sg_live_abc def",
        "Bearer not-a-key",
    ],
)
def test_a_missing_or_malformed_key_is_401(db: None, authorization: str | None) -> None:
    response = _get(authorization)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_mistyped_key_is_refused_without_a_database_query(alice: object) -> None:
    typo = alice.key[:-7] + ("A" if alice.key[-7] != "A" else "B") + alice.key[-6:]
    with CaptureQueriesContext(connection) as queries:
        response = _get(f"Bearer {typo}")
    assert response.status_code == 401
    assert len(queries) == 0


def test_an_unknown_key_with_a_valid_checksum_is_401(db: None) -> None:
    response = _get(f"Bearer {keys.make_key().plaintext}")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_key_with_the_right_id_and_a_wrong_secret_is_401(alice: object) -> None:
    forged = keys.make_key()
    api_key = ApiKey.objects.get(account=alice.account)
    body = keys.PREFIX + api_key.lookup_id + forged.plaintext[len(keys.PREFIX) + 12 : -6]
    response = _get(f"Bearer {body}{keys._checksum(body)}")
    assert response.status_code == 401


def test_a_revoked_key_is_refused_on_its_next_request(alice: object) -> None:
    assert alice.client.get("/api/account").status_code == 200
    revoke_key(api_key=ApiKey.objects.get(account=alice.account))
    response = alice.client.get("/api/account")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_key_past_its_rotation_grace_period_is_refused(alice: object) -> None:
    ApiKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert alice.client.get("/api/account").status_code == 401


def test_an_account_may_hold_several_working_keys(alice: object) -> None:
    _, second = issue_key(account=alice.account, name="CI")
    assert _get(f"Bearer {second}").status_code == 200
    assert alice.client.get("/api/account").status_code == 200


def test_a_suspended_account_is_403(charlie: object) -> None:
    response = charlie.client.get("/api/account")
    assert response.status_code == 403
    assert response.json()["code"] == "ACCOUNT_SUSPENDED"
    assert response.json()["success"] is False


def test_last_used_is_recorded_at_most_about_once_a_minute(alice: object) -> None:
    alice.client.get("/api/account")
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        alice.client.get("/api/account")
    assert ApiKey.objects.get().last_used_at == first
    assert not any(query["sql"].startswith("UPDATE") for query in queries)
    # Two minutes on: by then the key's cached check (accounts.key_cache) has expired too.
    ApiKey.objects.update(last_used_at=first - dt.timedelta(minutes=2))
    cache.clear()
    alice.client.get("/api/account")
    assert ApiKey.objects.get().last_used_at > first


def test_keys_have_the_documented_shape(db: None) -> None:
    new = keys.make_key()
    assert new.plaintext.startswith("sg_live_")
    assert len(new.plaintext) == keys.KEY_LENGTH
    assert keys.parse_key(new.plaintext).lookup_id == new.lookup_id
    assert keys.secret_matches(keys.parse_key(new.plaintext).secret, new.secret_hash)
