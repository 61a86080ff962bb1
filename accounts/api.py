"""The account endpoint of the API, and how the API shows an account and a key."""

import datetime as dt
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_account, authenticated_key
from accounts.models import Account, ApiKey
from accounts.services import set_low_credit_threshold
from billing.services import requests_today
from generators.api import json_object
from generators.serializers import StrictSerializer, WholeNumberField

MAX_THRESHOLD = 10_000_000


def iso_utc(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def account_body(account: Account, api_key: ApiKey | None) -> dict[str, Any]:
    """The account as GET /api/account shows it; `apiKey` is the prefix of the key that
    asked (None in a webhook event, which no key asked for)."""
    tier = account.tier
    return {
        "email": account.email,
        "name": account.name,
        "tier": tier.slug,
        "tierName": tier.name,
        "dailyRequestLimit": tier.daily_request_limit,
        "requestsToday": requests_today(account),
        "remainingCredits": account.balance,
        "lowCreditThreshold": account.low_credit_threshold,
        "apiKey": api_key.prefix if api_key else None,
    }


def key_body(api_key: ApiKey) -> dict[str, Any]:
    """What the portal shows of a key: never its secret, which nobody keeps."""
    return {
        "prefix": api_key.prefix,
        "name": api_key.name,
        "createdAt": iso_utc(api_key.created_at),
        "lastUsedAt": iso_utc(api_key.last_used_at),
        "revokedAt": iso_utc(api_key.revoked_at),
        "expiresAt": iso_utc(api_key.expires_at),
    }


class AccountChangeRequestSerializer(StrictSerializer):
    """What PATCH /api/account may change; a field left out stays as it is."""

    lowCreditThreshold = WholeNumberField(
        low=1, high=MAX_THRESHOLD, allow_null=True, required=False
    )


def current_account(request: Request) -> Account:
    """The authenticated account with its balance as it is now: the key's check may have come
    from the cache (accounts.key_cache), whose copy of the account holds an older one."""
    account = authenticated_account(request)
    account.refresh_from_db(fields=["balance"])
    return account


class AccountView(APIView):
    def get(self, request: Request) -> Response:
        account = current_account(request)
        return Response(
            {"success": True, "data": account_body(account, authenticated_key(request))}
        )

    def patch(self, request: Request) -> Response:
        serializer = AccountChangeRequestSerializer(data=json_object(request))
        serializer.is_valid(raise_exception=True)
        account = current_account(request)
        if "lowCreditThreshold" in serializer.validated_data:
            account = set_low_credit_threshold(
                account=account, threshold=serializer.validated_data["lowCreditThreshold"]
            )
        return Response(
            {"success": True, "data": account_body(account, authenticated_key(request))}
        )
