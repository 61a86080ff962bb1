"""The Python client on its own: retries, idempotency keys, typed errors, webhook signatures,
and a package that installs and imports without the server."""

import base64
import datetime as dt
import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from standardwebhooks import Webhook
from synthgen_client import (
    InsufficientCreditsError,
    InvalidParametersError,
    RateLimitError,
    ServiceUnavailableError,
    SynthGen,
    SynthGenConnectionError,
    SynthGenError,
    WebhookVerificationError,
    verify_webhook,
)
from synthgen_client.errors import ERRORS_BY_CODE

from synthgen import schema
from tests.clients.conftest import Scripted, ScriptedServer, envelope_error

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "python"
FEEDBACK = {"product_type": "mobile_app", "sentiment_mix": "balanced", "feedback_count": 2}


def client_of(server: ScriptedServer, waits: list[float], **options: float) -> SynthGen:
    return SynthGen("sg_live_test", base_url=server.url, sleep=waits.append, **options)


def test_a_429_is_retried_after_its_retry_after_with_the_same_idempotency_key(
    scripted: ScriptedServer,
) -> None:
    waits: list[float] = []
    scripted.answer(
        Scripted(429, envelope_error("RATE_LIMIT_EXCEEDED", retryAfter=2), {"Retry-After": "2"}),
        Scripted(200, {"success": True, "data": [], "creditsUsed": 2, "remainingCredits": 8}),
    )

    answer = client_of(scripted, waits).generate_feedback(**FEEDBACK)

    assert answer["remainingCredits"] == 8
    assert waits == [2.0]
    keys = [seen.headers["Idempotency-Key"] for seen in scripted.seen]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert scripted.seen[0].body == scripted.seen[1].body


def test_each_logical_call_has_its_own_idempotency_key(scripted: ScriptedServer) -> None:
    client = client_of(scripted, [])
    client.generate_tickets(product_type="saas", ticket_count=1)
    client.generate_tickets(product_type="saas", ticket_count=1, idempotency_key="order-42")

    first, second = (seen.headers["Idempotency-Key"] for seen in scripted.seen)
    assert first != "order-42" and len(first) == 36
    assert second == "order-42"


def test_a_5xx_without_retry_after_backs_off_exponentially_then_gives_up(
    scripted: ScriptedServer,
) -> None:
    waits: list[float] = []
    unavailable = Scripted(503, envelope_error("SERVICE_UNAVAILABLE"))
    scripted.answer(*[unavailable] * 4)

    with pytest.raises(ServiceUnavailableError) as raised:
        client_of(scripted, waits, backoff=1).get_account()

    assert len(scripted.seen) == 4
    assert 0.5 <= waits[0] <= 1 and 1 <= waits[1] <= 2 and 2 <= waits[2] <= 4
    assert raised.value.status == 503 and raised.value.code == "SERVICE_UNAVAILABLE"


def test_a_retry_after_longer_than_the_client_waits_raises_at_once(
    scripted: ScriptedServer,
) -> None:
    waits: list[float] = []
    body = envelope_error(
        "RATE_LIMIT_EXCEEDED", "Daily request limit of 5 reached", retryAfter=3600
    )
    scripted.answer(Scripted(429, body, {"Retry-After": "3600", "X-Request-Id": "req-1"}))

    with pytest.raises(RateLimitError) as raised:
        client_of(scripted, waits).generate_tickets(product_type="saas", ticket_count=1)

    assert waits == [] and len(scripted.seen) == 1
    assert raised.value.retry_after == 3600
    assert raised.value.message == "Daily request limit of 5 reached"
    assert raised.value.request_id == "req-1"


def test_a_500_is_not_retried_for_a_post_without_an_idempotency_key(
    scripted: ScriptedServer,
) -> None:
    scripted.answer(Scripted(500, envelope_error("INTERNAL_ERROR", requestId="abc123")))

    with pytest.raises(SynthGenError) as raised:
        client_of(scripted, []).rotate_webhook_secret("0b6f1f53-7a4e-4d7e-9a53-6f0f0c6a1d2e")

    assert len(scripted.seen) == 1
    assert raised.value.code == "INTERNAL_ERROR" and raised.value.request_id == "abc123"


def test_a_client_error_is_raised_typed_with_its_envelope(scripted: ScriptedServer) -> None:
    details = {"productType": "Must be one of: mobile_app, web_app", "feedbackCount": "1-50"}
    scripted.answer(
        Scripted(400, envelope_error("INVALID_PARAMETERS", details=details, extra="kept"))
    )

    with pytest.raises(InvalidParametersError) as raised:
        client_of(scripted, []).generate_feedback(**FEEDBACK)

    assert len(scripted.seen) == 1
    assert raised.value.details == details
    assert raised.value.body["extra"] == "kept"


def test_a_402_carries_what_was_needed_and_what_is_left(scripted: ScriptedServer) -> None:
    body = envelope_error("INSUFFICIENT_CREDITS", requiredCredits=4000, remainingCredits=50)
    scripted.answer(Scripted(402, body))

    with pytest.raises(InsufficientCreditsError) as raised:
        client_of(scripted, []).create_job(type="feedback", count=100_000, params={})

    assert (raised.value.required_credits, raised.value.remaining_credits) == (4000, 50)


def test_every_error_code_of_the_api_has_its_own_exception_class() -> None:
    for code, sample in schema.error_samples().items():
        cls = ERRORS_BY_CODE.get(code)
        assert cls is not None, f"no SynthGenError subclass for {code}"
        assert cls.status == sample.status, code


def test_an_unreachable_server_is_a_connection_error_after_retries() -> None:
    waits: list[float] = []
    client = SynthGen("sg_live_test", base_url="http://127.0.0.1:9", sleep=waits.append)

    with pytest.raises(SynthGenConnectionError, match="cannot reach SynthGen at"):
        client.list_jobs()

    assert len(waits) == 3


def test_unknown_fields_and_a_dry_run_are_sent_as_given(scripted: ScriptedServer) -> None:
    client_of(scripted, []).generate_interviews(
        product_type="fintech", question_count=3, dry_run=True, futureField={"a": 1}
    )

    assert scripted.seen[0].json == {
        "productType": "fintech",
        "questionCount": 3,
        "dryRun": True,
        "futureField": {"a": 1},
    }


def test_a_datasets_options_are_sent_in_the_apis_names(scripted: ScriptedServer) -> None:
    client_of(scripted, []).generate_dataset(
        product_type="saas",
        customer_count=12,
        seed=5,
        satisfaction="negative",
        churn_rate=0.3,
        include=["tickets"],
        mean_reviews=0.5,
        mean_tickets=2,
        interview_share=0.2,
        questions_per_interview=4,
        date_from=dt.date(2026, 1, 1),
    )

    assert scripted.seen[0].path == "/api/datasets/generate"
    assert scripted.seen[0].json == {
        "productType": "saas",
        "customerCount": 12,
        "seed": 5,
        "satisfaction": "negative",
        "churnRate": 0.3,
        "include": ["tickets"],
        "meanReviews": 0.5,
        "meanTickets": 2,
        "interviewShare": 0.2,
        "questionsPerInterview": 4,
        "dateFrom": "2026-01-01",
    }


SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
BODY = '{"id":"evt_1","type":"webhook.test","timestamp":"2026-01-01T00:00:00Z","data":{}}'


def signed_headers(
    secret: str = SECRET, body: str = BODY, at: float | None = None
) -> dict[str, str]:
    moment = int(time.time() if at is None else at)
    signature = Webhook(secret).sign("msg_1", _datetime(moment), body)
    return {"Webhook-Id": "msg_1", "Webhook-Timestamp": str(moment), "Webhook-Signature": signature}


def _datetime(moment: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, tz=dt.UTC)


def test_a_standard_webhooks_signature_verifies() -> None:
    event = verify_webhook(SECRET, BODY.encode(), signed_headers())

    assert event["id"] == "evt_1" and event["type"] == "webhook.test"


def test_a_tampered_body_or_another_secret_is_refused() -> None:
    other = "whsec_" + base64.b64encode(b"another secret entirely, 32 b!!").decode()
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, BODY.replace("evt_1", "evt_2"), signed_headers())
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, BODY, signed_headers(secret=other))


def test_an_old_timestamp_is_refused_as_a_replay() -> None:
    with pytest.raises(WebhookVerificationError, match="too far"):
        verify_webhook(SECRET, BODY, signed_headers(at=time.time() - 600))


def test_either_signature_matches_during_a_rotation() -> None:
    old = "whsec_" + base64.b64encode(b"the old secret, before rotation").decode()
    headers = signed_headers()
    headers["Webhook-Signature"] = (
        signed_headers(secret=old)["Webhook-Signature"] + " " + (headers["Webhook-Signature"])
    )

    assert verify_webhook(SECRET, BODY, headers)["id"] == "evt_1"
    assert verify_webhook(old, BODY, headers)["id"] == "evt_1"


IMPORT_GUARD = """
import importlib.abc, sys
SERVER = ("django", "rest_framework", "celery", "psycopg", "redis", "requests", "standardwebhooks",
          "synthgen", "accounts", "billing", "generators")
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in SERVER:
            raise ImportError("the client imported " + name)
sys.meta_path.insert(0, Refuse())
import synthgen_client, synthgen_client.cli
synthgen_client.cli.build_parser().parse_args(["account"])
print("ok")
"""


def test_the_client_imports_nothing_of_the_server_or_beyond_the_standard_library() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(CLIENT)!r})\n" + IMPORT_GUARD,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_pip_installs_the_client_alone_into_a_fresh_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    install = subprocess.run(
        [*pip, "install", "-q", str(CLIENT)], capture_output=True, text=True, timeout=300
    )
    assert install.returncode == 0, install.stderr
    listed = subprocess.run(
        [*pip, "list", "--format=json"], capture_output=True, text=True, check=True
    ).stdout
    helped = subprocess.run(
        [str(venv / "bin" / "synthgen"), "--help"], capture_output=True, text=True, timeout=30
    )

    assert {package["name"] for package in json.loads(listed)} <= {
        "pip",
        "setuptools",
        "synthgen-client",
    }
    assert helped.returncode == 0 and helped.stdout.startswith("usage: synthgen")


SERVER_PACKAGES = ("accounts", "billing", "generators", "synthgen")


def test_the_server_depends_on_nothing_of_the_client() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for package in SERVER_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "synthgen_client" in path.read_text()
    ]
    server = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert importers == []
    assert "scripts" not in server
    assert not any("synthgen-client" in dependency for dependency in server["dependencies"])
