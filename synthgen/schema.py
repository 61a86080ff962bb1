"""The OpenAPI description: the Bearer scheme, the error envelope on every operation, examples."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from synthgen import errors

ERROR_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "BearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "sg_live_ key",
            "description": "`Authorization: Bearer <your API key>`. Keys start with `sg_live_`.",
        }


def _error_classes() -> list[type[errors.ApiError]]:
    found, pending = [], list(errors.ApiError.__subclasses__())
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def error_examples() -> dict[int, dict[str, dict[str, Any]]]:
    """Each error's body exactly as the API builds it, grouped by status and keyed by code."""
    samples: list[errors.ApiError] = [
        errors.InvalidParameters({"productType": "Must be one of: mobile_app, web_app, ecommerce"}),
        errors.InvalidJson(),
        errors.Unauthorized(),
        errors.PaymentRequired(required=10, remaining=4),
        errors.AccountSuspended(),
        errors.NotFound(),
        errors.RateLimitExceeded(3600),
        errors.InternalError("3f2a9c0e8b7d4c41a5e6f0b1c2d3e4f5"),
    ]
    known = {sample.code for sample in samples}
    for cls in _error_classes():
        if cls.code in known or cls.status not in ERROR_STATUS_TEXT:
            continue
        try:
            samples.append(cls())
        except TypeError:
            continue
        known.add(cls.code)
    grouped: dict[int, dict[str, dict[str, Any]]] = {}
    for sample in samples:
        grouped.setdefault(sample.status, {})[sample.code] = {
            "summary": sample.code,
            "value": sample.body(),
        }
    return grouped


def error_envelope() -> dict[str, Any]:
    codes = sorted({cls.code for cls in _error_classes()})
    return {
        "type": "object",
        "description": "Every failure under /api/ answers this shape, never HTML.",
        "required": ["success", "error", "code"],
        "properties": {
            "success": {"type": "boolean", "enum": [False]},
            "error": {"type": "string", "description": "A human sentence."},
            "code": {"type": "string", "enum": codes, "description": "A machine code."},
            "details": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "INVALID_PARAMETERS: a message for every bad field.",
            },
            "retryAfter": {
                "type": "integer",
                "description": "RATE_LIMIT_EXCEEDED: seconds until you may retry "
                "(also in the Retry-After header).",
            },
            "requiredCredits": {"type": "integer", "description": "INSUFFICIENT_CREDITS."},
            "remainingCredits": {"type": "integer", "description": "INSUFFICIENT_CREDITS."},
            "requestId": {"type": "string", "description": "INTERNAL_ERROR: quote it to us."},
        },
    }


def _statuses_for(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    statuses = [500]
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if method == "post":
        statuses += [400, 402, 409, 422, 429]
    return sorted(statuses)


def add_error_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """A postprocessing hook: the envelope's schema, and each error an operation can answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = (
        error_envelope()
    )
    examples = error_examples()
    reference = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses_for(path, method, operation):
                content = {"schema": reference}
                if examples.get(status):
                    content["examples"] = examples[status]
                responses.setdefault(
                    str(status),
                    {
                        "description": ERROR_STATUS_TEXT[status],
                        "content": {"application/json": content},
                    },
                )
    return result


SCHEMA_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "synthgen.schema.add_error_responses",
    ],
}


class SchemaView(SpectacularAPIView):
    authentication_classes: list[type] = []
    custom_settings = SCHEMA_SETTINGS


class SwaggerView(SpectacularSwaggerView):
    authentication_classes: list[type] = []
    title = "SynthGen API reference"
