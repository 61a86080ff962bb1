"""Limits counted in the shared cache (Redis): the per-key burst limit as a DRF throttle, and
the per-address limit on failed API key checks.

They count through django-ratelimit's core, whose Redis increments are atomic across processes;
DRF's own SimpleRateThrottle reads then writes and over-admits under concurrency (DRF #5181).
The burst limit, which every generation request passes, counts in django-ratelimit's windows
and keys but in one Redis round trip (a MULTI of SET NX and INCR) instead of its three.
When the cache is unreachable they fail open, with a warning: they shield the service from
floods, while what is billed, the daily limit and the credits, lives in the database
(billing.services.charge_request) and stays exact.
"""

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis.exceptions
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from accounts.models import Account, ApiKey

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger("synthgen.limits")

# What the cache raises when Redis refuses or drops us (OSError covers a broken socket).
CACHE_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


KeyFunction = Callable[[str, Any], str]


def count_hit(
    request: HttpRequest | Request,
    *,
    group: str,
    key: str | KeyFunction,
    rate: str,
    method: str | None = None,
) -> dict[str, Any] | None:
    """Count one hit against `rate` and return django-ratelimit's usage (`should_limit`,
    `time_left`), or None when nothing limits: another method, or the cache is away."""
    try:
        return get_usage(
            request, group=group, key=key, rate=rate, method=method or ALL, increment=True
        )
    except CACHE_DOWN as exc:
        logger.warning("The %s limit is not enforced: the cache is unreachable (%r)", group, exc)
        return None


def is_limited(
    request: HttpRequest,
    *,
    group: str,
    key: str | KeyFunction,
    rate: str,
    method: str | None = None,
) -> bool:
    """Count one hit and say whether it is over the limit (never while the cache is away)."""
    usage = count_hit(request, group=group, key=key, rate=rate, method=method)
    return bool(usage and usage["should_limit"])


def _api_key_id(group: str, request: Request) -> str:
    return str(request.auth.pk)


def count_burst(request: Request, *, limit: int) -> dict[str, Any] | None:
    """`count_hit` for the burst limit: the same window and counter, one round trip on Redis."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if not isinstance(cache, RedisCache):
        return count_hit(request, group="api-burst", key=_api_key_id, rate=f"{limit}/m")
    value, period = _api_key_id("api-burst", request), 60
    window = _get_window(value, period)
    key = cache.make_and_validate_key(
        _make_cache_key("api-burst", window, f"{limit}/m", value, ALL)
    )
    try:
        client = cache._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as pipeline:
            pipeline.set(key, 0, ex=period + EXPIRATION_FUDGE, nx=True)
            pipeline.incr(key)
            _, count = pipeline.execute()
    except CACHE_DOWN as exc:
        logger.warning("The api-burst limit is not enforced: the cache is unreachable (%r)", exc)
        return None
    return {"should_limit": count > limit, "time_left": window - int(time.time())}


class BurstThrottle(BaseThrottle):
    """At most the plan's `burst_limit_per_minute` requests per key; none when it is empty."""

    def __init__(self) -> None:
        self.seconds_left = 1

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if not isinstance(request.user, Account) or not isinstance(request.auth, ApiKey):
            return True
        limit = request.user.tier.burst_limit_per_minute
        if limit is None:
            return True
        usage = count_burst(request, limit=limit)
        if usage is None:
            return True
        self.seconds_left = max(1, usage["time_left"])
        return not usage["should_limit"]

    def wait(self) -> int:
        return self.seconds_left


def failed_key_check_wait(request: Request) -> int | None:
    """Count a failed API key check from this address; the seconds to wait once there have
    been more than API_KEY_FAILURE_RATE of them, else None. Only failures are counted, so a
    correct key from the same address is never refused."""
    usage = count_hit(
        request, group="api-key-failures", key="ip", rate=settings.API_KEY_FAILURE_RATE
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])
