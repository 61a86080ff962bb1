"""Request ids on every response, the client's address behind our proxy, and the JSON envelope
for whatever reaches /api/ outside DRF."""

import ipaddress
import uuid
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.request import Request

from synthgen.errors import MethodNotAllowed, NotFound, error_response, internal_error

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


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ApiErrorMiddleware:
    """Django's own 404/405 pages and unhandled exceptions become the envelope under /api/."""

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
        if not is_api(request):
            return None
        if isinstance(exception, Http404):
            return error_response(NotFound())
        return error_response(internal_error(request, exception))
