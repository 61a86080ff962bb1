"""Charges that nothing can strand: a gunicorn worker killed mid-request, or PostgreSQL refusing
connections mid-request, leaves a charge that the sweep refunds, and an idempotent retry that
runs once, charged once. Real gunicorn processes on the test database, through a TCP proxy
when the database must go away; every generation in them is slowed on purpose
(tests/gunicorn_slow_generation.py) so the test can strike after the charge."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.db.models import Sum

from billing.models import CreditEntry, DailyUsage, IdempotencyRecord, UsageRecord
from billing.tasks import refund_stranded_charges
from tests.conftest import Consumer, require_services, served_database_url
from tests.jobs.conftest import wait_for
from tests.servers import TcpProxy, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "gaming", "sentimentMix": "mixed", "feedbackCount": 5}
ANSWER_TIMEOUT = 5  # CHARGE_ANSWER_TIMEOUT, scaled down from a minute
SLOW = 2.0  # seconds every generation takes in these servers


@pytest.fixture
def stranding(settings: Any) -> None:
    require_services(postgres=True, redis=True)
    settings.CHARGE_ANSWER_TIMEOUT = ANSWER_TIMEOUT


def ledger(consumer: Consumer) -> list[tuple[str, int]]:
    entries = CreditEntry.objects.filter(account=consumer.account).order_by("pk")
    return [(entry.kind, entry.amount) for entry in entries][1:]  # after the starting grant


def assert_exact(consumer: Consumer, balance: int) -> None:
    total = CreditEntry.objects.filter(account=consumer.account).aggregate(sum=Sum("amount"))
    assert consumer.refresh().balance == total["sum"] == balance


def in_background(call: Callable[[], Any]) -> Callable[[], Any]:
    """Start `call` on a thread; returns a function that waits for its result (or error)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as exc:
            outcome["result"] = exc

    thread = threading.Thread(target=run)
    thread.start()

    def result() -> Any:
        thread.join(timeout=60)
        return outcome["result"]

    return result


def charged_and_generating(consumer: Consumer) -> UsageRecord:
    """Wait until a request of `consumer` has been charged and is generating."""
    return wait_for(
        lambda: UsageRecord.objects.filter(account=consumer.account, answered_at=None).first(),
        timeout=30,
        what="a charge in flight",
    )


def test_a_worker_killed_mid_request_is_refunded_and_its_retry_runs_once_charged_once(
    stranding: None, bob: Consumer, capsys: pytest.CaptureFixture
) -> None:
    env = {"DATABASE_URL": served_database_url(), "CHARGE_ANSWER_TIMEOUT": str(ANSWER_TIMEOUT)}
    headers = {"Authorization": f"Bearer {bob.key}", "Idempotency-Key": "order-7"}
    with gunicorn(env=env, probe_key=bob.key, slow_generation=SLOW) as server:

        def post() -> requests.Response:
            return requests.post(f"{server.url}{FEEDBACK}", json=BODY, headers=headers, timeout=30)

        first = in_background(post)
        in_flight = charged_and_generating(bob)
        server.kill_worker()
        assert isinstance(first(), requests.ConnectionError)  # the client got no answer

        # Charged and never answered: the debit stands, the key is held...
        assert ledger(bob) == [("debit", -2)]
        busy = post()
        assert busy.status_code == 409
        assert busy.json()["code"] == "IDEMPOTENCY_IN_PROGRESS"
        # ...until the answer timeout, when check_ledger calls it stranded and the sweep
        # (beat's task, run here) gives it back and frees the key.
        time.sleep(ANSWER_TIMEOUT + 0.5)
        capsys.readouterr()
        with pytest.raises(SystemExit):
            call_command("check_ledger")
        assert f"request {in_flight.request_id} stranded" in capsys.readouterr().err
        assert refund_stranded_charges.delay().get() == 1
        assert ledger(bob) == [("debit", -2), ("refund", 2)]
        assert_exact(bob, 1_000)
        assert DailyUsage.objects.get(account=bob.account).requests == 0
        assert not IdempotencyRecord.objects.filter(account=bob.account).exists()
        stranded = UsageRecord.objects.get(pk=in_flight.pk)
        assert (stranded.status, stranded.credits) == (UsageRecord.NO_ANSWER, 0)

        retry = post()
        assert retry.status_code == 200, retry.text
        assert retry.json()["remainingCredits"] == 998
        replay = post()
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.content == retry.content

    assert ledger(bob) == [("debit", -2), ("refund", 2), ("debit", -2)]
    assert_exact(bob, 998)
    call_command("check_ledger")
    assert "no charge is stranded" in capsys.readouterr().out


def test_a_database_that_refuses_connections_mid_request_leaves_an_answer_and_a_refund(
    stranding: None, bob: Consumer
) -> None:
    database = served_database_url()
    proxy = TcpProxy(target=database)
    proxy.accept()
    env = {"DATABASE_URL": proxy.url(database), "CHARGE_ANSWER_TIMEOUT": str(ANSWER_TIMEOUT)}
    headers = {"Authorization": f"Bearer {bob.key}"}
    try:
        with gunicorn(env=env, probe_key=bob.key, slow_generation=SLOW) as server:

            def post() -> requests.Response:
                url = f"{server.url}{FEEDBACK}"
                return requests.post(url, json=BODY, headers=headers, timeout=30)

            first = in_background(post)
            charged_and_generating(bob)
            proxy.refuse()  # the request's connection breaks; new ones are refused
            refused_meanwhile = post()
            answer = first()
            proxy.accept()
            after = post()
    finally:
        proxy.refuse()

    for refused in (answer, refused_meanwhile):  # answered, in the envelope, not a 500
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "SERVICE_UNAVAILABLE"
        assert refused.headers["Retry-After"] == str(refused.json()["retryAfter"])
    assert after.status_code == 200
    # The interrupted request's debit could not be answered: the sweep refunds it.
    assert ledger(bob) == [("debit", -2), ("debit", -2)]
    time.sleep(ANSWER_TIMEOUT + 0.5)
    assert refund_stranded_charges.delay().get() == 1
    assert ledger(bob) == [("debit", -2), ("debit", -2), ("refund", 2)]
    assert_exact(bob, 998)
    assert DailyUsage.objects.get(account=bob.account).requests == 1
    call_command("check_ledger")  # exits 1 on drift or a stranded charge
