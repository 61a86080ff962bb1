"""What happens to credits and quotas. Every write owns its transaction; the database does the
arithmetic (conditional updates), so balances and counters are exact under any concurrency.

The charge path for one metered request is `charge_request` (daily limit + debit, all or
nothing), then the work, then `refund_request` if the work failed; `run_charged` does all
three in order. Locks are always taken in the same order, the day's usage row before the
account row, so a charge and a refund on one account can never deadlock.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, ApiKey
from billing.models import CreditEntry, DailyUsage, Tier, UsageRecord
from webhooks import events as webhook_events

T = TypeVar("T")


class InsufficientCredits(Exception):
    def __init__(self, *, required: int, remaining: int) -> None:
        super().__init__(f"{required} credits needed, {remaining} left")
        self.required = required
        self.remaining = remaining


class DailyLimitReached(Exception):
    def __init__(self, *, limit: int, retry_after: int) -> None:
        super().__init__(f"daily limit of {limit} requests reached")
        self.limit = limit
        self.retry_after = retry_after


@dataclass(frozen=True)
class Charge:
    """What one accepted request took, and what a refund needs to give it back."""

    account_id: int
    credits: int
    balance: int
    requests_today: int
    day: dt.date
    endpoint: str
    request_id: str


@dataclass(frozen=True)
class Quota:
    """Where an account stands against its daily request limit (None: unlimited)."""

    limit: int | None
    used: int
    resets_at: dt.datetime

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def seconds_to_reset(self) -> int:
        return seconds_until(self.resets_at)


def utc_now() -> dt.datetime:
    return timezone.now()


def utc_today() -> dt.date:
    return utc_now().date()


def next_utc_midnight() -> dt.datetime:
    tomorrow = utc_today() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time.min, tzinfo=dt.UTC)


def seconds_until(moment: dt.datetime) -> int:
    return max(1, math.ceil((moment - utc_now()).total_seconds()))


def seconds_until_reset() -> int:
    return seconds_until(next_utc_midnight())


def _post_entry(
    *,
    account_id: int,
    amount: int,
    kind: str,
    reason: str,
    **fields: object,
) -> CreditEntry:
    """Move the balance by `amount` and record it, inside the caller's transaction.

    A negative amount only applies while the balance covers it (one conditional UPDATE);
    the balance is read back while this transaction still holds the row's lock, so each debit
    knows its own before and after, and one fall below the low-credit threshold is one event.
    """
    accounts = Account.objects.filter(pk=account_id)
    if amount < 0:
        accounts = accounts.filter(balance__gte=-amount)
    if not accounts.update(balance=F("balance") + amount):
        remaining = Account.objects.values_list("balance", flat=True).get(pk=account_id)
        raise InsufficientCredits(required=-amount, remaining=remaining)
    balance, low = Account.objects.values_list("balance", "low_credit_threshold").get(pk=account_id)
    if low is not None and balance < low <= balance - amount:  # this debit crossed it
        webhook_events.credits_low(account_id=account_id)
    return CreditEntry.objects.create(
        account_id=account_id,
        amount=amount,
        kind=kind,
        reason=reason,
        balance_after=balance,
        **fields,
    )


def grant_credits(
    *,
    account: Account,
    amount: int,
    reason: str,
    staff: User | None = None,
    kind: str = CreditEntry.Kind.GRANT,
) -> CreditEntry:
    if amount <= 0:
        raise ValueError("a grant must be positive")
    with transaction.atomic():
        return _post_entry(
            account_id=account.pk, amount=amount, kind=kind, reason=reason, staff=staff
        )


def adjust_credits(*, account: Account, amount: int, reason: str, staff: User) -> CreditEntry:
    """A staff correction, up or down; it can never take the balance below zero."""
    if amount == 0:
        raise ValueError("an adjustment must move the balance")
    with transaction.atomic():
        return _post_entry(
            account_id=account.pk,
            amount=amount,
            kind=CreditEntry.Kind.ADJUSTMENT,
            reason=reason,
            staff=staff,
        )


def _count_request(*, account_id: int, limit: int | None, day: dt.date, credits: int) -> int:
    """Add one request to the day's counter while it is under `limit`; the new count.

    Inside the caller's transaction. The first request of a day creates the row; when two
    race to create it, the unique constraint sends the loser back to the conditional update.
    A refusal is decided on the committed count, never on a row we merely failed to see.
    """
    if limit is not None and limit <= 0:
        raise DailyLimitReached(limit=limit, retry_after=seconds_until_reset())
    rows = DailyUsage.objects.filter(account_id=account_id, day=day)
    counted = rows if limit is None else rows.filter(requests__lt=limit)
    for _ in range(3):
        if counted.update(requests=F("requests") + 1, credits=F("credits") + credits):
            return rows.values_list("requests", flat=True).get()
        current = rows.values_list("requests", flat=True).first()
        if current is not None and limit is not None and current >= limit:
            raise DailyLimitReached(limit=limit, retry_after=seconds_until_reset())
        if current is None:
            try:
                with transaction.atomic():
                    DailyUsage.objects.create(
                        account_id=account_id, day=day, requests=1, credits=credits
                    )
            except IntegrityError:
                continue
            return 1
    raise RuntimeError("the daily usage row kept changing under a request")


def charge_request(*, account: Account, credits: int, endpoint: str, request_id: str) -> Charge:
    """Count one request against the daily limit and debit its credits, all or nothing.

    Both are conditional updates in one transaction: a request refused for lack of credits
    takes no quota, and no burst of concurrent requests can pass the limit or overdraw.
    Raises DailyLimitReached or InsufficientCredits, having changed nothing.
    """
    tier: Tier = account.tier
    day = utc_today()
    with transaction.atomic():
        requests_today = _count_request(
            account_id=account.pk, limit=tier.daily_request_limit, day=day, credits=credits
        )
        entry = _post_entry(
            account_id=account.pk,
            amount=-credits,
            kind=CreditEntry.Kind.DEBIT,
            reason=f"{endpoint} request",
            endpoint=endpoint,
            request_id=request_id,
        )
    return Charge(
        account_id=account.pk,
        credits=credits,
        balance=entry.balance_after,
        requests_today=requests_today,
        day=day,
        endpoint=endpoint,
        request_id=request_id,
    )


def refund_request(*, charge: Charge, reason: str = "") -> CreditEntry:
    """Give back what a failed request took: its credits as a refund entry, and its quota.

    At most once per charge: a second refund of one request id breaks a unique constraint.
    """
    with transaction.atomic():
        DailyUsage.objects.filter(
            account_id=charge.account_id, day=charge.day, requests__gt=0
        ).update(requests=F("requests") - 1, credits=F("credits") - charge.credits)
        return _post_entry(
            account_id=charge.account_id,
            amount=charge.credits,
            kind=CreditEntry.Kind.REFUND,
            reason=reason or f"{charge.endpoint} request failed",
            endpoint=charge.endpoint,
            request_id=charge.request_id,
        )


def run_charged(
    *, account: Account, credits: int, endpoint: str, request_id: str, work: Callable[[], T]
) -> tuple[Charge, T]:
    """The charge path: charge, do the work, refund if the work raised (then re-raise)."""
    charge = charge_request(
        account=account, credits=credits, endpoint=endpoint, request_id=request_id
    )
    try:
        result = work()
    except BaseException:
        refund_request(charge=charge)
        raise
    return charge, result


def record_usage(
    *,
    account: Account,
    api_key: ApiKey | None,
    endpoint: str,
    units: int,
    credits: int,
    status: int,
    duration_ms: int,
    request_id: str,
) -> UsageRecord:
    """One row per metered request, whatever its outcome, for the usage charts."""
    return UsageRecord.objects.create(
        account=account,
        api_key=api_key,
        endpoint=endpoint,
        units=units,
        credits=credits,
        status=status,
        duration_ms=duration_ms,
        request_id=request_id,
    )


def quota(*, account: Account, used: int | None = None) -> Quota:
    """The account's daily-limit standing; pass `used` when today's count is already known."""
    if used is None:
        used = requests_today(account)
    return Quota(limit=account.tier.daily_request_limit, used=used, resets_at=next_utc_midnight())


def change_tier(*, account: Account, tier: Tier) -> None:
    """Move the account to another plan; its balance and today's count carry over."""
    Account.objects.filter(pk=account.pk).update(tier=tier)
    account.tier = tier


def month_period(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m")


def grant_monthly_credits(*, account: Account, period: str) -> bool:
    """Grant the plan's monthly credits for `period` (YYYY-MM) once; False if already granted.

    A unique constraint on (account, period) makes a second run, or a concurrent one on
    another worker, a no-op rather than a double grant.
    """
    amount = account.tier.monthly_credits
    if amount <= 0:
        return False
    try:
        with transaction.atomic():
            _post_entry(
                account_id=account.pk,
                amount=amount,
                kind=CreditEntry.Kind.MONTHLY,
                reason=f"Monthly credits for {period}",
                period=period,
            )
    except IntegrityError:
        return False
    return True


def grant_all_monthly_credits(*, now: dt.datetime | None = None) -> int:
    """Grant this month's credits to every account that existed when the month began and
    has not had them yet; returns how many were granted. Safe to run any number of times."""
    now = now or utc_now()
    month_start = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    period = month_period(now)
    granted = CreditEntry.objects.filter(
        account=OuterRef("pk"), kind=CreditEntry.Kind.MONTHLY, period=period
    )
    due = (
        Account.objects.filter(created_at__lt=month_start)
        .exclude(Exists(granted))
        .select_related("tier")
        .order_by("pk")
    )
    return sum(grant_monthly_credits(account=account, period=period) for account in due)


def ledger_drift() -> list[tuple[Account, int, int]]:
    """Accounts whose balance differs from the sum of their entries: (account, balance, sum)."""
    accounts = (
        Account.objects.annotate(ledger_sum=Coalesce(Sum("credit_entries__amount"), Value(0)))
        .filter(~Q(balance=F("ledger_sum")))
        .order_by("pk")
    )
    return [(account, account.balance, account.ledger_sum) for account in accounts]


def requests_today(account: Account) -> int:
    usage = DailyUsage.objects.filter(account=account, day=utc_today()).first()
    return usage.requests if usage else 0
