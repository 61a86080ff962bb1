"""A CSV export's header is its item's definition, flattened: its fields in their order."""

import csv
import io
import json
from typing import Any

import pytest

from generators.items import JOB_ITEMS, Field
from tests.conftest import Consumer

PARAMS = {
    "feedback": {"productType": "mobile_app", "sentimentMix": "mixed"},
    "tickets": {"productType": "ecommerce"},
    "interviews": {"productType": "saas", "questionCount": 4},
}


def export(consumer: Consumer, capture: Any, kind: str, format: str) -> str:
    params = {**PARAMS[kind], "complexityLevel": "complex", "seed": 5}
    body = {"type": kind, "count": 30, "format": format, "params": params}
    with capture(execute=True):
        response = consumer.client.post("/api/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    download = consumer.client.get(f"/api/jobs/{response.json()['data']['id']}/download")
    return b"".join(download.streaming_content).decode()


def defined_columns(fields: tuple[Field, ...], values: list[Any], prefix: str = "") -> list[str]:
    """The definition's columns for ``values``: each field they have, in the definition's
    order, lists expanded to their longest by position."""
    columns = []
    for field in fields:
        present = [value[field.name] for value in values if field.name in value]
        path = prefix + field.name
        if not present:
            continue
        if field.type == "array":
            for position in range(1, max(map(len, present)) + 1):
                at = [value[position - 1] for value in present if len(value) >= position]
                if field.fields:
                    columns += defined_columns(field.fields, at, f"{path}.{position}.")
                else:
                    columns.append(f"{path}.{position}")
        elif field.fields:
            columns += defined_columns(field.fields, present, f"{path}.")
        else:
            columns.append(path)
    return columns


@pytest.mark.parametrize("kind", list(JOB_ITEMS))
def test_a_csv_header_is_the_definitions_columns_in_order(
    bob: Consumer, django_capture_on_commit_callbacks: Any, kind: str
) -> None:
    entries = [
        json.loads(line)
        for line in export(bob, django_capture_on_commit_callbacks, kind, "jsonl").splitlines()
    ]
    rows = csv.reader(io.StringIO(export(bob, django_capture_on_commit_callbacks, kind, "csv")))

    assert next(rows) == defined_columns(JOB_ITEMS[kind].fields, entries)
    assert len(list(rows)) == len(entries) == 30
