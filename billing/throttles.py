"""The per-key burst limit (requests per minute, from the plan) as a DRF throttle.

It counts in the shared cache through django-ratelimit's core, whose Redis increments are
atomic across processes; DRF's own SimpleRateThrottle reads then writes and over-admits
under concurrency (DRF #5181). The billed daily limit is not here: it is a database counter
taken with the credit debit (billing.services.charge_request).
"""

from typing import TYPE_CHECKING

from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from accounts.models import Account, ApiKey

if TYPE_CHECKING:
    from rest_framework.views import APIView


def _api_key_id(group: str, request: Request) -> str:
    return str(request.auth.pk)


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
        usage = get_usage(
            request, group="api-burst", key=_api_key_id, rate=f"{limit}/m", increment=True
        )
        if usage is None:
            return True
        self.seconds_left = max(1, usage["time_left"])
        return not usage["should_limit"]

    def wait(self) -> int:
        return self.seconds_left
