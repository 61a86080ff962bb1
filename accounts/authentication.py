"""DRF authentication for `Authorization: Bearer <key>`; every failure is a 401, and past
API_KEY_FAILURE_RATE failures from one address a 429 (a correct key still passes)."""

from typing import TYPE_CHECKING, cast

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Account, ApiKey
from accounts.services import authenticate_key
from billing.throttles import failed_key_check_wait
from synthgen.errors import AccountSuspended, RateLimitExceeded, Unauthorized

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings
    from rest_framework.views import APIView


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Account, ApiKey] | None:
        header = get_authorization_header(request).decode("latin-1").split()
        if not header:
            return None
        api_key = None
        if len(header) == 2 and header[0].lower() == "bearer":
            api_key = authenticate_key(header[1])
        if api_key is None:
            raise self.refusal(request)
        if api_key.account.is_suspended:
            raise AccountSuspended
        return api_key.account, api_key

    def refusal(self, request: Request) -> Unauthorized | RateLimitExceeded:
        """A 401, counted against the address; once it has failed too often, a 429. Only
        failures reach this, so a correct key from a busy address always passes."""
        wait = failed_key_check_wait(request)
        if wait is None:
            return Unauthorized()
        return RateLimitExceeded(wait, "Too many failed API key checks from this address")

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class HasApiKey(BasePermission):
    """Only requests that presented a valid key."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return isinstance(request.auth, ApiKey)


# DRF types `request.user` as Django's user model and `request.auth` as its Token; behind
# HasApiKey (the API's default permission) they are always our Account and ApiKey.
def authenticated_account(request: Request) -> Account:
    """The account whose API key authenticated this request."""
    return cast(Account, request.user)


def authenticated_key(request: Request) -> ApiKey:
    """The API key that authenticated this request."""
    return cast(ApiKey, request.auth)
