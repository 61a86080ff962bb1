"""Idempotency-Key for POSTs: the first answer is stored 24 hours and replayed byte for byte.

Follows Stripe and the IETF Idempotency-Key draft. Use it from any view that does paid or
otherwise non-repeatable work (the generation endpoints, `POST /api/jobs`):

    fingerprint = request_fingerprint(scope="jobs", payload=request.data)
    outcome = run_once(account_id=account.pk, key=key, fingerprint=fingerprint, produce=produce)
    return HttpResponse(outcome.body, status=outcome.status, content_type="application/json")

`produce()` does the work and returns the response as (status, body bytes); it runs at most
once per (account, key) however many retries arrive at once, on however many processes.

- Same key, same fingerprint, first request finished: its stored answer (`replayed=True`).
- Same key, another fingerprint: IdempotencyKeyReused (422 IDEMPOTENCY_KEY_REUSED).
- Same key while the first request still runs: IdempotencyInProgress (409).
- If `produce()` raises (a 402, a 429, a crash), nothing is stored and the key is released,
  so a retry runs afresh; such requests cost nothing, so a retry cannot charge twice.
  Only answers that `produce()` returns are stored: a caller that wants to keep an error
  answer returns it instead of raising.
- With `atomic=True` the work and its stored answer commit together (for work that is all
  database writes, such as accepting a job): a retry either replays that answer or finds
  that nothing happened, whatever moment the first request's process died at.

The claim is a row insert under a unique (account, key) constraint, committed at once, so it
holds across threads, processes and machines, and it names the request holding it. A claim
left unanswered for CHARGE_ANSWER_TIMEOUT belongs to a request that died: its charge is
refunded and the claim released (here, or by the stranded-charge sweep, whichever comes
first), so the retry runs once and is charged once. Records older than RETENTION are ignored
and purged by a beat task.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import IdempotencyRecord
from billing.services import answer_timeout, release_stranded

RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(Exception):
    """The key was first used with a different request."""


class IdempotencyInProgress(Exception):
    """The first request with this key is still running."""


@dataclass(frozen=True)
class Outcome:
    status: int
    body: bytes
    replayed: bool


def key_problem(key: str) -> str | None:
    """Why a client's Idempotency-Key header is unusable, or None if it is fine."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return f"Must be 1 to {MAX_KEY_LENGTH} characters long"
    if not key.isascii() or not key.isprintable():
        return "Must be printable ASCII characters"
    if key != key.strip(" "):  # HTTP servers strip them, so the client's key would change
        return "Must not begin or end with a space"
    return None


def request_fingerprint(*, scope: str, payload: object) -> str:
    """A digest of what was asked: the operation's name and its JSON payload, key order aside."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


def run_once(
    *,
    account_id: int,
    key: str,
    fingerprint: str,
    request_id: str,
    produce: Callable[[], tuple[int, bytes]],
    atomic: bool = False,
) -> Outcome:
    """Run `produce` once for this account's key, or replay what its first run answered."""
    claim = _claim(account_id=account_id, key=key, fingerprint=fingerprint, request_id=request_id)
    if isinstance(claim, Outcome):
        return claim
    try:
        with transaction.atomic() if atomic else nullcontext():
            status, body = produce()
            # Only while the claim is still ours: a request that outlived its claim (which was
            # then released as stranded) must not overwrite the retry that took the key since.
            IdempotencyRecord.objects.filter(pk=claim.pk, request_id=request_id).update(
                response_status=status, response_body=body
            )
    except BaseException:
        IdempotencyRecord.objects.filter(
            pk=claim.pk, request_id=request_id, response_status=None
        ).delete()
        raise
    return Outcome(status=status, body=body, replayed=False)


def purge_expired_records(*, now: dt.datetime | None = None) -> int:
    """Delete records past their retention; returns how many went."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _claim(
    *, account_id: int, key: str, fingerprint: str, request_id: str
) -> IdempotencyRecord | Outcome:
    """Our new claim on the key, or the stored answer; raises if another request holds it."""
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    account_id=account_id, key=key, request_hash=fingerprint, request_id=request_id
                )
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(account_id=account_id, key=key).first()
        if record is None:
            continue  # released or purged between our insert and our read: claim again
        age = timezone.now() - record.created_at
        if age >= RETENTION:
            if _take_over(record, fingerprint=fingerprint, request_id=request_id):
                return record
            continue
        if record.request_hash != fingerprint:
            raise IdempotencyKeyReused
        # The status and the body are stored together, when the first request finishes.
        if record.response_status is not None and record.response_body is not None:
            return Outcome(
                status=record.response_status, body=bytes(record.response_body), replayed=True
            )
        if age < answer_timeout():
            raise IdempotencyInProgress
        # Its request died before it answered: refund what it took, free the key, claim again.
        release_stranded(account_id=account_id, request_id=record.request_id)
        IdempotencyRecord.objects.filter(pk=record.pk, response_status=None).delete()
    raise IdempotencyInProgress


def _take_over(record: IdempotencyRecord, *, fingerprint: str, request_id: str) -> bool:
    """Claim an expired record for a new request; only one of several racing takers wins."""
    taken = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
        request_hash=fingerprint,
        request_id=request_id,
        response_status=None,
        response_body=None,
        created_at=timezone.now(),
    )
    return bool(taken)
