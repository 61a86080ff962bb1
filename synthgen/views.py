"""Pages that belong to the whole product rather than to one app: the documentation."""

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import serializers

from billing.models import Tier
from billing.prices import PRICES
from generators.serializers import (
    FeedbackRequestSerializer,
    InterviewRequestSerializer,
    TicketRequestSerializer,
    WholeNumberField,
)
from synthgen import schema
from webhooks.schema import docs_facts

# When each error happens, in the words of the documentation page.
ERROR_WHEN = {
    "INVALID_PARAMETERS": "A field is missing or wrong; details names every bad field at once.",
    "INVALID_JSON": "The body is not a JSON object.",
    "UNAUTHORIZED": "The key is missing, malformed, unknown or revoked.",
    "INSUFFICIENT_CREDITS": "Not enough credits; requiredCredits and remainingCredits say "
    "how many. Nothing is charged.",
    "ACCOUNT_SUSPENDED": "The account is suspended.",
    "FORBIDDEN": "The key may not do this.",
    "NOT_FOUND": "No such path or resource.",
    "METHOD_NOT_ALLOWED": "The path exists but not with this method.",
    "IDEMPOTENCY_IN_PROGRESS": "A request with the same Idempotency-Key is still running; "
    "retry in a second.",
    "IDEMPOTENCY_KEY_REUSED": "The Idempotency-Key was already used with a different body.",
    "JOB_NOT_READY": "The bulk job has no file yet.",
    "JOB_FINISHED": "The bulk job already finished and cannot be cancelled.",
    "JOB_EXPIRED": "The bulk job's file was deleted 7 days after it finished.",
    "WEBHOOK_LIMIT_REACHED": "The account already has as many webhook endpoints as it may.",
    "WEBHOOK_DISABLED": "The webhook endpoint is disabled; enable it before sending to it.",
    "RATE_LIMIT_EXCEEDED": "The plan's daily limit (or the per-minute burst limit) is reached; "
    "retry after retryAfter seconds.",
    "INTERNAL_ERROR": "Our fault, never yours: quote the requestId if you write to us.",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    description: str
    allowed: str
    default: str


@dataclass(frozen=True)
class Endpoint:
    slug: str
    path: str
    summary: str
    price: str
    parameters: list[Parameter]
    request: str
    response: str


def _allowed(field: serializers.Field) -> str:
    if isinstance(field, serializers.ChoiceField):
        return "One of: " + ", ".join(field.choices)
    if isinstance(field, WholeNumberField):
        return f"From {field.low} to {field.high}"
    return ""


def _type(field: serializers.Field) -> str:
    if isinstance(field, WholeNumberField):
        return "integer"
    if isinstance(field, serializers.DateField):
        return "string (date)"
    return "string"


def parameters(serializer_class: type[serializers.Serializer]) -> list[Parameter]:
    """The parameter table from the serializer the endpoint validates with: it cannot drift."""
    fields = serializer_class().fields.items()
    rows = [
        Parameter(
            name=name,
            type=_type(field),
            required=field.required,
            description=schema.FIELD_DESCRIPTIONS.get(name, ""),
            allowed=_allowed(field),
            default="" if field.default is serializers.empty else str(field.default),
        )
        for name, field in fields
    ]
    return sorted(rows, key=lambda row: not row.required)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def endpoints() -> list[Endpoint]:
    specs = [
        ("feedback", FeedbackRequestSerializer),
        ("interviews", InterviewRequestSerializer),
        ("tickets", TicketRequestSerializer),
    ]
    found = []
    for slug, serializer_class in specs:
        request, response = schema.example_exchange(slug)
        found.append(
            Endpoint(
                slug=slug,
                path=f"/api/{slug}/generate",
                summary=schema.GENERATORS[slug][1],
                price=PRICES[slug].description,
                parameters=parameters(serializer_class),
                request=_pretty(request),
                response=_pretty(response),
            )
        )
    return found


def error_rows() -> list[tuple[int, str, str, str]]:
    """(status, code, when, example body) for every error the API answers."""
    samples = schema.error_samples()
    rows = [
        (sample.status, code, ERROR_WHEN.get(code, sample.message), _pretty(sample.body()))
        for code, sample in samples.items()
        if code != "BAD_REQUEST"
    ]
    return sorted(rows)


def docs(request: HttpRequest) -> HttpResponse:
    samples = schema.error_samples()
    context = {
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "tiers": Tier.objects.all(),
        "prices": PRICES,
        "endpoints": endpoints(),
        "errors": error_rows(),
        "page_errors": [
            (401, "Unauthorized", _pretty(samples["UNAUTHORIZED"].body())),
            (429, "Too Many Requests", _pretty(samples["RATE_LIMIT_EXCEEDED"].body())),
            (400, "Bad Request", _pretty(samples["INVALID_PARAMETERS"].body())),
        ],
        "webhooks": docs_facts(),
    }
    return render(request, "docs.html", context)
