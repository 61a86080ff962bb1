"""Webhooks in the portal: add (the secret shown once), edit, delete with confirmation, rotate,
send a test event, the delivery log with every attempt, redelivery, and the threshold."""

import re
from typing import Any

import pytest
from django.test import Client
from standardwebhooks import Webhook

from accounts.webhooks.models import WebhookEndpoint
from tests.conftest import Consumer
from tests.webhooks.conftest import Answer, Receiver, deliver_due_until, endpoint_row

SECRET = re.compile(r'<code id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)</code>')


def signed_in(consumer: Consumer) -> Client:
    client = Client()
    client.force_login(consumer.account.owner)
    return client


@pytest.fixture
def bob_portal(bob: Consumer) -> Client:
    return signed_in(bob)


def add(portal: Client, url: str, events: list[str] | None = None) -> tuple[str, str]:
    """Add an endpoint through the form: its id and the secret the page showed."""
    data = {"url": url, "events": events or ["job.succeeded", "job.failed"], "enabled": "on"}
    response = portal.post("/account/webhooks/", data)
    assert response.status_code == 200, response.content.decode()
    match = SECRET.search(response.content.decode())
    assert match, response.content.decode()
    endpoint = WebhookEndpoint.objects.get(url=url)
    return str(endpoint.pk), match.group(1)


def test_the_portal_asks_for_a_sign_in(client: Client, db: None) -> None:
    response = client.get("/account/webhooks/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_an_endpoint_added_in_the_portal_shows_its_secret_once(
    bob_portal: Client, bob: Consumer
) -> None:
    endpoint_id, secret = add(bob_portal, "https://hooks.example.com/portal", ["job.failed"])

    assert secret.startswith("whsec_")
    listing = bob_portal.get("/account/webhooks/").content.decode()
    assert "https://hooks.example.com/portal" in listing
    assert secret not in listing
    assert secret not in bob_portal.get(f"/account/webhooks/{endpoint_id}/").content.decode()
    assert WebhookEndpoint.objects.get(pk=endpoint_id).events == ["job.failed"]


def test_a_bad_url_is_refused_with_the_form_kept(bob_portal: Client, settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = bob_portal.post(
        "/account/webhooks/", {"url": "https://10.0.0.8/hooks", "events": ["job.failed"]}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "10.0.0.8 is a private address" in page
    assert 'value="https://10.0.0.8/hooks"' in page
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event(bob_portal: Client) -> None:
    response = bob_portal.post("/account/webhooks/", {"url": "https://hooks.example.com/x"})

    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()


def test_another_accounts_endpoint_is_not_found(bob_portal: Client, alice: Consumer) -> None:
    endpoint_id, _ = add(signed_in(alice), "https://hooks.example.com/alice")

    for path in ("", "delete/", "rotate/"):
        assert bob_portal.get(f"/account/webhooks/{endpoint_id}/{path}").status_code == 404
    assert bob_portal.post(f"/account/webhooks/{endpoint_id}/test/").status_code == 404


def test_an_endpoint_is_edited(bob_portal: Client) -> None:
    endpoint_id, _ = add(bob_portal, "https://hooks.example.com/a")

    response = bob_portal.post(
        f"/account/webhooks/{endpoint_id}/",
        {"url": "https://hooks.example.com/b", "events": ["credits.low"], "description": "Ops"},
        follow=True,
    )

    assert "Saved." in response.content.decode()
    endpoint = endpoint_row(endpoint_id)
    assert (endpoint.url, endpoint.events, endpoint.description) == (
        "https://hooks.example.com/b",
        ["credits.low"],
        "Ops",
    )
    assert endpoint.is_enabled is False  # the box was left unticked
    assert "Disabled" in response.content.decode()


def test_deleting_asks_for_confirmation_first(bob_portal: Client) -> None:
    endpoint_id, _ = add(bob_portal, "https://hooks.example.com/a")

    confirm = bob_portal.get(f"/account/webhooks/{endpoint_id}/delete/")
    assert "Delete this endpoint" in confirm.content.decode()
    assert WebhookEndpoint.objects.filter(pk=endpoint_id).exists()

    done = bob_portal.post(f"/account/webhooks/{endpoint_id}/delete/", follow=True)
    assert "Deleted the endpoint https://hooks.example.com/a" in done.content.decode()
    assert not WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


def test_a_rotation_shows_the_new_secret_once_and_the_old_one_keeps_signing(
    bob_portal: Client, receiver: Receiver, commits: Any
) -> None:
    endpoint_id, old = add(bob_portal, receiver.url)

    assert (
        "Rotate the secret"
        in bob_portal.get(f"/account/webhooks/{endpoint_id}/rotate/").content.decode()
    )
    rotated = bob_portal.post(f"/account/webhooks/{endpoint_id}/rotate/").content.decode()
    match = SECRET.search(rotated)
    assert match and match.group(1) != old
    assert "The old secret also signs every event until" in rotated

    with commits():
        bob_portal.post(f"/account/webhooks/{endpoint_id}/test/")
    [request] = receiver.wait_for(1)
    Webhook(old).verify(request.body, request.headers)
    Webhook(match.group(1)).verify(request.body, request.headers)


def test_a_test_event_and_its_attempts_show_in_the_log(
    bob_portal: Client, receiver: Receiver, commits: Any
) -> None:
    receiver.answer(Answer(500, "Internal trouble, try later"))
    endpoint_id, secret = add(bob_portal, receiver.url)

    with commits():
        sent = bob_portal.post(f"/account/webhooks/{endpoint_id}/test/")

    assert sent["Location"] == f"/account/webhooks/{endpoint_id}/"
    page = bob_portal.get(sent["Location"]).content.decode()
    assert "Test event queued" in page
    assert "webhook.test" in page
    assert "Internal trouble, try later" in page
    assert 'class="attempt-status">500<' in page
    assert re.search(r'class="attempt-duration">\d+ ms<', page)
    assert 'data-status="pending"' in page

    deliver_due_until(lambda: len(receiver.received) == 2)
    page = bob_portal.get(f"/account/webhooks/{endpoint_id}/").content.decode()
    assert 'data-status="succeeded"' in page
    assert 'class="attempt-status">200<' in page
    assert secret not in page


def test_redeliver_sends_the_same_message_again(
    bob_portal: Client, receiver: Receiver, commits: Any
) -> None:
    endpoint_id, _ = add(bob_portal, receiver.url)
    with commits():
        bob_portal.post(f"/account/webhooks/{endpoint_id}/test/")
    delivery = endpoint_row(endpoint_id).deliveries.get()

    with commits():
        bob_portal.post(f"/account/webhooks/{endpoint_id}/deliveries/{delivery.pk}/redeliver/")

    first, again = receiver.wait_for(2)
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == delivery.event_id
    page = bob_portal.get(f"/account/webhooks/{endpoint_id}/").content.decode()
    assert f"Sending webhook.test {delivery.event_id} again." in page
    assert "(redelivery)" in page


def test_a_disabled_endpoint_sends_no_test_event(bob_portal: Client, receiver: Receiver) -> None:
    endpoint_id, _ = add(bob_portal, receiver.url)
    bob_portal.post(
        f"/account/webhooks/{endpoint_id}/", {"url": receiver.url, "events": ["job.failed"]}
    )

    page = bob_portal.post(f"/account/webhooks/{endpoint_id}/test/", follow=True)

    assert "The endpoint is disabled: enable it first." in page.content.decode()
    assert not endpoint_row(endpoint_id).deliveries.exists()


def test_the_low_credit_threshold_is_set_and_cleared(bob_portal: Client, bob: Consumer) -> None:
    done = bob_portal.post(
        "/account/webhooks/threshold/", {"low_credit_threshold": "250"}, follow=True
    )
    assert "credits.low fires when a debit takes you below 250." in done.content.decode()
    assert bob.refresh().low_credit_threshold == 250
    assert 'value="250"' in bob_portal.get("/account/webhooks/").content.decode()

    cleared = bob_portal.post(
        "/account/webhooks/threshold/", {"low_credit_threshold": ""}, follow=True
    )
    assert "credits.low is off" in cleared.content.decode()
    assert bob.refresh().low_credit_threshold is None


def test_a_bad_threshold_is_refused(bob_portal: Client, bob: Consumer) -> None:
    done = bob_portal.post(
        "/account/webhooks/threshold/", {"low_credit_threshold": "-3"}, follow=True
    )

    assert "greater than or equal to 1" in done.content.decode()
    assert bob.refresh().low_credit_threshold is None


def test_staff_see_endpoints_and_deliveries_but_never_a_secret(
    staff_client: Client, bob_portal: Client, receiver: Receiver, commits: Any
) -> None:
    endpoint_id, secret = add(bob_portal, receiver.url)
    with commits():
        bob_portal.post(f"/account/webhooks/{endpoint_id}/test/")
    delivery = endpoint_row(endpoint_id).deliveries.get()

    pages = [
        staff_client.get("/admin/webhooks/webhookendpoint/"),
        staff_client.get(f"/admin/webhooks/webhookendpoint/{endpoint_id}/change/"),
        staff_client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert receiver.url in pages[0].content.decode()
    assert "webhook.test" in pages[2].content.decode()
    for page in pages:
        assert secret not in page.content.decode()
        assert endpoint_row(endpoint_id).sealed_secret not in page.content.decode()
