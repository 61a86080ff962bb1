"""What generators stores: bulk generation jobs and the chunks Celery workers build them from."""

import uuid

from django.db import models


class Job(models.Model):
    """A bulk generation request, paid for up front and built in chunks by the workers."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback"
        TICKETS = "tickets"
        INTERVIEWS = "interviews"
        DATASET = "dataset"

    class Format(models.TextChoices):
        JSONL = "jsonl"
        CSV = "csv"
        JSON = "json"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    # A UUID, so job ids say nothing about other accounts' jobs or how many there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="jobs")
    api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    count = models.PositiveIntegerField()
    format = models.CharField(max_length=5, choices=Format.choices)
    params = models.JSONField(help_text="The validated generator parameters, without the count.")
    seed = models.BigIntegerField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    generator_version = models.CharField(max_length=20)
    price = models.PositiveIntegerField()
    refunded = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    chunk_count = models.PositiveIntegerField()
    chunks_done = models.PositiveIntegerField(default=0)
    entries_done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    file = models.CharField(max_length=255, blank=True, help_text="Storage name of the export.")
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(
        null=True, blank=True, help_text="What the file contains; written with the file."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(auto_now_add=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="job_account_newest"),
            # What the sweeps read: the jobs still queued or running, few at any time.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_unfinished",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chunks_done__lte=models.F("chunk_count")),
                name="job_chunks_done_within_count",
            ),
            models.CheckConstraint(
                condition=models.Q(entries_done__lte=models.F("count")),
                name="job_entries_done_within_count",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded__lte=models.F("price")),
                name="job_refund_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def progress(self) -> int:
        """0 to 100 from the entries (a dataset's customers) of finished chunks; 100 only once
        the file is ready."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        return min(99, self.entries_done * 100 // self.count)


class JobChunk(models.Model):
    """A run of consecutive batches of a job, built by one task into its own storage object.

    A chunk counts once: the first attempt to finish it records its file; a duplicate attempt
    (a redelivered task after a worker died) finds it finished and deletes its own copy. A chunk
    whose task was lost (its worker vanished, or the broker lost it) is queued again by the
    lost-chunk sweep, from `queued_at` and `started_at`.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_batch = models.PositiveIntegerField()
    batch_count = models.PositiveIntegerField()
    entries = models.PositiveIntegerField()
    credits = models.PositiveIntegerField(help_text="The part of the job's price it delivers.")
    file = models.CharField(max_length=255, blank=True)
    columns = models.JSONField(default=list, help_text="Flattened field names, for CSV headers.")
    summary = models.JSONField(
        null=True, blank=True, help_text="The tally of its entries, merged into the job's."
    )
    sentence_digests = models.BinaryField(
        null=True, blank=True, help_text="Its distinct sentences' digests, until the file is made."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When its task was last handed to the broker."
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last began building it."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_row_per_job_chunk"),
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of {self.job_id}"
