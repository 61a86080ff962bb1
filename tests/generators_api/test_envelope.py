"""What a successful generation answers: the documented envelope, the prices, the seed."""

import datetime as dt
import json

from billing.models import UsageRecord
from generators.engine import LATEST
from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
PAGE_EXAMPLE = {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5}


def test_the_pages_example_costs_2_of_the_free_plans_50_credits(alice: Consumer) -> None:
    response = alice.client.post(FEEDBACK, PAGE_EXAMPLE, format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body)[:4] == ["success", "data", "creditsUsed", "remainingCredits"]
    assert body["success"] is True
    assert body["creditsUsed"] == 2
    assert body["remainingCredits"] == 48
    assert len(body["data"]) == 5
    for entry in body["data"]:
        assert {"id", "rating", "title", "content", "sentiment", "timestamp"} <= set(entry)
    assert body["generatorVersion"] == LATEST
    assert body["requestId"] == response["X-Request-Id"]
    assert isinstance(body["seed"], int)


def test_the_account_endpoint_reports_the_same_balance(alice: Consumer) -> None:
    body = alice.client.post(FEEDBACK, PAGE_EXAMPLE, format="json").json()
    account = alice.client.get("/api/account").json()["data"]
    assert account["remainingCredits"] == body["remainingCredits"] == 48
    assert account["requestsToday"] == 1


def test_interviews_cost_2_credits_per_question(bob: Consumer) -> None:
    body = {"productType": "fintech", "questionCount": 7, "interviewType": "churn"}
    answer = bob.client.post("/api/interviews/generate", body, format="json").json()
    assert answer["creditsUsed"] == 14
    assert answer["remainingCredits"] == 1_000 - 14
    assert len(answer["data"]) == 1
    assert len(answer["data"][0]["questions"]) == 7
    assert answer["data"][0]["interviewType"] == "churn"


def test_tickets_cost_1_credit_per_ticket(bob: Consumer) -> None:
    body = {"productType": "ecommerce", "ticketCount": 12}
    answer = bob.client.post("/api/tickets/generate", body, format="json").json()
    assert answer["creditsUsed"] == 12
    assert answer["remainingCredits"] == 1_000 - 12
    assert len(answer["data"]) == 12


def test_the_same_seed_gives_byte_identical_data(bob: Consumer) -> None:
    body = {**PAGE_EXAMPLE, "seed": 20240115, "complexityLevel": "complex"}
    first = bob.client.post(FEEDBACK, body, format="json").json()
    second = bob.client.post(FEEDBACK, body, format="json").json()
    assert json.dumps(first["data"]) == json.dumps(second["data"])
    assert first["seed"] == second["seed"] == 20240115


def test_without_a_seed_each_call_differs_and_names_its_seed(bob: Consumer) -> None:
    first = bob.client.post(FEEDBACK, PAGE_EXAMPLE, format="json").json()
    second = bob.client.post(FEEDBACK, PAGE_EXAMPLE, format="json").json()
    assert first["data"] != second["data"]
    assert first["seed"] != second["seed"]
    replay = {**PAGE_EXAMPLE, "seed": first["seed"]}
    assert bob.client.post(FEEDBACK, replay, format="json").json()["data"] == first["data"]


def test_timestamps_fall_inside_the_requested_dates(bob: Consumer) -> None:
    body = {
        "productType": "travel",
        "ticketCount": 30,
        "dateFrom": "2024-01-10",
        "dateTo": "2024-01-12",
    }
    tickets = bob.client.post("/api/tickets/generate", body, format="json").json()["data"]
    days = {ticket["createdAt"][:10] for ticket in tickets}
    assert days <= {"2024-01-10", "2024-01-11", "2024-01-12"}


def test_by_default_timestamps_fall_in_the_90_days_before_today(bob: Consumer) -> None:
    body = {**PAGE_EXAMPLE, "feedbackCount": 50}
    entries = bob.client.post(FEEDBACK, body, format="json").json()["data"]
    today = dt.datetime.now(dt.UTC).date()
    for entry in entries:
        day = dt.date.fromisoformat(entry["timestamp"][:10])
        assert today - dt.timedelta(days=90) <= day < today
        assert entry["timestamp"].endswith("Z")


def test_defaults_are_medium_complexity_and_a_user_research_interview(bob: Consumer) -> None:
    body = {"productType": "gaming", "questionCount": 2}
    interview = bob.client.post("/api/interviews/generate", body, format="json").json()["data"][0]
    assert interview["interviewType"] == "user_research"


def test_each_generation_leaves_a_usage_record(bob: Consumer) -> None:
    body = {"productType": "saas", "ticketCount": 4}
    response = bob.client.post("/api/tickets/generate", body, format="json")
    record = UsageRecord.objects.get()
    assert record.account == bob.account
    assert bob.key.startswith(record.api_key.prefix)
    assert (record.endpoint, record.units, record.credits, record.status) == ("tickets", 4, 4, 200)
    assert record.request_id == response["X-Request-Id"]
    assert record.duration_ms >= 0
