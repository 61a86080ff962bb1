"""Verified API keys kept briefly in the shared cache (Redis), so that checking a request's key
costs no database query; whatever can refuse a key, or change what its account may do, forgets
it at once, on every worker.

An entry is the key as `authenticate_key` read it (its secret's digest, revocation and expiry,
its account's suspension and plan), kept API_KEY_CACHE_SECONDS, and written only where no entry
is (`cache.add`). Forgetting writes a short-lived tombstone rather than deleting: a request that
read the key from the database just before the change committed cannot then put the old state
back, since its `add` finds the tombstone. Off (0 seconds) without Redis: a per-process cache
could not be forgotten by another process.
"""

import logging
from collections.abc import Iterable
from contextlib import suppress

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.models import ApiKey
from billing.throttles import CACHE_DOWN

logger = logging.getLogger("synthgen.keys")

FORGOTTEN = "forgotten"
# Longer than any request takes between reading a key and caching it.
TOMBSTONE_SECONDS = 30


def _entry(lookup_id: str) -> str:
    # The format's version: a change to what is cached (the pickled key, its account and plan)
    # bumps it, so a new release never reads an old release's entries.
    return f"api-key:1:{lookup_id}"


def cached_key(lookup_id: str) -> ApiKey | None:
    """The key with this lookup id as last verified, or None (not cached, or forgotten)."""
    if not settings.API_KEY_CACHE_SECONDS:
        return None
    try:
        entry = cache.get(_entry(lookup_id))
    except CACHE_DOWN as exc:
        logger.warning("API keys are checked in the database: the cache is unreachable (%r)", exc)
        return None
    return entry if isinstance(entry, ApiKey) else None


def remember_key(api_key: ApiKey) -> None:
    """Cache a key just verified in the database, with its account and plan loaded."""
    if not settings.API_KEY_CACHE_SECONDS:
        return
    with suppress(*CACHE_DOWN):  # cached_key logged it; the next request reads the database
        cache.add(_entry(api_key.lookup_id), api_key, timeout=settings.API_KEY_CACHE_SECONDS)


def forget_keys(lookup_ids: Iterable[str]) -> None:
    """Drop these keys from the cache now and again once the caller's transaction commits, so
    that no request can use what was cached before the change."""
    if not settings.API_KEY_CACHE_SECONDS:
        return
    entries = {_entry(lookup_id): FORGOTTEN for lookup_id in lookup_ids}
    if not entries:
        return

    def tombstone() -> None:
        cache.set_many(entries, timeout=TOMBSTONE_SECONDS)

    try:
        tombstone()
    except CACHE_DOWN as exc:
        logger.warning("Could not forget %d cached API key(s) (%r)", len(entries), exc)
    transaction.on_commit(tombstone, robust=True)


def forget_account_keys(*, account_ids: Iterable[int]) -> None:
    """Forget every key of these accounts: their suspension, plan or threshold changed."""
    keys = ApiKey.objects.filter(account_id__in=account_ids)
    forget_keys(keys.values_list("lookup_id", flat=True))
