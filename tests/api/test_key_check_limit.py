"""Failed API key checks are limited per address: past API_KEY_FAILURE_RATE they answer 429,
while a correct key from the same address always passes."""

import pytest
from rest_framework.test import APIClient

from accounts import keys
from accounts.services import issue_key, revoke_key
from tests.conftest import Consumer, fresh_window

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _well_inside_a_minute_window() -> None:
    """Some 70 requests in one window, however slow the machine."""
    fresh_window(ADDRESS, margin=20)


def attempt(key: str, address: str = ADDRESS) -> object:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/account")


def unknown_key() -> str:
    """Well formed, right checksum, never issued."""
    return keys.make_key().plaintext


def test_the_61st_failed_key_check_in_a_minute_is_429_with_retry_after(alice: Consumer) -> None:
    failures = [attempt(unknown_key()).status_code for _ in range(60)]
    refused = attempt(unknown_key())

    assert failures == [401] * 60
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "RATE_LIMIT_EXCEEDED"
    assert body["error"] == "Too many failed API key checks from this address"
    assert 1 <= body["retryAfter"] <= 60
    assert refused["Retry-After"] == str(body["retryAfter"])


def test_a_correct_key_from_a_limited_address_still_passes(alice: Consumer) -> None:
    for _ in range(70):
        attempt(unknown_key())
    assert attempt(unknown_key()).status_code == 429

    answer = attempt(alice.key)

    assert answer.status_code == 200
    assert answer.json()["data"]["email"] == "alice@example.com"


def test_malformed_and_revoked_keys_count_as_failures_too(alice: Consumer) -> None:
    revoked, plaintext = issue_key(account=alice.account, name="Old key")
    revoke_key(api_key=revoked)
    # The last character changed to one it is not ("x" would be no change one time in 62).
    wrong = alice.key[:-1] + ("y" if alice.key.endswith("x") else "x")
    for key in ["not-a-key", wrong, plaintext] * 20:
        assert attempt(key).status_code == 401
    assert attempt("sg_live_garbage").status_code == 429


def test_another_address_is_not_limited(alice: Consumer) -> None:
    for _ in range(61):
        attempt(unknown_key())
    assert attempt(unknown_key(), address="198.51.100.2").status_code == 401


def test_the_rate_is_a_setting(alice: Consumer, settings: object) -> None:
    settings.API_KEY_FAILURE_RATE = "3/m"
    assert [attempt(unknown_key()).status_code for _ in range(4)] == [401, 401, 401, 429]
