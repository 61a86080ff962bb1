"""The API key format: `sg_live_` + lookup id + secret + checksum, all base62.

Like GitHub's tokens, a key ends in a CRC32 checksum, so a mistyped key is refused without a
database query and secret scanners can recognise ours. Only the lookup id and the SHA-256 digest
of the secret are stored: a fast unsalted digest is the standard for a high-entropy secret (a
deliberately slow password hasher would cost ~0.2 s on every request).
"""

import hashlib
import hmac
import secrets
import string
import zlib
from typing import NamedTuple

PREFIX = "sg_live_"
ALPHABET = string.digits + string.ascii_letters
LOOKUP_LENGTH = 12
SECRET_LENGTH = 32
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(PREFIX) + LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH


class NewKey(NamedTuple):
    plaintext: str
    lookup_id: str
    secret_hash: str


class ParsedKey(NamedTuple):
    lookup_id: str
    secret: str


def _random_base62(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode())
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, remainder = divmod(value, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_key() -> NewKey:
    lookup_id = _random_base62(LOOKUP_LENGTH)
    secret = _random_base62(SECRET_LENGTH)
    body = PREFIX + lookup_id + secret
    return NewKey(body + _checksum(body), lookup_id, hash_secret(secret))


def parse_key(plaintext: str) -> ParsedKey | None:
    """Split a presented key, or None if it cannot be one of ours (no database needed)."""
    if len(plaintext) != KEY_LENGTH or not plaintext.startswith(PREFIX):
        return None
    body, checksum = plaintext[:-CHECKSUM_LENGTH], plaintext[-CHECKSUM_LENGTH:]
    if not hmac.compare_digest(_checksum(body), checksum):
        return None
    rest = body[len(PREFIX) :]
    if any(char not in ALPHABET for char in rest):
        return None
    return ParsedKey(rest[:LOOKUP_LENGTH], rest[LOOKUP_LENGTH:])


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
