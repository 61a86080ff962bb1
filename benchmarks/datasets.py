"""Measures how well a dataset's stories hold together, and how fast it is made (issue 12).

On one dataset per product type (2,000 customers by default), prints:

- referential integrity: items whose ``customerId`` resolves and whose name and email are
  their customer's (target 100%);
- temporal order: tickets and reviews after signup and before churn (target 100%);
- story agreement: reviews written after one of the customer's tickets that talk about that
  ticket's aspect (target 90%);
- churn gap: active customers' mean rating minus churned customers' (target 1.5 stars);
- resolution gap: mean rating of reviews after a ticket resolved within a day minus after
  one still unresolved (target 0.5 stars);
- churn interviews naming the main pain (target 90%);
- speed: customers per second in-process, and the dataset's reviews per second against the
  feedback engine's own rate in the same run (the ratio; a dataset adds journeys and
  tickets, so it is expected below 1).

Run: ``.venv/bin/python benchmarks/datasets.py [--customers N]``.
"""

import argparse
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators.engine.datasets import generate_dataset  # noqa: E402
from generators.engine.feedback import generate_feedback  # noqa: E402

WINDOW = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
TYPES = ("saas", "ecommerce", "hardware")
SEED = 2026


def coherence(dataset: dict[str, list[dict]]) -> dict[str, float | None]:
    """The issue's coherence figures of one dataset (None where there is nothing to count)."""
    customers = {customer["id"]: customer for customer in dataset["customers"]}
    tickets: dict[str, list[dict]] = defaultdict(list)
    for ticket in sorted(dataset["tickets"], key=lambda item: item["createdAt"]):
        tickets[ticket["customerId"]].append(ticket)
    joined = in_order = items = 0
    for kind, moment, person in (
        ("feedback", "timestamp", lambda item: (item["author"], None)),
        ("tickets", "createdAt", lambda item: tuple(item["customer"].values())),
    ):
        for item in dataset[kind]:
            items += 1
            owner = customers.get(item["customerId"])
            if owner is None:
                continue
            name, email = person(item)
            joined += name == owner["name"] and email in (None, owner["email"])
            in_order += owner["signupAt"] < item[moment] < (owner["churnedAt"] or "9999")
    after = agreeing = 0
    fast: list[int] = []
    unresolved: list[int] = []
    ratings: dict[str, list[int]] = defaultdict(list)
    for entry in dataset["feedback"]:
        ratings[customers[entry["customerId"]]["status"]].append(entry["rating"])
        earlier = [t for t in tickets[entry["customerId"]] if t["createdAt"] < entry["timestamp"]]
        if not earlier:
            continue
        ticket = earlier[-1]
        after += 1
        agreeing += ticket["aspect"] in entry["aspects"]
        resolved = ticket["resolvedAt"]
        if resolved is None or resolved > entry["timestamp"]:
            unresolved.append(entry["rating"])
        elif _hours(ticket["createdAt"], resolved) <= 24:
            fast.append(entry["rating"])
    # A churn interview names the main pain when what its answers talk about (``aspects``,
    # as a review's) holds the aspect the customer's last review was about.
    last_review: dict[str, dict] = {}
    for entry in sorted(dataset["feedback"], key=lambda item: item["timestamp"]):
        last_review[entry["customerId"]] = entry
    churn_interviews = [
        (interview, last_review.get(interview["customerId"]))
        for interview in dataset["interviews"]
        if interview.get("interviewType") == "churn"
        and customers[interview["customerId"]]["status"] == "churned"
    ]
    return {
        "integrity": joined / items if items else None,
        "temporal": in_order / items if items else None,
        "story": agreeing / after if after else None,
        "churn_gap": _gap(ratings["active"], ratings["churned"]),
        "resolution_gap": _gap(fast, unresolved),
        "churn_pain": (
            sum(
                review is not None
                and interview.get("mainPain") in review["aspects"]
                and interview.get("mainPain") in interview.get("aspects", ())
                for interview, review in churn_interviews
            )
            / len(churn_interviews)
            if churn_interviews
            else None
        ),
    }


def _gap(high: list[int], low: list[int]) -> float | None:
    return mean(high) - mean(low) if high and low else None


def _hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def _show(value: float | None, *, percent: bool) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if percent else f"{value:+.2f}"


def feedback_rate(product_type: str, count: int) -> float:
    """The feedback engine's own reviews per second, 50 per call as the API makes them."""
    made, start, seed = 0, time.perf_counter(), 0
    while made < count:
        made += len(
            generate_feedback(
                product_type=product_type,
                sentiment_mix="balanced",
                count=50,
                complexity="medium",
                seed=seed,
                window=WINDOW,
            )  # fmt: skip
        )
        seed += 1
    return made / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    customers = parser.parse_args().customers
    print(f"N = {customers} customers per product type, seed {SEED}, medium, churn rate 0.2")
    print(
        f"{'type':<10} {'integrity':>9} {'temporal':>9} {'story':>7} {'churn gap':>9} "
        f"{'resol. gap':>10} {'churn pain':>10} {'cust/s':>7} {'reviews/s':>9} "
        f"{'engine/s':>8} {'ratio':>5}"
    )
    for product_type in TYPES:
        start = time.perf_counter()
        dataset = generate_dataset(product_type=product_type, customer_count=customers,
                                   seed=SEED, complexity="medium", window=WINDOW,
                                   churn_rate=0.2)  # fmt: skip
        seconds = time.perf_counter() - start
        figures = coherence(dataset)
        engine = feedback_rate(product_type, len(dataset["feedback"]) // 2 or 50)
        reviews = len(dataset["feedback"]) / seconds
        print(
            f"{product_type:<10} {_show(figures['integrity'], percent=True):>9} "
            f"{_show(figures['temporal'], percent=True):>9} "
            f"{_show(figures['story'], percent=True):>7} "
            f"{_show(figures['churn_gap'], percent=False):>9} "
            f"{_show(figures['resolution_gap'], percent=False):>10} "
            f"{_show(figures['churn_pain'], percent=True):>10} "
            f"{customers / seconds:>7.0f} {reviews:>9.0f} {engine:>8.0f} {reviews / engine:>5.2f}"
        )
        print(
            f"{'':<10} {len(dataset['feedback'])} reviews, {len(dataset['tickets'])} tickets, "
            f"{len(dataset['interviews'])} interviews"
        )
    print("targets: integrity and temporal 100%, story >= 90%, churn gap >= +1.50, "
          "resolution gap >= +0.50, churn pain >= 90%")  # fmt: skip


if __name__ == "__main__":
    main()
