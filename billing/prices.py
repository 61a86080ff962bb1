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
