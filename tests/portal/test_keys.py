"""Keys in the portal: list, create (shown once), revoke with confirmation, rotate with grace."""

import datetime as dt
import re
from unittest import mock

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from tests.conftest import Consumer

KEY = re.compile(r'<code id="api-key">(sg_live_\w+)</code>')


def _status_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/account").status_code


def _shown_key(content: bytes) -> str:
    match = KEY.search(content.decode())
    assert match
    return match.group(1)


def test_the_keys_page_lists_name_prefix_created_and_last_used(
    alice_portal: Client, alice: Consumer
) -> None:
    api_key = alice.account.api_keys.get()
    page = alice_portal.get("/account/keys/").content.decode()
    assert "Default key" in page
    assert f"<code>{api_key.prefix}…</code>" in page
    assert "Never" in page
    _status_with(alice.key)
    assert "0\xa0minutes ago" in alice_portal.get("/account/keys/").content.decode()


def test_the_keys_page_never_shows_a_whole_key(alice_portal: Client, alice: Consumer) -> None:
    assert alice.key not in alice_portal.get("/account/keys/").content.decode()


def test_a_new_key_is_shown_once_and_works(alice_portal: Client, alice: Consumer) -> None:
    response = alice_portal.post("/account/keys/", {"name": "CI"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    key = _shown_key(response.content)
    assert "Alice · alice@example.com · Free Tier" in response.content.decode()
    assert _status_with(key) == 200
    assert key not in alice_portal.get("/account/keys/").content.decode()
    assert alice.account.api_keys.filter(name="CI").exists()


def test_a_key_needs_a_name(alice_portal: Client, alice: Consumer) -> None:
    response = alice_portal.post("/account/keys/", {"name": ""})
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_revoking_asks_for_confirmation_first(alice_portal: Client, alice: Consumer) -> None:
    api_key = alice.account.api_keys.get()
    response = alice_portal.get(f"/account/keys/{api_key.pk}/revoke/")
    assert response.status_code == 200
    assert b"Revoke this key" in response.content
    assert _status_with(alice.key) == 200


def test_a_revoked_key_is_refused_on_its_next_request(
    alice_portal: Client, alice: Consumer
) -> None:
    assert _status_with(alice.key) == 200
    api_key = alice.account.api_keys.get()
    response = alice_portal.post(f"/account/keys/{api_key.pk}/revoke/", follow=True)
    assert f"Revoked {api_key.prefix}" in response.content.decode()
    assert "Revoked" in response.content.decode()
    assert _status_with(alice.key) == 401


def test_nobody_can_revoke_another_accounts_key(
    alice_portal: Client, alice: Consumer, bob: Consumer
) -> None:
    bobs_key = bob.account.api_keys.get()
    assert alice_portal.post(f"/account/keys/{bobs_key.pk}/revoke/").status_code == 404
    assert alice_portal.post(f"/account/keys/{bobs_key.pk}/rotate/").status_code == 404
    assert _status_with(bob.key) == 200


def test_rotation_gives_a_new_key_and_keeps_the_old_one_for_the_grace_period(
    alice_portal: Client, alice: Consumer
) -> None:
    old = alice.account.api_keys.get()
    response = alice_portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "24h"})
    new_key = _shown_key(response.content)
    assert "keeps working until" in response.content.decode()
    assert _status_with(alice.key) == 200
    assert _status_with(new_key) == 200
    later = timezone.now() + dt.timedelta(hours=24, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _status_with(alice.key) == 401
        assert _status_with(new_key) == 200


def test_the_rotated_key_keeps_its_name(alice_portal: Client, alice: Consumer) -> None:
    old = alice.account.api_keys.get()
    alice_portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "1h"})
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["Default key"] * 2


def test_rotation_without_grace_revokes_the_old_key_at_once(
    alice_portal: Client, alice: Consumer
) -> None:
    old = alice.account.api_keys.get()
    response = alice_portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "0"})
    assert _status_with(_shown_key(response.content)) == 200
    assert _status_with(alice.key) == 401


def test_a_key_being_rotated_out_cannot_be_rotated_again(
    alice_portal: Client, alice: Consumer
) -> None:
    old = alice.account.api_keys.get()
    alice_portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "7d"})
    assert alice_portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "7d"}).status_code == 404
    assert alice.account.api_keys.count() == 2
    page = alice_portal.get("/account/keys/").content.decode()
    assert "Retires in 6\xa0days" in page


def test_an_unknown_grace_period_is_refused(alice_portal: Client, alice: Consumer) -> None:
    old = alice.account.api_keys.get()
    response = alice_portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "forever"})
    assert b"Select a valid choice" in response.content
    assert alice.account.api_keys.count() == 1
