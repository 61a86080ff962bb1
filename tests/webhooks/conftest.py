"""Webhook fixtures: a real receiver on a local port, fast retries, and a guard that fails any
test whose code tries to connect anywhere but this machine's loopback."""

import http.server
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.webhooks import tasks
from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import Consumer

FAST_SCHEDULE = [0.05, 0.05, 0.05]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers from a script
    (`answer(...)` queues answers; after them it answers 200 ok)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Answer] = []
        self.release = threading.Event()
        self.release.set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                answer = receiver.script.pop(0) if receiver.script else Answer()
                receiver.release.wait(timeout=30)
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body.encode())))
                    self.end_headers()
                    self.wfile.write(answer.body.encode())
                except OSError:
                    pass  # the sender gave up first (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count, f"got {len(self.received)} of {count} requests"
        return self.received

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _webhooks_for_tests(settings: Any) -> None:
    """Deliveries run when a test says (no thread), retries come fast, and the tests' own
    receivers on 127.0.0.1 are allowed; the SSRF tests switch that off."""
    settings.WEBHOOKS_RUN_IN_THREAD = False
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_RETRY_SCHEDULE = FAST_SCHEDULE
    settings.WEBHOOKS_TIMEOUT = 2.0


@pytest.fixture(autouse=True)
def _only_loopback(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail at once if anything tries to connect beyond this machine: a refusal that did not
    happen must not turn into traffic to a private or public network."""
    attempted: list[str] = []
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        if not ipaddress.ip_address(address[0]).is_loopback:
            attempted.append(address[0])
            raise AssertionError(f"a test tried to connect to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return attempted


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Callable) -> Callable:
    """Run the on-commit callbacks (events, then their first attempts) of what runs inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def create_endpoint(consumer: Consumer, url: str, events: list[str] | None = None) -> dict:
    body = {"url": url, "events": events or ["job.succeeded"]}
    response = consumer.client.post("/api/webhooks", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def deliver_due_until(condition: Callable[[], Any], *, timeout: float = 10) -> Any:
    """Run beat's sweep until `condition()` holds, as beat would every few seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks.deliver_due()
        result = condition()
        if result:
            return result
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {condition}")


def delivery_of(endpoint_id: str) -> WebhookDelivery:
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id).latest("created_at")


def endpoint_row(endpoint_id: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.get(pk=endpoint_id)
