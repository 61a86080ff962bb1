"""Delivery against a real local receiver: signatures, retries on the schedule, the deadline,
redirects, giving up, and disabling an endpoint that keeps failing."""

import datetime as dt
import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from accounts.webhooks import services, tasks
from accounts.webhooks.models import WebhookDelivery, WebhookEvent
from tests.conftest import Consumer
from tests.webhooks.conftest import (
    Answer,
    Receiver,
    create_endpoint,
    deliver_due_until,
    delivery_of,
    endpoint_row,
)


def send_test(consumer: Consumer, endpoint: dict, commits: Any) -> dict:
    with commits():
        response = consumer.client.post(f"/api/webhooks/{endpoint['id']}/test")
    assert response.status_code == 202, response.json()
    return response.json()["data"]


def shown(consumer: Consumer, endpoint: dict, delivery: dict) -> dict:
    path = f"/api/webhooks/{endpoint['id']}/deliveries/{delivery['id']}"
    return consumer.client.get(path).json()["data"]


def finished(consumer: Consumer, endpoint: dict, delivery: dict) -> dict:
    return deliver_due_until(
        lambda: (body := shown(consumer, endpoint, delivery))["status"] != "pending" and body
    )


def test_every_attempt_is_signed_so_standard_webhooks_verifies_it(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    receiver.answer(Answer(500))
    endpoint = create_endpoint(bob, receiver.url)
    delivery = send_test(bob, endpoint, commits)
    finished(bob, endpoint, delivery)

    first, second = receiver.received
    for request in (first, second):
        assert Webhook(endpoint["secret"]).verify(request.body, request.headers)["id"]
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["User-Agent"].startswith("SynthGen-Webhooks/")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert int(first.headers["webhook-timestamp"]) <= int(second.headers["webhook-timestamp"])


def test_a_signature_made_with_another_secret_does_not_verify(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    other = create_endpoint(bob, "https://hooks.example.com/other")
    send_test(bob, endpoint, commits)

    [request] = receiver.wait_for(1)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other["secret"]).verify(request.body, request.headers)
    tampered = request.body.replace(b"webhook.test", b"webhook.tost")
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(endpoint["secret"]).verify(tampered, request.headers)


def test_after_a_rotation_both_secrets_verify_for_a_day_then_only_the_new(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    rotated = bob.client.post(f"/api/webhooks/{endpoint['id']}/rotate-secret").json()["data"]
    assert rotated["secret"] != endpoint["secret"]

    send_test(bob, endpoint, commits)
    [request] = receiver.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(endpoint["secret"]).verify(request.body, request.headers)
    Webhook(rotated["secret"]).verify(request.body, request.headers)

    row = endpoint_row(endpoint["id"])
    row.previous_expires_at = timezone.now() - dt.timedelta(seconds=1)
    row.save()
    send_test(bob, endpoint, commits)
    later = receiver.wait_for(2)[1]
    Webhook(rotated["secret"]).verify(later.body, later.headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(endpoint["secret"]).verify(later.body, later.headers)


def test_failed_attempts_are_retried_after_each_delay_of_the_schedule(
    bob: Consumer, receiver: Receiver, commits: Any, settings: Any
) -> None:
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.3, 0.6]
    receiver.answer(Answer(500, "first"), Answer(502, "second"))
    endpoint = create_endpoint(bob, receiver.url)
    delivery = send_test(bob, endpoint, commits)
    after_first = shown(bob, endpoint, delivery)

    tasks.deliver_due()  # not due yet: the first delay has not passed
    assert len(receiver.received) == 1
    result = finished(bob, endpoint, delivery)

    assert after_first["status"] == "pending"
    assert after_first["nextAttemptAt"] is not None
    assert result["status"] == "succeeded"
    started = [dt.datetime.fromisoformat(a["startedAt"]) for a in result["attempts"]]
    assert [a["statusCode"] for a in result["attempts"]] == [500, 502, 200]
    row = delivery_of(endpoint["id"])
    attempts = list(row.attempts.order_by("number"))
    gaps = [
        (later.started_at - (earlier.started_at + dt.timedelta(milliseconds=earlier.duration_ms)))
        for earlier, later in zip(attempts, attempts[1:], strict=False)
    ]
    assert gaps[0] >= dt.timedelta(seconds=0.3)
    assert gaps[1] >= dt.timedelta(seconds=0.6)
    assert started == sorted(started)


def test_a_delivery_that_fails_on_every_try_is_marked_failed(
    bob: Consumer, receiver: Receiver, commits: Any, settings: Any
) -> None:
    receiver.answer(*[Answer(500, f"no {n}") for n in range(10)])
    endpoint = create_endpoint(bob, receiver.url)
    delivery = send_test(bob, endpoint, commits)

    result = finished(bob, endpoint, delivery)

    assert result["status"] == "failed"
    assert result["attemptCount"] == len(settings.WEBHOOKS_RETRY_SCHEDULE) + 1
    assert result["finishedAt"] is not None
    assert result["nextAttemptAt"] is None
    time.sleep(0.1)
    tasks.deliver_due()
    assert len(receiver.received) == len(settings.WEBHOOKS_RETRY_SCHEDULE) + 1


def test_a_slow_receiver_is_cut_off_at_the_timeout(
    bob: Consumer, receiver: Receiver, commits: Any, settings: Any
) -> None:
    settings.WEBHOOKS_TIMEOUT = 0.5
    receiver.answer(Answer(200, "late", delay=3))
    endpoint = create_endpoint(bob, receiver.url)

    delivery = send_test(bob, endpoint, commits)

    [attempt] = shown(bob, endpoint, delivery)["attempts"]
    assert attempt["statusCode"] is None
    assert attempt["error"] == "Timed out after 0.5 s"
    assert 400 <= attempt["durationMs"] < 2000


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    receiver.answer(Answer(301, "", headers={"Location": receiver.url + "/elsewhere"}))
    endpoint = create_endpoint(bob, receiver.url)

    delivery = send_test(bob, endpoint, commits)

    [attempt] = shown(bob, endpoint, delivery)["attempts"]
    assert (attempt["statusCode"], attempt["succeeded"]) == (301, False)
    assert attempt["error"] == "Answered 301: redirects are not followed"
    assert [request.path for request in receiver.received] == ["/hooks"]


def test_a_long_answer_is_kept_only_in_part(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    receiver.answer(Answer(200, "x" * 10_000))
    endpoint = create_endpoint(bob, receiver.url)

    delivery = send_test(bob, endpoint, commits)

    [attempt] = shown(bob, endpoint, delivery)["attempts"]
    assert attempt["response"] == "x" * 2048


def test_a_receiver_that_is_not_there_is_logged_and_retried(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    url = receiver.url
    receiver.close()
    endpoint = create_endpoint(bob, url)

    delivery = send_test(bob, endpoint, commits)

    result = shown(bob, endpoint, delivery)
    assert result["status"] == "pending"
    assert "refused" in result["attempts"][0]["error"].lower()


def test_an_endpoint_failing_for_the_whole_limit_is_disabled_and_its_owner_emailed(
    bob: Consumer, receiver: Receiver, commits: Any, settings: Any
) -> None:
    settings.WEBHOOKS_DISABLE_AFTER = 5 * 86_400
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.05] * 20
    receiver.answer(*[Answer(500) for _ in range(40)])
    endpoint = create_endpoint(bob, receiver.url)
    send_test(bob, endpoint, commits)
    waiting = send_test(bob, endpoint, commits)
    assert endpoint_row(endpoint["id"]).is_enabled
    # Days of failures, told by the clock the streak started on.
    row = endpoint_row(endpoint["id"])
    row.failing_since = timezone.now() - dt.timedelta(days=5, seconds=1)
    row.save()
    time.sleep(0.1)  # the retries are due

    with commits():
        tasks.deliver_due()

    shown_endpoint = bob.client.get(f"/api/webhooks/{endpoint['id']}").json()["data"]
    assert shown_endpoint["enabled"] is False
    assert shown_endpoint["disabledReason"] == "Every attempt failed for 5 days"
    assert shown(bob, endpoint, waiting)["status"] == "failed"
    [message] = mail.outbox
    assert message.to == ["bob@example.com"]
    assert message.subject == "Your SynthGen webhook endpoint was disabled"
    assert receiver.url in message.body
    assert f"/account/webhooks/{endpoint['id']}/" in message.body
    sent = len(receiver.received)
    time.sleep(0.1)
    tasks.deliver_due()
    assert len(receiver.received) == sent


def test_a_success_ends_the_failure_streak(bob: Consumer, receiver: Receiver, commits: Any) -> None:
    receiver.answer(Answer(500))
    endpoint = create_endpoint(bob, receiver.url)
    delivery = send_test(bob, endpoint, commits)
    assert endpoint_row(endpoint["id"]).failing_since is not None

    finished(bob, endpoint, delivery)

    assert endpoint_row(endpoint["id"]).failing_since is None


def test_enabling_a_disabled_endpoint_starts_afresh(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    row = endpoint_row(endpoint["id"])
    row.is_enabled, row.disabled_reason = False, "Every attempt failed for 5 days"
    row.failing_since = timezone.now() - dt.timedelta(days=6)
    row.save()

    response = bob.client.patch(f"/api/webhooks/{endpoint['id']}", {"enabled": True}, format="json")

    assert response.json()["data"]["enabled"] is True
    assert response.json()["data"]["failingSince"] is None
    assert response.json()["data"]["disabledReason"] is None
    send_test(bob, endpoint, commits)
    assert len(receiver.wait_for(1)) == 1


def test_a_claimed_delivery_is_attempted_by_one_worker_only(
    bob: Consumer, receiver: Receiver
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    delivery = services.send_test_event(endpoint=endpoint_row(endpoint["id"]))

    [(claimed_id, claim)] = services.claim_deliveries()
    assert services.claim_deliveries() == []  # still claimed
    stale = services.attempt_delivery(delivery_id=claimed_id, claim=claim - 1)
    attempt = services.attempt_delivery(delivery_id=claimed_id, claim=claim)
    again = services.attempt_delivery(delivery_id=claimed_id, claim=claim)

    assert claimed_id == str(delivery.pk)
    assert stale is None
    assert attempt is not None and attempt.succeeded
    assert again is None
    assert len(receiver.received) == 1


def test_a_claim_whose_worker_died_runs_out_and_is_taken_again(
    bob: Consumer, receiver: Receiver
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    services.send_test_event(endpoint=endpoint_row(endpoint["id"]))
    [(delivery_id, first_claim)] = services.claim_deliveries()

    later = timezone.now() + services.CLAIM_LEASE + dt.timedelta(seconds=1)
    [(again_id, second_claim)] = services.claim_deliveries(now=later)

    assert again_id == delivery_id
    assert second_claim == first_claim + 1
    assert services.attempt_delivery(delivery_id=delivery_id, claim=first_claim) is None
    assert WebhookDelivery.objects.get(pk=delivery_id).status == "pending"


def test_a_secret_sealed_under_a_retired_secret_key_fails_the_attempt_rather_than_the_worker(
    bob: Consumer, receiver: Receiver, commits: Any, settings: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40  # the old one is not a fallback

    delivery = send_test(bob, endpoint, commits)

    [attempt] = shown(bob, endpoint, delivery)["attempts"]
    assert attempt["error"] == services.UNREADABLE_SECRET
    assert receiver.received == []


def test_a_secret_sealed_under_a_fallback_key_still_signs(
    bob: Consumer, receiver: Receiver, commits: Any, settings: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "z" * 40

    send_test(bob, endpoint, commits)

    [request] = receiver.wait_for(1)
    assert Webhook(endpoint["secret"]).verify(request.body, request.headers)


def test_the_daily_purge_forgets_old_events_and_retired_secrets(
    bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    endpoint = create_endpoint(bob, receiver.url)
    bob.client.post(f"/api/webhooks/{endpoint['id']}/rotate-secret")
    old = send_test(bob, endpoint, commits)
    recent = send_test(bob, endpoint, commits)
    WebhookEvent.objects.filter(pk=old["eventId"]).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )

    assert tasks.purge_log() == 1
    assert endpoint_row(endpoint["id"]).previous_sealed_secret != ""  # still signing
    later = timezone.now() + services.ROTATION_OVERLAP + dt.timedelta(seconds=1)
    services.purge_log(now=later)

    listed = bob.client.get(f"/api/webhooks/{endpoint['id']}/deliveries").json()["data"]
    assert [delivery["id"] for delivery in listed] == [recent["id"]]
    assert endpoint_row(endpoint["id"]).previous_sealed_secret == ""
