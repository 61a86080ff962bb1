"""The Webhooks section of /docs/: what it promises comes from the settings, its example fits
the schema, and its two receivers, run as pasted, accept our events and refuse forgeries."""

import html
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client
from openapi_schema_validator import OAS30Validator

from tests.conftest import Consumer
from tests.webhooks.conftest import create_endpoint

EXAMPLE = re.compile(
    r'<pre id="[\w-]+" data-example="([\w-]+)"[^>]*><code>(.*?)</code></pre>', re.S
)


@pytest.fixture
def page(client: Client, db: None) -> str:
    return client.get("/docs/").content.decode()


def example(page: str, kind: str) -> str:
    [code] = [html.unescape(code) for found, code in EXAMPLE.findall(page) if found == kind]
    return code


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail("the receiver did not start")

    def stop(self) -> tuple[str, str]:
        self.process.terminate()
        return self.process.communicate(timeout=10)


@pytest.fixture
def run_receiver(tmp_path: Path) -> Iterator[Any]:
    started: list[Running] = []

    def run(command: list[str], secret: str) -> Running:
        port = free_port()
        env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "SYNTHGEN_WEBHOOK_SECRET": secret}
        started.append(Running(command, tmp_path, env, port))
        return started[-1]

    yield run
    for receiver in started:
        if receiver.process.poll() is None:
            receiver.stop()


def test_the_section_tells_the_rules_the_settings_make(page: str, settings: Any) -> None:
    section = page[page.index('id="webhooks"') : page.index('id="more"')]
    for name in ("job.succeeded", "job.failed", "job.cancelled", "credits.low", "key.revoked"):
        assert f"<code>{name}</code>" in section
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert f"<code>{header}</code>" in section
    assert "at least once" in section.lower()
    assert "skip ids you have seen" in section
    assert "within 2 seconds" in section  # the tests' WEBHOOKS_TIMEOUT
    assert "for 5 days" in section


def test_the_default_schedule_is_the_one_the_page_names(
    client: Client, settings: Any, db: None
) -> None:
    settings.WEBHOOKS_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000]
    settings.WEBHOOKS_TIMEOUT = 5.0

    section = client.get("/docs/").content.decode()

    assert (
        "tried again after 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours and 10 hours; "
        "after 7 attempts"
    ) in section
    assert "within 5 seconds" in section


def test_the_example_event_fits_the_schema(page: str, client: Client) -> None:
    schema = json.loads(client.get("/api/schema/?format=json").content)
    section = page[page.index('id="webhooks"') : page.index('id="more"')]
    [shown] = re.findall(r'aria-label="Example event"><code>(.*?)</code>', section, re.S)

    event = json.loads(html.unescape(shown))

    target = {"allOf": [{"$ref": "#/components/schemas/WebhookEvent"}]}
    OAS30Validator({**target, "components": schema["components"]}).validate(event)


@pytest.mark.parametrize("kind", ["webhook-python", "webhook-node"])
def test_the_receiver_examples_accept_our_events_once_and_refuse_forgeries(
    page: str,
    kind: str,
    bob: Consumer,
    commits: Any,
    run_receiver: Any,
    tmp_path: Path,
) -> None:
    if kind == "webhook-node" and not shutil.which("node"):
        pytest.skip("node is not installed")
    script = tmp_path / ("receiver.py" if kind == "webhook-python" else "receiver.mjs")
    script.write_text(example(page, kind))
    command = (
        [sys.executable, "-u", str(script)] if kind == "webhook-python" else ["node", str(script)]
    )
    # The receiver needs the secret, which comes with the endpoint; then the endpoint its port.
    endpoint = create_endpoint(bob, "https://hooks.example.com/", ["key.revoked"])
    receiver = run_receiver(command, endpoint["secret"])
    bob.client.patch(
        f"/api/webhooks/{endpoint['id']}",
        {"url": f"http://127.0.0.1:{receiver.port}/"},
        format="json",
    )

    with commits():
        delivery = bob.client.post(f"/api/webhooks/{endpoint['id']}/test").json()["data"]
    path = f"/api/webhooks/{endpoint['id']}/deliveries/{delivery['id']}"
    with commits():
        bob.client.post(f"{path}/redeliver")  # the same message again: handled once
    forged = requests.post(
        f"http://127.0.0.1:{receiver.port}/",
        data=b'{"type": "webhook.test"}',
        headers={
            "webhook-id": "evt_forged",
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1,bm90IGEgc2lnbmF0dXJl",
        },
        timeout=5,
    )
    output, errors = receiver.stop()

    attempts = bob.client.get(path).json()["data"]["attempts"]
    assert [attempt["statusCode"] for attempt in attempts] == [204, 204], errors
    assert forged.status_code == 400
    assert output.splitlines() == [f"webhook.test {endpoint['id']}"]
