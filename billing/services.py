"""What happens to credits and quotas. Every write owns its transaction; the database does the
arithmetic (conditional updates), so balances and counters are exact under any concurrency."""

import datetime as dt
import math
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import Account
from billing.models import CreditEntry, DailyUsage, Tier


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
    """What one accepted request took: its credits, the balance after, and the day's count."""

    credits: int
    balance: int
    requests_today: int


def utc_today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def next_utc_midnight() -> dt.datetime:
    tomorrow = utc_today() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time.min, tzinfo=dt.UTC)


def seconds_until_reset() -> int:
    return max(1, math.ceil((next_utc_midnight() - timezone.now()).total_seconds()))


def _post_entry(
    *,
    account_id: int,
    amount: int,
    kind: str,
    reason: str,
    **fields: object,
) -> CreditEntry:
    """Move the balance by `amount` and record it, inside the caller's transaction.

    A negative amount only applies while the balance covers it (one conditional UPDATE).
    """
    accounts = Account.objects.filter(pk=account_id)
    if amount < 0:
        accounts = accounts.filter(balance__gte=-amount)
    if not accounts.update(balance=F("balance") + amount):
        remaining = Account.objects.values_list("balance", flat=True).get(pk=account_id)
        raise InsufficientCredits(required=-amount, remaining=remaining)
    balance = Account.objects.values_list("balance", flat=True).get(pk=account_id)
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
    staff: AbstractBaseUser | None = None,
    kind: str = CreditEntry.Kind.GRANT,
) -> CreditEntry:
    if amount <= 0:
        raise ValueError("a grant must be positive")
    with transaction.atomic():
        return _post_entry(
            account_id=account.pk, amount=amount, kind=kind, reason=reason, staff=staff
        )


def adjust_credits(
    *, account: Account, amount: int, reason: str, staff: AbstractBaseUser
) -> CreditEntry:
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


def charge_request(*, account: Account, credits: int, endpoint: str, request_id: str) -> Charge:
    """Count one request against the daily limit and debit its credits, all or nothing.

    Both are conditional updates in one transaction: a request refused for lack of credits
    takes no quota, and no burst of concurrent requests can pass the limit or overdraw.
    """
    tier: Tier = account.tier
    today = utc_today()
    with transaction.atomic():
        usage, _ = DailyUsage.objects.get_or_create(account_id=account.pk, day=today)
        rows = DailyUsage.objects.filter(pk=usage.pk)
        if tier.daily_request_limit is not None:
            rows = rows.filter(requests__lt=tier.daily_request_limit)
        if not rows.update(requests=F("requests") + 1, credits=F("credits") + credits):
            raise DailyLimitReached(
                limit=tier.daily_request_limit or 0, retry_after=seconds_until_reset()
            )
        entry = _post_entry(
            account_id=account.pk,
            amount=-credits,
            kind=CreditEntry.Kind.DEBIT,
            reason=f"{endpoint} request",
            endpoint=endpoint,
            request_id=request_id,
        )
        requests_today = DailyUsage.objects.values_list("requests", flat=True).get(pk=usage.pk)
    return Charge(credits=credits, balance=entry.balance_after, requests_today=requests_today)


def refund_request(*, account: Account, charge: Charge, endpoint: str, request_id: str) -> None:
    """Give back what a request took when it failed after being charged: credits and quota."""
    with transaction.atomic():
        _post_entry(
            account_id=account.pk,
            amount=charge.credits,
            kind=CreditEntry.Kind.REFUND,
            reason=f"{endpoint} request failed",
            endpoint=endpoint,
            request_id=request_id,
        )
        DailyUsage.objects.filter(account_id=account.pk, day=utc_today(), requests__gt=0).update(
            requests=F("requests") - 1, credits=F("credits") - charge.credits
        )


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


def ledger_drift() -> list[tuple[Account, int, int]]:
    """Accounts whose balance differs from the sum of their entries: (account, balance, sum)."""
    drifted = []
    accounts = Account.objects.annotate(ledger_sum=Sum("credit_entries__amount")).order_by("pk")
    for account in accounts:
        total = account.ledger_sum or 0
        if total != account.balance:
            drifted.append((account, account.balance, total))
    return drifted


def requests_today(account: Account) -> int:
    usage = DailyUsage.objects.filter(account=account, day=utc_today()).first()
    return usage.requests if usage else 0
