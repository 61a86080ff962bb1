"""`SynthGen`: a method per API operation, with retries, idempotency keys and typed errors."""

import datetime as dt
import email.utils
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from http.client import HTTPResponse
from pathlib import Path
from typing import IO, Any, Final, Literal, cast, overload

from synthgen_client.errors import (
    SynthGenConnectionError,
    SynthGenError,
    error_from_answer,
)
from synthgen_client.types import (
    Account,
    ComplexityLevel,
    DatasetAnswer,
    DatasetEstimate,
    DatasetPart,
    DryRunAnswer,
    FeedbackAnswer,
    InterviewsAnswer,
    InterviewType,
    Job,
    JobAnswer,
    JobEstimate,
    JobFormat,
    JobType,
    SentimentMix,
    TicketsAnswer,
    WebhookDelivery,
    WebhookEndpoint,
)

__version__ = "0.1.0"
DEFAULT_URL = "http://127.0.0.1:8000"
FINISHED = ("succeeded", "failed", "cancelled")
# A 429 or 503 is the server saying it did nothing: any request may be sent again.
REFUSED_UNDONE = {429, 503}
# Other 5xx answers and broken connections may come after the work was done: only a
# request that is safe to repeat (a GET, a DELETE, a POST with an Idempotency-Key) is retried.
MAYBE_DONE = {500, 502, 504}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


class JobDownload:
    """A job's file as it streams in: its name, type and size, then its bytes in chunks.
    Use it in a `with` block, which closes the connection."""

    def __init__(self, response: HTTPResponse) -> None:
        self._response = response
        self.content_type = response.headers.get("Content-Type", "")
        length = response.headers.get("Content-Length")
        self.size = int(length) if length and length.isdigit() else None
        self.filename: str | None = _attachment_name(
            response.headers.get("Content-Disposition", "")
        )

    def iter_bytes(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        while chunk := self._response.read(chunk_size):
            yield chunk

    def save(self, target: str | Path | IO[bytes]) -> int:
        """Write the file to a path or a binary file object; the number of bytes written."""
        if isinstance(target, str | Path):
            with open(target, "wb") as file:
                return self.save(file)
        written = 0
        for chunk in self.iter_bytes():
            target.write(chunk)
            written += len(chunk)
        return written

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> "JobDownload":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SynthGen:
    """The SynthGen API. Errors raise a SynthGenError subclass (synthgen_client.errors).

    A 429 or 5xx answer (and, for a request that is safe to repeat, a broken connection) is
    retried up to `max_retries` times, after the server's Retry-After when it gives one and
    else after an exponential backoff; a Retry-After longer than `max_retry_wait` seconds
    (a daily limit) raises at once. A metered POST carries one Idempotency-Key for all of
    its retries, so a retry is never charged twice.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_URL,
        timeout: float = 60,
        max_retries: int = 3,
        max_retry_wait: float = 60,
        backoff: float = 0.25,
        user_agent: str = f"synthgen-python/{__version__}",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.backoff = backoff
        self.user_agent = user_agent
        self._sleep = sleep

    # Generation

    @overload
    def generate_feedback(
        self,
        *,
        product_type: str,
        sentiment_mix: SentimentMix | str,
        feedback_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[False] = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> FeedbackAnswer: ...

    @overload
    def generate_feedback(
        self,
        *,
        product_type: str,
        sentiment_mix: SentimentMix | str,
        feedback_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[True],
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DryRunAnswer: ...

    @overload
    def generate_feedback(
        self,
        *,
        product_type: str,
        sentiment_mix: SentimentMix | str,
        feedback_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> FeedbackAnswer | DryRunAnswer: ...

    def generate_feedback(
        self,
        *,
        product_type: str,
        sentiment_mix: SentimentMix | str,
        feedback_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> FeedbackAnswer | DryRunAnswer:
        """POST /api/feedback/generate (2 credits a request). `extra` fields go as they are.
        With `dry_run=True`, what it would cost and whether it would pass, charging nothing."""
        body = _fields(
            productType=product_type,
            sentimentMix=sentiment_mix,
            feedbackCount=feedback_count,
            complexityLevel=complexity_level,
            seed=seed,
            generatorVersion=generator_version,
            dateFrom=date_from,
            dateTo=date_to,
            dryRun=dry_run or None,
            **extra,
        )
        answer = self._metered("/api/feedback/generate", body, idempotency_key)
        return cast(FeedbackAnswer | DryRunAnswer, answer)

    @overload
    def generate_interviews(
        self,
        *,
        product_type: str,
        question_count: int,
        interview_type: InterviewType | str | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[False] = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> InterviewsAnswer: ...

    @overload
    def generate_interviews(
        self,
        *,
        product_type: str,
        question_count: int,
        interview_type: InterviewType | str | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[True],
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DryRunAnswer: ...

    @overload
    def generate_interviews(
        self,
        *,
        product_type: str,
        question_count: int,
        interview_type: InterviewType | str | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> InterviewsAnswer | DryRunAnswer: ...

    def generate_interviews(
        self,
        *,
        product_type: str,
        question_count: int,
        interview_type: InterviewType | str | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> InterviewsAnswer | DryRunAnswer:
        """POST /api/interviews/generate (2 credits a question); `dry_run=True` prices it."""
        body = _fields(
            productType=product_type,
            questionCount=question_count,
            interviewType=interview_type,
            complexityLevel=complexity_level,
            seed=seed,
            generatorVersion=generator_version,
            dateFrom=date_from,
            dateTo=date_to,
            dryRun=dry_run or None,
            **extra,
        )
        answer = self._metered("/api/interviews/generate", body, idempotency_key)
        return cast(InterviewsAnswer | DryRunAnswer, answer)

    @overload
    def generate_tickets(
        self,
        *,
        product_type: str,
        ticket_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[False] = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> TicketsAnswer: ...

    @overload
    def generate_tickets(
        self,
        *,
        product_type: str,
        ticket_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[True],
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DryRunAnswer: ...

    @overload
    def generate_tickets(
        self,
        *,
        product_type: str,
        ticket_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> TicketsAnswer | DryRunAnswer: ...

    def generate_tickets(
        self,
        *,
        product_type: str,
        ticket_count: int,
        complexity_level: ComplexityLevel | str | None = None,
        seed: int | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> TicketsAnswer | DryRunAnswer:
        """POST /api/tickets/generate (1 credit a ticket); `dry_run=True` prices it."""
        body = _fields(
            productType=product_type,
            ticketCount=ticket_count,
            complexityLevel=complexity_level,
            seed=seed,
            generatorVersion=generator_version,
            dateFrom=date_from,
            dateTo=date_to,
            dryRun=dry_run or None,
            **extra,
        )
        answer = self._metered("/api/tickets/generate", body, idempotency_key)
        return cast(TicketsAnswer | DryRunAnswer, answer)

    @overload
    def generate_dataset(
        self,
        *,
        product_type: str,
        customer_count: int | None = None,
        seed: int | None = None,
        satisfaction: SentimentMix | str | None = None,
        churn_rate: float | None = None,
        include: list[DatasetPart] | list[str] | None = None,
        mean_reviews: float | None = None,
        mean_tickets: float | None = None,
        interview_share: float | None = None,
        questions_per_interview: int | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[False] = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DatasetAnswer: ...

    @overload
    def generate_dataset(
        self,
        *,
        product_type: str,
        customer_count: int | None = None,
        seed: int | None = None,
        satisfaction: SentimentMix | str | None = None,
        churn_rate: float | None = None,
        include: list[DatasetPart] | list[str] | None = None,
        mean_reviews: float | None = None,
        mean_tickets: float | None = None,
        interview_share: float | None = None,
        questions_per_interview: int | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: Literal[True],
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DatasetEstimate: ...

    @overload
    def generate_dataset(
        self,
        *,
        product_type: str,
        customer_count: int | None = None,
        seed: int | None = None,
        satisfaction: SentimentMix | str | None = None,
        churn_rate: float | None = None,
        include: list[DatasetPart] | list[str] | None = None,
        mean_reviews: float | None = None,
        mean_tickets: float | None = None,
        interview_share: float | None = None,
        questions_per_interview: int | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DatasetAnswer | DatasetEstimate: ...

    def generate_dataset(
        self,
        *,
        product_type: str,
        customer_count: int | None = None,
        seed: int | None = None,
        satisfaction: SentimentMix | str | None = None,
        churn_rate: float | None = None,
        include: list[DatasetPart] | list[str] | None = None,
        mean_reviews: float | None = None,
        mean_tickets: float | None = None,
        interview_share: float | None = None,
        questions_per_interview: int | None = None,
        complexity_level: ComplexityLevel | str | None = None,
        generator_version: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> DatasetAnswer | DatasetEstimate:
        """POST /api/datasets/generate: up to 50 customers with their feedback, tickets and
        interviews, priced as the sum of the parts; `dry_run=True` prices the seed's dataset."""
        body = _fields(
            productType=product_type,
            customerCount=customer_count,
            seed=seed,
            satisfaction=satisfaction,
            churnRate=churn_rate,
            include=include,
            meanReviews=mean_reviews,
            meanTickets=mean_tickets,
            interviewShare=interview_share,
            questionsPerInterview=questions_per_interview,
            complexityLevel=complexity_level,
            generatorVersion=generator_version,
            dateFrom=date_from,
            dateTo=date_to,
            dryRun=dry_run or None,
            **extra,
        )
        answer = self._metered("/api/datasets/generate", body, idempotency_key)
        return cast(DatasetAnswer | DatasetEstimate, answer)

    # Bulk jobs

    @overload
    def create_job(
        self,
        *,
        type: JobType | str,
        count: int,
        params: Mapping[str, Any],
        format: JobFormat | str | None = None,
        dry_run: Literal[False] = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> JobAnswer: ...

    @overload
    def create_job(
        self,
        *,
        type: JobType | str,
        count: int,
        params: Mapping[str, Any],
        format: JobFormat | str | None = None,
        dry_run: Literal[True],
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> JobEstimate: ...

    @overload
    def create_job(
        self,
        *,
        type: JobType | str,
        count: int,
        params: Mapping[str, Any],
        format: JobFormat | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> JobAnswer | JobEstimate: ...

    def create_job(
        self,
        *,
        type: JobType | str,
        count: int,
        params: Mapping[str, Any],
        format: JobFormat | str | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> JobAnswer | JobEstimate:
        """POST /api/jobs: queue a job of up to 100,000 entries; `params` are the generator's
        fields in the API's own names (productType, sentimentMix, ...). With `dry_run=True`,
        the estimate: price, standing, batches and estimatedSeconds; no job is made."""
        body = _fields(
            type=type,
            count=count,
            format=format,
            params=dict(params),
            dryRun=dry_run or None,
            **extra,
        )
        return cast(JobAnswer | JobEstimate, self._metered("/api/jobs", body, idempotency_key))

    def get_job(self, job_id: str) -> Job:
        return cast(Job, self._data("GET", f"/api/jobs/{_segment(job_id)}"))

    def list_jobs(self, *, limit: int | None = None) -> list[Job]:
        """The newest jobs first (20 unless `limit`, at most 100)."""
        query = {"limit": limit} if limit is not None else None
        return cast(list[Job], self._data("GET", "/api/jobs", query=query))

    def cancel_job(self, job_id: str) -> Job:
        return cast(Job, self._data("DELETE", f"/api/jobs/{_segment(job_id)}"))

    def wait_for_job(
        self,
        job: str | Job,
        *,
        on_progress: Callable[[Job], None] | None = None,
        poll_interval: float = 1.0,
        timeout: float | None = None,
    ) -> Job:
        """Poll until the job has finished (succeeded, failed or cancelled) and return it,
        calling `on_progress` with the job at every poll; TimeoutError after `timeout` s."""
        current = self.get_job(job) if isinstance(job, str) else job
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if on_progress:
                on_progress(current)
            if current["status"] in FINISHED:
                return current
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {current['id']} is still {current['status']}")
            self._sleep(poll_interval)
            current = self.get_job(current["id"])

    def open_download(self, job_id: str) -> JobDownload:
        """GET /api/jobs/{id}/download as a stream; close it (or use `with`)."""
        path = f"/api/jobs/{_segment(job_id)}/download"
        return JobDownload(self._request("GET", path, stream=True))

    def download_job(
        self,
        job_id: str,
        target: str | Path | IO[bytes] | None = None,
        *,
        directory: str | Path = ".",
    ) -> Path | None:
        """Stream a job's file to `target` (a path or a binary file), or without one to the
        name the server gives it in `directory`. The path written, or None for a file."""
        with self.open_download(job_id) as download:
            if target is None:
                target = Path(directory) / (download.filename or f"synthgen-job-{job_id}")
            download.save(target)
        return Path(target) if isinstance(target, str | Path) else None

    # The account

    def get_account(self) -> Account:
        return cast(Account, self._data("GET", "/api/account"))

    def update_account(self, *, low_credit_threshold: int | None | _Unset = UNSET) -> Account:
        """PATCH /api/account; `low_credit_threshold=None` turns credits.low off."""
        body: dict[str, Any] = {}
        if not isinstance(low_credit_threshold, _Unset):
            body["lowCreditThreshold"] = low_credit_threshold
        return cast(Account, self._data("PATCH", "/api/account", body=body))

    # Webhooks (free, and taking no Idempotency-Key)

    def list_webhooks(self) -> list[WebhookEndpoint]:
        return cast(list[WebhookEndpoint], self._data("GET", "/api/webhooks"))

    def create_webhook(
        self,
        *,
        url: str,
        events: list[str],
        description: str | None = None,
        enabled: bool | None = None,
    ) -> WebhookEndpoint:
        """A new endpoint; its `secret` (whsec_...) is in this answer only: keep it."""
        body = _fields(url=url, events=events, description=description, enabled=enabled)
        return cast(WebhookEndpoint, self._data("POST", "/api/webhooks", body=body))

    def get_webhook(self, endpoint_id: str) -> WebhookEndpoint:
        return cast(WebhookEndpoint, self._data("GET", _webhook(endpoint_id)))

    def update_webhook(
        self,
        endpoint_id: str,
        *,
        url: str | None = None,
        events: list[str] | None = None,
        description: str | None = None,
        enabled: bool | None = None,
    ) -> WebhookEndpoint:
        """PATCH the fields given; the others stay as they are."""
        body = _fields(url=url, events=events, description=description, enabled=enabled)
        return cast(WebhookEndpoint, self._data("PATCH", _webhook(endpoint_id), body=body))

    def delete_webhook(self, endpoint_id: str) -> WebhookEndpoint:
        return cast(WebhookEndpoint, self._data("DELETE", _webhook(endpoint_id)))

    def rotate_webhook_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """A new secret (in the answer's `secret`); the old one still signs for 24 hours."""
        path = _webhook(endpoint_id) + "/rotate-secret"
        return cast(WebhookEndpoint, self._data("POST", path, body={}))

    def send_test_webhook(self, endpoint_id: str) -> WebhookDelivery:
        """Queue a `webhook.test` event to the endpoint; its delivery."""
        path = _webhook(endpoint_id) + "/test"
        return cast(WebhookDelivery, self._data("POST", path, body={}))

    def list_webhook_deliveries(
        self, endpoint_id: str, *, limit: int | None = None
    ) -> list[WebhookDelivery]:
        query = {"limit": limit} if limit is not None else None
        path = _webhook(endpoint_id) + "/deliveries"
        return cast(list[WebhookDelivery], self._data("GET", path, query=query))

    def get_webhook_delivery(self, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
        path = f"{_webhook(endpoint_id)}/deliveries/{_segment(delivery_id)}"
        return cast(WebhookDelivery, self._data("GET", path))

    def redeliver_webhook(self, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
        path = f"{_webhook(endpoint_id)}/deliveries/{_segment(delivery_id)}/redeliver"
        return cast(WebhookDelivery, self._data("POST", path, body={}))

    # HTTP

    def _metered(self, path: str, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        """A paid POST: the whole envelope, under one Idempotency-Key for every retry."""
        answer = self._request("POST", path, body=body, idempotency_key=key or str(uuid.uuid4()))
        return cast(dict[str, Any], answer)

    def _data(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        return self._request(method, path, body=body, query=query)["data"]

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        stream: bool = False,
    ) -> Any:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "User-Agent": self.user_agent,
            "Accept": "application/json",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        repeatable = method in ("GET", "DELETE") or idempotency_key is not None
        attempt = 0
        while True:
            try:
                return self._attempt(
                    urllib.request.Request(url, data, headers, method=method), stream
                )
            except SynthGenError as error:
                delay = self._retry_delay(error, attempt, repeatable=repeatable)
                if delay is None:
                    raise
            self._sleep(delay)
            attempt += 1

    def _attempt(self, request: urllib.request.Request, stream: bool) -> Any:
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310
        except urllib.error.HTTPError as answer:
            with answer:
                raise error_from_answer(
                    answer.code, _json(answer.read()), dict(answer.headers.items())
                ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SynthGenConnectionError(
                f"cannot reach SynthGen at {self.base_url}: {reason}"
            ) from None
        if stream:
            return response
        with response:
            try:
                return _json(response.read(), strict=True)
            except (OSError, ValueError) as error:
                raise SynthGenConnectionError(f"the answer broke off: {error}") from None

    def _retry_delay(self, error: SynthGenError, attempt: int, *, repeatable: bool) -> float | None:
        """Seconds to wait before trying again, or None to give up with `error`."""
        if attempt >= self.max_retries:
            return None
        retryable = error.status in REFUSED_UNDONE or (
            repeatable
            and (
                error.status in MAYBE_DONE
                or isinstance(error, SynthGenConnectionError)
                or error.code == "IDEMPOTENCY_IN_PROGRESS"
            )
        )
        if not retryable:
            return None
        wait = _retry_after(error)
        if wait is None:
            return min(8.0, self.backoff * 2**attempt) * (0.5 + random.random() / 2)  # noqa: S311
        return wait if wait <= self.max_retry_wait else None


def _retry_after(error: SynthGenError) -> float | None:
    """The Retry-After header in seconds or as an HTTP date; else the body's retryAfter."""
    header = error.headers.get("retry-after")
    if header and not header.strip().isdigit():
        try:
            moment = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return error.retry_after
        return max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds())
    return error.retry_after


def _json(raw: bytes, *, strict: bool = False) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        if strict:
            raise
        return {}
    return value if isinstance(value, dict) else {}


def _fields(**fields: Any) -> dict[str, Any]:
    """A request body without the fields left unset; dates as YYYY-MM-DD."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in fields.items()
        if value is not None
    }


def _segment(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _webhook(endpoint_id: str) -> str:
    return f"/api/webhooks/{_segment(endpoint_id)}"


def _attachment_name(header: str) -> str | None:
    """The file name in a Content-Disposition header, if it names one without a directory."""
    match = re.search(r'filename="?([^";/\\]+)"?', header)
    return match.group(1) if match and match.group(1) not in (".", "..") else None
