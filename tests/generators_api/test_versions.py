"""Generator versions through the API: the newest by default, older ones byte for byte."""

import json
from pathlib import Path
from typing import Any

import pytest

from generators.engine import LATEST, VERSIONS
from generators.engine.catalog import DATASET_VERSIONS
from tests.conftest import Consumer

SNAPSHOTS = Path(__file__).resolve().parents[1] / "generators" / "snapshots"
# The window of tests/generators/windows.py, as the API's dates.
DATES = {"dateFrom": "2024-01-01", "dateTo": "2024-03-31", "seed": 42}


def snapshot(version: str) -> dict[str, Any]:
    return json.loads((SNAPSHOTS / f"{version}.json").read_text(encoding="utf-8"))


def post(consumer: Consumer, path: str, body: dict[str, Any]) -> Any:
    return consumer.client.post(path, body, format="json")


def test_an_answer_says_it_was_written_by_the_newest_version_by_default(bob: Consumer) -> None:
    body = {"productType": "saas", "ticketCount": 1}
    answer = post(bob, "/api/tickets/generate", body).json()
    assert answer["generatorVersion"] == LATEST == VERSIONS[-1]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_pinned_version_answers_its_snapshot_byte_for_byte(bob: Consumer, version: str) -> None:
    pinned = snapshot(version)
    common = {**DATES, "generatorVersion": version}
    for complexity, entries in pinned["feedback"].items():
        body = {"productType": "mobile_app", "sentimentMix": "mixed", "feedbackCount": 6,
                "complexityLevel": complexity, **common}  # fmt: skip
        answer = post(bob, "/api/feedback/generate", body).json()
        assert answer["generatorVersion"] == version
        assert answer["data"] == entries
    body = {"productType": "ecommerce", "ticketCount": 4, "complexityLevel": "complex", **common}
    assert post(bob, "/api/tickets/generate", body).json()["data"] == pinned["tickets"]
    body = {"productType": "saas", "questionCount": 6, "interviewType": "churn", **common}
    assert post(bob, "/api/interviews/generate", body).json()["data"] == [pinned["interview"]]


def test_an_unknown_version_is_refused_with_the_versions_there_are(bob: Consumer) -> None:
    body = {"productType": "saas", "ticketCount": 1, "generatorVersion": "0.9"}
    response = post(bob, "/api/tickets/generate", body)
    assert response.status_code == 400
    assert response.json()["details"] == {
        "generatorVersion": f"Must be one of: {', '.join(VERSIONS)}"
    }
    assert bob.refresh().balance == 1000


@pytest.mark.parametrize("version", DATASET_VERSIONS)
def test_a_pinned_dataset_version_answers_its_snapshot_byte_for_byte(
    bob: Consumer, version: str
) -> None:
    pinned = snapshot(f"datasets-{version}")
    body = {"productType": "hardware", "customerCount": 4, "complexityLevel": "medium",
            "generatorVersion": version, **DATES}  # fmt: skip
    answer = post(bob, "/api/datasets/generate", body).json()
    assert answer["generatorVersion"] == version
    assert answer["data"] == pinned
