"""Request ids on every response, the client's address behind our proxy, and the JSON envelope
for whatever reaches /api/ outside DRF."""

import ipaddress
import logging
import uuid
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
