"""Every generation answer says what it contains; the summary equals a recount of its data."""

import statistics
from collections import Counter
from typing import Any

import pytest

from tests.conftest import Consumer

SENTIMENTS = ["positive", "neutral", "negative", "mixed"]


def spread(values: list[int]) -> dict[str, Any]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def counted(values: list[str], known: list[str] | None = None) -> dict[str, int]:
    counts = Counter(values)
    return {value: counts[value] for value in known or sorted(counts)}


def recount_feedback(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "entries": len(data),
        "sentiment": counted([entry["sentiment"] for entry in data], SENTIMENTS),
        "ratings": counted([str(entry["rating"]) for entry in data], list("12345")),
        "words": spread([len(entry["content"].split()) for entry in data]),
    }


def recount_tickets(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "entries": len(data),
        "sentiment": counted([ticket["sentiment"] for ticket in data], SENTIMENTS),
        "priority": counted(
            [ticket["priority"] for ticket in data], ["low", "medium", "high", "urgent"]
        ),
        "category": counted([ticket["category"] for ticket in data]),
        "words": spread([len(ticket["description"].split()) for ticket in data]),
    }


def recount_interviews(data: list[dict[str, Any]]) -> dict[str, Any]:
    questions = [question for interview in data for question in interview["questions"]]
    stages = ["warm_up", "current_workflow", "pain_points", "wishes", "wrap_up"]
    return {
        "entries": len(data),
        "questions": len(questions),
        "stages": counted([question["stage"] for question in questions], stages),
        "words": spread([len(question["answer"].split()) for question in questions]),
    }


@pytest.mark.parametrize(
    ("mix", "count"), [("mixed", 50), ("balanced", 6), ("negative", 1), ("positive", 2)]
)
def test_a_feedback_summary_is_a_recount_of_its_entries(
    bob: Consumer, mix: str, count: int
) -> None:
    body = {"productType": "fintech", "sentimentMix": mix, "feedbackCount": count, "seed": 5}
    answer = bob.client.post("/api/feedback/generate", body, format="json").json()
    assert answer["summary"] == recount_feedback(answer["data"])


def test_a_balanced_mix_shows_its_even_shares_in_the_summary(bob: Consumer) -> None:
    body = {"productType": "web_app", "sentimentMix": "balanced", "feedbackCount": 9}
    summary = bob.client.post("/api/feedback/generate", body, format="json").json()["summary"]
    assert summary["sentiment"] == {"positive": 3, "neutral": 3, "negative": 3, "mixed": 0}
    assert sum(summary["ratings"].values()) == 9


@pytest.mark.parametrize(("level", "count"), [("simple", 1), ("medium", 20), ("complex", 50)])
def test_a_ticket_summary_is_a_recount_of_its_tickets(
    bob: Consumer, level: str, count: int
) -> None:
    body = {"productType": "ecommerce", "ticketCount": count, "complexityLevel": level}
    answer = bob.client.post("/api/tickets/generate", body, format="json").json()
    assert answer["summary"] == recount_tickets(answer["data"])
    assert "ratings" not in answer["summary"]


@pytest.mark.parametrize("questions", [1, 2, 25])
def test_an_interview_summary_is_a_recount_of_its_answers(bob: Consumer, questions: int) -> None:
    body = {"productType": "saas", "questionCount": questions, "interviewType": "churn"}
    answer = bob.client.post("/api/interviews/generate", body, format="json").json()
    assert answer["summary"] == recount_interviews(answer["data"])
    assert answer["summary"]["questions"] == questions


def test_an_idempotent_replay_carries_the_same_summary(bob: Consumer) -> None:
    body = {"productType": "saas", "sentimentMix": "mixed", "feedbackCount": 10}
    first = bob.client.post("/api/feedback/generate", body, format="json", HTTP_IDEMPOTENCY_KEY="s")
    again = bob.client.post("/api/feedback/generate", body, format="json", HTTP_IDEMPOTENCY_KEY="s")
    assert again["Idempotent-Replayed"] == "true"
    assert (
        again.json()["summary"] == first.json()["summary"] == recount_feedback(first.json()["data"])
    )
