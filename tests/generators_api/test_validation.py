"""Bad input to the generation endpoints: every problem reported at once, nothing charged."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from billing.models import CreditEntry, DailyUsage, UsageRecord
from generators.engine.v1.catalog import PRODUCT_TYPES
from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
INTERVIEWS = "/api/interviews/generate"
TICKETS = "/api/tickets/generate"
VALID = {
    FEEDBACK: {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5},
    INTERVIEWS: {"productType": "saas", "questionCount": 3},
    TICKETS: {"productType": "ecommerce", "ticketCount": 2},
}


def details(response: object) -> dict[str, str]:
    body = response.json()
    assert response.status_code == 400, body
    assert body["success"] is False
    assert body["code"] == "INVALID_PARAMETERS"
    assert body["error"] == "Invalid request parameters"
    return body["details"]


def test_every_bad_field_is_reported_at_once(bob: Consumer) -> None:
    body = {
        "productType": "spaceship",
        "sentimentMix": "angry",
        "feedbackCount": 51,
        "complexityLevel": "extreme",
        "seed": -1,
        "dateFrom": "yesterday",
        "dateTo": "2024-02-30",
    }
    got = details(bob.client.post(FEEDBACK, body, format="json"))
    assert got == {
        "productType": "Must be one of: " + ", ".join(PRODUCT_TYPES),
        "sentimentMix": "Must be one of: balanced, positive, negative, mixed",
        "feedbackCount": "Must be a whole number from 1 to 50",
        "complexityLevel": "Must be one of: simple, medium, complex",
        "seed": "Must be a whole number from 0 to 9223372036854775807",
        "dateFrom": "Must be a date as YYYY-MM-DD",
        "dateTo": "Must be a date as YYYY-MM-DD",
    }


def test_missing_required_fields_are_each_named(bob: Consumer) -> None:
    got = details(bob.client.post(FEEDBACK, {"complexityLevel": "simple"}, format="json"))
    assert got == {
        "productType": "This field is required.",
        "sentimentMix": "This field is required.",
        "feedbackCount": "This field is required.",
    }


@pytest.mark.parametrize(
    ("path", "field", "high"),
    [
        (FEEDBACK, "feedbackCount", 50),
        (INTERVIEWS, "questionCount", 25),
        (TICKETS, "ticketCount", 50),
    ],
)
@pytest.mark.parametrize("bad", [0, -3, "high", "5", 5.0, 2.5, True, False, None, [5], {"n": 5}])
def test_a_count_must_be_a_json_whole_number_in_range(
    bob: Consumer, path: str, field: str, high: int, bad: object
) -> None:
    got = details(bob.client.post(path, {**VALID[path], field: bad}, format="json"))
    expected = (
        "This field may not be null." if bad is None else f"Must be a whole number from 1 to {high}"
    )
    assert got == {field: expected}


@pytest.mark.parametrize(
    ("path", "field", "high"),
    [
        (FEEDBACK, "feedbackCount", 50),
        (INTERVIEWS, "questionCount", 25),
        (TICKETS, "ticketCount", 50),
    ],
)
def test_the_count_range_is_inclusive(bob: Consumer, path: str, field: str, high: int) -> None:
    assert details(bob.client.post(path, {**VALID[path], field: high + 1}, format="json"))
    for count in (1, high):
        response = bob.client.post(path, {**VALID[path], field: count, "seed": 7}, format="json")
        assert response.status_code == 200, response.json()


def test_an_unknown_interview_type_lists_the_allowed_ones(bob: Consumer) -> None:
    body = {**VALID[INTERVIEWS], "interviewType": "survey"}
    got = details(bob.client.post(INTERVIEWS, body, format="json"))
    assert got == {
        "interviewType": "Must be one of: user_research, customer_discovery, usability, churn"
    }


def test_an_unknown_field_is_refused_with_the_allowed_names(bob: Consumer) -> None:
    body = {**VALID[TICKETS], "complexity": "simple"}
    got = details(bob.client.post(TICKETS, body, format="json"))
    assert got == {
        "complexity": "Unknown field; allowed: productType, complexityLevel, seed, "
        "generatorVersion, dateFrom, dateTo, dryRun, ticketCount"
    }


def test_a_seed_outside_63_bits_or_not_an_integer_is_refused(bob: Consumer) -> None:
    for bad in (2**63, -1, 1.5, "42", True):
        got = details(bob.client.post(TICKETS, {**VALID[TICKETS], "seed": bad}, format="json"))
        assert got == {"seed": "Must be a whole number from 0 to 9223372036854775807"}
    response = bob.client.post(TICKETS, {**VALID[TICKETS], "seed": 2**63 - 1}, format="json")
    assert response.status_code == 200


def test_dates_must_not_be_in_the_future(bob: Consumer) -> None:
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    body = {**VALID[TICKETS], "dateFrom": tomorrow, "dateTo": tomorrow}
    got = details(bob.client.post(TICKETS, body, format="json"))
    assert got == {"dateFrom": "Must not be in the future", "dateTo": "Must not be in the future"}


def test_dates_before_1970_are_refused(bob: Consumer) -> None:
    body = {**VALID[TICKETS], "dateFrom": "0150-08-01", "dateTo": "1969-12-31"}
    got = details(bob.client.post(TICKETS, body, format="json"))
    assert got == {
        "dateFrom": "Must be on or after 1970-01-01",
        "dateTo": "Must be on or after 1970-01-01",
    }
    response = bob.client.post(
        TICKETS, {**body, "dateFrom": "1970-01-01", "dateTo": "1970-01-02"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"][0]["createdAt"].startswith("1970-01-0")


def test_date_from_must_not_follow_date_to_and_is_reported_with_other_errors(
    bob: Consumer,
) -> None:
    body = {**VALID[TICKETS], "ticketCount": 0, "dateFrom": "2024-03-02", "dateTo": "2024-03-01"}
    got = details(bob.client.post(TICKETS, body, format="json"))
    assert got == {
        "ticketCount": "Must be a whole number from 1 to 50",
        "dateFrom": "Must be on or before dateTo",
    }


def test_a_date_with_a_time_is_refused(bob: Consumer) -> None:
    body = {**VALID[TICKETS], "dateTo": "2024-03-01T10:00:00Z"}
    got = details(bob.client.post(TICKETS, body, format="json"))
    assert got == {"dateTo": "Must be a date as YYYY-MM-DD"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[1, 2]", "application/json"),
        ('"feedback"', "application/json"),
        ("42", "application/json"),
        ("null", "application/json"),
        ("{not json", "application/json"),
        ("", "application/json"),
        ("productType=mobile_app", "application/x-www-form-urlencoded"),
        ("productType: mobile_app", "text/plain"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_invalid_json(
    bob: Consumer, body: str, content_type: str
) -> None:
    response = bob.client.post(FEEDBACK, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "The request body must be a JSON object",
        "code": "INVALID_JSON",
    }


def test_invalid_requests_cost_nothing_and_take_no_quota(alice: Consumer) -> None:
    for _ in range(3):
        response = alice.client.post(FEEDBACK, {"productType": "boat"}, format="json")
        assert response.status_code == 400
        assert response["X-RateLimit-Remaining"] == "5"
    assert alice.refresh().balance == 50
    assert CreditEntry.objects.filter(account=alice.account, kind="debit").count() == 0
    assert not DailyUsage.objects.filter(account=alice.account, requests__gt=0).exists()
    assert not UsageRecord.objects.exists()


def test_the_endpoints_answer_with_and_without_a_trailing_slash(bob: Consumer) -> None:
    for path in (FEEDBACK, INTERVIEWS, TICKETS):
        for url in (path, path + "/"):
            assert bob.client.post(url, VALID[path], format="json").status_code == 200


def test_a_get_is_method_not_allowed(bob: Consumer) -> None:
    response = bob.client.get(FEEDBACK)
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_a_request_without_a_key_is_unauthorized_before_validation(db: None) -> None:
    response = APIClient().post(FEEDBACK, {"productType": "boat"}, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "Invalid or missing API key",
        "code": "UNAUTHORIZED",
    }
    assert "X-RateLimit-Limit" not in response


def test_a_suspended_account_is_refused(charlie: Consumer) -> None:
    response = charlie.client.post(FEEDBACK, VALID[FEEDBACK], format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "ACCOUNT_SUSPENDED"
    assert charlie.refresh().balance == 10_000
