"""What the API answers, as TypedDicts. They are plain dicts at run time: a field the server
adds later is there too, before this module names it."""

from typing import Any, Literal, NotRequired, TypedDict

ComplexityLevel = Literal["simple", "medium", "complex"]
SentimentMix = Literal["balanced", "positive", "negative", "mixed"]
InterviewType = Literal["user_research", "customer_discovery", "usability", "churn"]
JobType = Literal["feedback", "tickets", "interviews", "dataset"]
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
    author: NotRequired[str]  # the reviewer's display name
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


DatasetPart = Literal["feedback", "tickets", "interviews"]
CustomerStatus = Literal["active", "churned"]


class Customer(TypedDict):
    """A dataset's customer: every feedback entry, ticket and interview of theirs names `id`."""

    id: str  # cus_ and 12 hex digits
    name: str
    email: str
    country: str
    locale: str
    signupAt: str
    segment: str
    status: CustomerStatus
    churnedAt: str | None  # None while active
    product: dict[str, Any]
    facts: dict[str, int]  # product-type facts: orders for a shop, seats for SaaS, ...
    platform: NotRequired[str]  # product types with platforms only


class DatasetFeedbackEntry(FeedbackEntry):
    customerId: str


class DatasetTicket(Ticket):
    customerId: str
    resolvedAt: str | None  # None while unresolved
    aspect: str
    incident: str


class DatasetInterview(Interview):
    """The interview a dataset's customer gives; the interviewee has the customer's email."""

    customerId: str
    mainPain: str  # what annoys them most, as reviews name aspects
    aspects: list[str]  # what its questions were about


class Dataset(TypedDict):
    """A customer base and what they wrote; a part left out of `include` is an empty list."""

    customers: list[Customer]
    feedback: list[DatasetFeedbackEntry]
    tickets: list[DatasetTicket]
    interviews: list[DatasetInterview]


class Words(TypedDict):
    """Words per text: the fewest, the median and the most (None for each without texts)."""

    min: int | None
    median: int | float | None
    max: int | None


class Sentences(TypedDict):
    """Jobs only, over the whole file: sentences, how many differ, and the share repeated."""

    total: int
    distinct: int
    repeatedShare: float


class SentimentCounts(TypedDict):
    positive: int
    neutral: int
    negative: int
    mixed: int


RatingCounts = TypedDict("RatingCounts", {"1": int, "2": int, "3": int, "4": int, "5": int})


class PriorityCounts(TypedDict):
    low: int
    medium: int
    high: int
    urgent: int


class StageCounts(TypedDict):
    warm_up: int
    current_workflow: int
    pain_points: int
    wishes: int
    wrap_up: int


class FeedbackSummary(TypedDict):
    entries: int
    sentiment: SentimentCounts
    ratings: RatingCounts
    words: Words
    sentences: NotRequired[Sentences]


class TicketSummary(TypedDict):
    entries: int
    sentiment: SentimentCounts
    priority: PriorityCounts
    category: dict[str, int]  # the categories that occur
    words: Words
    sentences: NotRequired[Sentences]


class InterviewSummary(TypedDict):
    entries: int
    questions: int
    stages: StageCounts
    words: Words
    sentences: NotRequired[Sentences]


class JobSummary(TypedDict):
    """A finished job's summary: its type's summary over the whole file, with `sentences`;
    the groups are those of its type (feedback: sentiment and ratings, ...)."""

    entries: int
    words: Words
    sentences: Sentences
    sentiment: NotRequired[SentimentCounts]
    ratings: NotRequired[RatingCounts]
    priority: NotRequired[PriorityCounts]
    category: NotRequired[dict[str, int]]
    questions: NotRequired[int]
    stages: NotRequired[StageCounts]


class Answer(TypedDict):
    """The envelope of a generation: its data, what it cost and how to repeat it."""

    success: bool
    creditsUsed: int
    remainingCredits: int
    seed: int
    generatorVersion: str
    requestId: str


class FeedbackAnswer(Answer):
    data: list[FeedbackEntry]
    summary: FeedbackSummary


class TicketsAnswer(Answer):
    data: list[Ticket]
    summary: TicketSummary


class InterviewsAnswer(Answer):
    data: list[Interview]
    summary: InterviewSummary


class DatasetSummary(TypedDict):
    feedback: FeedbackSummary
    tickets: TicketSummary
    interviews: InterviewSummary


class DatasetAnswer(Answer):
    data: Dataset
    summary: DatasetSummary


class DailyLimit(TypedDict):
    """The plan's daily request limit as it stands (limit and remaining None if unlimited)."""

    allowed: bool
    limit: int | None
    used: int
    remaining: int | None
    resetsAt: str


class Refusal(TypedDict):
    """What the request would be answered instead: its status and exact error body."""

    status: Literal[402, 429]
    body: dict[str, Any]


class DryRunAnswer(TypedDict):
    """The answer to `dry_run=True`: what the request would cost and whether it would pass;
    nothing is charged or counted."""

    success: bool
    dryRun: Literal[True]
    credits: int
    creditsUsed: Literal[0]
    remainingCredits: int
    remainingCreditsAfter: int | None
    allowed: bool
    sufficientCredits: bool
    dailyLimit: DailyLimit
    refusal: Refusal | None


class DatasetEstimate(DryRunAnswer):
    """A dataset's dry run: its price depends on what the seed makes, so it names the seed;
    the real request with that seed makes and charges exactly that dataset."""

    seed: int


class JobEstimate(DryRunAnswer):
    """A job's dry run: the price and standing, its batches and about how long it would take."""

    batches: int
    estimatedSeconds: int
    seed: NotRequired[int]  # a dataset job's: the seed the price is for


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
    # None until the file is written; a dataset job has one summary per part.
    summary: JobSummary | DatasetSummary | None


class JobAnswer(TypedDict):
    """The answer to POST /api/jobs: the job as queued and what it cost."""

    success: bool
    data: Job
    creditsUsed: int
    remainingCredits: int


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
