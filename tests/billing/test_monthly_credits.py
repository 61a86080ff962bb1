"""The monthly grant: each account gets its plan's credits once per UTC month."""

import datetime as dt

from django.db.models import Sum

from accounts.models import Account
from billing.models import CreditEntry, Tier
from billing.services import grant_all_monthly_credits
from billing.tasks import grant_this_months_credits
from tests.conftest import Consumer

MAY_1ST = dt.datetime(2031, 5, 1, 0, 5, tzinfo=dt.UTC)


def opened_in_april(*consumers: Consumer) -> None:
    Account.objects.filter(pk__in=[c.account.pk for c in consumers]).update(
        created_at=dt.datetime(2031, 4, 10, tzinfo=dt.UTC)
    )


def test_each_account_gets_its_plans_monthly_credits(alice: Consumer, bob: Consumer) -> None:
    opened_in_april(alice, bob)
    assert grant_all_monthly_credits(now=MAY_1ST) == 2
    assert alice.refresh().balance == 50 + 50
    assert bob.refresh().balance == 1_000 + 1_000
    entry = CreditEntry.objects.get(account=bob.account, kind="monthly")
    assert (entry.period, entry.reason) == ("2031-05", "Monthly credits for 2031-05")


def test_running_it_twice_in_a_month_grants_once(alice: Consumer) -> None:
    opened_in_april(alice)
    grant_all_monthly_credits(now=MAY_1ST)
    assert grant_all_monthly_credits(now=MAY_1ST + dt.timedelta(days=3)) == 0
    assert alice.refresh().balance == 100
    assert CreditEntry.objects.filter(kind="monthly").count() == 1


def test_next_month_grants_again(alice: Consumer) -> None:
    opened_in_april(alice)
    grant_all_monthly_credits(now=MAY_1ST)
    grant_all_monthly_credits(now=dt.datetime(2031, 6, 1, tzinfo=dt.UTC))
    periods = CreditEntry.objects.filter(kind="monthly").values_list("period", flat=True)
    assert sorted(periods) == ["2031-05", "2031-06"]


def test_an_account_opened_this_month_waits_for_the_next(alice: Consumer) -> None:
    opened_after = dt.datetime(2031, 5, 1, 0, 1, tzinfo=dt.UTC)
    Account.objects.filter(pk=alice.account.pk).update(created_at=opened_after)
    assert grant_all_monthly_credits(now=MAY_1ST) == 0


def test_the_amount_comes_from_the_plan_as_staff_set_it(alice: Consumer) -> None:
    opened_in_april(alice)
    Tier.objects.filter(slug="free").update(monthly_credits=75)
    grant_all_monthly_credits(now=MAY_1ST)
    assert alice.refresh().balance == 50 + 75


def test_the_beat_task_grants_the_current_month(alice: Consumer) -> None:
    Account.objects.filter(pk=alice.account.pk).update(
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert grant_this_months_credits.delay().get() == 1
    assert grant_this_months_credits.delay().get() == 0
    total = CreditEntry.objects.filter(account=alice.account).aggregate(s=Sum("amount"))["s"]
    assert alice.refresh().balance == total == 100
