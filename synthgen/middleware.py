"""Request ids on every response, the client's address behind our proxy, and the JSON envelope
for whatever reaches /api/ outside DRF."""

import ipaddress
import logging
import uuid
from collections.abc import Callable
from typing import cast

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from rest_framework.request import Request

from synthgen.errors import (
    OUTAGES,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
    api_error,
    error_response,
)

logger = logging.getLogger("synthgen.pages")

Handler = Callable[[HttpRequest], HttpResponse]


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class IdentifiedRequest(HttpRequest):
    """A request once RequestIdMiddleware has seen it: it carries the id of its response."""

    request_id: str


def request_id(request: HttpRequest | Request) -> str:
    """The id RequestIdMiddleware gave this request (a DRF Request wraps Django's)."""
    django_request = request._request if isinstance(request, Request) else request
    return cast(IdentifiedRequest, django_request).request_id


class RequestIdMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        identified = cast(IdentifiedRequest, request)
        identified.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = identified.request_id
        return response


class ClientAddressMiddleware:
    """Behind nginx every request comes from nginx's address; nginx passes the client's in
    X-Real-IP (deploy/nginx.conf). Believed only from a proxy in TRUSTED_PROXIES, so the
    per-address limits count clients, not the proxy, and nobody else can pick an address."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        client = request.META.get("HTTP_X_REAL_IP", "").strip()
        if request.META.get("REMOTE_ADDR") in settings.TRUSTED_PROXIES and _is_address(client):
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def client_address(request: HttpRequest) -> str:
    """The address the per-address limits count (django-ratelimit's RATELIMIT_IP_META_KEY).
    A request that names none, or no valid one (a Unix socket without a proxy in front), counts
    in one shared bucket rather than failing."""
    address = request.META.get("REMOTE_ADDR", "")
    return address if _is_address(address) else "0.0.0.0"


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ApiErrorMiddleware:
    """Django's own 404/405 pages and unhandled exceptions become the envelope under /api/; on
    the pages, an outage of the database, the cache or the queue is a 503 page, not a 500."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return error_response(NotFound())
        if response.status_code == 405:
            return error_response(MethodNotAllowed())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api(request):
            return error_response(api_error(request, exception))
        if not isinstance(exception, OUTAGES):
            return None
        logger.warning("Service unavailable on %s %s: %r", request.method, request.path, exception)
        retry_after = ServiceUnavailable().headers["Retry-After"]
        # Without the request: its user may live in the database that just went away.
        page = render_to_string("unavailable.html", {"retry_after": retry_after})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = retry_after
        return response


# What a response or view sets to make its own policy (django-csp's decorators).
OWN_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
    "_csp_replace_ro", "_csp_exempt", "_csp_exempt_ro",
)  # fmt: skip


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the settings' policy built once rather than on every
    response (twice: the policy and the report-only one), 0.08 ms of CPU on each, a charged
    API request's included. A response that makes its own policy (a nonce, django-csp's view
    decorators), a report-only policy or excluded prefixes in the settings, and DEBUG's error
    pages take django-csp's own path; a change to the settings builds the policy anew."""

    def __init__(self, get_response: Handler) -> None:
        super().__init__(get_response)
        self._built: tuple[int, str] | None = None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        own = getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) for name in OWN_POLICY
        )
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if own or debug_page or report_only or config.get("EXCLUDE_URL_PREFIXES"):
            return super().process_response(request, response)
        if self._built is None or self._built[0] != id(config):
            self._built = (id(config), build_policy())
        if self._built[1] and CSP_HEADER not in response:
            response[CSP_HEADER] = self._built[1]
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
