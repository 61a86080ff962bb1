"""What webhooks stores: each account's endpoints, the events sent to them, every attempt."""

import secrets
import uuid

from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    """What an endpoint can subscribe to; `webhook.test` goes only where it is sent."""

    JOB_SUCCEEDED = "job.succeeded", "A bulk job finished; its file is ready to download"
    JOB_FAILED = "job.failed", "A bulk job failed; what it did not deliver was refunded"
    JOB_CANCELLED = "job.cancelled", "A bulk job was cancelled; the rest was refunded"
    CREDITS_LOW = "credits.low", "A debit took the balance below the account's threshold"
    KEY_REVOKED = "key.revoked", "An API key was revoked (in the portal, by staff or by rotation)"
    TEST = "webhook.test", "Sent when you ask for a test event"


SUBSCRIBABLE = [choice for choice in EventType.values if choice != EventType.TEST]


def new_event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


class WebhookEndpoint(models.Model):
    """A URL of the account's that wants some events, and the secret that signs them.

    The secret is kept sealed (Fernet, under a key derived from SECRET_KEY), since signing
    needs it back; after a rotation the previous one also signs until `previous_expires_at`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(help_text="The event types it wants.")
    sealed_secret = models.TextField(editable=False)
    previous_sealed_secret = models.TextField(blank=True, editable=False)
    previous_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first failed attempt since the last success."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """Something that happened, as the exact JSON body every attempt sends and signs."""

    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(max_length=30, choices=EventType.choices)
    body = models.TextField(help_text="The envelope: id, type, timestamp and data.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="webhook_event_created")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, tried until it succeeds or the schedule ends.

    A worker claims it before an attempt (the claim number goes up, and `claimed_until` keeps
    others off it), so two workers never try it at once; a claim whose worker died runs out
    and the sweep claims it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    retrying = models.BooleanField(
        default=True, help_text="A failed attempt schedules the next; off for a redelivery."
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, how long it took, or why it never went."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    manual = models.BooleanField(default=False, help_text="A redelivery asked for by the owner.")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)
    response_body = models.TextField(blank=True, help_text="The first bytes of the answer.")

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
