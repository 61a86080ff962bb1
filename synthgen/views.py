"""Pages that belong to the whole product rather than to one app: the documentation."""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from rest_framework import serializers

from accounts.webhooks.schema import docs_facts
from billing.models import Tier
from billing.prices import PRICES
from generators import summary
from generators.engine.datasets import default_rates
from generators.engine.vocabulary import product_types_with_vocabulary
from generators.items import ITEMS, Field
from generators.serializers import (
    DatasetRequestSerializer,
    FeedbackRequestSerializer,
    InterviewRequestSerializer,
    TicketRequestSerializer,
    WholeNumberField,
)
from synthgen import schema
from synthgen.errors import BadRequest, error_response
from synthgen.middleware import is_api

# When each error happens, in the words of the documentation page.
ERROR_WHEN = {
    "INVALID_PARAMETERS": "A field is missing or wrong; details names every bad field at once.",
    "BAD_REQUEST": "The request itself is malformed, e.g. a Host header this server does not "
    "serve, or headers too large.",
    "INVALID_JSON": "The body is not a JSON object: not JSON, not UTF-8, cut short, or nested "
    "more than 64 levels deep.",
    "PAYLOAD_TOO_LARGE": "The body is larger than maxBytes; nothing of it was read.",
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
    "RATE_LIMIT_EXCEEDED": "The plan's daily limit (or the per-minute burst limit) is reached, "
    "or too many wrong API keys came from your address; retry after retryAfter seconds.",
    "INTERNAL_ERROR": "Our fault, never yours: quote the requestId if you write to us.",
    "SERVICE_UNAVAILABLE": "A server SynthGen depends on was away for a moment (or, for a new "
    "bulk job, its queue). Nothing is charged; retry after retryAfter seconds, with the same "
    "Idempotency-Key.",
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
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.DateField):
        return "string (date)"
    return "string"


def _default(value: Any) -> str:
    """A field's default as it is written in JSON (false, not False)."""
    if value is serializers.empty:
        return ""
    return json.dumps(value) if isinstance(value, bool) else str(value)


# What a dataset's own parameters mean, in the words of the documentation page.
DATASET_FIELDS = {
    "productType": "Type of product: one made-up product per customer base, with its own "
    "vocabulary, segments and facts.",
    "generatorVersion": "The engine version that writes the dataset; datasets exist from 2.0.0 "
    "on. Pin it to get, with the same seed and parameters, the same dataset byte for byte.",
    "customerCount": "Number of customers. Their feedback, tickets and interviews come with them.",
    "satisfaction": "The customer base's mood, the same four values as sentimentMix.",
    "churnRate": "Share of customers who have left (status churned, with churnedAt), from 0 to 1.",
    "include": "The parts to write, any of feedback, tickets and interviews; customers always "
    "come. Default: all three.",
    "meanReviews": "Mean reviews per customer. Default: the product type's (table below).",
    "meanTickets": "Mean support tickets per customer. Default: the product type's.",
    "interviewShare": "Share of customers interviewed, from 0 to 1. Default: the product type's.",
    "questionsPerInterview": "Questions in each interview. Default: the product type's.",
}


def parameters(
    serializer_class: type[serializers.Serializer], descriptions: dict[str, str] | None = None
) -> list[Parameter]:
    """The parameter table from the serializer the endpoint validates with: it cannot drift.
    `descriptions` words some fields differently from the other endpoints."""
    described = {**schema.FIELD_DESCRIPTIONS, **(descriptions or {})}
    fields = serializer_class().fields.items()
    rows = [
        Parameter(
            name=name,
            type=_type(field),
            required=field.required,
            description=described.get(name, ""),
            allowed=_allowed(field),
            default=_default(field.default),
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
    ]
    return sorted(rows)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400 (a bad Host header, say): the envelope under /api/."""
    if is_api(request):
        return error_response(BadRequest())
    return defaults.bad_request(request, exception)


def _rate_in_words(rate: str) -> str:
    """A django-ratelimit rate ("60/m") in words ("60 a minute")."""
    count, _, period = rate.partition("/")
    words = {"s": "second", "m": "minute", "h": "hour", "d": "day"}
    return f"{count} a {words[period]}" if period in words else rate


def summary_rows() -> list[tuple[str, str, str]]:
    """(kind, what it counts, the texts words and sentences are counted in), from the code."""

    def values(names: tuple[str, ...]) -> str:
        return ", ".join(names)

    sentiment = f"sentiment ({values(summary.SENTIMENTS)})"
    return [
        ("feedback", f"{sentiment}; ratings ({values(summary.RATINGS)})", "each entry's content"),
        (
            "tickets",
            f"{sentiment}; priority ({values(summary.PRIORITIES)}); category (those that occur)",
            "each ticket's description",
        ),
        (
            "interviews",
            f"questions; stages, questions per stage ({values(summary.STAGES)})",
            "each answer",
        ),
    ]


@dataclass(frozen=True)
class ItemField:
    name: str
    type: str
    required: bool
    description: str


def _item_type(field: Field) -> str:
    if field.type == "array":
        return f"array of {field.values or 'object'}s"
    if field.type == "object" and field.values:
        return f"object of {field.values}s"
    return field.format or field.type


def _item_description(field: Field) -> str:
    """The field's description and what the definition allows, in sentences."""
    sentences = [field.description.rstrip(".")] if field.description else []
    if field.enum:
        sentences.append("One of: " + ", ".join(field.enum))
    if field.minimum is not None and field.maximum is not None:
        sentences.append(f"From {field.minimum} to {field.maximum}")
    elif field.minimum is not None:
        sentences.append(f"At least {field.minimum}")
    if field.nullable and "null" not in field.description:
        sentences.append("May be null")
    return "".join(f"{sentence}. " for sentence in sentences).strip()


def item_fields(fields: tuple[Field, ...], prefix: str = "") -> list[ItemField]:
    """The field table of an item, from its definition: nested fields as `customer.email`,
    the fields of a list's objects as `thread[].message`."""
    rows = []
    for field in fields:
        name = prefix + field.name
        rows.append(ItemField(name, _item_type(field), field.required, _item_description(field)))
        if field.fields:
            inner = f"{name}[]." if field.type == "array" else f"{name}."
            rows += item_fields(field.fields, inner)
    return rows


def item_tables() -> list[tuple[str, list[ItemField]]]:
    return [(item.name, item_fields(item.fields)) for item in ITEMS]


def dry_run_facts() -> dict[str, Any]:
    request, _ = schema.example_exchange("tickets")
    units = request["ticketCount"]
    return {
        "example": _pretty(schema.dry_run_example(credits=PRICES["tickets"].for_units(units))),
        "job_example": _pretty(schema.job_dry_run_example()),
        "summary_example": _pretty(schema.example_exchange("tickets")[1]["summary"]),
        "summaries": summary_rows(),
    }


def dataset_facts() -> dict[str, Any]:
    """The Datasets section: its parameters, example, prices and default rates, from the code."""
    request, response = schema.example_exchange("datasets")
    dry_run = schema.dry_run_example(credits=response["creditsUsed"], seed=response["seed"])
    rates = [
        (product_type, default_rates(product_type))
        for product_type in product_types_with_vocabulary()
    ]
    return {
        "parameters": parameters(DatasetRequestSerializer, DATASET_FIELDS),
        "request": _pretty(request),
        "response": _pretty(response),
        "dry_run": _pretty(dry_run),
        "rates": rates,
    }


def docs(request: HttpRequest) -> HttpResponse:
    samples = schema.error_samples()
    context = {
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "tiers": Tier.objects.all(),
        "prices": PRICES,
        "endpoints": endpoints(),
        "errors": error_rows(),
        "key_failure_rate": _rate_in_words(settings.API_KEY_FAILURE_RATE),
        "page_errors": [
            (401, "Unauthorized", _pretty(samples["UNAUTHORIZED"].body())),
            (429, "Too Many Requests", _pretty(samples["RATE_LIMIT_EXCEEDED"].body())),
            (400, "Bad Request", _pretty(samples["INVALID_PARAMETERS"].body())),
        ],
        "webhooks": docs_facts(),
        "dry_run": dry_run_facts(),
        "datasets": dataset_facts(),
        "items": item_tables(),
    }
    return render(request, "docs.html", context)
