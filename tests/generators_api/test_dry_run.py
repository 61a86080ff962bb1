"""`"dryRun": true` prices a generation request: validated as usual, answered with what it
would cost and whether it would pass, and nothing charged, counted, recorded or remembered."""

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Account
from billing.models import CreditEntry, DailyUsage, IdempotencyRecord, Tier, UsageRecord
from billing.services import utc_today
from generators.models import Job
from tests.billing.test_concurrency import at_once
from tests.conftest import Consumer, require_services

REQUESTS = {
    "/api/feedback/generate": (
        {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5},
        2,
    ),
    "/api/interviews/generate": ({"productType": "saas", "questionCount": 7}, 14),
    "/api/tickets/generate": ({"productType": "ecommerce", "ticketCount": 12}, 12),
    "/api/jobs": (
        {"type": "tickets", "count": 120, "params": {"productType": "saas"}},
        120,
    ),
}
PATHS = list(REQUESTS)
BAD_BODIES = {
    "/api/feedback/generate": [
        {"feedbackCount": 99},
        {"productType": "mobile_app", "sentimentMix": "sideways", "feedbackCount": 0},
        {"productType": "saas", "sentimentMix": "mixed", "feedbackCount": 3, "colour": "red"},
        {"productType": "saas", "sentimentMix": "mixed", "feedbackCount": 3, "seed": "7"},
        {
            "productType": "saas",
            "sentimentMix": "mixed",
            "feedbackCount": 3,
            "dateFrom": "2024-03-01",
            "dateTo": "2024-01-01",
        },
    ],
    "/api/interviews/generate": [{}, {"productType": "saas", "questionCount": 26}],
    "/api/tickets/generate": [{"productType": "shoes", "ticketCount": 1.5}],
    "/api/jobs": [
        {"type": "feedback", "count": 100_001, "params": {"productType": "saas"}},
        {"type": "interviews", "count": 3, "params": {"productType": "x", "questionCount": 0}},
        {"type": "nope", "count": 1, "params": {}},
    ],
}


def standing(consumer: Consumer) -> dict[str, Any]:
    """Everything a request could change for the account."""
    account = consumer.account
    return {
        "balance": consumer.refresh().balance,
        "days": list(DailyUsage.objects.filter(account=account).values_list("day", "requests")),
        "ledger": CreditEntry.objects.filter(account=account).count(),
        "usage": UsageRecord.objects.filter(account=account).count(),
        "keys": IdempotencyRecord.objects.filter(account=account).count(),
        "jobs": Job.objects.filter(account=account).count(),
    }


def dry_run(consumer: Consumer, path: str, **headers: str) -> Any:
    body, _ = REQUESTS[path]
    return consumer.client.post(path, {**body, "dryRun": True}, format="json", **headers)


@pytest.mark.parametrize("path", PATHS)
def test_a_dry_run_says_what_the_request_would_cost(bob: Consumer, path: str) -> None:
    _, price = REQUESTS[path]

    response = dry_run(bob, path)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True
    assert body["dryRun"] is True
    assert body["credits"] == price
    assert body["creditsUsed"] == 0
    assert body["remainingCredits"] == 1_000
    assert body["remainingCreditsAfter"] == 1_000 - price
    assert body["allowed"] is True
    assert body["sufficientCredits"] is True
    assert body["refusal"] is None
    tomorrow = dt.datetime.combine(utc_today() + dt.timedelta(days=1), dt.time.min, dt.UTC)
    assert body["dailyLimit"] == {
        "allowed": True,
        "limit": 100,
        "used": 0,
        "remaining": 100,
        "resetsAt": tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert "data" not in body


@pytest.mark.parametrize("path", PATHS)
def test_a_dry_run_charges_counts_and_keeps_nothing(bob: Consumer, path: str) -> None:
    bob.client.post("/api/feedback/generate", REQUESTS[PATHS[0]][0], format="json")
    before = standing(bob)

    for attempt in range(3):
        answer = dry_run(bob, path, HTTP_IDEMPOTENCY_KEY=f"dry-{attempt}")
        assert answer.status_code == 200
        assert answer["X-RateLimit-Remaining"] == "99"
        assert "Idempotent-Replayed" not in answer

    assert standing(bob) == before
    real = bob.client.post("/api/feedback/generate", REQUESTS[PATHS[0]][0], format="json")
    assert real["X-RateLimit-Remaining"] == "98"


@pytest.mark.parametrize("path", PATHS)
def test_a_dry_run_then_the_real_request_with_the_same_key_runs_once(
    bob: Consumer, path: str
) -> None:
    body, price = REQUESTS[path]
    assert dry_run(bob, path, HTTP_IDEMPOTENCY_KEY="order-1").status_code == 200
    real = bob.client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")

    assert real.status_code in (200, 202)
    assert "Idempotent-Replayed" not in real
    assert real.json()["creditsUsed"] == price
    assert bob.refresh().balance == 1_000 - price


@pytest.mark.parametrize("path", PATHS)
def test_a_dry_run_reports_the_402_it_would_get_without_being_refused(
    alice: Consumer, path: str
) -> None:
    body, price = REQUESTS[path]
    Account.objects.filter(pk=alice.account.pk).update(balance=1)
    real = alice.client.post(path, body, format="json")
    before = standing(alice)

    answer = dry_run(alice, path)

    assert real.status_code == 402
    assert answer.status_code == 200
    shown = answer.json()
    assert shown["allowed"] is False
    assert shown["sufficientCredits"] is False
    assert shown["dailyLimit"]["allowed"] is True
    assert shown["remainingCredits"] == 1
    assert shown["remainingCreditsAfter"] is None
    assert shown["refusal"] == {"status": 402, "body": real.json()}
    assert standing(alice) == before


@pytest.mark.parametrize("path", PATHS)
def test_a_dry_run_past_the_daily_limit_reports_the_429_it_would_get(
    alice: Consumer, path: str
) -> None:
    body, price = REQUESTS[path]
    DailyUsage.objects.create(account=alice.account, day=utc_today(), requests=5)
    Tier.objects.filter(slug="free").update(burst_limit_per_minute=None)
    real = alice.client.post(path, body, format="json")
    before = standing(alice)

    answer = dry_run(alice, path)

    assert real.status_code == 429
    assert answer.status_code == 200
    shown = answer.json()
    assert shown["allowed"] is False
    assert shown["dailyLimit"]["allowed"] is False
    assert shown["dailyLimit"]["remaining"] == 0
    assert shown["sufficientCredits"] is (price <= 50)
    refusal, expected = shown["refusal"], dict(real.json())
    assert refusal["status"] == 429
    assert abs(refusal["body"].pop("retryAfter") - expected.pop("retryAfter")) <= 1
    assert refusal["body"] == expected
    assert answer["X-RateLimit-Remaining"] == "0"
    assert standing(alice) == before


def test_an_unlimited_plan_has_no_daily_limit_to_report(make_consumer: Any) -> None:
    enterprise = make_consumer("ent@example.com", "enterprise")
    shown = dry_run(enterprise, "/api/tickets/generate").json()
    assert shown["dailyLimit"]["allowed"] is True
    assert shown["dailyLimit"]["limit"] is None
    assert shown["dailyLimit"]["remaining"] is None


@pytest.mark.parametrize(
    ("path", "bad"), [(path, bad) for path, bodies in BAD_BODIES.items() for bad in bodies]
)
def test_a_bad_dry_run_is_refused_exactly_as_the_real_request(
    bob: Consumer, path: str, bad: dict[str, Any]
) -> None:
    real = bob.client.post(path, bad, format="json")
    dry = bob.client.post(path, {**bad, "dryRun": True}, format="json")

    assert real.status_code == dry.status_code == 400
    assert dry.json() == real.json()


@pytest.mark.parametrize("path", PATHS)
def test_a_bad_idempotency_key_is_the_same_400_in_a_dry_run(bob: Consumer, path: str) -> None:
    body, _ = REQUESTS[path]
    real = bob.client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=" padded ")
    dry = dry_run(bob, path, HTTP_IDEMPOTENCY_KEY=" padded ")
    assert real.status_code == dry.status_code == 400
    assert dry.json() == real.json()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("flag", ["true", 1, "yes", None])
def test_dry_run_takes_only_true_or_false(bob: Consumer, path: str, flag: Any) -> None:
    body, _ = REQUESTS[path]
    response = bob.client.post(path, {**body, "dryRun": flag}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["dryRun"] == "Must be true or false"
    assert not UsageRecord.objects.filter(account=bob.account, credits__gt=0).exists()


@pytest.mark.parametrize("path", PATHS)
def test_dry_run_false_is_the_real_request(bob: Consumer, path: str) -> None:
    body, price = REQUESTS[path]
    response = bob.client.post(path, {**body, "dryRun": False}, format="json")
    assert response.status_code in (200, 202)
    assert response.json()["creditsUsed"] == price
    assert "dryRun" not in response.json()


@pytest.mark.parametrize("path", PATHS)
def test_a_dry_run_needs_a_valid_key(db: None, path: str) -> None:
    anonymous = APIClient()
    body, _ = REQUESTS[path]
    assert anonymous.post(path, {**body, "dryRun": True}, format="json").status_code == 401
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer sg_live_not_a_key")
    refused = anonymous.post(path, {**body, "dryRun": True}, format="json")
    assert refused.status_code == 401
    assert refused.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("path", PATHS)
def test_a_suspended_account_cannot_dry_run(charlie: Consumer, path: str) -> None:
    assert dry_run(charlie, path).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_dry_runs_never_take_the_last_request_of_the_day(alice: Consumer) -> None:
    require_services(postgres=True, redis=True)
    Tier.objects.filter(slug="free").update(burst_limit_per_minute=None)
    DailyUsage.objects.create(account=alice.account, day=utc_today(), requests=4)
    body, _ = REQUESTS["/api/feedback/generate"]

    def call(index: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice.key}")
        payload = body if index == 0 else {**body, "dryRun": True}
        return client.post("/api/feedback/generate", payload, format="json").status_code

    assert at_once(12, call) == [200] * 12
    assert DailyUsage.objects.get(account=alice.account).requests == 5
    assert alice.refresh().balance == 48
    assert CreditEntry.objects.filter(account=alice.account, kind="debit").count() == 1
    assert UsageRecord.objects.filter(account=alice.account).count() == 1
    assert dry_run(alice, "/api/feedback/generate").json()["dailyLimit"]["allowed"] is False
