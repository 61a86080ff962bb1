"""The webhooks API and the events in the OpenAPI description (registered by WebhooksConfig).

OpenAPI 3.0 has no place for callbacks sent without a request, so the events are components:
`WebhookEvent` (one of the event types, by `type`), each delivery's `event` refers to it.
"""

import json
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from accounts.webhooks.models import SUBSCRIBABLE, EventType
from synthgen.schema import ACCOUNT_SCHEMA, DATE_TIME, INTEGER, STRING, job_schema

TAGS = ["Webhooks"]
NULLABLE_DATE_TIME = {**DATE_TIME, "nullable": True}
NULLABLE_STRING = {"type": "string", "nullable": True}
UUID = {"type": "string", "format": "uuid"}
ENDPOINT_ID = OpenApiParameter("endpoint_id", UUID, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", UUID, OpenApiParameter.PATH)
FREE = "Free, and not counted toward the daily limit."


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


ENDPOINT = {
    "type": "object",
    "required": ["id", "url", "events", "enabled", "createdAt"],
    "properties": {
        "id": UUID,
        "url": {"type": "string", "format": "uri"},
        "description": STRING,
        "events": {"type": "array", "items": {"type": "string", "enum": SUBSCRIBABLE}},
        "enabled": {"type": "boolean"},
        "disabledReason": {**NULLABLE_STRING, "description": "Why it was disabled."},
        "failingSince": {
            **NULLABLE_DATE_TIME,
            "description": "The first failed attempt since the last success.",
        },
        "createdAt": DATE_TIME,
        "updatedAt": DATE_TIME,
        "secret": {
            "type": "string",
            "pattern": "^whsec_",
            "description": "Only in the answers that create or rotate it: keep it, it is "
            "never shown again.",
        },
    },
}
API_KEY = {
    "type": "object",
    "required": ["prefix", "name", "createdAt"],
    "properties": {
        "prefix": {"type": "string", "description": "The key's identifying start; never more."},
        "name": STRING,
        "createdAt": DATE_TIME,
        "lastUsedAt": NULLABLE_DATE_TIME,
        "revokedAt": NULLABLE_DATE_TIME,
        "expiresAt": NULLABLE_DATE_TIME,
    },
}
ATTEMPT = {
    "type": "object",
    "required": ["number", "startedAt", "durationMs", "succeeded"],
    "properties": {
        "number": INTEGER,
        "manual": {"type": "boolean", "description": "A redelivery you asked for."},
        "startedAt": DATE_TIME,
        "durationMs": INTEGER,
        "statusCode": {"type": "integer", "nullable": True, "description": "null: no answer."},
        "succeeded": {"type": "boolean", "description": "A 2xx answer."},
        "error": {**NULLABLE_STRING, "description": "A timeout, a refused address, a redirect."},
        "response": {"type": "string", "description": "The first 2 KB of the answer."},
    },
}
DELIVERY = {
    "type": "object",
    "required": ["id", "endpointId", "eventId", "eventType", "status", "attempts"],
    "properties": {
        "id": UUID,
        "endpointId": UUID,
        "eventId": {"type": "string", "description": "The webhook-id header of every attempt."},
        "eventType": {"type": "string", "enum": EventType.values},
        "status": {"type": "string", "enum": ["pending", "succeeded", "failed"]},
        "attemptCount": INTEGER,
        "nextAttemptAt": NULLABLE_DATE_TIME,
        "createdAt": DATE_TIME,
        "finishedAt": NULLABLE_DATE_TIME,
        "event": _ref("WebhookEvent"),
        "attempts": {"type": "array", "items": _ref("WebhookAttempt")},
    },
}


def _event(types: list[str], data: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["id", "type", "timestamp", "data"],
        "properties": {
            "id": {"type": "string", "description": "Also the webhook-id header."},
            "type": {"type": "string", "enum": types},
            "timestamp": DATE_TIME,
            "data": data,
        },
    }


def event_schemas() -> dict[str, dict[str, Any]]:
    """The events as components: what a receiver gets in the body of each POST."""
    jobs = [
        EventType.JOB_SUCCEEDED.value,
        EventType.JOB_FAILED.value,
        EventType.JOB_CANCELLED.value,
    ]
    events = {
        "JobEvent": (jobs, job_schema(), "The job as GET /api/jobs/{id} shows it."),
        "CreditsLowEvent": (
            [EventType.CREDITS_LOW.value],
            ACCOUNT_SCHEMA["properties"]["data"],
            "The account as GET /api/account shows it (apiKey is null).",
        ),
        "KeyRevokedEvent": (
            [EventType.KEY_REVOKED.value],
            _ref("ApiKeySummary"),
            "The key as the portal lists it.",
        ),
        "TestEvent": ([EventType.TEST.value], _ref("WebhookEndpoint"), "The endpoint it went to."),
    }
    mapping = {
        kind: f"#/components/schemas/{name}"
        for name, (kinds, _, _) in events.items()
        for kind in kinds
    }
    return {
        **{name: _event(*spec) for name, spec in events.items()},
        "WebhookEvent": {
            "oneOf": [_ref(name) for name in events],
            "discriminator": {"propertyName": "type", "mapping": mapping},
        },
        "WebhookEndpoint": ENDPOINT,
        "WebhookDelivery": DELIVERY,
        "WebhookAttempt": ATTEMPT,
        "ApiKeySummary": API_KEY,
    }


def add_event_schemas(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """A postprocessing hook: the components the webhook operations refer to."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(event_schemas())
    return result


def _answer(data: dict[str, Any], description: str) -> OpenApiResponse:
    """`{"success": true, "data": ...}`, the API's envelope of a free operation."""
    envelope = {
        "type": "object",
        "required": ["success", "data"],
        "properties": {"success": {"type": "boolean", "enum": [True]}, "data": data},
    }
    return OpenApiResponse(envelope, description)


ONE_ENDPOINT = _answer(_ref("WebhookEndpoint"), "The endpoint")
ONE_DELIVERY = _answer(_ref("WebhookDelivery"), "The delivery")
SENDS = (
    " Queued at once and sent in the background: poll the delivery, or watch the log in the "
    "portal. Under the plan's per-key burst limit."
)


class WebhooksViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.WebhooksView"

    def view_replacement(self) -> type[APIView]:
        from accounts.webhooks.serializers import WebhookEndpointRequestSerializer

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="list_webhooks",
                summary="Your webhook endpoints",
                description=FREE,
                tags=TAGS,
                responses={
                    200: _answer({"type": "array", "items": _ref("WebhookEndpoint")}, "Them")
                },
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

            @extend_schema(
                operation_id="create_webhook",
                summary="Add an endpoint; the answer holds its signing secret, once",
                description="The URL must be https:// on a public address. " + FREE,
                tags=TAGS,
                request=WebhookEndpointRequestSerializer,
                responses={201: ONE_ENDPOINT},
            )
            def post(self, *args: Any, **kwargs: Any) -> Any:
                return super().post(*args, **kwargs)

        return Described


class WebhookViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.WebhookView"

    def view_replacement(self) -> type[APIView]:
        from accounts.webhooks.serializers import WebhookEndpointRequestSerializer

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="get_webhook",
                summary="One endpoint",
                tags=TAGS,
                parameters=[ENDPOINT_ID],
                responses={200: ONE_ENDPOINT},
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

            @extend_schema(
                operation_id="update_webhook",
                summary="Change an endpoint's URL, events, description or enabled",
                description="Enabling a disabled endpoint starts its failure count afresh; "
                "disabling it fails what was still waiting to be delivered.",
                tags=TAGS,
                parameters=[ENDPOINT_ID],
                request=WebhookEndpointRequestSerializer(partial=True),
                responses={200: ONE_ENDPOINT},
            )
            def patch(self, *args: Any, **kwargs: Any) -> Any:
                return super().patch(*args, **kwargs)

            @extend_schema(
                operation_id="delete_webhook",
                summary="Delete an endpoint and its delivery log",
                tags=TAGS,
                parameters=[ENDPOINT_ID],
                responses={200: _answer(_ref("WebhookEndpoint"), "What was deleted")},
            )
            def delete(self, *args: Any, **kwargs: Any) -> Any:
                return super().delete(*args, **kwargs)

        return Described


class RotateSecretViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.RotateSecretView"

    def view_replacement(self) -> type[APIView]:
        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="rotate_webhook_secret",
                summary="A new signing secret, in this answer only",
                description="For 24 hours the old secret signs too: every event carries both "
                "signatures in webhook-signature, so receivers can switch without a gap.",
                tags=TAGS,
                parameters=[ENDPOINT_ID],
                request=None,
                responses={200: _answer(_ref("WebhookEndpoint"), "The endpoint, with `secret`")},
            )
            def post(self, *args: Any, **kwargs: Any) -> Any:
                return super().post(*args, **kwargs)

        return Described


class TestEventViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.TestEventView"

    def view_replacement(self) -> type[APIView]:
        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="send_webhook_test",
                summary="Send a webhook.test event to this endpoint",
                description="Whatever events it subscribes to." + SENDS,
                tags=TAGS,
                parameters=[ENDPOINT_ID],
                request=None,
                responses={202: ONE_DELIVERY},
            )
            def post(self, *args: Any, **kwargs: Any) -> Any:
                return super().post(*args, **kwargs)

        return Described


class DeliveriesViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.DeliveriesView"

    def view_replacement(self) -> type[APIView]:
        from generators.jobs_api import LIST_LIMIT

        limit = OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT, "default": 20},
            OpenApiParameter.QUERY,
            description="How many deliveries to list.",
        )

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="list_webhook_deliveries",
                summary="What was sent to this endpoint, newest first, with every attempt",
                tags=TAGS,
                parameters=[ENDPOINT_ID, limit],
                responses={
                    200: _answer({"type": "array", "items": _ref("WebhookDelivery")}, "Them")
                },
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

        return Described


class DeliveryViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.DeliveryView"

    def view_replacement(self) -> type[APIView]:
        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="get_webhook_delivery",
                summary="One delivery and its attempts",
                tags=TAGS,
                parameters=[ENDPOINT_ID, DELIVERY_ID],
                responses={200: ONE_DELIVERY},
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

        return Described


class RedeliverViewSchema(OpenApiViewExtension):
    target_class = "accounts.webhooks.api.RedeliverView"

    def view_replacement(self) -> type[APIView]:
        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="redeliver_webhook_delivery",
                summary="Send a delivery again, as the same message",
                description="Same body and webhook-id: a receiver that already processed it "
                "can ignore it. A finished delivery gets one more attempt; a pending one its "
                "next attempt now." + SENDS,
                tags=TAGS,
                parameters=[ENDPOINT_ID, DELIVERY_ID],
                request=None,
                responses={202: ONE_DELIVERY},
            )
            def post(self, *args: Any, **kwargs: Any) -> Any:
                return super().post(*args, **kwargs)

        return Described


# The example on /docs/ (a test checks it fits WebhookEvent).
EVENT_EXAMPLE: dict[str, Any] = {
    "id": "evt_5f2c0d9e8a7b6c5d4e3f2a1b",
    "type": "credits.low",
    "timestamp": "2024-01-15T10:30:00Z",
    "data": {
        "email": "dev@example.com",
        "name": "Example Developer",
        "tier": "basic",
        "tierName": "Basic",
        "dailyRequestLimit": 100,
        "requestsToday": 42,
        "remainingCredits": 95,
        "lowCreditThreshold": 100,
        "apiKey": None,
    },
}


def docs_facts() -> dict[str, Any]:
    """What /docs/ says about webhooks, from the code and settings that decide it."""
    from accounts.webhooks import services

    return {
        "events": [(kind.value, kind.label) for kind in EventType],
        "example": json.dumps(EVENT_EXAMPLE, indent=2),
        "timeout": f"{settings.WEBHOOKS_TIMEOUT:g}",
        "schedule": services.describe_schedule(),
        "attempts": len(settings.WEBHOOKS_RETRY_SCHEDULE) + 1,
        "disable_after": services.describe_duration(settings.WEBHOOKS_DISABLE_AFTER),
        "max_endpoints": services.MAX_ENDPOINTS,
        "log_days": settings.WEBHOOKS_LOG_DAYS,
    }
