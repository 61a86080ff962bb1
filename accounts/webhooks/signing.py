"""Endpoint secrets and signatures, the Standard Webhooks way (standardwebhooks.com).

A secret is `whsec_` + 32 random bytes in base64. Each attempt is signed over
`{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 by the `standardwebhooks` package,
so any Standard Webhooks library verifies it. While a rotated-out secret still signs, the
`webhook-signature` header carries both signatures, space-separated, as the standard allows.

Signing needs the secret itself, so it is kept sealed with Fernet under a key derived from
SECRET_KEY (SECRET_KEY_FALLBACKS still open what older keys sealed).
"""

import base64
import datetime as dt
import hashlib
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"webhook:{key}".encode()).digest()))
            for key in keys
        ]
    )


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


def signature_headers(
    *, message_id: str, body: str, signing_secrets: list[str], moment: dt.datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt at `moment`."""
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body)
        for secret in signing_secrets
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
