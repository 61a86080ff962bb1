"""Each event is sent once, at the moment it happens, with the object as the API shows it:
jobs that succeed, fail or are cancelled, keys revoked anywhere, and debits that take the
balance below the account's threshold."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from standardwebhooks import Webhook

from accounts.models import ApiKey
from accounts.webhooks.models import WebhookEvent
from billing.services import grant_credits
from generators import jobs
from generators.engine import LATEST
from tests.conftest import Consumer
from tests.webhooks.conftest import Receiver, create_endpoint

FEEDBACK = {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5}


@pytest.fixture(autouse=True)
def _inline_jobs_in_private_media(settings: Any, tmp_path: Path) -> None:
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # An event has no request to take its links' host from: they start with SITE_URL.
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def listening(bob: Consumer, receiver: Receiver) -> dict:
    """Bob's endpoint for every event type."""
    every = ["job.succeeded", "job.failed", "job.cancelled", "credits.low", "key.revoked"]
    return create_endpoint(bob, receiver.url, every)


def events(receiver: Receiver, endpoint: dict) -> list[dict[str, Any]]:
    """What the receiver got, each verified with the endpoint's secret."""
    verifier = Webhook(endpoint["secret"])
    return [verifier.verify(request.body, request.headers) for request in receiver.received]


def types(receiver: Receiver, endpoint: dict) -> list[str]:
    return [event["type"] for event in events(receiver, endpoint)]


def submit_job(consumer: Consumer, **body: Any) -> dict[str, Any]:
    body = {"type": "feedback", "count": 120, "params": {"productType": "saas"}, **body}
    body["params"] = {"sentimentMix": "mixed", **body["params"]}
    response = consumer.client.post("/api/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["data"]


def test_a_job_that_succeeds_sends_job_succeeded_once_with_the_job_as_the_api_shows_it(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    with commits():
        job = submit_job(bob)

    [event] = events(receiver, listening)
    assert event["type"] == "job.succeeded"
    shown = bob.client.get(f"/api/jobs/{job['id']}").json()["data"]
    assert shown["status"] == "succeeded"
    assert event["data"] == shown
    assert event["data"]["downloadUrl"].endswith(f"/api/jobs/{job['id']}/download")
    assert event["id"].startswith("evt_")
    moment = dt.datetime.fromisoformat(event["timestamp"])
    assert moment.tzinfo is not None


def test_a_job_that_fails_sends_job_failed_once(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    params = {"productType": "no_such_product", "sentimentMix": "balanced"}
    with commits():
        job, _ = jobs.create_job(
            account=bob.account,
            api_key=None,
            kind="feedback",
            count=120,
            format="jsonl",
            params={**params, "complexityLevel": "medium", "generatorVersion": LATEST},
            request_id="broken-job",
        )
    with commits():
        jobs.fail_stalled_jobs(stall_limit=dt.timedelta(0))  # already over: nothing more

    [event] = events(receiver, listening)
    assert event["type"] == "job.failed"
    assert event["data"]["error"] == "The job failed while generating its entries"
    assert event["data"]["refundedCredits"] == 6
    assert event["data"] == bob.client.get(f"/api/jobs/{job.pk}").json()["data"]


def test_a_stalled_job_failed_by_the_sweep_sends_job_failed(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    job = submit_job(bob)  # its tasks never run: the request's commit is not captured

    with commits():
        jobs.fail_stalled_jobs(stall_limit=dt.timedelta(0))

    assert types(receiver, listening) == ["job.failed"]
    assert events(receiver, listening)[0]["data"]["id"] == job["id"]


def test_a_cancelled_job_sends_job_cancelled_once(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    job = submit_job(bob)

    with commits():
        first = bob.client.delete(f"/api/jobs/{job['id']}")
        again = bob.client.delete(f"/api/jobs/{job['id']}")

    assert (first.status_code, again.status_code) == (200, 200)  # the second is a no-op
    [event] = events(receiver, listening)
    assert event["type"] == "job.cancelled"
    assert event["data"] == first.json()["data"]
    assert event["data"]["refundedCredits"] == 6


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url, ["job.failed"])

    with commits():
        submit_job(bob)

    assert receiver.received == []
    assert not WebhookEvent.objects.exists()  # nobody wanted it: nothing kept
    assert endpoint["events"] == ["job.failed"]


def test_an_account_without_endpoints_stores_no_events(bob: Consumer, commits: Any) -> None:
    with commits():
        submit_job(bob)

    assert not WebhookEvent.objects.exists()


def test_another_accounts_endpoint_hears_nothing(
    bob: Consumer, alice: Consumer, receiver: Receiver, commits: Any
) -> None:
    create_endpoint(alice, receiver.url, ["job.succeeded"])

    with commits():
        submit_job(bob)

    assert receiver.received == []


def test_a_key_revoked_in_the_portal_sends_key_revoked_once(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    portal = Client()
    portal.force_login(bob.account.owner)
    api_key = bob.account.api_keys.get()

    with commits():
        portal.post(f"/account/keys/{api_key.pk}/revoke/")
        second = portal.post(f"/account/keys/{api_key.pk}/revoke/")

    assert second.status_code == 404
    [event] = events(receiver, listening)
    assert event["type"] == "key.revoked"
    api_key.refresh_from_db()
    assert event["data"]["prefix"] == api_key.prefix
    assert event["data"]["name"] == "Default key"
    assert event["data"]["revokedAt"] is not None
    assert bob.key not in receiver.received[0].body.decode()
    assert set(event["data"]) == {
        "prefix",
        "name",
        "createdAt",
        "lastUsedAt",
        "revokedAt",
        "expiresAt",
    }


def test_a_key_revoked_by_staff_in_the_admin_sends_key_revoked_once(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any, staff_client: Client
) -> None:
    api_key = bob.account.api_keys.get()
    action = {"action": "revoke", "_selected_action": [api_key.pk]}

    with commits():
        staff_client.post("/admin/accounts/apikey/", action)
        staff_client.post("/admin/accounts/apikey/", action)

    assert types(receiver, listening) == ["key.revoked"]
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_a_rotation_that_revokes_at_once_sends_key_revoked_and_one_with_grace_does_not(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    portal = Client()
    portal.force_login(bob.account.owner)
    old = bob.account.api_keys.get()

    with commits():
        portal.post(f"/account/keys/{old.pk}/rotate/", {"grace": "24h"})
    assert receiver.received == []
    newer = bob.account.api_keys.exclude(pk=old.pk).get()
    with commits():
        portal.post(f"/account/keys/{newer.pk}/rotate/", {"grace": "0"})

    [event] = events(receiver, listening)
    assert event["data"]["prefix"] == newer.prefix


def generate(consumer: Consumer, commits: Any, count: int = 1) -> list[int]:
    """`count` feedback requests (2 credits each), each committed on its own as in real life;
    the balance after each."""
    balances = []
    for _ in range(count):
        with commits():
            response = consumer.client.post("/api/feedback/generate", FEEDBACK, format="json")
        balances.append(response.json()["remainingCredits"])
    return balances


def test_a_debit_that_crosses_the_threshold_sends_credits_low_once(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    bob.client.patch("/api/account", {"lowCreditThreshold": 997}, format="json")

    balances = generate(bob, commits, count=4)

    assert balances == [998, 996, 994, 992]
    [event] = events(receiver, listening)
    assert event["type"] == "credits.low"
    assert event["data"]["remainingCredits"] == 996
    assert event["data"]["lowCreditThreshold"] == 997
    # The account as GET /api/account showed it just after the crossing debit.
    now = bob.client.get("/api/account").json()["data"]
    assert event["data"] == {**now, "remainingCredits": 996, "requestsToday": 2, "apiKey": None}


def test_debits_that_stay_above_the_threshold_send_nothing(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    bob.client.patch("/api/account", {"lowCreditThreshold": 990}, format="json")

    assert generate(bob, commits, count=3) == [998, 996, 994]

    assert receiver.received == []


def test_a_balance_topped_up_above_the_threshold_can_cross_it_again(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    bob.client.patch("/api/account", {"lowCreditThreshold": 999}, format="json")
    generate(bob, commits)  # 1000 -> 998: crosses

    grant_credits(account=bob.account, amount=10, reason="Top-up")  # 1008
    generate(bob, commits, count=2)  # 1006, 1004: above
    bob.client.patch("/api/account", {"lowCreditThreshold": 1003}, format="json")
    generate(bob, commits, count=2)  # 1002 crosses, 1000 below

    assert [event["type"] for event in events(receiver, listening)] == ["credits.low"] * 2
    assert [e["data"]["remainingCredits"] for e in events(receiver, listening)] == [998, 1002]


def test_a_job_charge_that_crosses_the_threshold_sends_credits_low(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any
) -> None:
    bob.client.patch("/api/account", {"lowCreditThreshold": 995}, format="json")

    with commits():
        submit_job(bob)  # 6 credits: 1000 -> 994, then the job runs and succeeds

    assert sorted(types(receiver, listening)) == ["credits.low", "job.succeeded"]


def test_a_failed_request_that_was_refunded_still_crossed_once(
    bob: Consumer, receiver: Receiver, listening: dict, commits: Any, monkeypatch: Any
) -> None:
    bob.client.patch("/api/account", {"lowCreditThreshold": 999}, format="json")

    def broken(**kwargs: Any) -> list:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("generators.engine.generate_feedback", broken)
    with commits():
        response = bob.client.post("/api/feedback/generate", FEEDBACK, format="json")

    assert response.status_code == 500
    assert bob.refresh().balance == 1_000
    [event] = events(receiver, listening)
    assert event["type"] == "credits.low"


def test_an_event_that_cannot_be_recorded_does_not_fail_the_request_that_caused_it(
    bob: Consumer, listening: dict, commits: Any, monkeypatch: Any
) -> None:
    bob.client.patch("/api/account", {"lowCreditThreshold": 999}, format="json")

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the database of events is down")

    monkeypatch.setattr("accounts.webhooks.services.emit_credits_low", broken)
    with commits():
        response = bob.client.post("/api/feedback/generate", FEEDBACK, format="json")

    assert response.status_code == 200
    assert response.json()["remainingCredits"] == 998
    assert bob.refresh().balance == 998
    assert not WebhookEvent.objects.exists()
