"""What the API and the events show: endpoints, deliveries and attempts, and the envelope.

An event's `data` is the object exactly as the API shows it (a job as GET /api/jobs/{id}, an
account as GET /api/account, a key as the portal lists it, an endpoint as below): the services
build it with the API's own functions rather than a second description that could drift.
"""

import json
from typing import Any

from accounts.api import iso_utc
from accounts.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


def envelope(event: WebhookEvent, data: dict[str, Any]) -> str:
    """The body every attempt of the event sends and signs, byte for byte."""
    document = {
        "id": event.id,
        "type": event.type,
        "timestamp": iso_utc(event.created_at),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def endpoint_body(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict[str, Any]:
    """An endpoint as the API shows it; its secret only in the answer that made it."""
    body: dict[str, Any] = {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "enabled": endpoint.is_enabled,
        "disabledReason": endpoint.disabled_reason or None,
        "failingSince": iso_utc(endpoint.failing_since),
        "createdAt": iso_utc(endpoint.created_at),
        "updatedAt": iso_utc(endpoint.updated_at),
    }
    if secret is not None:
        body["secret"] = secret
    return body


def attempt_body(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "manual": attempt.manual,
        "startedAt": iso_utc(attempt.started_at),
        "durationMs": attempt.duration_ms,
        "statusCode": attempt.status_code,
        "succeeded": attempt.succeeded,
        "error": attempt.error or None,
        "response": attempt.response_body,
    }


def delivery_body(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery with its event and every attempt (prefetch `attempts` for a list)."""
    return {
        "id": str(delivery.pk),
        "endpointId": str(delivery.endpoint_id),
        "eventId": delivery.event_id,
        "eventType": delivery.event.type,
        "status": delivery.status,
        "attemptCount": delivery.attempt_count,
        "nextAttemptAt": iso_utc(delivery.next_attempt_at)
        if delivery.status == "pending"
        else None,
        "createdAt": iso_utc(delivery.created_at),
        "finishedAt": iso_utc(delivery.finished_at),
        "event": json.loads(delivery.event.body),
        "attempts": [attempt_body(attempt) for attempt in delivery.attempts.all()],
    }
