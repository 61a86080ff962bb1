"""The webhooks API and its events in /api/schema/: described, free, and true to real answers."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openapi_schema_validator import OAS30Validator

from tests.conftest import Consumer
from tests.webhooks.conftest import Receiver, create_endpoint

ENDPOINT = "/api/webhooks/{endpoint_id}"
OPERATIONS = {
    ("/api/webhooks", "get"): "list_webhooks",
    ("/api/webhooks", "post"): "create_webhook",
    (ENDPOINT, "get"): "get_webhook",
    (ENDPOINT, "patch"): "update_webhook",
    (ENDPOINT, "delete"): "delete_webhook",
    (ENDPOINT + "/rotate-secret", "post"): "rotate_webhook_secret",
    (ENDPOINT + "/test", "post"): "send_webhook_test",
    (ENDPOINT + "/deliveries", "get"): "list_webhook_deliveries",
    (ENDPOINT + "/deliveries/{delivery_id}", "get"): "get_webhook_delivery",
    (ENDPOINT + "/deliveries/{delivery_id}/redeliver", "post"): "redeliver_webhook_delivery",
    ("/api/account", "patch"): "update_account",
}


@pytest.fixture
def schema(client: Client, db: None) -> dict[str, Any]:
    return json.loads(client.get("/api/schema/?format=json").content)


def validator(schema: dict[str, Any], target: dict[str, Any]) -> OAS30Validator:
    return OAS30Validator({"allOf": [target], "components": schema["components"]})


def answer_schema(schema: dict[str, Any], path: str, method: str, status: str) -> dict:
    return schema["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]


def test_every_webhook_operation_is_described(schema: dict[str, Any]) -> None:
    for (path, method), operation_id in OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert operation["operationId"] == operation_id
        assert operation["security"] == [{"BearerAuth": []}]


def test_the_webhook_operations_are_free(schema: dict[str, Any]) -> None:
    for (path, method), _ in OPERATIONS.items():
        responses = schema["paths"][path][method]["responses"]
        assert "402" not in responses, (path, method)
        assert {"401", "403", "500"} <= set(responses)
    creation = schema["paths"]["/api/webhooks"]["post"]["responses"]
    assert set(creation) >= {"201", "400", "409"}
    request = schema["components"]["schemas"]["WebhookEndpointRequest"]
    assert request["additionalProperties"] is False
    assert set(request["required"]) == {"url", "events"}


def test_every_event_type_has_a_described_payload(schema: dict[str, Any]) -> None:
    event = schema["components"]["schemas"]["WebhookEvent"]
    assert set(event["discriminator"]["mapping"]) == {
        "job.succeeded",
        "job.failed",
        "job.cancelled",
        "credits.low",
        "key.revoked",
        "webhook.test",
    }


def test_real_answers_fit_their_descriptions(
    schema: dict[str, Any], bob: Consumer, receiver: Receiver, commits: Any
) -> None:
    created_response = bob.client.post(
        "/api/webhooks", {"url": receiver.url, "events": ["job.failed"]}, format="json"
    )
    endpoint = created_response.json()
    path = f"/api/webhooks/{endpoint['data']['id']}"
    with commits():
        test = bob.client.post(f"{path}/test").json()
    answers = [
        ("/api/webhooks", "post", "201", endpoint),
        ("/api/webhooks", "get", "200", bob.client.get("/api/webhooks").json()),
        (
            ENDPOINT,
            "patch",
            "200",
            bob.client.patch(path, {"description": "x"}, format="json").json(),
        ),
        (
            ENDPOINT + "/rotate-secret",
            "post",
            "200",
            bob.client.post(f"{path}/rotate-secret").json(),
        ),
        (ENDPOINT + "/test", "post", "202", test),
        (ENDPOINT + "/deliveries", "get", "200", bob.client.get(f"{path}/deliveries").json()),
        (
            "/api/account",
            "patch",
            "200",
            bob.client.patch("/api/account", {"lowCreditThreshold": 5}, format="json").json(),
        ),
    ]
    for described, method, status, body in answers:
        validator(schema, answer_schema(schema, described, method, status)).validate(body)


def test_the_events_receivers_get_fit_the_described_payloads(
    schema: dict[str, Any],
    bob: Consumer,
    receiver: Receiver,
    commits: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path)
    every = ["job.succeeded", "job.cancelled", "credits.low", "key.revoked"]
    endpoint = create_endpoint(bob, receiver.url, every)
    bob.client.patch("/api/account", {"lowCreditThreshold": 999}, format="json")
    job = {"type": "tickets", "count": 60, "params": {"productType": "saas"}}
    with commits():
        bob.client.post("/api/jobs", job, format="json")  # credits.low, then job.succeeded
    queued = bob.client.post("/api/jobs", job, format="json").json()["data"]
    with commits():
        bob.client.delete(f"/api/jobs/{queued['id']}")
        bob.client.post(f"/api/webhooks/{endpoint['id']}/test")
    portal = Client()
    portal.force_login(bob.account.owner)
    with commits():
        portal.post(f"/account/keys/{bob.account.api_keys.get().pk}/revoke/")

    received = [json.loads(request.body) for request in receiver.received]
    assert sorted(event["type"] for event in received) == [
        "credits.low",
        "job.cancelled",
        "job.succeeded",
        "key.revoked",
        "webhook.test",
    ]
    events = validator(schema, {"$ref": "#/components/schemas/WebhookEvent"})
    for event in received:
        events.validate(event)
