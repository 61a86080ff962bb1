"""The price list: the one place that says what each generator costs in credits."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    credits: int
    per: str  # "request", or the unit counted: "question", "ticket"
    label: str

    def for_units(self, units: int) -> int:
        """Credits for one request that produces `units` entries (or questions)."""
        return self.credits if self.per == "request" else self.credits * units

    @property
    def description(self) -> str:
        return f"{self.credits} credit{'s' if self.credits != 1 else ''} per {self.per}"


PRICES: dict[str, Price] = {
    "feedback": Price(credits=2, per="request", label="Feedback Generation"),
    "interviews": Price(credits=2, per="question", label="Interview Generation"),
    "tickets": Price(credits=1, per="ticket", label="Support Tickets"),
}

# A job is built in batches the size of the synchronous endpoints' largest request, so its
# price is exactly what the same output costs through them.
JOB_BATCH_ENTRIES = 50


def job_price(*, kind: str, count: int, question_count: int = 1) -> int:
    """Credits for a job of `count` entries (interviews, for "interviews") of `kind`."""
    price = PRICES[kind]
    if kind == "interviews":
        return count * price.for_units(question_count)
    full, rest = divmod(count, JOB_BATCH_ENTRIES)
    return full * price.for_units(JOB_BATCH_ENTRIES) + (price.for_units(rest) if rest else 0)


def dataset_price(*, feedback: int, tickets: int, interview_questions: list[int]) -> int:
    """Credits for a dataset: exactly what its parts cost through their own endpoints (its
    reviews in requests of up to 50, its tickets, each interview's questions); customers are
    free."""
    return (
        job_price(kind="feedback", count=feedback)
        + job_price(kind="tickets", count=tickets)
        + sum(PRICES["interviews"].for_units(questions) for questions in interview_questions)
    )
