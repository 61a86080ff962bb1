"""A bulk job's dry run: its price, batches and estimated duration, and no job made."""

from typing import Any

import pytest

from generators.models import Job, JobChunk
from tests.conftest import Consumer


def dry_run(consumer: Consumer, **body: Any) -> dict[str, Any]:
    response = consumer.client.post("/api/jobs", {**body, "dryRun": True}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.parametrize(
    ("body", "price", "batches"),
    [
        (
            {
                "type": "feedback",
                "count": 120,
                "params": {"productType": "saas", "sentimentMix": "mixed"},
            },
            6,
            3,
        ),
        ({"type": "tickets", "count": 100_000, "params": {"productType": "saas"}}, 100_000, 2_000),
        (
            {
                "type": "interviews",
                "count": 40,
                "params": {"productType": "saas", "questionCount": 5},
            },
            400,
            40,
        ),
    ],
)
def test_a_job_dry_run_gives_its_price_batches_and_duration(
    make_consumer: Any, body: dict[str, Any], price: int, batches: int
) -> None:
    rich = make_consumer("rich@example.com", "enterprise", credits=10**6)
    shown = dry_run(rich, **body)

    assert shown["credits"] == price
    assert shown["batches"] == batches
    assert isinstance(shown["estimatedSeconds"], int) and shown["estimatedSeconds"] >= 1
    assert shown["remainingCreditsAfter"] == 10**6 - price
    assert not Job.objects.exists()
    assert not JobChunk.objects.exists()


def test_a_bigger_job_is_estimated_to_take_longer(bob: Consumer) -> None:
    params = {"productType": "saas", "sentimentMix": "mixed"}
    small = dry_run(bob, type="feedback", count=50, params=params)
    big = dry_run(bob, type="feedback", count=100_000, params=params)
    assert big["estimatedSeconds"] > small["estimatedSeconds"]
    assert big["allowed"] is False
    assert big["refusal"]["body"]["code"] == "INSUFFICIENT_CREDITS"


def test_the_priced_job_costs_what_its_dry_run_said(bob: Consumer) -> None:
    body = {"type": "interviews", "count": 3, "params": {"productType": "saas", "questionCount": 4}}
    estimate = dry_run(bob, **body)
    job = bob.client.post("/api/jobs", body, format="json").json()
    assert job["creditsUsed"] == estimate["credits"] == job["data"]["price"]
    assert job["remainingCredits"] == estimate["remainingCreditsAfter"]


def test_dry_run_belongs_to_the_job_not_its_params(bob: Consumer) -> None:
    body = {"type": "tickets", "count": 5, "params": {"productType": "saas", "dryRun": True}}
    response = bob.client.post("/api/jobs", body, format="json")
    assert response.status_code == 400
    assert "params.dryRun" in response.json()["details"]
    assert not Job.objects.exists()
