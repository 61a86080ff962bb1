"""Property: whatever JSON, bytes and headers reach any API endpoint, the answer is never a
5xx; a 4xx is the JSON envelope and costs nothing; a 2xx charged exactly what it says."""

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from accounts.services import create_account
from billing.models import Tier
from tests.api.wsgi import wsgi_call

pytestmark = pytest.mark.django_db

JOB = f"/api/jobs/{uuid.UUID(int=7)}"
ENDPOINTS = [
    ("POST", "/api/feedback/generate"),
    ("POST", "/api/interviews/generate"),
    ("POST", "/api/tickets/generate"),
    ("POST", "/api/jobs"),
    ("GET", "/api/jobs"),
    ("GET", "/api/account"),
    ("GET", JOB),
    ("DELETE", JOB),
    ("GET", JOB + "/download"),
]
FIELDS = [
    "productType", "sentimentMix", "feedbackCount", "questionCount", "ticketCount",
    "complexityLevel", "interviewType", "seed", "dateFrom", "dateTo", "type", "count",
    "format", "params",
]  # fmt: skip
LATIN1 = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
# Text that may hold lone UTF-16 surrogates, which json.dumps writes as "\ud800" escapes.
TEXT = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=30)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
NEAR_VALID = st.fixed_dictionaries(
    {},
    optional={
        name: st.sampled_from(["mobile_app", "balanced", "feedback", "csv", "2024-01-05"])
        | st.integers(-5, 60)
        | JSON
        for name in FIELDS
    },
)
BODIES = st.one_of(
    JSON.map(lambda value: json.dumps(value).encode()),
    (NEAR_VALID | st.dictionaries(TEXT, JSON, max_size=4)).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=120),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 3000).map(lambda depth: b'{"a":' * depth + b"0" + b"}" * depth),
)
CONTENT_TYPES = (
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=rot13",
            "application/json; charset=utf-16",
            "application/json; charset=nope",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "",
        ]
    )
    | LATIN1
)
HEADERS = st.fixed_dictionaries(
    {"CONTENT_TYPE": CONTENT_TYPES},
    optional={
        "HTTP_IDEMPOTENCY_KEY": LATIN1,
        "HTTP_ACCEPT": LATIN1,
        "HTTP_AUTHORIZATION": LATIN1,
        "HTTP_X_FORWARDED_FOR": LATIN1,
        "HTTP_TRANSFER_ENCODING": st.sampled_from(["chunked", "gzip", "identity"]),
        "QUERY_STRING": LATIN1,
    },
)


@pytest.fixture
def consumer(db: None) -> tuple[Account, str]:
    tier = Tier.objects.get(slug="enterprise")
    Tier.objects.filter(pk=tier.pk).update(burst_limit_per_minute=1_000_000)
    account, key = create_account(email="mallory@example.com", tier=tier, credits=10**9)
    return account, key


@given(endpoint=st.sampled_from(ENDPOINTS), body=BODIES, headers=HEADERS)
@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_makes_the_api_fail_or_charge_for_nothing(
    consumer: tuple[Account, str], endpoint: tuple[str, str], body: bytes, headers: Any
) -> None:
    account, key = consumer
    before = Account.objects.get(pk=account.pk).balance
    method, path = endpoint
    environ = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_HOST": "localhost", **headers}
    answer = wsgi_call(method, path, body=body, **environ)
    after = Account.objects.get(pk=account.pk).balance
    assert answer.status < 500, answer.body
    if answer.status >= 400:
        envelope = json.loads(answer.body)
        assert envelope["success"] is False
        assert isinstance(envelope["error"], str) and isinstance(envelope["code"], str)
        assert after == before
    elif method == "POST":
        assert after == before - json.loads(answer.body)["creditsUsed"]
    else:
        assert after == before
