"""POST /api/datasets/generate: a customer base with its feedback and tickets, priced as the
sum of what its parts cost through their own endpoints."""

import math
from typing import Any

import pytest

from billing.models import CreditEntry, UsageRecord
from generators.engine import LATEST
from tests.conftest import Consumer

PATH = "/api/datasets/generate"
BODY = {"productType": "saas", "customerCount": 12, "seed": 77}


def post(consumer: Consumer, body: dict[str, Any], **headers: str) -> Any:
    return consumer.client.post(PATH, body, format="json", **headers)


def parts_price(data: dict[str, list[dict]]) -> int:
    # Our own arithmetic from the documented prices: feedback 2 credits per request of up to
    # 50 entries, 1 per ticket, 2 per interview question.
    feedback = 2 * math.ceil(len(data["feedback"]) / 50)
    questions = sum(len(item["questions"]) for item in data["interviews"])
    return feedback + len(data["tickets"]) + 2 * questions


def test_a_dataset_answers_customers_and_their_items_in_the_envelope(bob: Consumer) -> None:
    response = post(bob, BODY)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True
    assert body["seed"] == 77
    assert body["generatorVersion"] == LATEST
    data = body["data"]
    assert set(data) == {"customers", "feedback", "tickets", "interviews"}
    assert len(data["customers"]) == 12
    ids = {customer["id"] for customer in data["customers"]}
    assert {item["customerId"] for item in data["feedback"] + data["tickets"]} <= ids
    assert set(body["summary"]) == {"feedback", "tickets", "interviews"}


def test_a_dataset_costs_exactly_what_its_parts_cost_and_customers_nothing(bob: Consumer) -> None:
    response = post(bob, BODY)

    body = response.json()
    price = parts_price(body["data"])
    assert price > 0
    assert body["creditsUsed"] == price
    assert bob.refresh().balance == 1_000 - price
    assert CreditEntry.objects.get(account=bob.account, amount__lt=0).amount == -price
    assert UsageRecord.objects.get(account=bob.account).endpoint == "datasets"


def test_a_dry_run_prices_the_dataset_the_seed_makes(bob: Consumer) -> None:
    dry = post(bob, {**BODY, "dryRun": True}).json()
    real = post(bob, BODY).json()

    assert dry["credits"] == real["creditsUsed"]
    assert dry["seed"] == 77
    assert "data" not in dry


def test_a_dry_run_without_a_seed_says_which_seed_it_priced(bob: Consumer) -> None:
    dry = post(bob, {"productType": "hardware", "dryRun": True}).json()

    real = post(bob, {"productType": "hardware", "seed": dry["seed"]}).json()
    assert real["creditsUsed"] == dry["credits"]


def test_the_same_seed_gives_the_same_dataset_and_more_customers_keep_the_first(
    bob: Consumer,
) -> None:
    first = post(bob, BODY).json()["data"]
    again = post(bob, BODY).json()["data"]
    more = post(bob, {**BODY, "customerCount": 20}).json()["data"]

    assert first == again
    assert more["customers"][:12] == first["customers"]


def test_include_leaves_out_a_part_and_its_price(bob: Consumer) -> None:
    body = post(bob, {**BODY, "include": ["tickets"]}).json()

    assert body["data"]["feedback"] == []
    assert body["creditsUsed"] == len(body["data"]["tickets"])


def test_an_idempotent_retry_is_charged_once(bob: Consumer) -> None:
    first = post(bob, BODY, HTTP_IDEMPOTENCY_KEY="dataset-1")
    second = post(bob, BODY, HTTP_IDEMPOTENCY_KEY="dataset-1")

    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert bob.refresh().balance == 1_000 - first.json()["creditsUsed"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customerCount": 51}, "customerCount"),
        ({"customerCount": 0}, "customerCount"),
        ({"churnRate": 1.5}, "churnRate"),
        ({"churnRate": True}, "churnRate"),
        ({"satisfaction": "ecstatic"}, "satisfaction"),
        ({"include": ["emails"]}, "include"),
        ({"include": []}, "include"),
        ({"generatorVersion": "1.0.0"}, "generatorVersion"),
        ({"meanReviews": -1}, "meanReviews"),
        ({"productType": "spaceships"}, "productType"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_a_400_that_costs_nothing(
    bob: Consumer, change: dict[str, Any], field: str
) -> None:
    response = post(bob, {**BODY, **change})

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["code"] == "INVALID_PARAMETERS"
    assert field in body["details"]
    assert bob.refresh().balance == 1_000


def test_a_dataset_without_enough_credits_is_a_402_that_says_its_price(
    make_consumer: Any,
) -> None:
    poor = make_consumer("poor@example.com", "free", name="Poor")
    poor.account.__class__.objects.filter(pk=poor.account.pk).update(balance=1)

    response = post(poor, {**BODY, "customerCount": 50})

    assert response.status_code == 402
    assert poor.refresh().balance == 1


def test_customers_alone_cost_nothing(bob: Consumer) -> None:
    response = post(bob, {**BODY, "include": ["interviews"], "interviewShare": 0})

    assert response.status_code == 200
    body = response.json()
    assert len(body["data"]["customers"]) == 12
    assert body["data"]["interviews"] == []
    assert body["creditsUsed"] == 0
    assert bob.refresh().balance == 1_000
    assert UsageRecord.objects.get(account=bob.account).status == 200


def test_a_dataset_interview_is_its_customers_and_names_their_main_pain(bob: Consumer) -> None:
    body = {**BODY, "customerCount": 5, "include": ["interviews"], "interviewShare": 1}
    response = post(bob, body)

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    customers = {customer["id"]: customer for customer in data["customers"]}
    assert len(data["interviews"]) == 5
    for interview in data["interviews"]:
        customer = customers[interview["customerId"]]
        assert interview["interviewee"]["name"] == customer["name"]
        assert interview["interviewee"]["email"] == customer["email"]
        assert interview["mainPain"] in interview["aspects"]
        assert (interview["interviewType"] == "churn") == (customer["status"] == "churned")
    assert response.json()["creditsUsed"] == parts_price(data)
