"""What billing stores: plans, the append-only credit ledger, daily counters and usage."""

from django.conf import settings
from django.db import models


class Tier(models.Model):
    """A plan. Its numbers are data that staff edit in the admin, never constants in code."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50)
    daily_request_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Generation requests per UTC day; empty means unlimited."
    )
    burst_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests per minute per key; empty means no burst limit."
    )
    starting_credits = models.PositiveIntegerField()
    monthly_credits = models.PositiveIntegerField()
    display_price = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on pages.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unlimited(self) -> bool:
        return self.daily_request_limit is None


class CreditEntry(models.Model):
    """One signed movement of credits. Rows are only ever added, never changed."""

    class Kind(models.TextChoices):
        GRANT = "grant"
        DEBIT = "debit"
        REFUND = "refund"
        ADJUSTMENT = "adjustment"
        MONTHLY = "monthly"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="credit_entries"
    )
    amount = models.IntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=200)
    balance_after = models.IntegerField()
    endpoint = models.CharField(max_length=100, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    period = models.CharField(max_length=7, blank=True, help_text="YYYY-MM of a monthly grant.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "credit entries"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period"],
                condition=models.Q(kind="monthly"),
                name="one_monthly_grant_per_account_and_month",
            ),
            # A retried job or a double-fired error path can neither charge nor refund twice.
            models.UniqueConstraint(
                fields=["account", "kind", "request_id"],
                condition=models.Q(kind__in=["debit", "refund"]) & ~models.Q(request_id=""),
                name="one_debit_and_one_refund_per_request",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="entry_moves_credits"),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="entry_balance_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.kind} ({self.reason})"


class DailyUsage(models.Model):
    """Requests and credits of one account on one UTC day: the daily limit's counter."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="daily_usage"
    )
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    credits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_usage_row_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.requests} requests"


class UsageRecord(models.Model):
    """One metered request, for the usage charts and for support.

    A charged request's record is written with its debit, in the same transaction, before the
    work starts: until `answered_at` is set the charge is in flight. The answer sets it; a
    charge left in flight (its process died, or the database went away before the answer was
    written) is refunded by the stranded-charge sweep, which records status 0 (no answer).
    """

    NO_ANSWER = 0

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="usage_records"
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, on_delete=models.SET_NULL, related_name="usage_records"
    )
    endpoint = models.CharField(max_length=100)
    units = models.PositiveIntegerField()
    credits = models.PositiveIntegerField()
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    request_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while the request is in flight."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "created_at"], name="usage_by_account_and_time"),
            # Only the requests in flight right now: small, and all the sweep reads.
            models.Index(
                fields=["request_id"],
                condition=models.Q(answered_at__isnull=True),
                name="usage_in_flight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an Idempotency-Key, replayed for 24 hours.

    While the first request runs, `response_status` is empty: the key is claimed by the request
    `request_id`, whose charge the stranded-charge sweep settles if it never answers.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    request_id = models.CharField(max_length=64, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "key"], name="one_record_per_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return self.key
