"""The OpenAPI description: Bearer keys, the envelopes, every error and the page's examples."""

import copy
import datetime as dt
from functools import cache
from typing import Any, cast

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
    OpenApiViewExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.views import APIView

from billing.idempotency import MAX_KEY_LENGTH
from billing.prices import PRICES, dataset_price
from generators import engine
from generators.items import DATASET_PARTS, ITEMS, item_schema
from generators.summary import Tally
from synthgen import errors

ERROR_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    410: "Gone",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# What each request field means, shown in the schema and in the parameter tables of /docs/.
FIELD_DESCRIPTIONS = {
    "productType": "Type of product; each has its own vocabulary (a banking app's reviews "
    "talk about transfers, a shop's about delivery).",
    "sentimentMix": "Distribution of sentiment: balanced (positive, neutral and negative in "
    "equal shares), positive or negative (every entry), or mixed (a marketplace-like spread, "
    "including entries that praise and complain at once).",
    "feedbackCount": "Number of feedback entries to generate.",
    "questionCount": "Number of question and answer pairs in the interview.",
    "ticketCount": "Number of support tickets to generate.",
    "complexityLevel": "Complexity of the generated content: length, vocabulary and structure.",
    "interviewType": "The kind of interview.",
    "seed": "The same seed and parameters give byte-identical data; without one, every call "
    "differs (the answer tells you the seed it used).",
    "generatorVersion": "The engine version that writes the data. Default: the newest. Pin an "
    "older one to get, with the same seed and parameters, the data it gave byte for byte.",
    "dateFrom": "Earliest date for timestamps (YYYY-MM-DD, UTC), from 1970-01-01 to today and "
    "on or before dateTo. Default: 90 days ago.",
    "dateTo": "Latest date for timestamps (YYYY-MM-DD, UTC), from 1970-01-01 to today.",
    "dryRun": "true: validate and price the request without running it. The answer (200) says "
    "what it would cost, what would remain and whether the daily limit and the balance allow "
    "it; nothing is charged or counted and no Idempotency-Key is used up.",
}

# Any operation can meet a moment's outage of the database or Redis (503, nothing charged).
COMMON_ERRORS = ["UNAUTHORIZED", "ACCOUNT_SUSPENDED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"]
METERED_ERRORS = [
    *COMMON_ERRORS,
    "INVALID_PARAMETERS",
    "INVALID_JSON",
    "PAYLOAD_TOO_LARGE",
    "INSUFFICIENT_CREDITS",
    "IDEMPOTENCY_IN_PROGRESS",
    "IDEMPOTENCY_KEY_REUSED",
    "RATE_LIMIT_EXCEEDED",
]
WEBHOOK = "/api/webhooks/{endpoint_id}"
REDELIVER = WEBHOOK + "/deliveries/{delivery_id}/redeliver"
# POSTs that are free: no credits, no daily count, no Idempotency-Key.
FREE_POSTS = {"/api/webhooks", WEBHOOK + "/rotate-secret", WEBHOOK + "/test", REDELIVER}
INPUT_ERRORS = ["INVALID_PARAMETERS", "INVALID_JSON"]
# Operations whose errors differ from what their method implies: (path, method) -> codes.
EXTRA_ERRORS = {
    ("/api/jobs", "get"): ["INVALID_PARAMETERS"],
    ("/api/jobs/{job_id}", "delete"): ["JOB_FINISHED"],
    ("/api/jobs/{job_id}/download", "get"): ["JOB_NOT_READY", "JOB_EXPIRED"],
    ("/api/account", "patch"): INPUT_ERRORS,
    ("/api/webhooks", "post"): [*INPUT_ERRORS, "WEBHOOK_LIMIT_REACHED"],
    (WEBHOOK, "patch"): INPUT_ERRORS,
    (WEBHOOK + "/test", "post"): ["WEBHOOK_DISABLED", "RATE_LIMIT_EXCEEDED"],
    (WEBHOOK + "/deliveries", "get"): ["INVALID_PARAMETERS"],
    (REDELIVER, "post"): ["WEBHOOK_DISABLED", "RATE_LIMIT_EXCEEDED"],
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # What billing.idempotency.key_problem accepts: 1 to 255 printable ASCII characters, not
    # beginning or ending with a space (HTTP servers strip those).
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$",
    },
    OpenApiParameter.HEADER,
    description="Optional; a fresh key (a UUID, say) for each operation you want done once. "
    "Keys are kept per account for 24 hours from their first use. A retry with the same key "
    "and the same body replays the first answer byte for byte, with `Idempotent-Replayed: "
    "true`, and charges once. The same key with another body is refused with 422 "
    "IDEMPOTENCY_KEY_REUSED, and a retry while the first request still runs with 409 "
    "IDEMPOTENCY_IN_PROGRESS and `Retry-After: 1`. Answers 402, 429 and 500 are not kept, "
    "so after one a retry with the same key runs afresh.",
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    {"type": "string", "enum": ["true"]},
    OpenApiParameter.HEADER,
    response=[200, 202],
    description="Present when this answer is the stored first answer to the same "
    "Idempotency-Key and body.",
)

RATE_LIMIT_HEADERS = [
    OpenApiParameter(
        name,
        type_,
        OpenApiParameter.HEADER,
        response=[200, 202],
        description=description + " Left out on unlimited plans.",
    )
    for name, type_, description in [
        ("X-RateLimit-Limit", int, "Requests a day on your plan."),
        ("X-RateLimit-Remaining", int, "Requests left today (UTC)."),
        ("X-RateLimit-Reset", int, "When the count resets, in epoch seconds."),
        ("RateLimit-Policy", str, "The IETF draft's policy field."),
        ("RateLimit", str, "The IETF draft's remaining/reset field."),
    ]
]

# The page's own example for the feedback endpoint, verbatim.
FEEDBACK_REQUEST_EXAMPLE: dict[str, Any] = {
    "productType": "mobile_app",
    "sentimentMix": "balanced",
    "feedbackCount": 5,
    "complexityLevel": "medium",
}
FEEDBACK_RESPONSE_EXAMPLE: dict[str, Any] = {
    "success": True,
    "data": [
        {
            "id": "feedback_123",
            "rating": 4,
            "title": "Great app with minor issues",
            "content": "I've been using this app for a few weeks now...",
            "sentiment": "positive",
            "timestamp": "2024-01-15T10:30:00Z",
        }
    ],
    "creditsUsed": 2,
    "remainingCredits": 48,
}
INTERVIEW_REQUEST_EXAMPLE: dict[str, Any] = {
    "productType": "saas",
    "questionCount": 3,
    "interviewType": "user_research",
    "complexityLevel": "simple",
    "seed": 42,
}
TICKET_REQUEST_EXAMPLE: dict[str, Any] = {
    "productType": "ecommerce",
    "ticketCount": 2,
    "complexityLevel": "medium",
    "seed": 42,
}
EXAMPLE_WINDOW = (
    dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 31, 23, 59, 59, tzinfo=dt.UTC),
)

STRING, INTEGER = {"type": "string"}, {"type": "integer"}
DATE_TIME = {"type": "string", "format": "date-time", "example": "2024-01-15T10:30:00Z"}
# The items the engines make, from their one definition in generators.items.
ITEM_SCHEMAS: dict[str, dict[str, Any]] = {item.name: item_schema(item) for item in ITEMS}
ITEM_SCHEMAS["Dataset"] = {
    "type": "object",
    "additionalProperties": False,
    "required": list(DATASET_PARTS),
    "properties": {
        part: {"type": "array", "items": {"$ref": f"#/components/schemas/{item.name}"}}
        for part, item in DATASET_PARTS.items()
    },
}


def _counts(description: str, values: tuple[str, ...] | None = None) -> dict[str, Any]:
    """An object of counts: one per value (zeros included), or one per value that occurred."""
    counts: dict[str, Any] = {"type": "object", "description": description}
    if values is None:
        counts["additionalProperties"] = {"type": "integer", "minimum": 0}
        return counts
    counts["additionalProperties"] = False
    counts["required"] = list(values)
    counts["properties"] = {value: {"type": "integer", "minimum": 0} for value in values}
    return counts


WORDS = {
    "type": "object",
    "required": ["min", "median", "max"],
    "description": "Words (separated by white space) per text: the fewest, the median (the "
    "mean of the middle two for an even number of texts) and the most.",
    "properties": {
        "min": {"type": "integer", "nullable": True},
        "median": {"type": "number", "nullable": True},
        "max": {"type": "integer", "nullable": True},
    },
}
SENTENCES = {
    "type": "object",
    "required": ["total", "distinct", "repeatedShare"],
    "description": "Jobs only, over the whole file: sentences in the texts (split at line breaks "
    "and after . ! ? or … followed by a space, then trimmed), how many differ, and the "
    "share that repeat an earlier one, (total - distinct) / total, to 4 decimals.",
    "properties": {
        "total": INTEGER,
        "distinct": INTEGER,
        "repeatedShare": {"type": "number", "minimum": 0, "maximum": 1},
    },
}


def summary_schemas() -> dict[str, dict[str, Any]]:
    """What `summary` holds for each kind; generators.summary builds them."""
    from generators import summary

    entries = {"type": "integer", "description": "Entries counted."}
    sentiment = _counts("Entries per sentiment label.", summary.SENTIMENTS)
    kinds = {
        "FeedbackSummary": (
            "Feedback: its texts are the entries' content.",
            {"sentiment": sentiment, "ratings": _counts("Entries per rating.", summary.RATINGS)},
        ),
        "TicketSummary": (
            "Tickets: its texts are the tickets' descriptions.",
            {
                "sentiment": sentiment,
                "priority": _counts("Tickets per priority.", summary.PRIORITIES),
                "category": _counts("Tickets per category that occurs."),
            },
        ),
        "InterviewSummary": (
            "Interviews: its texts are the answers.",
            {
                "questions": {"type": "integer", "description": "Questions, over all interviews."},
                "stages": _counts("Questions per interview stage.", summary.STAGES),
            },
        ),
    }
    schemas = {
        name: {
            "type": "object",
            "description": description,
            "required": ["entries", *groups, "words"],
            "properties": {"entries": entries, **groups, "words": WORDS, "sentences": SENTENCES},
        }
        for name, (description, groups) in kinds.items()
    }
    parts = {"feedback": "FeedbackSummary", "tickets": "TicketSummary",
             "interviews": "InterviewSummary"}  # fmt: skip
    schemas["DatasetSummary"] = {
        "type": "object",
        "description": "A dataset: one summary per part.",
        "required": list(parts),
        "properties": {
            part: {"$ref": f"#/components/schemas/{name}"} for part, name in parts.items()
        },
    }
    return schemas


def dry_run_answer(*, job: bool = False, seed: bool = False) -> dict[str, Any]:
    """The answer to `"dryRun": true` (generators.api.dry_run_answer)."""
    nullable_int = {"type": "integer", "nullable": True}
    properties: dict[str, Any] = {
        "success": {"type": "boolean", "enum": [True]},
        "dryRun": {"type": "boolean", "enum": [True]},
        "credits": {"type": "integer", "description": "What the request would cost."},
        "creditsUsed": {"type": "integer", "enum": [0], "description": "A dry run is free."},
        "remainingCredits": {"type": "integer", "description": "The balance, unchanged."},
        "remainingCreditsAfter": {
            **nullable_int,
            "description": "What would remain after the request; null if it would be refused.",
        },
        "allowed": {"type": "boolean", "description": "Whether the request would be accepted."},
        "sufficientCredits": {"type": "boolean"},
        "dailyLimit": {
            "type": "object",
            "required": ["allowed", "limit", "used", "remaining", "resetsAt"],
            "description": "The plan's daily request limit as it stands; limit and remaining "
            "are null on unlimited plans.",
            "properties": {
                "allowed": {"type": "boolean"},
                "limit": nullable_int,
                "used": INTEGER,
                "remaining": nullable_int,
                "resetsAt": DATE_TIME,
            },
        },
        "refusal": {
            "type": "object",
            "nullable": True,
            "required": ["status", "body"],
            "description": "What the request would be answered instead: its status and exact "
            "body (the daily limit is checked first, as the real request does); null if allowed.",
            "properties": {
                "status": {"type": "integer", "enum": [402, 429]},
                "body": {"$ref": "#/components/schemas/ErrorEnvelope"},
            },
        },
    }
    if seed:
        properties["seed"] = {
            "type": "integer",
            "description": "The seed priced (drawn if none was given): pass it to get the "
            "dataset at exactly this price.",
        }
    if job:
        properties["batches"] = {
            "type": "integer",
            "description": "Batches the job is built in: 50 entries, or one interview (a "
            "dataset's customer), each.",
        }
        properties["estimatedSeconds"] = {
            "type": "integer",
            "description": "About how long the job would take on one worker.",
        }
    required = list(properties)
    if job:
        # Only a dataset job's price depends on what its seed makes.
        properties["seed"] = {
            "type": "integer",
            "description": "Dataset jobs only: the seed priced (drawn if none was given); pass "
            "it to get the dataset at exactly this price.",
        }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def success_envelope(item: str, *, many: bool = True) -> dict[str, Any]:
    reference = {"$ref": f"#/components/schemas/{item}"}
    return {
        "type": "object",
        "required": ["success", "data", "creditsUsed", "remainingCredits"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "data": {"type": "array", "items": reference} if many else reference,
            "creditsUsed": {"type": "integer", "description": "Credits this request took."},
            "remainingCredits": {"type": "integer", "description": "The balance afterwards."},
            "seed": {"type": "integer", "description": "The seed used: pass it to repeat."},
            "generatorVersion": STRING,
            "requestId": STRING,
            "summary": {
                "allOf": [{"$ref": f"#/components/schemas/{SUMMARY_OF_ITEM[item]}"}],
                "description": "What `data` contains.",
            },
        },
    }


SUMMARY_OF_ITEM = {
    "Dataset": "DatasetSummary",
    "FeedbackEntry": "FeedbackSummary",
    "Ticket": "TicketSummary",
    "Interview": "InterviewSummary",
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


class FractionFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "generators.serializers.FractionField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "number", "minimum": self.target.low, "maximum": self.target.high}


class WholeNumberFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "generators.serializers.WholeNumberField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.target.low, "maximum": self.target.high}


def _days_up_to(last: int) -> str:
    """Two-digit day numbers 01 to `last` as a regular expression."""
    tens, units = divmod(last, 10)
    parts = ["0[1-9]"] + [f"{digit}[0-9]" for digit in range(1, tens)]
    if tens:
        parts.append(f"{tens}[0-{units}]")
    return "|".join(parts) if tens else f"0[1-{units}]"


def _month_days(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def date_pattern(first: dt.date, last: dt.date) -> str:
    """A regular expression for exactly the dates YYYY-MM-DD from `first` (a 1 January) to
    `last`, leap days included, so the schema says which dates the API takes."""
    full_years = range(first.year, last.year)
    any_day = "|".join(
        f"{month:02d}-({_days_up_to(_month_days(2001, month))})" for month in range(1, 13)
    )
    leap_years = [year for year in range(first.year, last.year + 1) if _month_days(year, 2) == 29]
    leap_years = [year for year in leap_years if dt.date(year, 2, 29) <= last]
    this_year = "|".join(
        f"{month:02d}-({_days_up_to(_month_days(last.year, month))})"
        for month in range(1, last.month)
    )
    alternatives = [
        f"({'|'.join(map(str, full_years))})-({any_day})" if full_years else "",
        f"({'|'.join(map(str, leap_years))})-02-29" if leap_years else "",
        f"{last.year}-({this_year})" if this_year else "",
        f"{last.year}-{last.month:02d}-({_days_up_to(last.day)})",
    ]
    return "^(" + "|".join(part for part in alternatives if part) + ")$"


class IsoDateFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "generators.serializers.IsoDateField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        from generators.serializers import EARLIEST_DATE, utc_now

        today = utc_now().date()
        return {
            "type": "string",
            "pattern": date_pattern(EARLIEST_DATE, today),
            "example": "2024-01-15",
        }


@cache
def generated_examples() -> dict[str, list[dict[str, Any]]]:
    """Real engine output for the interview and ticket examples, so they cannot drift."""
    interview = engine.generate_interview(
        version=engine.LATEST,
        product_type="saas",
        question_count=3,
        interview_type="user_research",
        complexity="simple",
        seed=42,
        window=EXAMPLE_WINDOW,
    )
    ticket_list = engine.generate_tickets(
        version=engine.LATEST,
        product_type="ecommerce",
        count=2,
        complexity="medium",
        seed=42,
        window=EXAMPLE_WINDOW,
    )
    return {"interviews": [interview], "tickets": ticket_list}


def dry_run_example(*, credits: int, **extra: Any) -> dict[str, Any]:
    """A dry run's answer for the page's example account: 48 credits, a Basic plan's day with
    3 requests made."""
    balance = FEEDBACK_RESPONSE_EXAMPLE["remainingCredits"]
    return {
        "success": True,
        "dryRun": True,
        "credits": credits,
        "creditsUsed": 0,
        "remainingCredits": balance,
        "remainingCreditsAfter": balance - credits if credits <= balance else None,
        "allowed": credits <= balance,
        "sufficientCredits": credits <= balance,
        "dailyLimit": {
            "allowed": True,
            "limit": 100,
            "used": 3,
            "remaining": 97,
            "resetsAt": "2024-01-16T00:00:00Z",
        },
        "refusal": None
        if credits <= balance
        else {
            "status": 402,
            "body": errors.PaymentRequired(required=credits, remaining=balance).body(),
        },
        **extra,
    }


DATASET_REQUEST_EXAMPLE = {"productType": "saas", "customerCount": 2, "seed": 42}


@cache
def dataset_exchange() -> tuple[dict[str, Any], dict[str, Any]]:
    """The dataset endpoint's example: real engine output for two customers, priced as the
    endpoint prices it, continuing the page's example account."""
    data = engine.generate_dataset(version=engine.LATEST, product_type="saas", customer_count=2,
                                   seed=42, complexity="simple", window=EXAMPLE_WINDOW)  # fmt: skip
    credits = dataset_price(
        feedback=len(data["feedback"]),
        tickets=len(data["tickets"]),
        interview_questions=[len(item["questions"]) for item in data["interviews"]],
    )
    page = FEEDBACK_RESPONSE_EXAMPLE
    response = {
        "success": True,
        "data": data,
        "creditsUsed": credits,
        "remainingCredits": page["remainingCredits"] + page["creditsUsed"] - credits,
        "seed": 42,
        "generatorVersion": engine.LATEST,
        "summary": {
            part: Tally(kind=part).add_all(data[part]).summary()
            for part in ("feedback", "tickets", "interviews")
        },  # fmt: skip
    }
    return {**DATASET_REQUEST_EXAMPLE, "complexityLevel": "simple"}, response


def example_exchange(endpoint: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An endpoint's example request and answer: the page's own for feedback, seeded engine
    output for the others, with a balance that continues the page's example account."""
    if endpoint == "feedback":
        return FEEDBACK_REQUEST_EXAMPLE, FEEDBACK_RESPONSE_EXAMPLE
    if endpoint == "datasets":
        return dataset_exchange()
    request = INTERVIEW_REQUEST_EXAMPLE if endpoint == "interviews" else TICKET_REQUEST_EXAMPLE
    units = request.get("questionCount") or request.get("ticketCount") or 1
    credits = PRICES[endpoint].for_units(units)
    page = FEEDBACK_RESPONSE_EXAMPLE
    response = {
        "success": True,
        "data": generated_examples()[endpoint],
        "creditsUsed": credits,
        "remainingCredits": page["remainingCredits"] + page["creditsUsed"] - credits,
        "seed": request["seed"],
        "summary": Tally(kind=endpoint).add_all(generated_examples()[endpoint]).summary(),
    }
    return request, response


def _generation_examples(endpoint: str) -> list[OpenApiExample]:
    request, response = example_exchange(endpoint)
    if endpoint == "datasets":
        dry_run = dry_run_example(credits=response["creditsUsed"], seed=response["seed"])
    else:
        units = (
            request.get("feedbackCount") or request.get("questionCount") or request["ticketCount"]
        )
        dry_run = dry_run_example(credits=PRICES[endpoint].for_units(units))
    return [
        OpenApiExample("Request", value=request, request_only=True),
        OpenApiExample("Dry run", value={**request, "dryRun": True}, request_only=True),
        OpenApiExample("Response", value=response, response_only=True, status_codes=["200"]),
        OpenApiExample("Dry run answer", value=dry_run, response_only=True, status_codes=["200"]),
    ]


GENERATORS = {
    "feedback": ("FeedbackEntry", "Generate realistic customer feedback and reviews"),
    "interviews": ("Interview", "Generate a user-research interview"),
    "tickets": ("Ticket", "Generate support tickets"),
    "datasets": (
        "Dataset",
        "Generate a dataset: customers with their own feedback, tickets and interviews",
    ),
}
DATASET_PRICE = (
    "the sum of what its parts cost through their own endpoints (its reviews in requests of "
    "up to 50, its tickets, its interviews' questions); customers are free, and a dry run says "
    "the price of the dataset a seed makes"
)


class GenerationViewSchema(OpenApiViewExtension):
    target_class = "generators.api.GenerationView"
    match_subclasses = True

    def view_replacement(self) -> type[APIView]:
        view = self.target
        item, summary = GENERATORS[view.endpoint]
        price = PRICES[view.endpoint].description if view.endpoint in PRICES else DATASET_PRICE

        class Described(view):  # type: ignore[misc, valid-type]  # a base known at run time
            @extend_schema(
                operation_id=f"generate_{view.endpoint}",
                summary=summary,
                description=f"{summary}. Costs {price}; a failed request costs "
                "nothing. Counts toward the plan's daily request limit. With `dryRun: true`, "
                "answers what it would cost instead, and changes nothing.",
                tags=["Generation"],
                request=view.serializer_class,
                responses={
                    200: OpenApiResponse(
                        {
                            "oneOf": [
                                success_envelope(item, many=view.endpoint != "datasets"),
                                dry_run_answer(seed=view.priced_by_seed),
                            ]
                        },
                        "The generated data, or with dryRun what it would cost",
                    )
                },
                parameters=[IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, *RATE_LIMIT_HEADERS],
                examples=_generation_examples(view.endpoint),
            )
            def post(self, *args: Any, **kwargs: Any) -> Any:
                return super().post(*args, **kwargs)

        return Described


ACCOUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["success", "data"],
    "properties": {
        "success": {"type": "boolean", "enum": [True]},
        "data": {
            "type": "object",
            "properties": {
                "email": {"type": "string", "format": "email"},
                "name": STRING,
                "tier": {"type": "string", "enum": ["free", "basic", "pro", "enterprise"]},
                "tierName": STRING,
                "dailyRequestLimit": {
                    "type": "integer",
                    "nullable": True,
                    "description": "null means unlimited.",
                },
                "requestsToday": INTEGER,
                "remainingCredits": INTEGER,
                "lowCreditThreshold": {
                    "type": "integer",
                    "nullable": True,
                    "description": "The credits.low webhook fires when a debit takes the "
                    "balance below it; null: never.",
                },
                "apiKey": {
                    "type": "string",
                    "nullable": True,
                    "description": "The prefix of the key used (null in a webhook event).",
                },
            },
        },
    },
}


class AccountViewSchema(OpenApiViewExtension):
    target_class = "accounts.api.AccountView"

    def view_replacement(self) -> type[APIView]:
        from accounts.api import AccountChangeRequestSerializer

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="get_account",
                summary="Your plan, today's usage and your credit balance",
                description="Free of charge and not counted toward the daily limit.",
                tags=["Account"],
                responses={200: OpenApiResponse(ACCOUNT_SCHEMA, "Your account")},
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

            @extend_schema(
                operation_id="update_account",
                summary="Set the low-credit threshold of the credits.low webhook",
                description="Free of charge and not counted toward the daily limit.",
                tags=["Account"],
                request=AccountChangeRequestSerializer,
                responses={200: OpenApiResponse(ACCOUNT_SCHEMA, "Your account")},
            )
            def patch(self, *args: Any, **kwargs: Any) -> Any:
                return super().patch(*args, **kwargs)

        return Described


NULLABLE_DATE_TIME = {**DATE_TIME, "nullable": True}


def job_schema() -> dict[str, Any]:
    """A job as jobs_api.job_body shows it; the choices come from the Job model."""
    from generators.models import Job

    nullable_int = {"type": "integer", "nullable": True}
    return {
        "type": "object",
        "required": ["id", "type", "status", "count", "format", "statusUrl"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"type": "string", "enum": Job.Kind.values},
            "status": {"type": "string", "enum": Job.Status.values},
            "progress": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": "Percent done, 0 to 100, from the entries (a dataset's "
                "customers) of finished batches; 100 only once the file is ready.",
            },
            "count": {**INTEGER, "description": "Entries asked for; a dataset job's customers."},
            "entriesDone": {
                **INTEGER,
                "description": "Entries (a dataset job's customers) in finished batches.",
            },
            "format": {
                "type": "string",
                "enum": Job.Format.values,
                "description": "The file's format. A dataset job's file is always a ZIP "
                "(application/zip): `csv` puts one CSV per table in it, `jsonl` one JSON-lines "
                "file per table (customers, feedback, tickets, ticket_messages, interviews, "
                "interview_questions), with `manifest.json`: the parameters, seed, "
                "generatorVersion, and each table's file, row count and columns.",
            },
            "params": {"type": "object", "description": "The parameters, with the seed used."},
            "dateFrom": NULLABLE_DATE_TIME,
            "dateTo": NULLABLE_DATE_TIME,
            "generatorVersion": STRING,
            "price": {"type": "integer", "description": "Credits the job took up front."},
            "refundedCredits": INTEGER,
            "error": {"type": "string", "nullable": True},
            "createdAt": DATE_TIME,
            "startedAt": NULLABLE_DATE_TIME,
            "finishedAt": NULLABLE_DATE_TIME,
            "statusUrl": {"type": "string", "format": "uri"},
            "downloadUrl": {"type": "string", "format": "uri", "nullable": True},
            "fileSize": nullable_int,
            "fileExpiresAt": NULLABLE_DATE_TIME,
            "fileExpired": {"type": "boolean"},
            "summary": {
                "type": "object",
                "nullable": True,
                "description": "What the file contains: the summary the generation endpoint of "
                "the job's type gives (FeedbackSummary, TicketSummary or InterviewSummary), over "
                "the whole file, with `sentences`. null until the file is written; kept when "
                "the file expires. A dataset job's is the DatasetSummary the synchronous "
                "endpoint gives (one summary per part, over the whole dataset).",
                "properties": {"entries": INTEGER, "words": WORDS, "sentences": SENTENCES},
            },
        },
    }


def _data(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["success", "data"],
        "properties": {"success": {"type": "boolean", "enum": [True]}, "data": schema, **extra},
    }


JOB_REQUEST_EXAMPLE: dict[str, Any] = {
    "type": "feedback",
    "count": 5000,
    "format": "jsonl",
    "params": {"productType": "mobile_app", "sentimentMix": "mixed", "seed": 7},
}


def job_dry_run_example() -> dict[str, Any]:
    from generators.jobs import estimate_job

    kind, count = JOB_REQUEST_EXAMPLE["type"], JOB_REQUEST_EXAMPLE["count"]
    estimate = estimate_job(kind=kind, count=count, params=JOB_REQUEST_EXAMPLE["params"])
    return dry_run_example(
        credits=estimate.price,
        batches=estimate.batches,
        estimatedSeconds=estimate.seconds,
    )


def job_request_schema() -> PolymorphicProxySerializer:
    """POST /api/jobs by `type`: each type's count range and its own params, so a request
    that fits the schema is one the API accepts."""
    from generators.jobs_api import FORMATS, MAX_COUNTS, PARAMS
    from generators.models import Job
    from generators.serializers import WholeNumberField, choice, dry_run_field

    # Built with type() since each variant's fields depend on the kind; mypy sees only `type`.
    variants: dict[str, serializers.Serializer | type[serializers.Serializer]] = {
        kind.value: cast(
            type[serializers.Serializer],
            type(
                f"{kind.value.title()}JobRequest",
                (serializers.Serializer,),
                {
                    "type": choice((kind.value,)),
                    "count": WholeNumberField(low=1, high=MAX_COUNTS[kind]),
                    # A dataset's file is a ZIP of its tables: csv or jsonl files in it.
                    "format": choice(FORMATS[kind], default=Job.Format.JSONL),
                    "params": params_class(),
                    "dryRun": dry_run_field(),
                },
            ),
        )
        for kind, params_class in PARAMS.items()
    }
    return PolymorphicProxySerializer(
        component_name="JobRequest", serializers=variants, resource_type_field_name="type"
    )


class JobsViewSchema(OpenApiViewExtension):
    target_class = "generators.jobs_api.JobsView"

    def view_replacement(self) -> type[APIView]:
        from generators.jobs_api import LIST_LIMIT

        job = job_schema()
        credits = {"creditsUsed": INTEGER, "remainingCredits": INTEGER}

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="list_jobs",
                summary="Your most recent bulk jobs, newest first",
                tags=["Bulk jobs"],
                parameters=[
                    OpenApiParameter(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT, "default": 20},
                        OpenApiParameter.QUERY,
                        description="How many jobs to list.",
                    )
                ],
                responses={200: OpenApiResponse(_data({"type": "array", "items": job}), "Jobs")},
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

            @extend_schema(
                operation_id="create_job",
                summary="Generate many entries in the background",
                description="`params` takes the fields of the matching generation endpoint, "
                "without its count field (interviews keep questionCount). The price is taken "
                "up front, counts as one request toward the daily limit, and is refunded for "
                "anything the job does not produce. With `dryRun: true` (beside `type`, not in "
                "`params`), answers 200 with the price, the batches and an estimated duration, "
                "and makes no job.",
                tags=["Bulk jobs"],
                request=job_request_schema(),
                parameters=[IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, *RATE_LIMIT_HEADERS],
                responses={
                    202: OpenApiResponse(_data(job, **credits), "The job, queued"),
                    200: OpenApiResponse(dry_run_answer(job=True), "With dryRun: the estimate"),
                },
                examples=[
                    OpenApiExample("Request", value=JOB_REQUEST_EXAMPLE, request_only=True),
                    OpenApiExample(
                        "Dry run",
                        value={**JOB_REQUEST_EXAMPLE, "dryRun": True},
                        request_only=True,
                    ),
                    OpenApiExample(
                        "Dry run answer",
                        value=job_dry_run_example(),
                        response_only=True,
                        status_codes=["200"],
                    ),
                ],
            )
            def post(self, *args: Any, **kwargs: Any) -> Any:
                return super().post(*args, **kwargs)

        return Described


class JobViewSchema(OpenApiViewExtension):
    target_class = "generators.jobs_api.JobView"

    def view_replacement(self) -> type[APIView]:
        answer = OpenApiResponse(_data(job_schema()), "The job")

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="get_job",
                summary="A job's status and progress",
                tags=["Bulk jobs"],
                responses={200: answer},
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

            @extend_schema(
                operation_id="cancel_job",
                summary="Cancel a queued or running job; unproduced entries are refunded",
                tags=["Bulk jobs"],
                responses={200: answer},
            )
            def delete(self, *args: Any, **kwargs: Any) -> Any:
                return super().delete(*args, **kwargs)

        return Described


class JobDownloadViewSchema(OpenApiViewExtension):
    target_class = "generators.jobs_api.JobDownloadView"

    def view_replacement(self) -> type[APIView]:
        from generators.jobs import CONTENT_TYPES, ZIP_CONTENT_TYPE

        binary = {"type": "string", "format": "binary"}
        # A JSON export is one array of entries; JSON lines and CSV are files of text; a
        # dataset job's file is a ZIP of its tables and manifest.json.
        entries = {"type": "array", "items": {"type": "object"}}
        file_types = sorted(
            {content_type.split(";")[0] for content_type in CONTENT_TYPES.values()}
            | {ZIP_CONTENT_TYPE}
        )

        class Described(self.target):  # type: ignore[name-defined]  # a base known at run time
            @extend_schema(
                operation_id="download_job",
                summary="The finished job's file (kept 7 days)",
                tags=["Bulk jobs"],
                responses={
                    (200, content_type): OpenApiResponse(
                        entries if content_type == "application/json" else binary, "The file"
                    )
                    for content_type in file_types
                },
            )
            def get(self, *args: Any, **kwargs: Any) -> Any:
                return super().get(*args, **kwargs)

        return Described


def _error_classes() -> list[type[errors.ApiError]]:
    found, pending = [], list(errors.ApiError.__subclasses__())
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def error_samples() -> dict[str, errors.ApiError]:
    """One instance of every error the API can answer, keyed by code, built by the same
    classes the API raises so the examples are exactly the bodies clients receive."""
    samples: dict[str, errors.ApiError] = {
        sample.code: sample
        for sample in [
            errors.InvalidParameters(
                {"productType": "Must be one of: mobile_app, web_app, ecommerce"}
            ),
            errors.PaymentRequired(required=10, remaining=4),
            errors.RateLimitExceeded(3600),
            errors.InternalError("3f2a9c0e8b7d4c41a5e6f0b1c2d3e4f5"),
        ]
    }
    for cls in _error_classes():
        if cls.code not in samples:
            try:
                samples[cls.code] = cls()
            except TypeError:
                continue
    return samples


def error_envelope() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Every failure under /api/ answers this shape, never HTML.",
        "required": ["success", "error", "code"],
        "properties": {
            "success": {"type": "boolean", "enum": [False]},
            "error": {"type": "string", "description": "A human sentence."},
            "code": {
                "type": "string",
                "enum": sorted({cls.code for cls in _error_classes()}),
                "description": "A machine code.",
            },
            "details": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "INVALID_PARAMETERS: a message for every bad field.",
            },
            "retryAfter": {
                "type": "integer",
                "description": "RATE_LIMIT_EXCEEDED and SERVICE_UNAVAILABLE: seconds until "
                "you may retry (also in the Retry-After header).",
            },
            "requiredCredits": {"type": "integer", "description": "INSUFFICIENT_CREDITS."},
            "remainingCredits": {"type": "integer", "description": "INSUFFICIENT_CREDITS."},
            "requestId": {"type": "string", "description": "INTERNAL_ERROR: quote it to us."},
            "maxBytes": {"type": "integer", "description": "PAYLOAD_TOO_LARGE: the limit."},
        },
    }


def error_codes_for(path: str, method: str) -> list[str]:
    metered = method == "post" and path not in FREE_POSTS
    codes = list(METERED_ERRORS if metered else COMMON_ERRORS)
    if "{" in path:
        codes.append("NOT_FOUND")
    return codes + EXTRA_ERRORS.get((path, method), [])


def _error_responses(codes: list[str], samples: dict[str, errors.ApiError]) -> dict[str, Any]:
    by_status: dict[int, dict[str, Any]] = {}
    headers: dict[int, set[str]] = {}
    for code in codes:
        if code not in samples:
            continue
        sample = samples[code]
        examples = by_status.setdefault(sample.status, {})
        examples[code] = {"summary": sample.code, "value": sample.body()}
        headers.setdefault(sample.status, set()).update(sample.headers)
    responses = {}
    for status, examples in sorted(by_status.items()):
        response: dict[str, Any] = {
            "description": ERROR_STATUS_TEXT.get(status, "Error"),
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"},
                    "examples": examples,
                }
            },
        }
        if headers[status]:
            response["headers"] = {name: {"schema": STRING} for name in sorted(headers[status])}
        responses[str(status)] = response
    return responses


def _describe_request_fields(schemas: dict[str, Any]) -> None:
    for schema_name, schema in schemas.items():
        if not schema_name.endswith(("Request", "Params")):
            continue
        properties = schema.get("properties", {})
        for name, field in properties.items():
            if name not in FIELD_DESCRIPTIONS or "description" in field:
                continue
            if "$ref" in field:  # OpenAPI 3.0 ignores a $ref's siblings
                field = properties[name] = {"allOf": [{"$ref": field.pop("$ref")}], **field}
            field["description"] = FIELD_DESCRIPTIONS[name]


def finish_schema(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """A postprocessing hook: the paths as the page writes them (no trailing slash), the
    envelope and item schemas, field descriptions, and each error every operation answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in components.items():
        if name.endswith(("Request", "Params")) and "properties" in component:
            component["additionalProperties"] = False  # the API refuses unknown fields
    components.update(copy.deepcopy(ITEM_SCHEMAS))
    components.update(summary_schemas())
    components["ErrorEnvelope"] = error_envelope()
    _describe_request_fields(components)
    samples = error_samples()
    paths = {}
    for path, operations in result.get("paths", {}).items():
        path = path.rstrip("/") or "/"
        paths[path] = operations
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True  # every POST wants its JSON object
            errors_for_operation = _error_responses(error_codes_for(path, method), samples)
            for status, response in errors_for_operation.items():
                operation["responses"].setdefault(status, response)
    result["paths"] = paths
    return result


SCHEMA_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "synthgen.schema.finish_schema",
        "accounts.webhooks.schema.add_event_schemas",
    ],
    "DESCRIPTION": "Synthetic customer feedback, user interviews and support tickets. "
    "Authenticate with `Authorization: Bearer <your API key>`; every answer is JSON, and "
    "every error has the envelope `{success: false, error, code}`. "
    "[Back to the human documentation](/docs/).",
}


class SchemaView(SpectacularAPIView):
    authentication_classes: list[type] = []
    custom_settings = SCHEMA_SETTINGS


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served from a URL (`?script`), not inline, so it
    runs under the Content-Security-Policy."""

    authentication_classes: list[type] = []
    title = "SynthGen API reference"
    template_name = "api_docs.html"
