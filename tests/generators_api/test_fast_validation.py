"""The generation endpoints' fast path for valid requests answers exactly what the serializer
would, and leaves every request it cannot vouch for (so every error) to the serializer."""

from typing import Any

import pytest
from rest_framework import serializers

from generators.engine import LATEST
from generators.serializers import (
    DatasetRequestSerializer,
    FeedbackRequestSerializer,
    InterviewRequestSerializer,
    TicketRequestSerializer,
    fast_validated,
)

FEEDBACK = {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5}
FULL_FEEDBACK = {
    **FEEDBACK,
    "complexityLevel": "complex",
    "seed": 2**63 - 1,
    "generatorVersion": "1.0.0",
    "dryRun": True,
}
ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, 5.0, 51, -1, 2**63, "5", "", "mobile_app ", "MOBILE_APP", [], {},
    "balanced", "simple", "2.0.0", "2024-01-05",
]  # fmt: skip


def serializer_answer(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    serializer = serializer_class(data=data)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def bodies() -> list[dict[str, Any]]:
    """The valid body with each field in turn sent as each odd value, left out, or renamed."""
    found = [FEEDBACK, FULL_FEEDBACK, {**FEEDBACK, "dateFrom": "2024-01-01"}]
    for name in FULL_FEEDBACK:
        found += [{**FULL_FEEDBACK, name: value} for value in ODD_VALUES]
        without = {key: value for key, value in FULL_FEEDBACK.items() if key != name}
        found += [without, {**without, name.lower(): FULL_FEEDBACK[name]}]
    return found


@pytest.mark.parametrize("body", bodies())
def test_the_fast_path_agrees_with_the_serializer_or_defers_to_it(body: dict[str, Any]) -> None:
    fast = fast_validated(FeedbackRequestSerializer, body)
    if fast is not None:
        assert fast == serializer_answer(FeedbackRequestSerializer, body)


def test_a_plain_valid_request_takes_the_fast_path_with_the_serializers_defaults() -> None:
    expected = serializer_answer(FeedbackRequestSerializer, FEEDBACK)
    assert expected == {**FEEDBACK, "complexityLevel": "medium", "generatorVersion": LATEST,
                        "dryRun": False}  # fmt: skip
    assert fast_validated(FeedbackRequestSerializer, FEEDBACK) == expected
    assert fast_validated(FeedbackRequestSerializer, FULL_FEEDBACK) == FULL_FEEDBACK
    for serializer_class, body in [
        (InterviewRequestSerializer, {"productType": "saas", "questionCount": 3}),
        (TicketRequestSerializer, {"productType": "ecommerce", "ticketCount": 2}),
    ]:
        assert fast_validated(serializer_class, body) == serializer_answer(serializer_class, body)


def test_invalid_requests_and_dates_are_left_to_the_serializer() -> None:
    assert fast_validated(FeedbackRequestSerializer, {**FEEDBACK, "feedbackCount": 51}) is None
    assert fast_validated(FeedbackRequestSerializer, {**FEEDBACK, "feedbackcount": 5}) is None
    assert fast_validated(FeedbackRequestSerializer, {**FEEDBACK, "dateTo": "2024-01-05"}) is None


def test_a_dataset_request_is_always_left_to_the_serializer() -> None:
    """Its list and fractional fields and its `include` clean-up are the serializer's alone."""
    assert fast_validated(DatasetRequestSerializer, {"productType": "saas"}) is None
