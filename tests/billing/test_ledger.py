"""The credit ledger: every move is an entry, the balance is their sum, and a failed
generation gives its credits back."""

import dataclasses

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import Account
from billing import services
from billing.models import CreditEntry, DailyUsage, UsageRecord
from generators import engine
from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "fintech", "sentimentMix": "mixed", "feedbackCount": 3}


def ledger_sum(consumer: Consumer) -> int:
    return CreditEntry.objects.filter(account=consumer.account).aggregate(s=Sum("amount"))["s"]


def test_a_charged_request_is_a_debit_entry_and_the_balance_is_the_ledger_sum(
    bob: Consumer,
) -> None:
    response = bob.client.post(FEEDBACK, BODY, format="json")
    debit = CreditEntry.objects.get(account=bob.account, kind="debit")
    assert (debit.amount, debit.balance_after, debit.endpoint) == (-2, 998, "feedback")
    assert debit.request_id == response["X-Request-Id"]
    assert bob.refresh().balance == ledger_sum(bob) == 998


def test_a_generation_that_fails_after_the_debit_is_refunded(
    bob: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_engine(**params: object) -> list[dict]:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(engine, "generate_feedback", broken_engine)
    response = bob.client.post(FEEDBACK, BODY, format="json")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "INTERNAL_ERROR"
    assert body["requestId"] == response["X-Request-Id"]
    assert "engine broke" not in response.content.decode()
    kinds = list(CreditEntry.objects.filter(account=bob.account).values_list("kind", "amount"))
    assert ("debit", -2) in kinds and ("refund", 2) in kinds
    assert bob.refresh().balance == ledger_sum(bob) == 1_000
    assert DailyUsage.objects.get(account=bob.account).requests == 0
    record = UsageRecord.objects.get()
    assert (record.status, record.credits) == (500, 0)


def test_a_refund_of_the_same_request_cannot_happen_twice(bob: Consumer) -> None:
    charge = services.charge_request(
        account=bob.account, credits=4, endpoint="tickets", request_id="req-1"
    )
    assert services.refund_request(charge=charge) is not None
    assert services.refund_request(charge=charge) is None
    assert bob.refresh().balance == ledger_sum(bob) == 1_000
    assert CreditEntry.objects.filter(account=bob.account, kind="refund").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        services.refund_request(charge=dataclasses.replace(charge, usage_id=None))


def test_a_charge_that_lacks_credits_changes_nothing(make_consumer: object) -> None:
    poor = make_consumer("poor@example.com", "basic", credits=3)
    with pytest.raises(services.InsufficientCredits) as refused:
        services.charge_request(account=poor.account, credits=4, endpoint="tickets", request_id="r")
    assert (refused.value.required, refused.value.remaining) == (4, 3)
    assert poor.refresh().balance == 3
    assert not DailyUsage.objects.filter(account=poor.account, requests__gt=0).exists()


def test_the_database_refuses_a_negative_balance(bob: Consumer) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=bob.account.pk).update(balance=-1)


def test_staff_adjustments_move_the_balance_both_ways_but_never_below_zero(
    bob: Consumer, staff: object
) -> None:
    services.adjust_credits(account=bob.account, amount=-400, reason="Duplicate grant", staff=staff)
    services.grant_credits(account=bob.account, amount=50, reason="Goodwill", staff=staff)
    with pytest.raises(services.InsufficientCredits):
        services.adjust_credits(account=bob.account, amount=-651, reason="Too much", staff=staff)
    assert bob.refresh().balance == ledger_sum(bob) == 650
    adjustment = CreditEntry.objects.get(kind="adjustment")
    assert (adjustment.staff, adjustment.reason) == (staff, "Duplicate grant")


def test_a_grant_must_be_positive_and_an_adjustment_must_move(bob: Consumer, staff: object) -> None:
    with pytest.raises(ValueError):
        services.grant_credits(account=bob.account, amount=0, reason="nothing")
    with pytest.raises(ValueError):
        services.adjust_credits(account=bob.account, amount=0, reason="nothing", staff=staff)


def test_a_charged_block_that_raises_is_refunded_and_the_error_goes_on(bob: Consumer) -> None:
    with (
        pytest.raises(KeyError),
        services.charged_request(
            account=bob.account,
            api_key=None,
            credits=7,
            endpoint="tickets",
            units=7,
            request_id="r-2",
        ),
    ):
        raise KeyError("boom")
    assert bob.refresh().balance == ledger_sum(bob) == 1_000
    record = UsageRecord.objects.get(request_id="r-2")
    assert (record.status, record.credits, record.answered_at is not None) == (500, 0, True)
