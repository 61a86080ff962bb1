"""What the API answers, as TypedDicts. They are plain dicts at run time: a field the server
adds later (a `summary`, say) is there too, before this module names it."""

from typing import Any, Literal, NotRequired, TypedDict

ComplexityLevel = Literal["simple", "medium", "complex"]
SentimentMix = Literal["balanced", "positive", "negative", "mixed"]
InterviewType = Literal["user_research", "customer_discovery", "usability", "churn"]
JobType = Literal["feedback", "tickets", "interviews"]
JobFormat = Literal["jsonl", "csv", "json"]
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
WebhookEventType = Literal[
    "job.succeeded", "job.failed", "job.cancelled", "credits.low", "key.revoked", "webhook.test"
]


class FeedbackEntry(TypedDict):
    id: str
    rating: int
    title: str
    content: str
    sentiment: str
    timestamp: str
    author: NotRequired[dict[str, Any]]
    product: NotRequired[dict[str, Any]]
    aspects: NotRequired[list[str]]
    platform: NotRequired[str]
    appVersion: NotRequired[str]
    verifiedPurchase: NotRequired[bool]
    helpfulVotes: NotRequired[int]


class Ticket(TypedDict):
    id: str
    subject: str
    description: str
    category: str
    priority: str
    status: str
    channel: str
    customer: dict[str, Any]
    sentiment: str
    createdAt: str
    thread: NotRequired[list[dict[str, Any]]]  # complex tickets: the customer and agent messages


class Interview(TypedDict):
    id: str
    interviewType: InterviewType
    productType: str
    interviewee: dict[str, Any]
    questions: list[dict[str, Any]]
    conductedAt: NotRequired[str]


class Answer(TypedDict):
    """The envelope of a generation: its data, what it cost and how to repeat it."""

    success: bool
    creditsUsed: int
    remainingCredits: int
    seed: int
    generatorVersion: str
    requestId: str
    summary: NotRequired[dict[str, Any]]
    dryRun: NotRequired[bool]


class FeedbackAnswer(Answer):
    data: list[FeedbackEntry]


class TicketsAnswer(Answer):
    data: list[Ticket]


class InterviewsAnswer(Answer):
    data: list[Interview]


class Job(TypedDict):
    id: str
    type: JobType
    status: JobStatus
    progress: int
    count: int
    entriesDone: int
    format: JobFormat
    params: dict[str, Any]
    dateFrom: str | None
    dateTo: str | None
    generatorVersion: str
    price: int
    refundedCredits: int
    error: str | None
    createdAt: str
    startedAt: str | None
    finishedAt: str | None
    statusUrl: str
    downloadUrl: str | None
    fileSize: int | None
    fileExpiresAt: str | None
    fileExpired: bool
    summary: NotRequired[dict[str, Any]]


class JobAnswer(TypedDict):
    """The answer to POST /api/jobs: the job as queued and what it cost."""

    success: bool
    data: Job
    creditsUsed: int
    remainingCredits: int
    dryRun: NotRequired[bool]


class Account(TypedDict):
    email: str
    name: str
    tier: str
    tierName: str
    dailyRequestLimit: int | None
    requestsToday: int
    remainingCredits: int
    lowCreditThreshold: int | None
    apiKey: str | None


class WebhookEndpoint(TypedDict):
    id: str
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabledReason: str | None
    failingSince: str | None
    createdAt: str
    updatedAt: str
    secret: NotRequired[str]  # only in the answers that create or rotate it


class WebhookAttempt(TypedDict):
    number: int
    manual: bool
    startedAt: str
    durationMs: int | None
    statusCode: int | None
    succeeded: bool
    error: str | None
    response: str


class WebhookEvent(TypedDict):
    id: str
    type: str
    timestamp: str
    data: dict[str, Any]


class WebhookDelivery(TypedDict):
    id: str
    endpointId: str
    eventId: str
    eventType: str
    status: Literal["pending", "succeeded", "failed"]
    attemptCount: int
    nextAttemptAt: str | None
    createdAt: str
    finishedAt: str | None
    event: WebhookEvent
    attempts: list[WebhookAttempt]
