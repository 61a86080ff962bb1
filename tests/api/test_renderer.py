"""The API's answers are the bytes DRF's own JSONRenderer would write, encoded by orjson."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer

from synthgen.renderers import JSONRenderer, render_json
from tests.conftest import Consumer

pytestmark = pytest.mark.django_db

AWKWARD = {
    "text": 'naïve café — “quoted” \u2028line\u2029para "escaped" \\ tab\t 🎧',
    "when": dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
    "offset": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    "day": dt.date(2024, 2, 29),
    "price": Decimal("12.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Not found."),
    "counts": {1: 10, 5: 2},
    "floats": [0.1, 1 / 3, 2.5, -0.0, 100.0, 1e16],
    "nested": [{"ok": True, "none": None, "tuple": (1, 2)}],
}


def test_it_writes_the_same_bytes_as_drf_for_awkward_values() -> None:
    assert render_json(AWKWARD) == DrfJSONRenderer().render(AWKWARD)
    assert JSONRenderer().render(AWKWARD) == DrfJSONRenderer().render(AWKWARD)


def test_an_answer_asked_for_indented_is_indented_as_drf_does_it() -> None:
    media_type = "application/json; indent=4"
    body = JSONRenderer().render(AWKWARD, media_type)
    assert body == DrfJSONRenderer().render(AWKWARD, media_type)
    assert b'\n    "text"' in body


def test_nothing_renders_as_an_empty_body() -> None:
    assert JSONRenderer().render(None) == b""


def test_a_generated_answer_reads_back_as_what_drf_would_have_written(alice: Consumer) -> None:
    response = alice.client.post(
        "/api/feedback/generate",
        {"productType": "saas", "sentimentMix": "mixed", "feedbackCount": 3, "seed": 7},
        format="json",
    )
    assert response.status_code == 200
    assert response.content == DrfJSONRenderer().render(json.loads(response.content))
    account = alice.client.get("/api/account")
    assert account.content == DrfJSONRenderer().render(json.loads(account.content))
