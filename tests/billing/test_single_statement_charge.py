"""The charge as one call on PostgreSQL (billing_charge_request): what it writes, what it
refuses without changing anything, and how a generation that fails after it is given back."""

import pytest
from django.db.models import Sum

from billing import services
from billing.models import CreditEntry, DailyUsage, UsageRecord
from generators import engine
from tests.conftest import Consumer, require_services

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "fintech", "sentimentMix": "mixed", "feedbackCount": 3}


@pytest.fixture(autouse=True)
def _postgres() -> None:
    require_services(postgres=True)


def ledger_sum(consumer: Consumer) -> int:
    return CreditEntry.objects.filter(account=consumer.account).aggregate(s=Sum("amount"))["s"]


def test_one_call_counts_debits_and_records_the_request_in_flight(alice: Consumer) -> None:
    charge = services.charge_request(
        account=alice.account, credits=4, endpoint="tickets", request_id="req-1", units=3
    )
    assert (charge.balance, charge.requests_today) == (46, 1)
    debit = CreditEntry.objects.get(account=alice.account, kind="debit")
    assert (debit.amount, debit.balance_after, debit.request_id) == (-4, 46, "req-1")
    record = UsageRecord.objects.get(pk=charge.usage_id)
    assert (record.status, record.credits, record.units, record.answered_at) == (200, 4, 3, None)
    assert DailyUsage.objects.get(account=alice.account).requests == 1
    assert alice.refresh().balance == ledger_sum(alice) == 46


def test_a_charge_without_the_credits_takes_no_quota_and_leaves_no_row(
    make_consumer: object,
) -> None:
    poor = make_consumer("poor@example.com", "free", credits=3)
    with pytest.raises(services.InsufficientCredits) as refused:
        services.charge_request(account=poor.account, credits=4, endpoint="tickets", request_id="r")
    assert (refused.value.required, refused.value.remaining) == (4, 3)
    assert not DailyUsage.objects.filter(account=poor.account).exists()
    services.charge_request(account=poor.account, credits=2, endpoint="tickets", request_id="s")
    with pytest.raises(services.InsufficientCredits):
        services.charge_request(account=poor.account, credits=2, endpoint="tickets", request_id="t")
    assert DailyUsage.objects.get(account=poor.account).requests == 1
    assert poor.refresh().balance == ledger_sum(poor) == 1
    assert UsageRecord.objects.filter(account=poor.account).count() == 1


def test_a_charge_past_the_daily_limit_changes_nothing(alice: Consumer) -> None:
    for index in range(5):
        services.charge_request(
            account=alice.account, credits=1, endpoint="tickets", request_id=f"r{index}"
        )
    with pytest.raises(services.DailyLimitReached) as refused:
        services.charge_request(
            account=alice.account, credits=1, endpoint="tickets", request_id="x"
        )
    assert refused.value.limit == 5
    assert DailyUsage.objects.get(account=alice.account).requests == 5
    assert alice.refresh().balance == ledger_sum(alice) == 45


def test_a_generation_failure_after_the_charge_gives_credits_and_quota_back(
    alice: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_engine(**params: object) -> list[dict]:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(engine, "generate_feedback", broken_engine)
    failed = alice.client.post(FEEDBACK, BODY, format="json")
    assert failed.status_code == 500
    assert failed["X-RateLimit-Remaining"] == "5"
    assert alice.refresh().balance == ledger_sum(alice) == 50
    assert DailyUsage.objects.get(account=alice.account).requests == 0
    record = UsageRecord.objects.get(request_id=failed["X-Request-Id"])
    assert (record.status, record.credits) == (500, 0)
    assert record.answered_at is not None
    monkeypatch.undo()
    answered = alice.client.post(FEEDBACK, BODY, format="json")
    assert answered.status_code == 200
    assert answered["X-RateLimit-Remaining"] == "4"
    assert answered.json()["remainingCredits"] == alice.refresh().balance == 48
