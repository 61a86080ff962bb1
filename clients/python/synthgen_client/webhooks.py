"""Checking that a webhook request came from SynthGen: Standard Webhooks signatures
(HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under a `whsec_` secret)."""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping

from synthgen_client.types import WebhookEvent

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """The request is not a genuine, fresh SynthGen event; answer it 400 and ignore it."""


def verify_webhook(
    secret: str,
    body: bytes | str,
    headers: Mapping[str, str],
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> WebhookEvent:
    """The event in `body` if one of the `webhook-signature`s matches and the timestamp is
    within `tolerance` seconds of now; pass the raw body, before any JSON parsing."""
    payload = body.encode() if isinstance(body, str) else body
    lowered = {name.lower(): value for name, value in headers.items()}
    event_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not event_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a whole number") from None
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too far from now")
    expected = _sign(secret, f"{event_id}.{timestamp}.".encode() + payload)
    for versioned in signatures.split(" "):
        version, _, signature = versioned.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected.encode()):
            return _event(payload)
    raise WebhookVerificationError("no signature matches the secret")


def _sign(secret: str, message: bytes) -> str:
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise WebhookVerificationError("the secret is not a whsec_ secret") from None
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _event(payload: bytes) -> WebhookEvent:
    try:
        event = json.loads(payload)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    return event  # type: ignore[return-value]
