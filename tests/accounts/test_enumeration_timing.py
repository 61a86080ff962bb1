"""Known and unknown addresses take the same time on the two public forms that take an email,
so timing cannot tell who has an account or a request waiting (the answers are the same too).

Each form's two cases are timed alternately, a few hundred times, through the whole Django
stack with real commits; the emails are queued for a worker, as in production, not sent
inline as the embedded default does.
"""

import statistics
import time
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from accounts import views
from accounts.models import AccessRequest
from billing.models import Tier
from synthgen.celery import app as celery_app
from tests.conftest import Consumer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROUNDS = 200
WARM_UP = 10
MAX_APART = 0.001  # seconds between the two medians


@pytest.fixture
def emails_queued_for_a_worker(settings: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings.REQUEST_ACCESS_RATE = "1000000/h"  # type: ignore[attr-defined]
    monkeypatch.setattr(views, "SIGN_IN_RATE_PER_EMAIL", "1000000/h")
    monkeypatch.setattr(views, "SIGN_IN_RATE_PER_IP", "1000000/h")
    celery_app.conf.task_always_eager = False  # restored by the autouse fixture
    try:
        yield
    finally:
        celery_app.control.purge()


def _medians(first: Callable[[int], int], second: Callable[[int], int]) -> tuple[float, float]:
    """Median seconds of each, run alternately, each going first every other round (the first
    call of a pair may pay for something the second then finds done); each returns its status
    code."""
    timings: tuple[list[float], list[float]] = ([], [])
    for number in range(ROUNDS + WARM_UP):
        pairs = list(zip((first, second), timings, strict=True))
        for case, timing in pairs if number % 2 == 0 else pairs[::-1]:
            started = time.perf_counter()
            status = case(number)
            elapsed = time.perf_counter() - started
            assert status == 302
            if number >= WARM_UP:
                timing.append(elapsed)
    return statistics.median(timings[0]), statistics.median(timings[1])


def test_the_sign_in_form_takes_the_same_time_for_known_and_unknown_emails(
    alice: Consumer, emails_queued_for_a_worker: None
) -> None:
    client = Client()

    def sign_in(email: str) -> Callable[[int], int]:
        return lambda number: client.post("/account/sign-in/", {"email": email}).status_code

    known, unknown = _medians(sign_in("alice@example.com"), sign_in("nobody@example.com"))
    assert abs(known - unknown) < MAX_APART, (
        f"known {known * 1e3:.2f} ms, unknown {unknown * 1e3:.2f} ms"
    )


def test_the_access_request_form_takes_the_same_time_for_a_waiting_and_a_new_email(
    emails_queued_for_a_worker: None,
) -> None:
    client = Client()
    application = {
        "name": "Dana Scully",
        "company": "",
        "use_case": "We will seed our analytics dashboard demo with realistic app reviews.",
        "plan": "basic",
        "website": "",
    }

    def apply(email: Callable[[int], str]) -> Callable[[int], int]:
        return lambda number: (
            client.post("/request-access/", {**application, "email": email(number)}).status_code
        )

    AccessRequest.objects.create(
        name="Wanda Waiting",
        email="waiting@example.com",
        use_case=application["use_case"],
        requested_tier=Tier.objects.get(slug="basic"),
    )
    waiting, new = _medians(
        apply(lambda number: "waiting@example.com"),
        apply(lambda number: f"new{number}@example.com"),
    )
    assert abs(waiting - new) < MAX_APART, f"waiting {waiting * 1e3:.2f} ms, new {new * 1e3:.2f} ms"
