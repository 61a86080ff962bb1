"""The API's error envelope as exceptions: one SynthGenError subclass per error code."""

from collections.abc import Mapping
from typing import Any


class SynthGenError(Exception):
    """An error answer of the API (or no answer at all), with its whole envelope.

    `code` is the API's machine code (`INSUFFICIENT_CREDITS`, ...), `message` its human
    sentence (`error` in the body), `details` the per-field messages of a 400, `request_id`
    the id to quote to support, `body` the envelope as sent, unknown fields included.
    """

    status: int | None = None
    code: str = "UNKNOWN_ERROR"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.body: dict[str, Any] = dict(body or {})
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def details(self) -> dict[str, str]:
        return dict(self.body.get("details") or {})

    @property
    def request_id(self) -> str | None:
        return self.body.get("requestId") or self.headers.get("x-request-id")

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait: its Retry-After header, else `retryAfter`."""
        for value in (self.headers.get("retry-after"), self.body.get("retryAfter")):
            try:
                return max(0.0, float(value)) if value is not None else None
            except (TypeError, ValueError):
                continue
        return None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.status else self.message


class SynthGenConnectionError(SynthGenError):
    """The server could not be reached, or the connection broke before an answer."""

    code = "CONNECTION_ERROR"


class BadRequestError(SynthGenError):
    status, code = 400, "BAD_REQUEST"


class InvalidParametersError(BadRequestError):
    code = "INVALID_PARAMETERS"


class InvalidJsonError(BadRequestError):
    code = "INVALID_JSON"


class UnauthorizedError(SynthGenError):
    status, code = 401, "UNAUTHORIZED"


class InsufficientCreditsError(SynthGenError):
    status, code = 402, "INSUFFICIENT_CREDITS"

    @property
    def required_credits(self) -> int | None:
        return self.body.get("requiredCredits")

    @property
    def remaining_credits(self) -> int | None:
        return self.body.get("remainingCredits")


class AccountSuspendedError(SynthGenError):
    status, code = 403, "ACCOUNT_SUSPENDED"


class ForbiddenError(SynthGenError):
    status, code = 403, "FORBIDDEN"


class NotFoundError(SynthGenError):
    status, code = 404, "NOT_FOUND"


class MethodNotAllowedError(SynthGenError):
    status, code = 405, "METHOD_NOT_ALLOWED"


class ConflictError(SynthGenError):
    status = 409


class IdempotencyInProgressError(ConflictError):
    code = "IDEMPOTENCY_IN_PROGRESS"


class JobNotReadyError(ConflictError):
    code = "JOB_NOT_READY"


class JobFinishedError(ConflictError):
    code = "JOB_FINISHED"


class WebhookLimitReachedError(ConflictError):
    code = "WEBHOOK_LIMIT_REACHED"


class WebhookDisabledError(ConflictError):
    code = "WEBHOOK_DISABLED"


class JobExpiredError(SynthGenError):
    status, code = 410, "JOB_EXPIRED"


class PayloadTooLargeError(SynthGenError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class IdempotencyKeyReusedError(SynthGenError):
    status, code = 422, "IDEMPOTENCY_KEY_REUSED"


class RateLimitError(SynthGenError):
    status, code = 429, "RATE_LIMIT_EXCEEDED"


class ServerError(SynthGenError):
    """A 5xx: nothing was charged."""

    status = 500


class InternalServerError(ServerError):
    code = "INTERNAL_ERROR"


class ServiceUnavailableError(ServerError):
    status, code = 503, "SERVICE_UNAVAILABLE"


def _leaf_classes(base: type[SynthGenError]) -> list[type[SynthGenError]]:
    found = []
    for subclass in base.__subclasses__():
        found.append(subclass)
        found.extend(_leaf_classes(subclass))
    return found


ERRORS_BY_CODE: dict[str, type[SynthGenError]] = {
    error.code: error for error in _leaf_classes(SynthGenError) if "code" in vars(error)
}


def error_from_answer(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str]
) -> SynthGenError:
    """The exception for an error answer: the class of its code, else of its status."""
    code = body.get("code")
    message = body.get("error") or f"the server answered HTTP {status}"
    cls = ERRORS_BY_CODE.get(code) if isinstance(code, str) else None
    if cls is None:
        cls = ServerError if status >= 500 else SynthGenError
    return cls(
        str(message),
        status=status,
        code=code if isinstance(code, str) else None,
        body=body,
        headers={name.lower(): value for name, value in headers.items()},
    )
