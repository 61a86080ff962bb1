"""What happens to webhooks: endpoints and their secrets; events recorded for the endpoints that
want them; deliveries claimed, attempted, retried on the schedule, and finished; endpoints that
keep failing disabled. Each write owns its transaction, and no transaction waits on a receiver:
the POST happens between claiming a delivery and recording its attempt.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.api import account_body, key_body
from accounts.models import Account, ApiKey
from accounts.webhooks import payloads, sending, signing
from accounts.webhooks.models import (
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    new_event_id,
)
from generators.jobs_api import job_body
from generators.models import Job

MAX_ENDPOINTS = 10
# Long enough for any queue to hand a claimed delivery to a worker and for its attempt; a
# claim whose worker died runs out after it, and the sweep claims the delivery again.
CLAIM_LEASE = dt.timedelta(minutes=5)
# After a rotation the old secret signs too for this long, so receivers can switch over.
ROTATION_OVERLAP = dt.timedelta(hours=24)
SWEEP_BATCH = 200
DISABLED_BY_OWNER = "Disabled by its owner"
UNREADABLE_SECRET = "Not sent: the signing secret cannot be read (SECRET_KEY changed); rotate it"
PENDING = WebhookDelivery.Status.PENDING


class EndpointLimitReached(Exception):
    """The account already has MAX_ENDPOINTS endpoints."""

    def __init__(self) -> None:
        super().__init__(f"at most {MAX_ENDPOINTS} endpoints per account")
        self.limit = MAX_ENDPOINTS


class EndpointDisabled(Exception):
    """The endpoint is disabled: enable it before sending to it."""


# Endpoints


def create_endpoint(
    *,
    account: Account,
    url: str,
    events: Iterable[str],
    description: str = "",
    enabled: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret, returned this once (only the sealed secret is kept)."""
    secret = signing.new_secret()
    with transaction.atomic():
        # Counted under the account's row lock, so two creations at once cannot pass the limit.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        if WebhookEndpoint.objects.filter(account=account).count() >= MAX_ENDPOINTS:
            raise EndpointLimitReached
        endpoint = WebhookEndpoint.objects.create(
            account=account,
            url=url,
            events=sorted(set(events)),
            description=description,
            sealed_secret=signing.seal(secret),
            is_enabled=enabled,
            disabled_reason="" if enabled else DISABLED_BY_OWNER,
        )
    return endpoint, secret


def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; enabling starts the failure count afresh, disabling stops what
    was still waiting to be delivered."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if url is not None:
            endpoint.url = url
        if events is not None:
            endpoint.events = sorted(set(events))
        if description is not None:
            endpoint.description = description
        if enabled is True and not endpoint.is_enabled:
            endpoint.is_enabled, endpoint.disabled_reason, endpoint.failing_since = True, "", None
        if enabled is False and endpoint.is_enabled:
            endpoint.is_enabled, endpoint.disabled_reason = False, DISABLED_BY_OWNER
            _stop_pending(endpoint_id=endpoint.pk)
        endpoint.save()
    return endpoint


def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint goes, with its deliveries and their attempts."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def rotate_secret(*, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """A new secret, returned this once; the old one also signs for ROTATION_OVERLAP."""
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_sealed_secret = endpoint.sealed_secret
        endpoint.previous_expires_at = timezone.now() + ROTATION_OVERLAP
        endpoint.sealed_secret = signing.seal(secret)
        endpoint.save()
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, *, now: dt.datetime) -> list[str]:
    """The secret, and the rotated-out one while it still signs."""
    found = [signing.unseal(endpoint.sealed_secret)]
    expires = endpoint.previous_expires_at
    if endpoint.previous_sealed_secret and expires and expires > now:
        found.append(signing.unseal(endpoint.previous_sealed_secret))
    return found


# Events


def emit_job_event(*, job_id: str) -> WebhookEvent | None:
    job = Job.objects.select_related("account").filter(pk=job_id).first()
    if job is None or not job.is_finished:
        return None
    return _emit(account=job.account, type=f"job.{job.status}", data=lambda: job_body(job, None))


def emit_key_revoked(*, api_key_id: int) -> WebhookEvent | None:
    api_key = ApiKey.objects.select_related("account").filter(pk=api_key_id).first()
    if api_key is None:
        return None
    return _emit(
        account=api_key.account, type=EventType.KEY_REVOKED, data=lambda: key_body(api_key)
    )


def emit_credits_low(*, account_id: int) -> WebhookEvent | None:
    account = Account.objects.select_related("tier").filter(pk=account_id).first()
    if account is None:
        return None
    return _emit(
        account=account, type=EventType.CREDITS_LOW, data=lambda: account_body(account, None)
    )


def send_test_event(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint alone, whatever it subscribes to."""
    if not endpoint.is_enabled:
        raise EndpointDisabled
    event = _record_event(
        account_id=endpoint.account_id,
        type=EventType.TEST,
        data=payloads.endpoint_body(endpoint),
        endpoints=[endpoint],
    )
    return event.deliveries.get()


def _emit(
    *, account: Account, type: str, data: Callable[[], dict[str, Any]]
) -> WebhookEvent | None:
    """Record the event for the account's enabled endpoints that want it (none: nothing is
    kept); `data()` builds the payload only then."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(account=account, is_enabled=True)
        if type in endpoint.events
    ]
    if not endpoints:
        return None
    return _record_event(account_id=account.pk, type=type, data=data(), endpoints=endpoints)


def _record_event(
    *, account_id: int, type: str, data: dict[str, Any], endpoints: list[WebhookEndpoint]
) -> WebhookEvent:
    now = timezone.now()
    event = WebhookEvent(id=new_event_id(), account_id=account_id, type=type, created_at=now)
    event.body = payloads.envelope(event, data)
    with transaction.atomic():
        event.save(force_insert=True)
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now)
                for endpoint in endpoints
            ]
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: _dispatch(ids), robust=True)
    return event


# Deliveries


def redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the delivery again now, as the same message (same webhook-id): a finished one gets
    one more attempt, a pending one its next attempt at once."""
    if not delivery.endpoint.is_enabled:
        raise EndpointDisabled
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != PENDING:
            delivery.status, delivery.retrying, delivery.finished_at = PENDING, False, None
        delivery.next_attempt_at = now
        delivery.save()
        transaction.on_commit(lambda: _dispatch([delivery.pk]), robust=True)
    return delivery


def _dispatch(delivery_ids: list[Any]) -> None:
    from accounts.webhooks import tasks  # tasks import this module

    tasks.dispatch([str(pk) for pk in delivery_ids])


def claim_deliveries(
    *, ids: list[str] | None = None, now: dt.datetime | None = None, limit: int = SWEEP_BATCH
) -> list[tuple[str, int]]:
    """Claim deliveries that are due and not claimed (those of `ids` only, if given): for each,
    its id and the claim number that entitles one worker to attempt it."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(claimed_until=None) | Q(claimed_until__lt=now),
        status=PENDING,
        next_attempt_at__lte=now,
        endpoint__is_enabled=True,
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    with transaction.atomic():
        # SKIP LOCKED on PostgreSQL: two sweeps at once claim different rows, never one twice.
        locked = due.select_for_update(skip_locked=True, of=("self",)).order_by("next_attempt_at")
        rows = list(locked.values_list("pk", "claim")[:limit])
        for pk, claim in rows:
            WebhookDelivery.objects.filter(pk=pk).update(
                claim=claim + 1, claimed_until=now + CLAIM_LEASE
            )
    return [(str(pk), claim + 1) for pk, claim in rows]


def attempt_delivery(*, delivery_id: str, claim: int) -> WebhookAttempt | None:
    """POST the delivery once, if `claim` still holds it; record what happened."""
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint")
        .filter(pk=delivery_id, claim=claim, status=PENDING)
        .first()
    )
    if delivery is None:  # claimed again after our lease ran out, or finished meanwhile
        return None
    event, endpoint = delivery.event, delivery.endpoint
    started = timezone.now()
    try:
        secrets = signing_secrets(endpoint, now=started)
    except InvalidToken:  # sealed under a SECRET_KEY that is gone from SECRET_KEY_FALLBACKS
        answer = sending.Answer(None, "", UNREADABLE_SECRET, 0)
        return _record_attempt(delivery_id=delivery.pk, claim=claim, started=started, answer=answer)
    headers = signing.signature_headers(
        message_id=event.id, body=event.body, signing_secrets=secrets, moment=started
    )
    answer = sending.post(
        endpoint.url,
        body=event.body.encode(),
        headers={**headers, "Content-Type": "application/json"},
        timeout=settings.WEBHOOKS_TIMEOUT,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS,
    )
    return _record_attempt(delivery_id=delivery.pk, claim=claim, started=started, answer=answer)


def _record_attempt(
    *, delivery_id: Any, claim: int, started: dt.datetime, answer: sending.Answer
) -> WebhookAttempt:
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempt_count + 1,
            manual=not delivery.retrying,
            started_at=started,
            duration_ms=answer.duration_ms,
            status_code=answer.status,
            succeeded=answer.succeeded,
            error=answer.error[:300],
            response_body=answer.body,
        )
        delivery.attempt_count = attempt.number
        if delivery.claim == claim and delivery.status == PENDING:
            _advance(delivery, succeeded=answer.succeeded, now=now)
        delivery.save()
        _track_health(endpoint_id=delivery.endpoint_id, succeeded=answer.succeeded, now=now)
    return attempt


def _advance(delivery: WebhookDelivery, *, succeeded: bool, now: dt.datetime) -> None:
    """After an attempt: done, the next try on the schedule, or failed for good."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    delivery.claimed_until = None
    if not succeeded and delivery.retrying and delivery.attempt_count <= len(schedule):
        delay = schedule[delivery.attempt_count - 1]
        delivery.next_attempt_at = now + dt.timedelta(seconds=delay)
        return
    delivery.status = (
        WebhookDelivery.Status.SUCCEEDED if succeeded else WebhookDelivery.Status.FAILED
    )
    delivery.next_attempt_at = None
    delivery.finished_at = now


def _track_health(*, endpoint_id: Any, succeeded: bool, now: dt.datetime) -> None:
    """A success clears the failure streak; a failure starts one, or, once the streak is
    WEBHOOKS_DISABLE_AFTER old, disables the endpoint and emails its owner."""
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint_id)
    if succeeded:
        endpoints.exclude(failing_since=None).update(failing_since=None)
        return
    endpoints.filter(failing_since=None).update(failing_since=now)
    since = now - dt.timedelta(seconds=settings.WEBHOOKS_DISABLE_AFTER)
    reason = f"Every attempt failed for {describe_duration(settings.WEBHOOKS_DISABLE_AFTER)}"
    if endpoints.filter(is_enabled=True, failing_since__lte=since).update(
        is_enabled=False, disabled_reason=reason
    ):
        _stop_pending(endpoint_id=endpoint_id)
        transaction.on_commit(lambda: _email_disabled(endpoint_id), robust=True)


def _stop_pending(*, endpoint_id: Any) -> None:
    WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=PENDING).update(
        status=WebhookDelivery.Status.FAILED,
        next_attempt_at=None,
        claimed_until=None,
        finished_at=timezone.now(),
    )


def _email_disabled(endpoint_id: Any) -> None:
    from accounts.webhooks import tasks

    tasks.send_endpoint_disabled.delay(str(endpoint_id))


def describe_duration(seconds: float) -> str:
    """`5 days`, `2 hours`, `30 seconds`: the largest unit that fits, rounded."""
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def describe_schedule() -> str:
    """The retry delays in words: `5 seconds, 5 minutes, ... and 10 hours`."""
    delays = [describe_duration(seconds) for seconds in settings.WEBHOOKS_RETRY_SCHEDULE]
    return " and ".join([", ".join(delays[:-1]), delays[-1]] if len(delays) > 1 else delays)


def seconds_to_next_attempt(*, now: dt.datetime | None = None) -> float | None:
    """How long until a pending delivery is next due (or its claim runs out); None if none."""
    now = now or timezone.now()
    pending = WebhookDelivery.objects.filter(status=PENDING, endpoint__is_enabled=True)
    due_times = pending.order_by("next_attempt_at").values_list("next_attempt_at", "claimed_until")
    first = due_times.first()
    if first is None:
        return None
    due = max(moment for moment in first if moment is not None)
    return max(0.0, (due - now).total_seconds())


def purge_log(*, now: dt.datetime | None = None) -> int:
    """Forget events (with their deliveries and attempts) older than WEBHOOKS_LOG_DAYS, and
    the rotated-out secrets that no longer sign; how many events went."""
    now = now or timezone.now()
    WebhookEndpoint.objects.filter(previous_expires_at__lte=now).update(
        previous_sealed_secret="", previous_expires_at=None
    )
    cutoff = now - dt.timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    _, deleted = WebhookEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted.get(WebhookEvent._meta.label, 0)
