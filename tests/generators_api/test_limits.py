"""The daily limit and the burst limit as an API user sees them: headers, 429 and 402."""

import datetime as dt
import math

from rest_framework.test import APIClient

from accounts.services import issue_key
from billing.models import DailyUsage, Tier, UsageRecord
from billing.services import utc_today
from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "web_app", "sentimentMix": "positive", "feedbackCount": 2}


def next_midnight() -> dt.datetime:
    return dt.datetime.combine(utc_today() + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def seconds_to_midnight() -> int:
    return math.ceil((next_midnight() - dt.datetime.now(dt.UTC)).total_seconds())


def test_a_generation_answer_carries_the_daily_limit_headers(alice: Consumer) -> None:
    response = alice.client.post(FEEDBACK, BODY, format="json")
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "5"
    assert response["X-RateLimit-Remaining"] == "4"
    assert response["X-RateLimit-Reset"] == str(int(next_midnight().timestamp()))
    assert response["RateLimit-Policy"] == '"daily";q=5;w=86400'
    remaining, seconds = response["RateLimit"].removeprefix('"daily";r=').split(";t=")
    assert remaining == "4"
    assert abs(int(seconds) - seconds_to_midnight()) <= 2


def test_unlimited_plans_carry_no_limit_headers(make_consumer: object) -> None:
    enterprise = make_consumer("ent@example.com", "enterprise")
    response = enterprise.client.post(FEEDBACK, BODY, format="json")
    assert response.status_code == 200
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "RateLimit", "RateLimit-Policy"):
        assert header not in response


def test_the_sixth_request_of_a_free_day_is_429_with_retry_after(alice: Consumer) -> None:
    # The per-minute burst limit is also 5 on Free; lift it to watch the daily one alone.
    Tier.objects.filter(slug="free").update(burst_limit_per_minute=None)
    for remaining in (4, 3, 2, 1, 0):
        response = alice.client.post(FEEDBACK, BODY, format="json")
        assert response.status_code == 200
        assert response["X-RateLimit-Remaining"] == str(remaining)
    refused = alice.client.post(FEEDBACK, BODY, format="json")
    assert refused.status_code == 429
    body = refused.json()
    assert body["success"] is False
    assert body["code"] == "RATE_LIMIT_EXCEEDED"
    assert body["error"] == "Daily request limit of 5 reached; it resets at 00:00 UTC"
    assert refused["Retry-After"] == str(body["retryAfter"])
    assert abs(body["retryAfter"] - seconds_to_midnight()) <= 2
    assert refused["X-RateLimit-Remaining"] == "0"
    assert alice.refresh().balance == 50 - 5 * 2
    assert UsageRecord.objects.filter(status=429, credits=0).count() == 1


def test_the_daily_count_is_per_account_across_its_keys(alice: Consumer) -> None:
    Tier.objects.filter(slug="free").update(burst_limit_per_minute=None)
    _, second_key = issue_key(account=alice.account, name="Second key")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {second_key}")
    for client in (alice.client, other) * 2 + (alice.client,):
        assert client.post(FEEDBACK, BODY, format="json").status_code == 200
    assert other.post(FEEDBACK, BODY, format="json").status_code == 429


def test_yesterdays_requests_do_not_count_today(alice: Consumer) -> None:
    DailyUsage.objects.create(
        account=alice.account, day=utc_today() - dt.timedelta(days=1), requests=5
    )
    response = alice.client.post(FEEDBACK, BODY, format="json")
    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "4"


def test_not_enough_credits_is_402_with_what_was_needed_and_left(make_consumer: object) -> None:
    poor = make_consumer("poor@example.com", "basic", credits=5)
    body = {"productType": "saas", "questionCount": 3}
    response = poor.client.post("/api/interviews/generate", body, format="json")
    assert response.status_code == 402
    assert response.json() == {
        "success": False,
        "error": "This request needs 6 credits and the account has 5",
        "code": "INSUFFICIENT_CREDITS",
        "requiredCredits": 6,
        "remainingCredits": 5,
    }
    assert poor.refresh().balance == 5
    assert response["X-RateLimit-Remaining"] == "100"
    assert not DailyUsage.objects.filter(account=poor.account, requests__gt=0).exists()


def test_a_request_the_balance_covers_exactly_succeeds_to_zero(make_consumer: object) -> None:
    exact = make_consumer("exact@example.com", "basic", credits=6)
    body = {"productType": "saas", "questionCount": 3}
    response = exact.client.post("/api/interviews/generate", body, format="json")
    assert response.json()["remainingCredits"] == 0
    assert exact.refresh().balance == 0


def test_the_burst_limit_refuses_the_key_for_the_rest_of_its_minute(bob: Consumer) -> None:
    Tier.objects.filter(slug="basic").update(burst_limit_per_minute=2)
    for _ in range(2):
        assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    refused = bob.client.post(FEEDBACK, BODY, format="json")
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= body["retryAfter"] <= 60
    assert refused["Retry-After"] == str(body["retryAfter"])
    assert refused["X-RateLimit-Remaining"] == "98"
    assert bob.refresh().balance == 1_000 - 2 * 2


def test_a_plan_without_a_burst_limit_is_not_throttled(make_consumer: object) -> None:
    consumer = make_consumer("enterprise@example.com", "enterprise")
    for _ in range(8):
        assert consumer.client.post(FEEDBACK, BODY, format="json").status_code == 200
