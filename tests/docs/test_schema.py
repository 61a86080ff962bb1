"""The OpenAPI schema at /api/schema/ and the interactive reference at /api/docs/."""

import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from accounts.models import Account
from generators.models import Job
from tests.conftest import Consumer

CONTRACT_STATUSES = {"400", "401", "402", "403", "409", "422", "429", "500"}
GENERATION = ["/api/feedback/generate", "/api/interviews/generate", "/api/tickets/generate"]
PAGE_REQUEST = {
    "productType": "mobile_app",
    "sentimentMix": "balanced",
    "feedbackCount": 5,
    "complexityLevel": "medium",
}
PAGE_RESPONSE = {
    "success": True,
    "data": [
        {
            "id": "feedback_123",
            "rating": 4,
            "title": "Great app with minor issues",
            "content": "I've been using this app for a few weeks now...",
            "sentiment": "positive",
            "timestamp": "2024-01-15T10:30:00Z",
        }
    ],
    "creditsUsed": 2,
    "remainingCredits": 48,
}
BODIES = {
    "/api/feedback/generate": {
        "productType": "fintech",
        "sentimentMix": "mixed",
        "feedbackCount": 3,
    },
    "/api/interviews/generate": {"productType": "saas", "questionCount": 4},
    "/api/tickets/generate": {
        "productType": "ecommerce",
        "ticketCount": 3,
        "complexityLevel": "complex",
    },
}


@pytest.fixture
def schema(client: Client, db: None) -> dict[str, Any]:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _validator(schema: dict[str, Any], target: dict[str, Any]) -> OAS30Validator:
    """Validate against `target`, resolving its #/components/... references in `schema`."""
    if "$ref" in target:
        target = {"allOf": [target]}
    return OAS30Validator({**target, "components": schema["components"]})


def _operation(schema: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    return schema["paths"][path][method]


def _content(operation: dict[str, Any], status: str) -> dict[str, Any]:
    return operation["responses"][status]["content"]["application/json"]


def test_the_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_needs_no_key(client: Client, db: None) -> None:
    assert client.get("/api/schema/").status_code == 200


def test_every_endpoint_is_described_at_the_path_the_page_uses(schema: dict[str, Any]) -> None:
    assert {"/api/account", *GENERATION} <= set(schema["paths"])
    assert not [path for path in schema["paths"] if path.endswith("/")]


def test_every_operation_requires_the_bearer_key(schema: dict[str, Any]) -> None:
    scheme = schema["components"]["securitySchemes"]["BearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"BearerAuth": []}]


def test_every_generation_endpoint_lists_every_contract_error(schema: dict[str, Any]) -> None:
    for path in GENERATION:
        responses = _operation(schema, path)["responses"]
        assert set(responses) >= CONTRACT_STATUSES
        for status in CONTRACT_STATUSES:
            assert _content(_operation(schema, path), status)["schema"] == {
                "$ref": "#/components/schemas/ErrorEnvelope"
            }


def test_every_operation_answers_its_errors_in_the_envelope(schema: dict[str, Any]) -> None:
    for operations in schema["paths"].values():
        for operation in operations.values():
            errors = {status for status in operation["responses"] if status >= "400"}
            assert {"401", "403", "500"} <= errors


def test_every_operation_may_answer_503_with_retry_after(schema: dict[str, Any]) -> None:
    for operations in schema["paths"].values():
        for operation in operations.values():
            unavailable = operation["responses"]["503"]
            assert set(unavailable["headers"]) == {"Retry-After"}
            example = unavailable["content"]["application/json"]["examples"]["SERVICE_UNAVAILABLE"]
            assert example["value"] == {
                "success": False,
                "error": "SynthGen is briefly unavailable and this request costs nothing; retry "
                "after retryAfter seconds",
                "code": "SERVICE_UNAVAILABLE",
                "retryAfter": 5,
            }


def test_the_error_envelope_names_every_code(schema: dict[str, Any]) -> None:
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["success", "error", "code"]
    codes = set(envelope["properties"]["code"]["enum"])
    assert {
        "INVALID_PARAMETERS",
        "INVALID_JSON",
        "UNAUTHORIZED",
        "INSUFFICIENT_CREDITS",
        "ACCOUNT_SUSPENDED",
        "IDEMPOTENCY_IN_PROGRESS",
        "IDEMPOTENCY_KEY_REUSED",
        "NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "RATE_LIMIT_EXCEEDED",
        "INTERNAL_ERROR",
        "SERVICE_UNAVAILABLE",
    } <= codes


def test_the_request_fields_carry_enums_ranges_and_defaults(schema: dict[str, Any]) -> None:
    schemas = schema["components"]["schemas"]
    feedback = schemas["FeedbackRequest"]
    assert set(feedback["required"]) == {"productType", "sentimentMix", "feedbackCount"}
    assert (
        feedback["properties"]["feedbackCount"]["minimum"],
        feedback["properties"]["feedbackCount"]["maximum"],
    ) == (1, 50)
    assert feedback["properties"]["complexityLevel"]["default"] == "medium"
    assert schemas["ComplexityLevelEnum"]["enum"] == ["simple", "medium", "complex"]
    assert schemas["SentimentMixEnum"]["enum"] == ["balanced", "positive", "negative", "mixed"]
    assert {"mobile_app", "web_app", "ecommerce"} <= set(schemas["ProductTypeEnum"]["enum"])
    interview = schemas["InterviewRequest"]["properties"]
    assert (interview["questionCount"]["minimum"], interview["questionCount"]["maximum"]) == (1, 25)
    assert interview["interviewType"]["default"] == "user_research"
    tickets = schemas["TicketRequest"]["properties"]
    assert (tickets["ticketCount"]["minimum"], tickets["ticketCount"]["maximum"]) == (1, 50)
    assert "Type of product" in feedback["properties"]["productType"]["description"]


def test_the_pages_own_examples_are_in_the_schema(schema: dict[str, Any]) -> None:
    operation = _operation(schema, "/api/feedback/generate")
    request_examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert request_examples["Request"]["value"] == PAGE_REQUEST
    assert _content(operation, "200")["examples"]["Response"]["value"] == PAGE_RESPONSE
    assert _content(operation, "401")["examples"]["UNAUTHORIZED"]["value"] == {
        "success": False,
        "error": "Invalid or missing API key",
        "code": "UNAUTHORIZED",
    }
    assert _content(operation, "429")["examples"]["RATE_LIMIT_EXCEEDED"]["value"] == {
        "success": False,
        "error": "Rate limit exceeded",
        "code": "RATE_LIMIT_EXCEEDED",
        "retryAfter": 3600,
    }
    assert _content(operation, "400")["examples"]["INVALID_PARAMETERS"]["value"] == {
        "success": False,
        "error": "Invalid request parameters",
        "code": "INVALID_PARAMETERS",
        "details": {"productType": "Must be one of: mobile_app, web_app, ecommerce"},
    }


def test_every_example_fits_its_own_schema(schema: dict[str, Any]) -> None:
    for operations in schema["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                for content in response.get("content", {}).values():
                    for example in content.get("examples", {}).values():
                        _validator(schema, content["schema"]).validate(example["value"])


@pytest.mark.parametrize("path", GENERATION)
def test_real_answers_fit_the_described_success_envelope(
    schema: dict[str, Any], bob: Consumer, path: str
) -> None:
    response = bob.client.post(path, BODIES[path], format="json")
    assert response.status_code == 200, response.content
    _validator(schema, _content(_operation(schema, path), "200")["schema"]).validate(
        response.json()
    )


def test_real_errors_fit_the_described_envelope(schema: dict[str, Any], bob: Consumer) -> None:
    envelope = _validator(schema, {"$ref": "#/components/schemas/ErrorEnvelope"})
    invalid = bob.client.post("/api/feedback/generate", {"feedbackCount": 99}, format="json")
    envelope.validate(invalid.json())
    assert invalid.status_code == 400


def test_the_account_answer_fits_its_description(schema: dict[str, Any], bob: Consumer) -> None:
    response = bob.client.get("/api/account")
    operation = _operation(schema, "/api/account", "get")
    _validator(schema, _content(operation, "200")["schema"]).validate(response.json())


def test_the_interactive_reference_uses_only_our_own_static_files(client: Client, db: None) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    assert not [asset for asset in assets if asset.startswith(("http:", "https:", "//"))]
    static = [asset for asset in assets if asset.startswith("/static/")]
    for asset in static:
        assert finders.find(asset.removeprefix("/static/")), asset
    # Swagger UI's start-up script is served by the page's own view, which the CSP allows.
    assert [asset for asset in assets if asset not in static] == ["/api/docs/?script="]
    assert '"/api/schema/"' in client.get("/api/docs/?script=").content.decode()


def _date_schema(schema: dict[str, Any], field: str) -> dict[str, Any]:
    properties = schema["components"]["schemas"]["FeedbackRequest"]["properties"]
    found = properties[field]
    return found["allOf"][0] if "allOf" in found else found


def test_the_date_fields_say_exactly_which_dates_the_api_takes(
    schema: dict[str, Any], bob: Consumer
) -> None:
    import datetime as dt

    pattern = re.compile(_date_schema(schema, "dateTo")["pattern"])
    assert _date_schema(schema, "dateFrom")["pattern"] == pattern.pattern
    today = dt.datetime.now(dt.UTC).date()
    days = [dt.date(1969, 12, 25) + dt.timedelta(days=n) for n in range(12)]
    days += [today - dt.timedelta(days=n) for n in range(-3, 800)]
    body = BODIES["/api/feedback/generate"]
    for day in days:
        described = bool(pattern.match(day.isoformat()))
        assert described == (dt.date(1970, 1, 1) <= day <= today), day
    for day in days[:14] + days[-3:] + days[12:16] + ["2023-02-29", "2024-02-29", "2024-1-5"]:
        text = day if isinstance(day, str) else day.isoformat()
        answer = bob.client.post("/api/feedback/generate", {**body, "dateTo": text}, format="json")
        assert (answer.status_code == 200) == bool(pattern.match(text)), text


def test_the_idempotency_key_rules_are_in_the_schema(schema: dict[str, Any]) -> None:
    operation = _operation(schema, "/api/jobs")
    [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert "24 hours" in header["description"]
    assert "422" in header["description"] and "409" in header["description"]
    pattern = re.compile(header["schema"]["pattern"])
    for good in ["a", "order-42", "a b", "~!"]:
        assert pattern.match(good), good
    for bad in ["", " a", "a ", "é", "a\tb"]:
        assert not pattern.match(bad), bad
    assert {"422", "409"} <= set(operation["responses"])
    replayed = operation["responses"]["202"]["headers"]["Idempotent-Replayed"]
    assert replayed["schema"] == {"type": "string", "enum": ["true"]}


JOB = {"type": "tickets", "count": 75, "params": {"productType": "saas"}}


@pytest.mark.parametrize("path", [*GENERATION, "/api/jobs"])
def test_real_dry_run_answers_fit_the_described_200(
    schema: dict[str, Any], alice: Consumer, path: str
) -> None:
    body = JOB if path == "/api/jobs" else BODIES[path]
    validator = _validator(schema, _content(_operation(schema, path), "200")["schema"])
    allowed = alice.client.post(path, {**body, "dryRun": True}, format="json")
    validator.validate(allowed.json())
    Account.objects.filter(pk=alice.account.pk).update(balance=0)
    refused = alice.client.post(path, {**body, "dryRun": True}, format="json")
    assert refused.json()["refusal"]["status"] == 402
    validator.validate(refused.json())


def test_a_finished_jobs_summary_fits_the_described_job(
    schema: dict[str, Any],
    bob: Consumer,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        created = bob.client.post("/api/jobs", JOB, format="json").json()["data"]
    job = bob.client.get(f"/api/jobs/{created['id']}").json()
    assert job["data"]["summary"]["sentences"]["total"] > 0
    operation = _operation(schema, "/api/jobs/{job_id}", "get")
    _validator(schema, _content(operation, "200")["schema"]).validate(job)


def test_each_generation_endpoint_describes_its_own_summary(schema: dict[str, Any]) -> None:
    names = ["FeedbackSummary", "InterviewSummary", "TicketSummary"]
    for path, name in zip(GENERATION, names, strict=True):
        answers = _content(_operation(schema, path), "200")["schema"]["oneOf"]
        envelope = answers[0]["properties"]["summary"]
        assert envelope["allOf"] == [{"$ref": f"#/components/schemas/{name}"}]
    tickets = schema["components"]["schemas"]["TicketSummary"]
    assert "ratings" not in tickets["properties"]
    assert tickets["properties"]["priority"]["required"] == ["low", "medium", "high", "urgent"]


def test_a_jobs_progress_is_described_as_the_percent_the_server_sends(
    schema: dict[str, Any], bob: Consumer, settings: Any
) -> None:
    settings.JOBS_RUN_IN_THREAD = False  # the job stays queued: no worker runs it
    operation = _operation(schema, "/api/jobs/{job_id}", "get")
    described = _content(operation, "200")["schema"]["properties"]["data"]["properties"]
    created = bob.client.post("/api/jobs", JOB, format="json").json()["data"]
    seen = []
    for done in (0, 30, 75):
        Job.objects.filter(pk=created["id"]).update(entries_done=done)
        seen.append(bob.client.get(f"/api/jobs/{created['id']}").json()["data"]["progress"])
    Job.objects.filter(pk=created["id"]).update(status=Job.Status.SUCCEEDED)
    seen.append(bob.client.get(f"/api/jobs/{created['id']}").json()["data"]["progress"])

    assert seen == [0, 40, 99, 100]
    assert described["progress"]["type"] == "integer"
    assert (described["progress"]["minimum"], described["progress"]["maximum"]) == (0, 100)
    for progress in seen:
        _validator(schema, described["progress"]).validate(progress)
