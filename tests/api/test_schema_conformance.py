"""schemathesis over /api/schema/: every operation, with requests made from the schema (valid
ones and ones that break it), answers as the schema says. No 5xx, no answer the schema does
not describe, every schema-valid request accepted and every schema-breaking one refused.

Bounded: MAX_EXAMPLES cases per operation and generation mode, in-process through the WSGI
callable gunicorn serves, on an Enterprise account with credits and burst room to spare.
"""

import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import create_account
from billing.models import Tier
from synthgen.celery import app as celery_app
from tests.api.wsgi import in_test_application

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]


@pytest.fixture
def api_schema(db: None) -> Any:
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", in_test_application)


@pytest.fixture
def bearer(db: None) -> dict[str, str]:
    tier = Tier.objects.get(slug="enterprise")
    Tier.objects.filter(pk=tier.pk).update(burst_limit_per_minute=1_000_000)
    _, key = create_account(email="fuzz@example.com", tier=tier, credits=10**9)
    celery_app.conf.task_always_eager = False  # jobs are queued, not run (restored by conftest)
    return {"Authorization": f"Bearer {key}"}


schema = schemathesis.pytest.from_fixture("api_schema")


def _fresh_idempotency_key(case: Any) -> None:
    """A new request takes a new Idempotency-Key, as the schema's description says: the same
    key with another body is refused (422) by design, which a schema cannot express."""
    headers = case.headers or {}
    if "Idempotency-Key" in headers and case.meta.generation.mode.is_positive:
        headers["Idempotency-Key"] = uuid.uuid4().hex


def _dates_in_order(case: Any) -> None:
    """dateFrom on or before dateTo, as the schema's description says: JSON Schema cannot
    compare two fields, so a schema-valid case may have them the wrong way round."""
    bodies = [case.body] if isinstance(case.body, dict) else []
    bodies += [body["params"] for body in bodies if isinstance(body.get("params"), dict)]
    for body in bodies:
        dates = [body.get("dateFrom"), body.get("dateTo")]
        if case.meta.generation.mode.is_positive and all(isinstance(d, str) for d in dates):
            body["dateFrom"], body["dateTo"] = sorted(dates)


def _a_public_webhook_url(case: Any) -> None:
    """A webhook URL on a public host, as the schema's description says: whether a name or
    address is public (not loopback, private or a cloud's metadata service) is beyond JSON
    Schema."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.meta.generation.mode.is_positive and isinstance(body.get("url"), str):
        body["url"] = "https://hooks.example.com/synthgen"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_the_schema_says(case: Any, bearer: dict[str, str]) -> None:
    _fresh_idempotency_key(case)
    _dates_in_order(case)
    _a_public_webhook_url(case)
    case.call_and_validate(headers=bearer, checks=CHECKS)
