"""The TypeScript client: its types are those of the schema the server serves, and its own tests
(Node's test runner, clients/typescript/test/) pass against a live server."""

import base64
import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from standardwebhooks import Webhook

from billing.models import Tier
from synthgen import schema
from tests.conftest import IN_CI, Consumer

PACKAGE = Path(__file__).resolve().parents[2] / "clients" / "typescript"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def npm() -> str:
    """npm, with the package's locked tools installed (`make test` runs `npm ci` first)."""
    found = shutil.which("npm")
    if not found or not shutil.which("node"):
        if IN_CI:
            pytest.fail("Node 20 and npm are needed for the TypeScript client's tests")
        pytest.skip("needs Node 20 and npm")
    if not (PACKAGE / "node_modules" / ".package-lock.json").exists():
        subprocess.run([found, "ci", "--no-audit", "--no-fund"], cwd=PACKAGE, check=True)
    return found


def _node(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=PACKAGE,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_committed_types_are_those_of_the_servers_schema(
    live_server: Any, npm: str, tmp_path: Path
) -> None:
    fresh = tmp_path / "schema.ts"
    done = _node(
        "node",
        "scripts/generate-types.mjs",
        f"{live_server.url}/api/schema/?format=json",
        str(fresh),
    )

    assert done.returncode == 0, done.stderr
    assert fresh.read_text() == (PACKAGE / "src" / "schema.ts").read_text(), (
        "clients/typescript/src/schema.ts is out of date with /api/schema/: run `make client-types`"
    )


def _signed_event() -> dict[str, Any]:
    """A webhook signed by the standardwebhooks package, for the client to verify."""
    secret = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
    other = "whsec_" + base64.b64encode(b"another secret entirely, 32 b!!").decode()
    body = '{"id":"msg_1","type":"webhook.test","timestamp":"2026-01-01T00:00:00Z","data":{}}'
    now = dt.datetime.now(tz=dt.UTC)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", now, body),
    }
    return {"secret": secret, "other": other, "body": body, "headers": headers}


def _past_the_daily_limit(consumer: Consumer) -> Consumer:
    # Without the per-minute burst limit (as low as the daily one on Free), the next request
    # meets the daily limit, whose Retry-After is hours, not the burst's seconds.
    Tier.objects.filter(pk=consumer.account.tier_id).update(burst_limit_per_minute=None)
    for _ in range(consumer.account.tier.daily_request_limit or 0):
        answer = consumer.client.post(
            "/api/tickets/generate", {"productType": "saas", "ticketCount": 1}, format="json"
        )
        assert answer.status_code == 200
    return consumer


def test_the_typescript_client_passes_its_tests_against_a_live_server(
    live_server: Any, npm: str, settings: Any, tmp_path: Path, bob: Consumer, alice: Consumer,
    make_consumer: Any,
) -> None:  # fmt: skip
    settings.JOBS_RUN_IN_THREAD = False  # a job runs inside its POST's commit: no worker needed
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True  # the test's receiver is on 127.0.0.1
    # On in-memory SQLite, deliveries inside their request: the sweeper thread's connection
    # would be refused ("table is locked"), as in tests/clients/test_python_live.py.
    settings.WEBHOOKS_RUN_IN_THREAD = connection.vendor != "sqlite"
    limited = _past_the_daily_limit(make_consumer("dave@example.com", "free", name="Dave"))
    env = {
        "SYNTHGEN_URL": live_server.url,
        "SYNTHGEN_KEY": bob.key,
        "SYNTHGEN_POOR_KEY": alice.key,
        "SYNTHGEN_LIMITED_KEY": limited.key,
        "SYNTHGEN_ERROR_CODES": json.dumps(
            {code: sample.status for code, sample in schema.error_samples().items()}
        ),
        "SYNTHGEN_SIGNED": json.dumps(_signed_event()),
    }

    done = _node(npm, "test", env=env)

    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    counts = dict(re.findall(r"^# (pass|fail|skipped|cancelled) (\d+)$", report, re.M))
    assert counts == {"pass": "24", "fail": "0", "skipped": "0", "cancelled": "0"}, report
