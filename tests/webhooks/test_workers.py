"""Webhooks on real Celery workers and beat over Redis and PostgreSQL, and the claim that keeps
two workers off one delivery, proven with concurrent sweeps."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from standardwebhooks import Webhook

from accounts.webhooks import services
from accounts.webhooks.models import WebhookDelivery, WebhookEvent
from accounts.webhooks.tasks import sweeper
from tests.conftest import Consumer, require_services
from tests.jobs.conftest import wait_for, workers  # noqa: F401  # the fixture
from tests.servers import Celery
from tests.webhooks.conftest import Answer, Receiver, create_endpoint, endpoint_row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


WEBHOOK_SETTINGS = {
    "WEBHOOKS_ALLOW_PRIVATE_URLS": "true",
    "WEBHOOKS_RETRY_SCHEDULE": "0.5,0.5",
    "WEBHOOKS_SWEEP_INTERVAL": "0.25",
    "WEBHOOKS_TIMEOUT": "2",
}


def start_with_beat(workers: Celery) -> None:  # noqa: F811
    workers.start(concurrency=2, env=WEBHOOK_SETTINGS)
    workers.start_beat(env=WEBHOOK_SETTINGS)


def delivered(consumer: Consumer, endpoint: dict, delivery: dict, workers: Celery) -> dict:  # noqa: F811
    path = f"/api/webhooks/{endpoint['id']}/deliveries/{delivery['id']}"

    def done() -> dict | None:
        shown = consumer.client.get(path).json()["data"]
        return shown if shown["status"] != "pending" else None

    try:
        return wait_for(done, timeout=60, what="the delivery to finish")
    except pytest.fail.Exception:
        print(workers.logs())
        raise


def test_a_worker_delivers_a_signed_test_event(
    workers: Celery,  # noqa: F811
    bob: Consumer,
    receiver: Receiver,
) -> None:
    start_with_beat(workers)
    endpoint = create_endpoint(bob, receiver.url)

    response = bob.client.post(f"/api/webhooks/{endpoint['id']}/test")

    assert response.status_code == 202
    done = delivered(bob, endpoint, response.json()["data"], workers)
    assert done["status"] == "succeeded"
    [request] = receiver.received
    assert Webhook(endpoint["secret"]).verify(request.body, request.headers)["type"] == (
        "webhook.test"
    )


def test_beat_retries_a_failing_receiver_until_it_answers(
    workers: Celery,  # noqa: F811
    bob: Consumer,
    receiver: Receiver,
) -> None:
    start_with_beat(workers)
    receiver.answer(Answer(500, "down"), Answer(503, "still down"))
    endpoint = create_endpoint(bob, receiver.url)

    delivery = bob.client.post(f"/api/webhooks/{endpoint['id']}/test").json()["data"]

    done = delivered(bob, endpoint, delivery, workers)
    assert done["status"] == "succeeded"
    assert [attempt["statusCode"] for attempt in done["attempts"]] == [500, 503, 200]
    assert len(receiver.received) == 3


def test_concurrent_sweeps_claim_each_delivery_exactly_once(bob: Consumer) -> None:
    require_services(postgres=True)
    endpoint = endpoint_row(create_endpoint(bob, "https://hooks.example.com/a")["id"])
    for _ in range(120):
        event = WebhookEvent.objects.create(account=bob.account, type="webhook.test", body="{}")
        WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, next_attempt_at=event.created_at
        )
    claimed: list[list[tuple[str, int]]] = []
    start = threading.Barrier(4)

    def sweep() -> None:
        from django.db import connection

        start.wait()
        mine: list[tuple[str, int]] = []
        while batch := services.claim_deliveries(limit=7):
            mine.extend(batch)
        claimed.append(mine)
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    everything = [delivery_id for mine in claimed for delivery_id, _ in mine]
    assert len(everything) == 120
    assert len(set(everything)) == 120
    assert sum(1 for mine in claimed if mine) > 1  # they really did share the work
    assert set(WebhookDelivery.objects.values_list("claim", flat=True)) == {1}


def test_concurrent_debits_across_the_threshold_send_credits_low_once(
    make_consumer: Any, receiver: Receiver
) -> None:
    require_services(postgres=True, redis=True)
    dana = make_consumer("dana@example.com", "pro", name="Dana", credits=1_000)
    create_endpoint(dana, receiver.url, ["credits.low"])
    dana.client.patch("/api/account", {"lowCreditThreshold": 981}, format="json")
    barrier = threading.Barrier(20)

    def debit(_: int) -> int:
        from django.db import connection
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {dana.key}")
        try:
            barrier.wait(timeout=30)
            body = {"productType": "saas", "sentimentMix": "mixed", "feedbackCount": 1}
            return client.post("/api/feedback/generate", body, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(debit, range(20)))

    assert statuses == [200] * 20
    assert dana.refresh().balance == 960  # 20 debits of 2: just one took it from 982 to 980
    assert WebhookEvent.objects.filter(type="credits.low").count() == 1
    [request] = receiver.wait_for(1)
    assert request.event["type"] == "credits.low"


def test_the_embedded_default_delivers_on_a_thread_never_inside_the_request(
    bob: Consumer, receiver: Receiver, settings: Any
) -> None:
    # It reads the database only while the thread waits on the receiver or once it ended: on
    # the tests' in-memory SQLite, two threads' connections refuse each other, not wait.
    settings.WEBHOOKS_RUN_IN_THREAD = True
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.2]
    receiver.answer(Answer(500, "not yet"))
    receiver.release.clear()  # the receiver holds its answer until the test lets it go
    endpoint = create_endpoint(bob, receiver.url)

    response = bob.client.post(f"/api/webhooks/{endpoint['id']}/test")
    thread = sweeper.thread

    assert response.status_code == 202
    assert thread is not None and thread.is_alive()
    receiver.wait_for(1)  # the attempt is under way, and the request has already answered
    assert WebhookDelivery.objects.get().attempts.count() == 0
    receiver.release.set()
    receiver.wait_for(2, timeout=30)  # the thread retried on its own
    thread.join(timeout=30)  # and, with nothing left pending, ended
    assert not thread.is_alive()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert list(delivery.attempts.values_list("status_code", flat=True)) == [500, 200]
    assert sweeper.thread is None
