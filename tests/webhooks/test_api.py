"""/api/webhooks through HTTP: endpoints, secrets shown once, validation, ownership, test events,
the delivery log and redelivery."""

import json
from typing import Any

from django.test import override_settings
from standardwebhooks import Webhook

from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.services import MAX_ENDPOINTS
from tests.conftest import Consumer
from tests.webhooks.conftest import Receiver, create_endpoint, deliver_due_until


def test_an_endpoint_is_created_with_a_secret_shown_only_in_that_answer(bob: Consumer) -> None:
    response = bob.client.post(
        "/api/webhooks",
        {"url": "https://hooks.example.com/synthgen", "events": ["job.succeeded", "job.failed"]},
        format="json",
    )

    assert response.status_code == 201
    created = response.json()["data"]
    assert created["secret"].startswith("whsec_")
    assert created["url"] == "https://hooks.example.com/synthgen"
    assert created["events"] == ["job.failed", "job.succeeded"]
    assert created["enabled"] is True
    shown = bob.client.get(f"/api/webhooks/{created['id']}").json()["data"]
    assert "secret" not in shown
    assert created["secret"] not in json.dumps(bob.client.get("/api/webhooks").json())


def test_the_secret_is_stored_sealed_not_in_plaintext(bob: Consumer) -> None:
    created = create_endpoint(bob, "https://hooks.example.com/a")

    row = WebhookEndpoint.objects.get(pk=created["id"])
    assert created["secret"] not in row.sealed_secret
    assert created["secret"].removeprefix("whsec_") not in row.sealed_secret


def test_the_list_shows_only_the_accounts_own_endpoints(bob: Consumer, alice: Consumer) -> None:
    mine = create_endpoint(bob, "https://hooks.example.com/bob")
    create_endpoint(alice, "https://hooks.example.com/alice")

    listed = bob.client.get("/api/webhooks").json()["data"]

    assert [endpoint["id"] for endpoint in listed] == [mine["id"]]


def test_another_accounts_endpoint_is_not_found(bob: Consumer, alice: Consumer) -> None:
    theirs = create_endpoint(alice, "https://hooks.example.com/alice")

    for method, path in [
        ("get", f"/api/webhooks/{theirs['id']}"),
        ("patch", f"/api/webhooks/{theirs['id']}"),
        ("delete", f"/api/webhooks/{theirs['id']}"),
        ("post", f"/api/webhooks/{theirs['id']}/rotate-secret"),
        ("post", f"/api/webhooks/{theirs['id']}/test"),
        ("get", f"/api/webhooks/{theirs['id']}/deliveries"),
    ]:
        response = getattr(bob.client, method)(path, {"enabled": False}, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND"), path
    assert WebhookEndpoint.objects.get(pk=theirs["id"]).is_enabled


def test_every_bad_field_is_named_at_once(bob: Consumer) -> None:
    response = bob.client.post(
        "/api/webhooks",
        {"url": "ftp://hooks.example.com", "events": ["job.done"], "secret": "mine"},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_PARAMETERS"
    assert set(body["details"]) == {"url", "events", "secret"}
    assert "job.succeeded" in body["details"]["events"]


def test_a_url_must_be_plain_ascii(bob: Consumer) -> None:
    for url in ("https://exämple.com/hooks", "https://example.com/a b", "https://example.com/a\tb"):
        response = bob.client.post(
            "/api/webhooks", {"url": url, "events": ["key.revoked"]}, format="json"
        )
        assert response.status_code == 400, url
        assert response.json()["details"]["url"].startswith("Must be a URL of plain ASCII")


def test_an_endpoint_needs_at_least_one_event(bob: Consumer) -> None:
    response = bob.client.post(
        "/api/webhooks", {"url": "https://hooks.example.com", "events": []}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["details"]["events"].startswith("Name at least one of")


def test_a_body_that_is_not_a_json_object_is_refused(bob: Consumer) -> None:
    response = bob.client.post("/api/webhooks", "[1]", content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "INVALID_JSON")


def test_an_account_may_have_only_so_many_endpoints(bob: Consumer) -> None:
    for number in range(MAX_ENDPOINTS):
        create_endpoint(bob, f"https://hooks.example.com/{number}")

    response = bob.client.post(
        "/api/webhooks",
        {"url": "https://hooks.example.com/x", "events": ["key.revoked"]},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "WEBHOOK_LIMIT_REACHED")
    assert WebhookEndpoint.objects.filter(account=bob.account).count() == MAX_ENDPOINTS


def test_an_endpoint_changes_only_what_the_patch_names(bob: Consumer) -> None:
    created = create_endpoint(bob, "https://hooks.example.com/a", ["job.succeeded"])

    response = bob.client.patch(
        f"/api/webhooks/{created['id']}",
        {"events": ["credits.low", "key.revoked"], "description": "Billing alerts"},
        format="json",
    )

    assert response.status_code == 200
    changed = response.json()["data"]
    assert changed["events"] == ["credits.low", "key.revoked"]
    assert changed["description"] == "Billing alerts"
    assert changed["url"] == "https://hooks.example.com/a"


def test_a_patch_is_validated_like_a_creation(bob: Consumer) -> None:
    created = create_endpoint(bob, "https://hooks.example.com/a")

    response = bob.client.patch(
        f"/api/webhooks/{created['id']}", {"url": "ftp://hooks.example.com/a"}, format="json"
    )

    assert response.status_code == 400
    assert "http" in response.json()["details"]["url"]
    assert (
        bob.client.get(f"/api/webhooks/{created['id']}").json()["data"]["url"].startswith("https")
    )


@override_settings(WEBHOOKS_ALLOW_PRIVATE_URLS=False)
def test_without_the_local_setting_only_https_is_accepted(bob: Consumer) -> None:
    response = bob.client.post(
        "/api/webhooks",
        {"url": "http://hooks.example.com/a", "events": ["key.revoked"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["details"]["url"] == "Must be an https:// URL"


def test_a_deleted_endpoint_is_gone(bob: Consumer) -> None:
    created = create_endpoint(bob, "https://hooks.example.com/a")

    response = bob.client.delete(f"/api/webhooks/{created['id']}")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == created["id"]
    assert bob.client.get(f"/api/webhooks/{created['id']}").status_code == 404


def test_the_webhook_operations_cost_nothing_and_count_nothing(bob: Consumer) -> None:
    created = create_endpoint(bob, "https://hooks.example.com/a")
    bob.client.post(f"/api/webhooks/{created['id']}/rotate-secret")
    bob.client.get("/api/webhooks")

    account = bob.client.get("/api/account").json()["data"]
    assert (account["remainingCredits"], account["requestsToday"]) == (1_000, 0)


def test_a_test_event_reaches_the_receiver_signed_and_shows_in_the_log(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    created = create_endpoint(bob, receiver.url, ["job.succeeded"])

    with commits():
        response = bob.client.post(f"/api/webhooks/{created['id']}/test")

    assert response.status_code == 202
    queued = response.json()["data"]
    assert (queued["eventType"], queued["status"]) == ("webhook.test", "pending")
    [request] = receiver.wait_for(1)
    event = Webhook(created["secret"]).verify(request.body, request.headers)
    assert event["type"] == "webhook.test"
    assert event["id"] == queued["eventId"] == request.headers["webhook-id"]
    assert event["data"] == bob.client.get(f"/api/webhooks/{created['id']}").json()["data"]
    [logged] = bob.client.get(f"/api/webhooks/{created['id']}/deliveries").json()["data"]
    assert logged["status"] == "succeeded"
    [attempt] = logged["attempts"]
    assert (attempt["statusCode"], attempt["succeeded"], attempt["response"]) == (200, True, "ok")
    assert attempt["durationMs"] >= 0
    assert logged["event"] == event


def test_a_delivery_can_be_sent_again_as_the_same_message(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    created = create_endpoint(bob, receiver.url)
    with commits():
        delivery = bob.client.post(f"/api/webhooks/{created['id']}/test").json()["data"]
    receiver.wait_for(1)

    path = f"/api/webhooks/{created['id']}/deliveries/{delivery['id']}"
    with commits():
        response = bob.client.post(f"{path}/redeliver")

    assert response.status_code == 202
    first, again = receiver.wait_for(2)
    assert again.body == first.body
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    shown = bob.client.get(path).json()["data"]
    assert shown["status"] == "succeeded"
    assert [(a["number"], a["manual"]) for a in shown["attempts"]] == [(1, False), (2, True)]


def test_a_disabled_endpoint_is_sent_no_test_event(bob: Consumer, receiver: Receiver) -> None:
    created = create_endpoint(bob, receiver.url)
    bob.client.patch(f"/api/webhooks/{created['id']}", {"enabled": False}, format="json")

    response = bob.client.post(f"/api/webhooks/{created['id']}/test")

    assert (response.status_code, response.json()["code"]) == (409, "WEBHOOK_DISABLED")
    assert bob.client.get(f"/api/webhooks/{created['id']}/deliveries").json()["data"] == []


def test_the_delivery_list_is_limited(bob: Consumer) -> None:
    created = create_endpoint(bob, "https://hooks.example.com/a")

    response = bob.client.get(f"/api/webhooks/{created['id']}/deliveries?limit=0")

    assert response.status_code == 400
    assert "limit" in response.json()["details"]


def test_a_failing_receiver_is_retried_until_it_answers(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    from tests.webhooks.conftest import Answer

    receiver.answer(Answer(500, "busy"), Answer(503, "still busy"))
    created = create_endpoint(bob, receiver.url)
    with commits():
        delivery = bob.client.post(f"/api/webhooks/{created['id']}/test").json()["data"]
    path = f"/api/webhooks/{created['id']}/deliveries/{delivery['id']}"

    shown = deliver_due_until(
        lambda: (body := bob.client.get(path).json()["data"])["status"] != "pending" and body
    )

    assert shown["status"] == "succeeded"
    assert [(a["statusCode"], a["response"]) for a in shown["attempts"]] == [
        (500, "busy"),
        (503, "still busy"),
        (200, "ok"),
    ]
    assert len({request.headers["webhook-id"] for request in receiver.received}) == 1


def test_the_account_sets_its_low_credit_threshold(bob: Consumer) -> None:
    response = bob.client.patch("/api/account", {"lowCreditThreshold": 100}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["lowCreditThreshold"] == 100
    assert bob.client.get("/api/account").json()["data"]["lowCreditThreshold"] == 100
    cleared = bob.client.patch("/api/account", {"lowCreditThreshold": None}, format="json")
    assert cleared.json()["data"]["lowCreditThreshold"] is None


def test_the_threshold_must_be_a_positive_whole_number(bob: Consumer) -> None:
    for value in (0, -5, 2.5, "100"):
        response = bob.client.patch("/api/account", {"lowCreditThreshold": value}, format="json")
        assert response.status_code == 400, value
    response = bob.client.patch("/api/account", {"threshold": 5}, format="json")
    assert set(response.json()["details"]) == {"threshold"}
    assert bob.client.patch("/api/account", {}, format="json").status_code == 200  # no change
