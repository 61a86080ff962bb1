"""Celery tasks for webhooks: each takes ids and calls one service in accounts.webhooks.services.

With a broker, a new delivery is claimed and queued at once, and beat's `deliver_due` sweep
every WEBHOOKS_SWEEP_INTERVAL seconds claims the retries that have come due (and anything
whose task was lost). Without one (eager Celery, the embedded default), a thread of the web
process does the same sweep until nothing is left pending, so no request ever waits on a
receiver.
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connections
from django.urls import reverse

from accounts.tasks import send_templated
from accounts.webhooks import services
from accounts.webhooks.models import WebhookEndpoint
from synthgen.celery import app

logger = logging.getLogger("synthgen.webhooks")

# Idle waits are capped so a delivery claimed by a process that has since stopped is taken
# up again soon after its claim runs out.
LONGEST_WAIT = 60.0


def dispatch(delivery_ids: list[str]) -> None:
    """Start deliveries that were just recorded (or asked to be sent again)."""
    if not app.conf.task_always_eager:
        for delivery_id, claim in services.claim_deliveries(ids=delivery_ids):
            deliver.delay(delivery_id, claim)
        return
    if settings.WEBHOOKS_RUN_IN_THREAD:
        sweeper.wake()
        return
    # Eager without a thread (the tests' choice): attempt now, then leave retries to sweeps.
    for delivery_id, claim in services.claim_deliveries(ids=delivery_ids):
        deliver.apply(args=(delivery_id, claim))


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def deliver(delivery_id: str, claim: int) -> None:
    """One attempt of a claimed delivery."""
    services.attempt_delivery(delivery_id=delivery_id, claim=claim)


@shared_task
def deliver_due() -> int:
    """Beat: queue an attempt of every delivery that has come due."""
    claimed = services.claim_deliveries()
    for delivery_id, claim in claimed:
        deliver.delay(delivery_id, claim)
    return len(claimed)


@shared_task
def purge_log() -> int:
    """Beat: forget events older than WEBHOOKS_LOG_DAYS, and rotated-out secrets."""
    return services.purge_log()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_endpoint_disabled(endpoint_id: str) -> None:
    endpoint = WebhookEndpoint.objects.select_related("account").get(pk=endpoint_id)
    context = {
        "endpoint": endpoint,
        "account": endpoint.account,
        "link": settings.SITE_URL + reverse("portal-webhook", args=[endpoint.pk]),
        "site_url": settings.SITE_URL,
    }
    send_templated("webhook_disabled.txt", context, [endpoint.account.email])


class Sweeper:
    """The embedded default's stand-in for beat: one thread per process that attempts due
    deliveries, sleeps until the next is due, and ends when none is pending."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.woken = threading.Event()
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with self.lock:
            self.woken.set()
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="webhooks", daemon=True)
                self.thread.start()

    def run(self) -> None:
        try:
            while self.sweep_once():
                pass
        except Exception:
            logger.exception("The webhook sweeper stopped")
            with self.lock:
                self.thread = None
        finally:
            connections.close_all()

    def sweep_once(self) -> bool:
        """Attempt what is due, then wait for the next; False when the thread should end."""
        self.woken.clear()
        for delivery_id, claim in services.claim_deliveries():
            services.attempt_delivery(delivery_id=delivery_id, claim=claim)
        wait = services.seconds_to_next_attempt()
        with self.lock:
            # Decided under the lock: a wake() from now on starts a new thread.
            if wait is None and not self.woken.is_set():
                self.thread = None
                return False
        self.woken.wait(timeout=min(wait if wait is not None else 0, LONGEST_WAIT))
        return True


sweeper = Sweeper()
