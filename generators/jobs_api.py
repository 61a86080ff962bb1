"""The jobs API: bulk generation in the background, its status, cancelling it, and its file."""

import datetime as dt
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.authentication import authenticated_account, authenticated_key
from accounts.models import Account
from billing import services
from billing.services import Charge
from billing.throttles import BurstThrottle
from generators import jobs
from generators.api import answer_once, dry_run_answer, json_object, rate_limit_headers
from generators.models import Job
from generators.serializers import (
    DatasetRequestSerializer,
    FeedbackRequestSerializer,
    InterviewRequestSerializer,
    TicketRequestSerializer,
    WholeNumberField,
    choice,
    dry_run_field,
    unknown_fields,
)
from synthgen.errors import ApiError, InvalidParameters
from synthgen.middleware import request_id
from synthgen.renderers import render_json

MAX_COUNTS = {
    Job.Kind.FEEDBACK: 100_000,
    Job.Kind.TICKETS: 100_000,
    Job.Kind.INTERVIEWS: 2_000,
    Job.Kind.DATASET: 10_000,  # customers
}
# A dataset's file is a ZIP of its tables, as CSV files or as JSON-lines files.
FORMATS = {
    Job.Kind.FEEDBACK: tuple(Job.Format.values),
    Job.Kind.TICKETS: tuple(Job.Format.values),
    Job.Kind.INTERVIEWS: tuple(Job.Format.values),
    Job.Kind.DATASET: (Job.Format.JSONL.value, Job.Format.CSV.value),
}
LIST_LIMIT = 100


class JobNotReady(ApiError):
    status, code = 409, "JOB_NOT_READY"
    message = "The job has no file yet; its status says when it is ready"


class JobExpired(ApiError):
    status, code = 410, "JOB_EXPIRED"
    message = "The job's file was deleted 7 days after the job finished"


class JobFinished(ApiError):
    status, code = 409, "JOB_FINISHED"
    message = "The job has already finished and can no longer be cancelled"


class FeedbackParams(FeedbackRequestSerializer):
    # DRF drops a declared field that a subclass sets to None; the stubs cannot know that.
    feedbackCount = None  # type: ignore[assignment]  # a job's size is its `count`
    dryRun = None  # type: ignore[assignment]  # a job's dry run is the job's own field


class TicketParams(TicketRequestSerializer):
    ticketCount = None  # type: ignore[assignment]  # dropped, as in FeedbackParams
    dryRun = None  # type: ignore[assignment]


class InterviewParams(InterviewRequestSerializer):
    # questionCount stays: it is the length of each interview
    dryRun = None  # type: ignore[assignment]


class DatasetParams(DatasetRequestSerializer):
    customerCount = None  # type: ignore[assignment]  # a dataset job's customers are its `count`
    dryRun = None  # type: ignore[assignment]


PARAMS = {
    Job.Kind.FEEDBACK: FeedbackParams,
    Job.Kind.TICKETS: TicketParams,
    Job.Kind.INTERVIEWS: InterviewParams,
    Job.Kind.DATASET: DatasetParams,
}


class JobRequestSerializer(serializers.Serializer):
    type = choice(tuple(Job.Kind.values))
    count = WholeNumberField(low=1, high=max(MAX_COUNTS.values()))
    format = choice(tuple(Job.Format.values), default=Job.Format.JSONL)
    params = serializers.DictField()
    dryRun = dry_run_field()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # Every bad field at once: the job's own fields and those of its params together.
        errors: dict[str, Any] = {}
        attrs: dict[str, Any] = {}
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # A serializer's to_internal_value raises its errors keyed by field name.
            errors.update(cast(dict[str, Any], exc.detail))
        # The raw type, since a bad count leaves no validated attrs; only a known one counts.
        raw_type = data.get("type")
        kind = Job.Kind(raw_type) if isinstance(raw_type, str) and raw_type in PARAMS else None
        if kind and attrs.get("count", 0) > MAX_COUNTS[kind]:
            errors["count"] = f"Must be a whole number from 1 to {MAX_COUNTS[kind]} for {kind}"
        if kind and attrs.get("format") and attrs["format"] not in FORMATS[kind]:
            errors["format"] = f"Must be one of: {', '.join(FORMATS[kind])} for {kind}"
        if kind and isinstance(data.get("params"), dict):
            params = PARAMS[kind](data=data["params"])
            if params.is_valid():
                attrs["params"] = params.validated_data
            else:
                errors.update({f"params.{name}": detail for name, detail in params.errors.items()})
        errors.update(unknown_fields(data, self.fields))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def job_body(job: Job, request: Request | None) -> dict[str, Any]:
    """A job as the API shows it; without a request (in a webhook event), linked to SITE_URL."""
    absolute = request.build_absolute_uri if request else lambda path: settings.SITE_URL + path
    status_url = absolute(reverse("api-job", args=[job.pk]))
    has_file = bool(job.file) and job.expired_at is None
    had_file = job.file_size is not None  # kept when the file expires
    expires_at = job.finished_at + jobs.FILE_LIFETIME if job.finished_at else None
    return {
        "id": str(job.pk),
        "type": job.kind,
        "status": job.status,
        "progress": job.progress,
        "count": job.count,
        "entriesDone": job.entries_done,
        "format": job.format,
        "params": {**job.params, "seed": job.seed},
        "dateFrom": _iso(job.window_start),
        "dateTo": _iso(job.window_end),
        "generatorVersion": job.generator_version,
        "price": job.price,
        "refundedCredits": job.refunded,
        "error": job.error or None,
        "createdAt": _iso(job.created_at),
        "startedAt": _iso(job.started_at),
        "finishedAt": _iso(job.finished_at),
        "statusUrl": status_url,
        "downloadUrl": absolute(reverse("api-job-download", args=[job.pk])) if has_file else None,
        "fileSize": job.file_size if has_file else None,
        "fileExpiresAt": _iso(expires_at) if had_file else None,
        "fileExpired": had_file and job.expired_at is not None,
        "summary": job.summary,
    }


def _own_job(request: Request, job_id: str) -> Job:
    # Another account's job is indistinguishable from one that does not exist.
    return get_object_or_404(Job, pk=job_id, account=authenticated_account(request))


class JobsView(APIView):
    def get_throttles(self) -> list[BaseThrottle]:
        # Polling the list is free; submitting a job is a metered request.
        return [BurstThrottle()] if self.request.method == "POST" else []

    def get(self, request: Request) -> Response:
        unknown = unknown_fields(request.query_params, {"limit": None})
        if unknown:  # a misspelt ?limt= is an error, as an unknown body field is
            raise InvalidParameters(unknown)
        limit = list_limit(request.query_params.get("limit"))
        own = Job.objects.filter(account=authenticated_account(request))
        newest = own.order_by("-created_at")[:limit]
        return Response({"success": True, "data": [job_body(job, request) for job in newest]})

    def post(self, request: Request) -> HttpResponse:
        self.charge: Charge | None = None
        serializer = JobRequestSerializer(data=json_object(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["dryRun"]:
            kind, count, params = data["type"], data["count"], data["params"]
            # A dataset's price depends on what its seed makes: the seed is drawn here, as the
            # synchronous endpoint does, and the answer says which seed it priced.
            extra = {}
            if kind == Job.Kind.DATASET:
                params = {**params, "seed": params.get("seed", jobs.draw_seed())}
                extra["seed"] = params["seed"]
            estimate = jobs.estimate_job(kind=kind, count=count, params=params)
            return dry_run_answer(
                request,
                credits=estimate.price,
                batches=estimate.batches,
                estimatedSeconds=estimate.seconds,
                **extra,
            )
        # Atomic: the job, its charge and the answer stored for an Idempotency-Key commit
        # together, so a retry replays the job's answer or finds that nothing was made.
        return answer_once(
            request,
            scope="jobs",
            produce=partial(self.submit, request, data),
            atomic=True,
        )

    def submit(self, request: Request, data: dict[str, Any]) -> tuple[int, bytes]:
        """The paid part, run at most once per Idempotency-Key."""
        job, self.charge = jobs.create_job(
            account=authenticated_account(request),
            api_key=authenticated_key(request),
            kind=data["type"],
            count=data["count"],
            format=data["format"],
            params=data["params"],
            request_id=request_id(request),
        )
        body = {
            "success": True,
            "data": job_body(job, request),
            "creditsUsed": self.charge.credits,
            "remainingCredits": self.charge.balance,
        }
        return 202, render_json(body)

    # The stubs say DRF's Response; DRF takes and returns any HttpResponse (see GenerationView).
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        # A job counts as one request toward the daily limit: its POST answers say where the
        # account stands, like the synchronous endpoints' answers.
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        account = getattr(request, "_user", None)
        if request.method != "POST" or not isinstance(account, Account):
            return response
        charge = getattr(self, "charge", None)
        used = charge.requests_today if charge else None
        for name, value in rate_limit_headers(services.quota(account=account, used=used)).items():
            response[name] = value
        return response


def list_limit(value: str | None) -> int:
    """The `limit` query parameter of a list: 1 to LIST_LIMIT, 20 when absent."""
    if value is None:
        return 20
    # isdigit() alone takes "²" (int() then fails) and "١" (read as 1): ASCII digits only.
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(LIST_LIMIT))
    if not digits or not 1 <= int(value) <= LIST_LIMIT:
        raise InvalidParameters({"limit": f"Must be a whole number from 1 to {LIST_LIMIT}"})
    return int(value)


class JobView(APIView):
    def get(self, request: Request, job_id: str) -> Response:
        return Response({"success": True, "data": job_body(_own_job(request, job_id), request)})

    def delete(self, request: Request, job_id: str) -> Response:
        job = jobs.cancel_job(job=_own_job(request, job_id))
        if job.status != Job.Status.CANCELLED:
            raise JobFinished()
        return Response({"success": True, "data": job_body(job, request)})


class JobDownloadView(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The file has its own type; an `Accept: text/csv` must not be refused by DRF.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, job_id: str) -> FileResponse:
        job = _own_job(request, job_id)
        if job.expired_at:
            raise JobExpired()
        if not job.file:
            raise JobNotReady()
        try:
            source = default_storage.open(job.file, "rb")
        except FileNotFoundError:
            raise JobExpired() from None
        response = FileResponse(
            source,
            as_attachment=True,
            filename=jobs.export_filename(job),
            content_type=jobs.content_type(job),
        )
        response.block_size = 64 * 1024
        return response
