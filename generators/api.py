"""The three generation endpoints: validate, charge, generate, answer.

The order is the contract's: authenticate (DRF), the per-key burst throttle, validate (an
invalid request costs nothing), then under an optional Idempotency-Key the daily limit, the
debit and the in-flight usage record (one transaction), the generation, a refund if it fails,
and the answer, which marks the charge answered. A charge whose answer is never recorded is
refunded by the stranded-charge sweep.

With `"dryRun": true` the request is validated the same way and answered with what it would
cost and whether it would pass, and nothing else happens: no charge, no count toward the daily
limit, no usage record, no Idempotency-Key claimed.
"""

import datetime as dt
import secrets
import time
from collections.abc import Callable
from typing import Any, ClassVar

from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.authentication import authenticated_account, authenticated_key
from accounts.models import Account
from billing import idempotency, services
from billing.estimates import estimate_charge
from billing.prices import PRICES, dataset_price
from billing.services import Charge, Quota
from billing.throttles import BurstThrottle
from generators import engine
from generators.engine import generate_dataset
from generators.engine.datasets import Rates, default_rates
from generators.serializers import (
    DatasetRequestSerializer,
    FeedbackRequestSerializer,
    InterviewRequestSerializer,
    TicketRequestSerializer,
    fast_validated,
    generation_window,
)
from generators.summary import Tally
from synthgen.errors import InvalidJson, InvalidParameters, from_domain
from synthgen.middleware import request_id
from synthgen.renderers import render_json

DAY_SECONDS = 86_400


def rate_limit_headers(quota: Quota) -> dict[str, str]:
    """The daily limit as X-RateLimit-* and the IETF draft's RateLimit-Policy / RateLimit."""
    if quota.limit is None:
        return {}
    remaining, reset = quota.remaining, quota.seconds_to_reset
    return {
        "X-RateLimit-Limit": str(quota.limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(quota.resets_at.timestamp())),
        "RateLimit-Policy": f'"daily";q={quota.limit};w={DAY_SECONDS}',
        "RateLimit": f'"daily";r={remaining};t={reset}',
    }


def json_object(request: Request) -> dict[str, Any]:
    """The request body, which must be one JSON object."""
    if request.stream is None or not isinstance(request.data, dict):
        raise InvalidJson
    return request.data


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key header, if any; a 400 if it is unusable."""
    key = request.headers.get("Idempotency-Key")
    problem = None if key is None else idempotency.key_problem(key)
    if problem:
        raise InvalidParameters({"Idempotency-Key": problem})
    return key


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dry_run_answer(request: Request, *, credits: int, **extra: Any) -> HttpResponse:
    """What a request of `credits` would cost and whether it would pass, as a 200 that changes
    nothing; a refusal is the body the real request would be answered with."""
    idempotency_key(request)  # a bad header is the same 400 as for the real request
    estimate = estimate_charge(account=authenticated_account(request), credits=credits)
    quota, refused = estimate.quota, estimate.refusal
    refusal = from_domain(refused) if refused else None
    body = {
        "success": True,
        "dryRun": True,
        "credits": credits,
        "creditsUsed": 0,
        "remainingCredits": estimate.balance,
        "remainingCreditsAfter": None if refusal else estimate.balance - credits,
        "allowed": refusal is None,
        "sufficientCredits": estimate.sufficient_credits,
        "dailyLimit": {
            "allowed": estimate.within_daily_limit,
            "limit": quota.limit,
            "used": quota.used,
            "remaining": quota.remaining,
            "resetsAt": _iso(quota.resets_at),
        },
        "refusal": {"status": refusal.status, "body": refusal.body()} if refusal else None,
        **extra,
    }
    return HttpResponse(render_json(body), content_type="application/json")


def answer_once(
    request: Request,
    *,
    scope: str,
    produce: Callable[[], tuple[int, bytes]],
    atomic: bool = False,
) -> HttpResponse:
    """Run the paid work and answer; under an Idempotency-Key, at most once per key (and, when
    `atomic`, with the work and its stored answer in one transaction)."""
    key = idempotency_key(request)
    if key is None:
        status, body = produce()
        return HttpResponse(body, status=status, content_type="application/json")
    outcome = idempotency.run_once(
        account_id=authenticated_account(request).pk,
        key=key,
        fingerprint=idempotency.request_fingerprint(scope=scope, payload=request.data),
        request_id=request_id(request),
        produce=produce,
        atomic=atomic,
    )
    response = HttpResponse(outcome.body, status=outcome.status, content_type="application/json")
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def drawn_seed() -> int:
    """A seed for a request that gave none. Below 2**53, so that a JavaScript client, whose
    numbers are doubles, can send back the seed it was told and get the same data (and, for a
    dataset's dry run, the dataset at the price it was quoted)."""
    return secrets.randbits(53)


class GenerationView(APIView):
    """One generator behind the charge path. Subclasses name the price, the serializer,
    the count field and how to call the engine."""

    endpoint: ClassVar[str]
    serializer_class: ClassVar[type[serializers.Serializer]]
    count_field: ClassVar[str]
    # Whether the price depends on what the seed makes (a dataset's), so the seed is drawn
    # before pricing and a dry run says which seed it priced.
    priced_by_seed: ClassVar[bool] = False
    throttle_classes = [BurstThrottle]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.started = time.perf_counter()
        self.units: int | None = None
        self.charge: Charge | None = None
        super().initial(request, *args, **kwargs)

    def generate(self, params: dict[str, Any], *, seed: int) -> Any:
        raise NotImplementedError

    def credits(self, params: dict[str, Any]) -> int:
        """What the request costs."""
        return PRICES[self.endpoint].for_units(params[self.count_field])

    def summary(self, data: Any) -> dict[str, Any]:
        """The answer's summary of what was made."""
        return Tally(kind=self.endpoint).add_all(data).summary()

    def post(self, request: Request) -> HttpResponse:
        params = self.validated(request)
        if params["dryRun"]:
            extra = {"seed": params["seed"]} if self.priced_by_seed else {}
            return dry_run_answer(request, credits=self.credits(params), **extra)
        self.units = params[self.count_field]
        try:
            response = answer_once(
                request, scope=self.endpoint, produce=self.produce(request, params)
            )
        except Exception as exc:
            response = self.handle_exception(exc)
        # Inside the view, so that a database gone away at this point is answered in the
        # envelope (503) and the charge, still in flight, is left to the sweep.
        self.record_answer(request, response.status_code)
        return response

    def validated(self, request: Request) -> dict[str, Any]:
        data = json_object(request)
        params = fast_validated(self.serializer_class, data)
        if params is None:
            serializer = self.serializer_class(data=data)
            serializer.is_valid(raise_exception=True)
            params = dict(serializer.validated_data)
        if self.priced_by_seed and "seed" not in params:
            params["seed"] = drawn_seed()
        return params

    def produce(self, request: Request, params: dict[str, Any]) -> Callable[[], tuple[int, bytes]]:
        """The paid work as a callable, so an Idempotency-Key can run it at most once."""

        def charged_answer() -> tuple[int, bytes]:
            seed = params["seed"] if "seed" in params else drawn_seed()
            with services.charged_request(
                account=authenticated_account(request),
                api_key=authenticated_key(request),
                credits=self.credits(params),
                endpoint=self.endpoint,
                units=params[self.count_field],
                request_id=request_id(request),
            ) as self.charge:
                data = self.generate(params, seed=seed)
            body = {
                "success": True,
                "data": data,
                "creditsUsed": self.charge.credits,
                "remainingCredits": self.charge.balance,
                "seed": seed,
                "generatorVersion": params["generatorVersion"],
                "requestId": self.charge.request_id,
                "summary": self.summary(data),
            }
            return 200, render_json(body)

        return charged_answer

    # The stubs say DRF's Response, but DRF takes and returns any HttpResponse here, and
    # answer_once returns plain ones (the body is rendered once, before it is stored).
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        account = getattr(request, "_user", None)
        # A 503 carries no quota headers: the database they are read from may be what is away.
        if not isinstance(account, Account) or response.status_code == 503:
            return response
        used = None
        if self.charge:  # the charge's own count, less this request if it failed and was refunded
            used = self.charge.requests_today - (response.status_code >= 400)
        for name, value in rate_limit_headers(services.quota(account=account, used=used)).items():
            response[name] = value
        return response

    def record_answer(self, request: Request, status: int) -> None:
        """Mark the charge answered (or refund it, for a failure); or, for a request refused
        before it was charged, write its usage record."""
        duration_ms = round((time.perf_counter() - self.started) * 1000)
        if self.charge:
            services.answer_request(charge=self.charge, status=status, duration_ms=duration_ms)
            return
        services.record_usage(
            account=authenticated_account(request),
            api_key=authenticated_key(request),
            endpoint=self.endpoint,
            units=self.units or 0,
            status=status,
            duration_ms=duration_ms,
            request_id=request_id(request),
        )


def _window(params: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    return generation_window(date_from=params.get("dateFrom"), date_to=params.get("dateTo"))


class FeedbackView(GenerationView):
    endpoint = "feedback"
    serializer_class = FeedbackRequestSerializer
    count_field = "feedbackCount"

    def generate(self, params: dict[str, Any], *, seed: int) -> list[dict]:
        return engine.generate_feedback(
            version=params["generatorVersion"],
            product_type=params["productType"],
            sentiment_mix=params["sentimentMix"],
            count=params["feedbackCount"],
            complexity=params["complexityLevel"],
            seed=seed,
            window=_window(params),
        )


class InterviewView(GenerationView):
    endpoint = "interviews"
    serializer_class = InterviewRequestSerializer
    count_field = "questionCount"

    def generate(self, params: dict[str, Any], *, seed: int) -> list[dict]:
        interview = engine.generate_interview(
            version=params["generatorVersion"],
            product_type=params["productType"],
            question_count=params["questionCount"],
            interview_type=params["interviewType"],
            complexity=params["complexityLevel"],
            seed=seed,
            window=_window(params),
        )
        return [interview]


class TicketView(GenerationView):
    endpoint = "tickets"
    serializer_class = TicketRequestSerializer
    count_field = "ticketCount"

    def generate(self, params: dict[str, Any], *, seed: int) -> list[dict]:
        return engine.generate_tickets(
            version=params["generatorVersion"],
            product_type=params["productType"],
            count=params["ticketCount"],
            complexity=params["complexityLevel"],
            seed=seed,
            window=_window(params),
        )


class DatasetView(GenerationView):
    """A customer base and their feedback, tickets and interviews (issue 12), priced as the
    sum of its parts at their own endpoints' prices; customers are free."""

    endpoint = "datasets"
    serializer_class = DatasetRequestSerializer
    count_field = "customerCount"
    priced_by_seed = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.made: dict[str, list[dict]] | None = None
        super().initial(request, *args, **kwargs)

    def credits(self, params: dict[str, Any]) -> int:
        dataset = self.generate(params, seed=params["seed"])
        return dataset_price(
            feedback=len(dataset["feedback"]),
            tickets=len(dataset["tickets"]),
            interview_questions=[len(item["questions"]) for item in dataset["interviews"]],
        )

    def generate(self, params: dict[str, Any], *, seed: int) -> dict[str, list[dict]]:
        # Made once: pricing needs what the seed makes, and the answer is the same dataset.
        if self.made is None:
            self.made = generate_dataset(
                version=params["generatorVersion"],
                product_type=params["productType"],
                customer_count=params["customerCount"],
                seed=seed,
                complexity=params["complexityLevel"],
                window=_window(params),
                satisfaction=params["satisfaction"],
                churn_rate=params["churnRate"],
                include=params["include"],
                rates=dataset_rates(params),
            )
        return self.made

    def produce(self, request: Request, params: dict[str, Any]) -> Callable[[], tuple[int, bytes]]:
        if self.credits(params) > 0:
            return super().produce(request, params)

        def free_answer() -> tuple[int, bytes]:
            # Customers alone (no reviews or tickets drawn, or none asked for) cost nothing,
            # and a ledger entry of zero credits does not exist; the usage record still does.
            data = self.generate(params, seed=params["seed"])
            body = {
                "success": True,
                "data": data,
                "creditsUsed": 0,
                "remainingCredits": authenticated_account(request).balance,
                "seed": params["seed"],
                "generatorVersion": params["generatorVersion"],
                "requestId": request_id(request),
                "summary": self.summary(data),
            }
            return 200, render_json(body)

        return free_answer

    def summary(self, data: Any) -> dict[str, Any]:
        return {
            part: Tally(kind=part).add_all(data[part]).summary()
            for part in ("feedback", "tickets", "interviews")
        }


def dataset_rates(params: dict[str, Any]) -> Rates:
    rates = default_rates(params["productType"])
    return Rates(
        reviews=params.get("meanReviews", rates.reviews),
        tickets=params.get("meanTickets", rates.tickets),
        interview_share=params.get("interviewShare", rates.interview_share),
        questions=params.get("questionsPerInterview", rates.questions),
    )
