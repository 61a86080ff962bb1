"""The API's error envelope: every failure under /api/ becomes one JSON shape, built here only."""

import logging
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger("synthgen.api")


class ApiError(Exception):
    """A failure with its HTTP status, machine code and human sentence."""

    status = 400
    code = "BAD_REQUEST"
    message = "The request could not be processed"

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.extra = extra
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        return {"success": False, "error": self.message, "code": self.code, **self.extra}


class BadRequest(ApiError):
    status, code, message = 400, "BAD_REQUEST", "The request is malformed"


class Unauthorized(ApiError):
    status, code, message = 401, "UNAUTHORIZED", "Invalid or missing API key"

    def __init__(self) -> None:
        super().__init__()
        self.headers["WWW-Authenticate"] = 'Bearer realm="api"'


class AccountSuspended(ApiError):
    status, code = 403, "ACCOUNT_SUSPENDED"
    message = "This account is suspended; contact support to restore access"


class Forbidden(ApiError):
    status, code, message = 403, "FORBIDDEN", "You do not have permission to do this"


class PaymentRequired(ApiError):
    status, code = 402, "INSUFFICIENT_CREDITS"

    def __init__(self, *, required: int, remaining: int) -> None:
        super().__init__(
            f"This request needs {required} credits and the account has {remaining}",
            requiredCredits=required,
            remainingCredits=remaining,
        )


class InvalidParameters(ApiError):
    status, code, message = 400, "INVALID_PARAMETERS", "Invalid request parameters"

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__(details=details)


class InvalidJson(ApiError):
    status, code = 400, "INVALID_JSON"
    message = "The request body must be a JSON object"


class PayloadTooLarge(ApiError):
    status, code = 413, "PAYLOAD_TOO_LARGE"

    def __init__(self, limit: int | None = None) -> None:
        limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body must be at most {limit:,} bytes", maxBytes=limit)


class NotFound(ApiError):
    status, code, message = 404, "NOT_FOUND", "No such endpoint or resource"


class MethodNotAllowed(ApiError):
    status, code, message = 405, "METHOD_NOT_ALLOWED", "This method is not allowed here"


class RateLimitExceeded(ApiError):
    status, code, message = 429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, retryAfter=retry_after)
        self.headers["Retry-After"] = str(retry_after)


class IdempotencyInProgress(ApiError):
    status, code = 409, "IDEMPOTENCY_IN_PROGRESS"
    message = "A request with this Idempotency-Key is still being processed; retry shortly"

    def __init__(self) -> None:
        super().__init__()
        self.headers["Retry-After"] = "1"


class IdempotencyKeyReused(ApiError):
    status, code = 422, "IDEMPOTENCY_KEY_REUSED"
    message = "This Idempotency-Key was already used with a different request"


class ServiceUnavailable(ApiError):
    """The database, the cache or the queue went away for a moment: the request costs nothing."""

    status, code = 503, "SERVICE_UNAVAILABLE"
    message = (
        "SynthGen is briefly unavailable and this request costs nothing; retry after retryAfter "
        "seconds"
    )

    def __init__(self, retry_after: int = 5, message: str | None = None) -> None:
        super().__init__(message, retryAfter=retry_after)
        self.headers["Retry-After"] = str(retry_after)


# A server we depend on refused or dropped us (a database deadlock or lock timeout included):
# a moment's outage, not a bug, so the client is told to retry rather than given a 500.
OUTAGES = (
    DatabaseOperationalError,
    DatabaseInterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


class WebhookLimitReached(ApiError):
    status, code = 409, "WEBHOOK_LIMIT_REACHED"
    message = "The account already has as many webhook endpoints as it may"


class WebhookDisabled(ApiError):
    status, code = 409, "WEBHOOK_DISABLED"
    message = "This webhook endpoint is disabled; enable it first"


class InternalError(ApiError):
    status, code = 500, "INTERNAL_ERROR"
    message = "Something went wrong on our side; quote the requestId if you contact us"

    def __init__(self, request_id: str) -> None:
        super().__init__(requestId=request_id)


def flatten_details(detail: Any) -> dict[str, str]:
    """DRF's nested error lists become one readable message per field."""
    if not isinstance(detail, dict):
        return {"non_field_errors": _first_message(detail)}
    return {str(field): _first_message(errors) for field, errors in detail.items()}


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {_first_message(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_first_message(error) for error in errors)
    return str(errors)


def from_drf(exc: Exception) -> ApiError | None:
    """Translate DRF's and Django's own exceptions into our envelope."""
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return Unauthorized()
    if isinstance(exc, drf.ValidationError):
        return InvalidParameters(flatten_details(exc.detail))
    if isinstance(exc, drf.ParseError):
        return InvalidJson(str(exc.detail))  # synthgen.bodies.JsonParser's own sentence
    if isinstance(exc, drf.UnsupportedMediaType):
        return InvalidJson()
    if isinstance(exc, drf.MethodNotAllowed):
        return MethodNotAllowed()
    if isinstance(exc, drf.NotFound | Http404):
        return NotFound()
    if isinstance(exc, drf.Throttled):
        # Throttled sets `wait` in its __init__; the stubs leave the attribute out.
        return RateLimitExceeded(int(exc.wait or 1))  # type: ignore[attr-defined]
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return Forbidden()
    return None


def from_domain(exc: Exception) -> ApiError | None:
    """Translate the services' domain failures (they know nothing of HTTP)."""
    from accounts.webhooks.services import EndpointDisabled, EndpointLimitReached
    from billing import idempotency
    from billing.services import DailyLimitReached, InsufficientCredits
    from generators.jobs import QueueUnavailable

    if isinstance(exc, QueueUnavailable):
        return ServiceUnavailable(
            message="Bulk jobs cannot be queued right now and nothing was charged; "
            "retry after retryAfter seconds"
        )
    if isinstance(exc, idempotency.IdempotencyInProgress):
        return IdempotencyInProgress()
    if isinstance(exc, idempotency.IdempotencyKeyReused):
        return IdempotencyKeyReused()
    if isinstance(exc, InsufficientCredits):
        return PaymentRequired(required=exc.required, remaining=exc.remaining)
    if isinstance(exc, DailyLimitReached):
        return RateLimitExceeded(
            exc.retry_after, f"Daily request limit of {exc.limit} reached; it resets at 00:00 UTC"
        )
    if isinstance(exc, EndpointLimitReached):
        return WebhookLimitReached(f"An account may have at most {exc.limit} webhook endpoints")
    if isinstance(exc, EndpointDisabled):
        return WebhookDisabled()
    return None


def error_response(error: ApiError) -> JsonResponse:
    """The envelope for an error raised outside DRF, written as compactly as DRF writes it."""
    response = JsonResponse(
        error.body(), status=error.status, json_dumps_params={"separators": (",", ":")}
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def internal_error(request: HttpRequest, exc: BaseException) -> ApiError:
    """Log the traceback with the request id; the client sees only the id. An outage of a
    server we depend on is logged as a warning, without the traceback, and answered 503."""
    request_id = getattr(request, "request_id", "-")
    if isinstance(exc, OUTAGES):
        logger.warning(
            "Service unavailable on %s %s [request %s]: %s: %s",
            request.method,
            request.path,
            request_id,
            type(exc).__name__,
            exc,
        )
        return ServiceUnavailable()
    logger.error(
        "Unhandled error on %s %s [request %s]",
        request.method,
        request.path,
        request_id,
        exc_info=exc,
    )
    return InternalError(request_id)


def api_error(request: HttpRequest, exc: BaseException) -> ApiError:
    """Any exception as an envelope error: ours as raised; DRF's, Django's and the services'
    translated; anything else a 500 (a 503 for an outage)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Exception):
        error = from_drf(exc) or from_domain(exc)
        if error is not None:
            return error
    return internal_error(request, exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: the one place API exceptions become responses."""
    error = api_error(context["request"]._request, exc)
    return Response(error.body(), status=error.status, headers=error.headers)
