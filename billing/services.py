"""What happens to credits and quotas. Every write owns its transaction; the database does the
arithmetic (conditional updates), so balances and counters are exact under any concurrency.

The charge path for one metered request is `charge_request` (daily limit, debit and the
request's in-flight usage record, all or nothing), then the work, then `answer_request` when it
answered or `refund_request` when it failed; `charged_request` wraps the work in the charge and
the refund. A charge whose request never answered (its process died, the database went away)
is refunded by `refund_stranded_charges`, which beat runs every minute. Locks are always taken
in the same order, the day's usage row before the account row, so a charge and a refund on one
account can never deadlock.
"""

import datetime as dt
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import key_cache
from accounts.models import Account, ApiKey
from accounts.webhooks import events as webhook_events
from billing.models import CreditEntry, DailyUsage, IdempotencyRecord, Tier, UsageRecord

logger = logging.getLogger("synthgen.billing")


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
    usage_id: int | None = None  # the request's usage record, in flight until answered


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


def charge_request(
    *,
    account: Account,
    credits: int,
    endpoint: str,
    request_id: str,
    api_key: ApiKey | None = None,
    units: int = 0,
) -> Charge:
    """Count one request against the daily limit, debit its credits and record it in flight,
    all or nothing.

    The counter and the balance are conditional updates in one transaction: a request refused
    for lack of credits takes no quota, and no burst of concurrent requests can pass the limit
    or overdraw. The usage record is written in the same transaction, with the outcome the
    request will almost always have, and stays in flight until `answer_request`: a charge can
    never exist without the record that lets the sweep give it back. On PostgreSQL it is one
    call of the server-side function `billing_charge_request` (billing migration 0005), one
    round trip; elsewhere the same steps run here, in one short transaction.
    Raises DailyLimitReached or InsufficientCredits, having changed nothing.
    """
    limit = account.tier.daily_request_limit
    if limit is not None and limit <= 0:
        raise DailyLimitReached(limit=limit, retry_after=seconds_until_reset())
    order = _ChargeOrder(
        account_id=account.pk,
        api_key_id=api_key.pk if api_key else None,
        day=utc_today(),
        limit=limit,
        credits=credits,
        endpoint=endpoint,
        request_id=request_id,
        units=units,
    )
    if connection.vendor == "postgresql":
        charge, low = _charge_in_one_call(order)
    else:
        charge, low = _charge_in_one_transaction(order)
    if low is not None and charge.balance < low <= charge.balance + credits:  # this one crossed it
        webhook_events.credits_low(account_id=account.pk)
    return charge


@dataclass(frozen=True)
class _ChargeOrder:
    account_id: int
    api_key_id: int | None
    day: dt.date
    limit: int | None
    credits: int
    endpoint: str
    request_id: str
    units: int

    def charge(self, *, balance: int, requests_today: int, usage_id: int) -> Charge:
        return Charge(
            account_id=self.account_id,
            credits=self.credits,
            balance=balance,
            requests_today=requests_today,
            day=self.day,
            endpoint=self.endpoint,
            request_id=self.request_id,
            usage_id=usage_id,
        )


def _durable() -> bool:
    """Whether a request's charge and answer wait for the disk when they commit on PostgreSQL.

    Alone they need not (CHARGE_SYNCHRONOUS_COMMIT off): waiting for the disk is most of their
    time, and while a charge waits it holds its account's rows. A PostgreSQL crash can then
    lose the last fraction of a second of them, and never in the consumer's disfavour: a lost
    charge was free, a lost answer leaves its charge in flight for the sweep to refund, and
    anything committed after them (a refund, a grant) makes them durable too. The ledger stays
    exact: each is one transaction. Inside a caller's transaction (accepting a job) the caller
    decides, and it commits durably."""
    return settings.CHARGE_SYNCHRONOUS_COMMIT or connection.in_atomic_block


def _charge_in_one_call(order: _ChargeOrder) -> tuple[Charge, int | None]:
    """The charge as one statement; (the charge, the account's low-credit threshold)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM billing_charge_request(%s::bigint, %s::date, %s::integer, "
            "%s::integer, %s::text, %s::text, %s::text, %s::bigint, %s::integer, %s::timestamptz, "
            "%s::boolean)",
            [
                order.account_id,
                order.day,
                order.limit,
                order.credits,
                order.endpoint,
                f"{order.endpoint} request",
                order.request_id,
                order.api_key_id,
                order.units,
                utc_now(),
                _durable(),
            ],
        )
        outcome, requests_today, balance, low, usage_id = cursor.fetchone()
    if outcome == "daily_limit":
        assert order.limit is not None
        raise DailyLimitReached(limit=order.limit, retry_after=seconds_until_reset())
    if outcome == "insufficient_credits":
        raise InsufficientCredits(required=order.credits, remaining=balance)
    return order.charge(balance=balance, requests_today=requests_today, usage_id=usage_id), low


# The steps of billing_charge_request (billing migration 0005) for SQLite, which runs them in one
# transaction of its own (BEGIN IMMEDIATE: one writer at a time); a refusal raises, and the
# transaction takes everything back.
_COUNT = """
INSERT INTO billing_dailyusage AS u (account_id, day, requests, credits) VALUES (%s, %s, 1, %s)
ON CONFLICT (account_id, day) DO UPDATE
    SET requests = u.requests + 1, credits = u.credits + excluded.credits
    WHERE %s IS NULL OR u.requests < %s
RETURNING requests
"""
_DEBIT = """
UPDATE accounts_account SET balance = balance - %s WHERE id = %s AND balance >= %s
RETURNING balance, low_credit_threshold
"""
_LEDGER_ENTRY = """
INSERT INTO billing_creditentry (
    account_id, amount, kind, reason, balance_after, endpoint, request_id, period, created_at
) VALUES (%s, %s, 'debit', %s, %s, %s, %s, '', %s)
"""
_USAGE_RECORD = """
INSERT INTO billing_usagerecord (
    account_id, api_key_id, endpoint, units, credits, status, duration_ms, request_id, created_at
) VALUES (%s, %s, %s, %s, %s, 200, 0, %s, %s)
RETURNING id
"""

# billing_answer_request for SQLite: as plain SQL, since building the ORM's UPDATE cost ten
# times running it.
_ANSWER = """
UPDATE billing_usagerecord SET status = %s, duration_ms = %s, answered_at = %s
WHERE id = %s AND answered_at IS NULL
"""


def _charge_in_one_transaction(order: _ChargeOrder) -> tuple[Charge, int | None]:
    """The same steps as billing_charge_request, one statement each, in one transaction."""
    now = connection.ops.adapt_datetimefield_value(utc_now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _COUNT,
            [order.account_id, order.day.isoformat(), order.credits, order.limit, order.limit],
        )
        counted = cursor.fetchone()
        if counted is None:
            assert order.limit is not None
            raise DailyLimitReached(limit=order.limit, retry_after=seconds_until_reset())
        cursor.execute(_DEBIT, [order.credits, order.account_id, order.credits])
        debited = cursor.fetchone()
        if debited is None:
            remaining = Account.objects.values_list("balance", flat=True).get(pk=order.account_id)
            raise InsufficientCredits(required=order.credits, remaining=remaining)
        balance, low = debited
        cursor.execute(
            _LEDGER_ENTRY,
            [order.account_id, -order.credits, f"{order.endpoint} request", balance,
             order.endpoint, order.request_id, now],
        )  # fmt: skip
        cursor.execute(
            _USAGE_RECORD,
            [order.account_id, order.api_key_id, order.endpoint, order.units, order.credits,
             order.request_id, now],
        )  # fmt: skip
        (usage_id,) = cursor.fetchone()
    return order.charge(balance=balance, requests_today=counted[0], usage_id=usage_id), low


def answer_request(*, charge: Charge, status: int, duration_ms: int) -> None:
    """Record the answer of a charged request: a success keeps the charge, anything else is
    refunded. Until this runs, the charge is in flight."""
    if status >= 400:
        refund_request(charge=charge, status=status)
        return
    assert charge.usage_id is not None, "a charge always has its usage record"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT billing_answer_request(%s::bigint, %s::integer, %s::integer, "
                "%s::timestamptz, %s::boolean)",
                [charge.usage_id, status, duration_ms, utc_now(), _durable()],
            )
            (answered,) = cursor.fetchone()
    else:
        now = connection.ops.adapt_datetimefield_value(utc_now())
        with connection.cursor() as cursor:
            cursor.execute(_ANSWER, [status, duration_ms, now, charge.usage_id])
            answered = cursor.rowcount
    if not answered:
        # Only when the request outlived CHARGE_ANSWER_TIMEOUT: the sweep refunded it already.
        logger.warning("Request %s answered after its charge was refunded", charge.request_id)


def refund_request(*, charge: Charge, reason: str = "", status: int = 500) -> CreditEntry | None:
    """Give back what a failed request took: its credits as a refund entry, and its quota.

    At most once per charge: a request's in-flight usage record is settled (credits 0, the
    `status` it answered) in the same transaction, and only a record still in flight is
    refunded; without one (a job's partial refund) a unique constraint forbids a second
    refund of one request id. None when there was nothing left to refund.
    """
    with transaction.atomic():
        if charge.usage_id is not None:
            settled = UsageRecord.objects.filter(pk=charge.usage_id, answered_at=None).update(
                credits=0, status=status, answered_at=utc_now()
            )
            if not settled:
                return None
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


@contextmanager
def charged_request(
    *,
    account: Account,
    api_key: ApiKey | None,
    credits: int,
    endpoint: str,
    units: int,
    request_id: str,
) -> Iterator[Charge]:
    """Charge on entry (`charge_request`); refund and re-raise if the block raises."""
    charge = charge_request(
        account=account,
        api_key=api_key,
        credits=credits,
        endpoint=endpoint,
        units=units,
        request_id=request_id,
    )
    try:
        yield charge
    except BaseException:
        refund_request(charge=charge)
        raise


def record_usage(
    *,
    account: Account,
    api_key: ApiKey | None,
    endpoint: str,
    units: int,
    status: int,
    duration_ms: int,
    request_id: str,
) -> UsageRecord:
    """The usage record of a request that was refused before it was charged."""
    return UsageRecord.objects.create(
        account=account,
        api_key=api_key,
        endpoint=endpoint,
        units=units,
        credits=0,
        status=status,
        duration_ms=duration_ms,
        request_id=request_id,
        answered_at=utc_now(),
    )


def answer_timeout() -> dt.timedelta:
    """How long a charged request may go without a recorded answer before it is stranded."""
    return dt.timedelta(seconds=settings.CHARGE_ANSWER_TIMEOUT)


def _in_flight_since(cutoff: dt.datetime) -> QuerySet[UsageRecord]:
    return UsageRecord.objects.filter(answered_at=None, created_at__lt=cutoff)


def _answer_stored() -> Exists:
    """The request stored its answer for an Idempotency-Key: it did answer."""
    return Exists(
        IdempotencyRecord.objects.filter(
            account=OuterRef("account"),
            request_id=OuterRef("request_id"),
            response_status__isnull=False,
        )
    )


def stranded_charges(*, now: dt.datetime | None = None) -> QuerySet[UsageRecord]:
    """Charged requests in flight for longer than `answer_timeout()` that never answered,
    oldest first."""
    cutoff = (now or utc_now()) - answer_timeout()
    return _in_flight_since(cutoff).exclude(_answer_stored()).order_by("created_at")


def release_stranded(*, account_id: int, request_id: str) -> bool:
    """Refund the charge of a request that will never answer, and free its Idempotency-Key so
    that a retry runs afresh (and is charged once). True if there was a charge to refund."""
    with transaction.atomic():
        record = UsageRecord.objects.filter(
            account_id=account_id, request_id=request_id, answered_at=None
        ).first()
        refunded = record is not None and _refund_record(record) is not None
        IdempotencyRecord.objects.filter(
            account_id=account_id, request_id=request_id, response_status=None
        ).delete()
    return refunded


def _refund_record(record: UsageRecord) -> CreditEntry | None:
    charge = Charge(
        account_id=record.account_id,
        credits=record.credits,
        balance=0,
        requests_today=0,
        day=record.created_at.astimezone(dt.UTC).date(),
        endpoint=record.endpoint,
        request_id=record.request_id,
        usage_id=record.pk,
    )
    reason = f"{record.endpoint} request {record.request_id} never answered"
    return refund_request(charge=charge, reason=reason, status=UsageRecord.NO_ANSWER)


def refund_stranded_charges(*, now: dt.datetime | None = None) -> int:
    """Beat: refund every stranded charge and free its Idempotency-Key; how many were refunded.

    Safe beside live requests and other sweeps: each record is settled by one conditional
    update, which a late answer or a second sweep loses. A request that stored its answer for
    an Idempotency-Key but died before marking its record answered is only marked answered.
    """
    cutoff = (now or utc_now()) - answer_timeout()
    _in_flight_since(cutoff).filter(_answer_stored()).update(answered_at=utc_now())
    refunded = 0
    for record in stranded_charges(now=now):
        if release_stranded(account_id=record.account_id, request_id=record.request_id):
            logger.warning(
                "Refunded %s credits of request %s, which never answered",
                record.credits,
                record.request_id,
            )
            refunded += 1
    return refunded


def quota(*, account: Account, used: int | None = None) -> Quota:
    """The account's daily-limit standing; pass `used` when today's count is already known."""
    if used is None:
        used = requests_today(account)
    return Quota(limit=account.tier.daily_request_limit, used=used, resets_at=next_utc_midnight())


def change_tier(*, account: Account, tier: Tier) -> None:
    """Move the account to another plan; its balance and today's count carry over."""
    Account.objects.filter(pk=account.pk).update(tier=tier)
    key_cache.forget_account_keys(account_ids=[account.pk])
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
