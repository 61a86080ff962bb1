"""Idempotency-Key: a retry replays the first answer byte for byte and is charged once."""

import datetime as dt

import pytest
from django.utils import timezone

from billing import idempotency, services
from billing.models import CreditEntry, DailyUsage, IdempotencyRecord, UsageRecord
from billing.services import grant_credits
from billing.tasks import purge_idempotency_records
from generators import engine
from tests.conftest import Consumer

TICKETS = "/api/tickets/generate"
BODY = {"productType": "hardware", "ticketCount": 3, "complexityLevel": "complex"}


def post(consumer: Consumer, body: dict, key: str = "order-42") -> object:
    return consumer.client.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_replays_the_first_answer_byte_for_byte_without_charging(bob: Consumer) -> None:
    first = post(bob, BODY)
    retry = post(bob, {**BODY})
    assert first.status_code == retry.status_code == 200
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert CreditEntry.objects.filter(account=bob.account, kind="debit").count() == 1
    assert bob.refresh().balance == 1_000 - 3
    assert DailyUsage.objects.get(account=bob.account).requests == 1


def test_the_key_order_of_the_body_does_not_make_another_request(bob: Consumer) -> None:
    first = post(bob, BODY)
    reordered = post(bob, dict(reversed(list(BODY.items()))))
    assert reordered.content == first.content


def test_the_same_key_with_another_body_is_422(bob: Consumer) -> None:
    post(bob, BODY)
    response = post(bob, {**BODY, "ticketCount": 4})
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "This Idempotency-Key was already used with a different request",
        "code": "IDEMPOTENCY_KEY_REUSED",
    }
    assert bob.refresh().balance == 1_000 - 3


def test_the_same_key_on_another_endpoint_is_422(bob: Consumer) -> None:
    post(bob, BODY)
    body = {"productType": "hardware", "sentimentMix": "positive", "feedbackCount": 3}
    response = bob.client.post(
        "/api/feedback/generate", body, format="json", HTTP_IDEMPOTENCY_KEY="order-42"
    )
    assert response.status_code == 422


def test_a_retry_while_the_first_still_runs_is_409(bob: Consumer) -> None:
    IdempotencyRecord.objects.create(
        account=bob.account,
        key="order-42",
        request_hash=idempotency.request_fingerprint(scope="tickets", payload=BODY),
    )
    response = post(bob, BODY)
    assert response.status_code == 409
    assert response.json()["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert response["Retry-After"] == "1"
    assert bob.refresh().balance == 1_000


def died_mid_request(consumer: Consumer, body: dict, *, key: str = "order-42") -> None:
    """What a request that was killed after its charge leaves behind, long enough ago to be
    stranded: its claim on the key and its debit, in flight."""
    IdempotencyRecord.objects.create(
        account=consumer.account,
        key=key,
        request_hash=idempotency.request_fingerprint(scope="tickets", payload=body),
        request_id="dead-request",
    )
    services.charge_request(
        account=consumer.account, credits=3, endpoint="tickets", request_id="dead-request"
    )
    long_ago = timezone.now() - services.answer_timeout() - dt.timedelta(seconds=1)
    IdempotencyRecord.objects.update(created_at=long_ago)
    UsageRecord.objects.update(created_at=long_ago)


def ledger(consumer: Consumer) -> list[tuple[str, int]]:
    entries = CreditEntry.objects.filter(account=consumer.account).order_by("pk")
    return [(entry.kind, entry.amount) for entry in entries][1:]  # after the starting grant


def test_a_retry_of_a_request_that_died_refunds_it_and_runs_once_charged_once(
    bob: Consumer,
) -> None:
    died_mid_request(bob, BODY)

    retry = post(bob, BODY)

    assert retry.status_code == 200
    assert "Idempotent-Replayed" not in retry
    assert ledger(bob) == [("debit", -3), ("refund", 3), ("debit", -3)]
    assert bob.refresh().balance == 1_000 - 3
    assert DailyUsage.objects.get(account=bob.account).requests == 1
    dead = UsageRecord.objects.get(request_id="dead-request")
    assert (dead.status, dead.credits) == (UsageRecord.NO_ANSWER, 0)
    again = post(bob, BODY)
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == retry.content


def test_a_request_still_within_its_answer_timeout_is_not_taken_over(bob: Consumer) -> None:
    died_mid_request(bob, BODY)
    IdempotencyRecord.objects.update(created_at=timezone.now())
    response = post(bob, BODY)
    assert response.status_code == 409
    assert bob.refresh().balance == 1_000 - 3


def test_the_sweep_refunds_a_request_that_died_and_frees_its_key(bob: Consumer) -> None:
    died_mid_request(bob, BODY)

    assert services.refund_stranded_charges() == 1

    assert not IdempotencyRecord.objects.exists()
    assert bob.refresh().balance == 1_000
    assert post(bob, BODY).status_code == 200
    assert ledger(bob) == [("debit", -3), ("refund", 3), ("debit", -3)]


def test_another_body_on_the_key_of_a_request_that_died_is_still_422(bob: Consumer) -> None:
    died_mid_request(bob, BODY)
    assert post(bob, {**BODY, "ticketCount": 4}).status_code == 422


def test_an_answer_stored_just_before_the_process_died_is_replayed_not_refunded(
    bob: Consumer,
) -> None:
    died_mid_request(bob, BODY)
    IdempotencyRecord.objects.update(response_status=200, response_body=b'{"stored": true}')

    assert services.refund_stranded_charges() == 0

    assert UsageRecord.objects.get(request_id="dead-request").answered_at is not None
    replay = post(bob, BODY)
    assert (replay.status_code, replay.content) == (200, b'{"stored": true}')
    assert bob.refresh().balance == 1_000 - 3


def test_keys_are_per_account(bob: Consumer, make_consumer: object) -> None:
    other = make_consumer("other@example.com", "basic")
    post(bob, BODY)
    assert "Idempotent-Replayed" not in post(other, {**BODY, "ticketCount": 9})
    assert other.refresh().balance == 1_000 - 9


def test_a_refused_request_is_not_stored_so_its_retry_runs_afresh(
    make_consumer: object, staff: object
) -> None:
    poor = make_consumer("poor@example.com", "basic", credits=1)
    assert post(poor, BODY).status_code == 402
    grant_credits(account=poor.account, amount=10, reason="Top-up", staff=staff)
    response = post(poor, BODY)
    assert response.status_code == 200
    assert response.json()["remainingCredits"] == 11 - 3


def test_a_failed_generation_releases_the_key(
    bob: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_engine = engine.generate_tickets
    monkeypatch.setattr(engine, "generate_tickets", lambda **params: 1 / 0)
    assert post(bob, BODY).status_code == 500
    monkeypatch.setattr(engine, "generate_tickets", real_engine)
    assert post(bob, BODY).status_code == 200
    assert bob.refresh().balance == 1_000 - 3


def test_an_answer_older_than_24_hours_is_not_replayed(bob: Consumer) -> None:
    first = post(bob, BODY)
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=24, seconds=1))
    second = post(bob, BODY)
    assert second.status_code == 200
    assert "Idempotent-Replayed" not in second
    assert second.content != first.content
    assert bob.refresh().balance == 1_000 - 6


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-ünicode", "tab\there", " padded", "padded "])
def test_an_unusable_key_is_invalid_parameters(bob: Consumer, key: str) -> None:
    response = post(bob, BODY, key=key)
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["Idempotency-Key"]
    assert bob.refresh().balance == 1_000


def test_the_purge_task_deletes_records_older_than_24_hours(bob: Consumer) -> None:
    post(bob, BODY, key="old")
    post(bob, BODY, key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert purge_idempotency_records.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
