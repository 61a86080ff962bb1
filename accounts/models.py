"""What accounts stores: access requests, consumer accounts, API keys and key-reveal links."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class AccessRequest(models.Model):
    """An application for API access, decided by staff in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    name = models.CharField(max_length=100)
    email = models.EmailField()
    company = models.CharField(max_length=100, blank=True)
    use_case = models.TextField()
    requested_tier = models.ForeignKey(
        "billing.Tier", on_delete=models.PROTECT, related_name="+", verbose_name="requested plan"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # How many times the form was sent for this address while the request waited, and when
    # last: staff see an eager (or a scripted) applicant.
    submissions = models.PositiveIntegerField(default=1)
    last_submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    account = models.ForeignKey(
        "Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="access_requests"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(status="pending"),
                name="one_pending_request_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Account(models.Model):
    """An approved API consumer: its plan, its credit balance and its keys."""

    name = models.CharField(max_length=100)
    email = models.EmailField(unique=True)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    tier = models.ForeignKey("billing.Tier", on_delete=models.PROTECT, related_name="accounts")
    balance = models.IntegerField(default=0, editable=False)
    is_suspended = models.BooleanField(default=False)
    low_credit_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The credits.low webhook fires when a debit takes the balance below this.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="balance_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class ApiKey(models.Model):
    """A key is stored as its lookup id and the SHA-256 digest of its secret, never in full."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="Default key")
    lookup_id = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the key is rotated out after a grace period."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.prefix

    @property
    def prefix(self) -> str:
        from accounts.keys import PREFIX

        return f"{PREFIX}{self.lookup_id}"

    @property
    def is_active(self) -> bool:
        """Not revoked, and not past the end of a rotation's grace period."""
        return not self.revoked_at and not (self.expires_at and self.expires_at <= timezone.now())


class EmailedLink(models.Model):
    """A single-use link sent by email; only the digest of its token is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def is_usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.expires_at > now


class KeyRevealLink(EmailedLink):
    """The emailed link that shows a new key once.

    The key's plaintext is kept only sealed under the link's token, which lives in the email
    alone, and is wiped when revealed.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="reveal_links")
    sealed_key = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"reveal link for {self.api_key}"

    def is_usable(self, now: dt.datetime) -> bool:
        return bool(self.sealed_key) and super().is_usable(now)


class SignInLink(EmailedLink):
    """An emailed link that signs a consumer in to the portal."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sign_in_links")

    def __str__(self) -> str:
        return f"sign-in link for {self.account}"


class PlanChangeRequest(models.Model):
    """A consumer's request to move to another plan, decided by staff in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="plan_change_requests"
    )
    current_tier = models.ForeignKey(
        "billing.Tier", on_delete=models.PROTECT, related_name="+", verbose_name="plan at request"
    )
    requested_tier = models.ForeignKey(
        "billing.Tier", on_delete=models.PROTECT, related_name="+", verbose_name="requested plan"
    )
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Shown to the consumer.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status="pending"),
                name="one_pending_plan_change_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.current_tier} → {self.requested_tier}"
