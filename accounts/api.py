"""The account endpoint of the API."""

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_account, authenticated_key
from billing.services import requests_today


class AccountView(APIView):
    def get(self, request: Request) -> Response:
        account = authenticated_account(request)
        tier = account.tier
        data = {
            "email": account.email,
            "name": account.name,
            "tier": tier.slug,
            "tierName": tier.name,
            "dailyRequestLimit": tier.daily_request_limit,
            "requestsToday": requests_today(account),
            "remainingCredits": account.balance,
            "apiKey": authenticated_key(request).prefix,
        }
        return Response({"success": True, "data": data})
