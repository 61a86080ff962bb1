"""The emailed link that shows a new key exactly once."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AccessRequest, ApiKey, KeyRevealLink
from accounts.services import approve_access_request, send_fresh_reveal_link
from billing.models import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def approve(staff: object, django_capture_on_commit_callbacks: Callable) -> Callable[[], str]:
    """Approve a request for dana and return the path of the emailed link."""

    def approve_dana() -> str:
        access_request = AccessRequest.objects.create(
            name="Dana",
            email="dana@example.com",
            use_case="Demo data for a dashboard.",
            requested_tier=Tier.objects.get(slug="free"),
        )
        with django_capture_on_commit_callbacks(execute=True):
            approve_access_request(access_request_id=access_request.pk, staff=staff)
        return _link_in(mail.outbox[-1].body)

    return approve_dana


def _link_in(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/keys/reveal/\S+/)", body).group(1)


def _key_in(html: bytes) -> str:
    return re.search(rb'<code id="api-key">(sg_live_\w+)</code>', html).group(1).decode()


def test_opening_the_link_shows_a_button_not_the_key(client: Client, approve: Callable) -> None:
    path = approve()
    response = client.get(path)
    assert response.status_code == 200
    assert b"Reveal my API key" in response.content
    assert b"sg_live_" not in response.content
    assert response["Cache-Control"].startswith("max-age=0")


def test_pressing_the_button_shows_a_working_key_and_the_first_curl(
    client: Client, approve: Callable
) -> None:
    response = client.post(approve())
    assert response.status_code == 200
    key = _key_in(response.content)
    assert b"curl -X POST http://" in response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    account = api.get("/api/account").json()
    assert account["data"]["email"] == "dana@example.com"


def test_the_link_works_only_once(client: Client, approve: Callable) -> None:
    path = approve()
    client.post(path)
    again = client.post(path)
    assert again.status_code == 410
    assert b"can no longer show a key" in again.content
    assert client.get(path).status_code == 410


def test_the_link_expires_after_72_hours(client: Client, approve: Callable) -> None:
    path = approve()
    KeyRevealLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post(path).status_code == 410
    link = KeyRevealLink.objects.get()
    assert timezone.now() - link.created_at < dt.timedelta(minutes=1)


def test_the_plaintext_key_is_not_stored_in_the_database(client: Client, approve: Callable) -> None:
    key = _key_in(client.post(approve()).content)
    api_key = ApiKey.objects.get()
    stored = [str(value) for value in ApiKey.objects.values_list().get()]
    stored += [str(value) for value in KeyRevealLink.objects.values_list().get()]
    secret = key[len("sg_live_") + 12 : -6]
    assert not any(secret in value for value in stored)
    assert api_key.secret_hash != secret


def test_a_fresh_link_kills_the_old_one_and_replaces_the_unrevealed_key(
    client: Client, approve: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    old_path = approve()
    old_key = ApiKey.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        send_fresh_reveal_link(access_request=AccessRequest.objects.get())
    new_path = _link_in(mail.outbox[-1].body)
    assert new_path != old_path
    assert client.post(old_path).status_code == 410
    key = _key_in(client.post(new_path).content)
    old_key.refresh_from_db()
    assert old_key.revoked_at is not None
    assert ApiKey.objects.filter(revoked_at=None).get().prefix == key[:20]


def test_staff_send_a_fresh_link_from_the_admin(
    staff_client: Client, approve: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    approve()
    access_request = AccessRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/accounts/accessrequest/",
            {"action": "send_fresh_link", "_selected_action": [str(access_request.pk)]},
        )
    assert len(mail.outbox) == 2
    assert _link_in(mail.outbox[0].body) != _link_in(mail.outbox[1].body)


def test_an_unknown_token_shows_the_explanation(client: Client) -> None:
    response = client.get("/keys/reveal/not-a-token/")
    assert response.status_code == 410
    assert b"fresh link" in response.content
