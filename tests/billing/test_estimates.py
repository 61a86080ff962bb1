"""A dry run's estimate says what charge_request would do, and does none of it."""

import pytest

from accounts.models import Account
from billing.estimates import estimate_charge
from billing.models import DailyUsage, Tier
from billing.services import DailyLimitReached, InsufficientCredits, charge_request, utc_today
from tests.conftest import Consumer

CASES = [
    # (daily limit, used today, balance, credits)
    (5, 4, 10, 10),
    (5, 5, 10, 2),
    (5, 5, 1, 2),
    (5, 0, 1, 2),
    (None, 10_000, 3, 3),
    (None, 0, 2, 3),
    (0, 0, 100, 1),
]


@pytest.mark.parametrize(("limit", "used", "balance", "credits"), CASES)
def test_the_estimate_predicts_what_charging_does(
    alice: Consumer, limit: int | None, used: int, balance: int, credits: int
) -> None:
    Tier.objects.filter(slug="free").update(daily_request_limit=limit)
    alice.account.refresh_from_db()
    Account.objects.filter(pk=alice.account.pk).update(balance=balance)
    DailyUsage.objects.create(account=alice.account, day=utc_today(), requests=used)

    estimate = estimate_charge(account=alice.account, credits=credits)
    assert Account.objects.get(pk=alice.account.pk).balance == balance
    assert DailyUsage.objects.get(account=alice.account).requests == used

    try:
        charge_request(account=alice.account, credits=credits, endpoint="test", request_id="r")
    except (DailyLimitReached, InsufficientCredits) as raised:
        assert type(estimate.refusal) is type(raised)
        assert str(estimate.refusal) == str(raised)
    else:
        assert estimate.refusal is None
        assert Account.objects.get(pk=alice.account.pk).balance == balance - credits
