"""Webhooks in a real browser: sign in to the portal, add an endpoint (its secret shown once),
send a test event to a local receiver, watch it arrive in the delivery log, redeliver it."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from standardwebhooks import Webhook

from accounts.services import create_account
from billing.models import Tier
from tests.webhooks.conftest import Receiver

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMAIL = "erin@example.com"


@pytest.fixture(autouse=True)
def _embedded_webhooks(settings: Any, live_server: Any) -> None:
    """As `make run` has it: deliveries on a thread of the server, local receivers allowed.

    Not on the tests' in-memory SQLite, though: the live server shares one connection with
    the test, and any other thread's connection to a shared-cache memory database is refused
    ("table is locked") rather than made to wait; a file database, as `make run` has, waits.
    """
    settings.SITE_URL = live_server.url
    settings.WEBHOOKS_RUN_IN_THREAD = connection.vendor != "sqlite"
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _sign_in(tab: Any) -> None:
    page = tab.page
    tab.go("/account/webhooks/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    [message] = [message for message in mail.outbox if message.to == [EMAIL]][-1:]
    link = re.search(r"http://\S+/account/sign-in/\S+/", message.body)
    assert link, message.body
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in to SynthGen").click()
    page.wait_for_url("**/account/webhooks/")


def _refresh_until(tab: Any, locator: Any, what: str) -> None:
    for _ in range(50):
        if locator.count():
            return
        tab.page.get_by_role("link", name="Refresh").click()
        tab.page.wait_for_timeout(200)
    pytest.fail(f"the log never showed {what}")


def test_a_consumer_adds_an_endpoint_sends_a_test_event_and_sees_it_delivered(
    open_tab: Any, receiver: Receiver
) -> None:
    create_account(email=EMAIL, tier=Tier.objects.get(slug="basic"), name="Erin")
    tab = open_tab("webhooks")
    _sign_in(tab)
    page = tab.page
    tab.shot("webhooks-empty")

    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("Description").fill("Local receiver")
    page.get_by_label("job.succeeded:").check()
    page.get_by_label("key.revoked:").check()
    page.get_by_role("button", name="Add endpoint").click()
    page.get_by_role("heading", name="Endpoint added").wait_for()
    secret = page.locator("#webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    tab.shot("webhook-secret")

    page.get_by_role("link", name="Go to the endpoint").click()
    page.get_by_role("heading", name="Webhook endpoint").wait_for()
    assert secret not in page.content()
    page.get_by_role("button", name="Send a test event").click()
    page.get_by_text("Test event queued").wait_for()
    delivered = page.locator('tr[data-status="succeeded"]')
    _refresh_until(tab, delivered, "the delivery")
    row = delivered.first
    assert "webhook.test" in row.inner_text()
    assert row.locator(".attempt-status").inner_text() == "200"
    assert re.fullmatch(r"\d+ ms", row.locator(".attempt-duration").inner_text())
    row.locator("summary").click()
    assert row.locator(".attempt-response").inner_text() == "ok"
    tab.shot("webhook-delivered")

    [request] = receiver.received
    event = Webhook(secret).verify(request.body, request.headers)
    assert event["type"] == "webhook.test"
    assert event["id"] in row.inner_text()

    row.get_by_role("button", name=re.compile(r"^Redeliver")).click()
    page.get_by_text(f"Sending webhook.test {event['id']} again.").wait_for()
    _refresh_until(tab, page.get_by_text("(redelivery)"), "the redelivery")
    assert [r.headers["webhook-id"] for r in receiver.wait_for(2)] == [event["id"]] * 2
    tab.shot("webhook-redelivered")
