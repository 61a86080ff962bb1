"""/health/live and /health/ready: JSON, no key, past the host check and the HTTPS redirect."""

import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from synthgen import health
from synthgen.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings: Any) -> None:
    """A probe from a load balancer: plain HTTP, addressed to the machine, not the site."""
    settings.ALLOWED_HOSTS = ["synthgen.example.com"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.fixture
def with_broker() -> Iterator[None]:
    celery_app.conf.task_always_eager = False  # restored by the autouse fixture
    yield


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _probe(client: Client, path: str) -> tuple[int, dict[str, Any]]:
    response = client.get(path, HTTP_HOST="10.0.0.5:8000")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_live_answers_with_no_key_and_no_database(client: Client, production_like: None) -> None:
    assert _probe(client, "/health/live") == (200, {"status": "ok"})
    assert _probe(client, "/health/live/") == (200, {"status": "ok"})


def test_ready_checks_the_database_the_migrations_and_the_broker(
    client: Client, production_like: None, with_broker: None, settings: Any
) -> None:
    status, body = _probe(client, "/health/ready")
    expected = {"database": "ok", "migrations": "ok", "broker": "ok"}
    if settings.REDIS_URL:
        expected["redis"] = "ok"
    assert (status, body) == (200, {"status": "ok", "checks": expected})


def test_ready_is_cheap_once_the_migrations_were_seen_applied(
    client: Client, django_assert_max_num_queries: Callable
) -> None:
    client.get("/health/ready")
    with django_assert_max_num_queries(1):
        assert client.get("/health/ready").status_code == 200


def test_ready_is_503_while_a_migration_is_not_applied(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)
    MigrationRecorder.Migration.objects.filter(app="generators").delete()
    status, body = _probe(client, "/health/ready")
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["migrations"] == "failing"


def test_ready_is_503_without_redis_and_names_no_secret(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REDIS_URL = f"redis://:hunter2@127.0.0.1:{_closed_port()}/0"
    monkeypatch.setattr(health, "_redis_client", None)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failing"
    assert b"hunter2" not in response.content
    assert b"127.0.0.1" not in response.content


def test_ready_is_503_when_the_broker_is_down(
    client: Client, with_broker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    status, body = _probe(client, "/health/ready")
    assert (status, body["checks"]["broker"]) == (503, "failing")
