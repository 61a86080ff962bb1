"""SynthGen degrades, and does not fail, while Redis is away: a real gunicorn on its own
redis-server (started here, on its own port), which the test stops and starts again.

While it is away, the limits that count in Redis (the burst limit, failed key checks) fail
open with a warning, the daily limit and the credits (PostgreSQL) stay exact, a new job, which
needs the broker, answers 503 and charges nothing, and the pages keep working; once it is
back, everything is enforced again.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.db.models import Sum
from django.test import Client

from accounts import keys
from billing.models import CreditEntry, DailyUsage, Tier
from generators.models import Job
from tests.conftest import (
    Consumer,
    fresh_burst_window,
    fresh_window,
    require_services,
    served_database_url,
)
from tests.servers import Gunicorn, RedisServer, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "travel", "sentimentMix": "positive", "feedbackCount": 3}
JOB = {"type": "tickets", "count": 40, "format": "csv", "params": {"productType": "saas"}}


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    require_services(postgres=True, redis=True)
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tess(make_consumer: Any) -> Consumer:
    """A plan with a tight burst limit (3 a minute) and daily limit (10 a day)."""
    Tier.objects.create(
        slug="tight", name="Tight", daily_request_limit=10, burst_limit_per_minute=3,
        starting_credits=1_000, monthly_credits=0,
    )  # fmt: skip
    return make_consumer("tess@example.com", "tight", name="Tess")


class Api:
    def __init__(self, server: Gunicorn, consumer: Consumer) -> None:
        self.url = server.url
        self.headers = {"Authorization": f"Bearer {consumer.key}"}

    def generate(self) -> requests.Response:
        return requests.post(f"{self.url}{FEEDBACK}", json=BODY, headers=self.headers, timeout=30)

    def submit_job(self, key: str) -> requests.Response:
        headers = {**self.headers, "Idempotency-Key": key}
        return requests.post(f"{self.url}/api/jobs", json=JOB, headers=headers, timeout=30)

    def check_key(self, key: str) -> int:
        headers = {"Authorization": f"Bearer {key}"}
        return requests.get(f"{self.url}/api/account", headers=headers, timeout=30).status_code


def statuses(responses: list[requests.Response]) -> list[int]:
    return [response.status_code for response in responses]


def assert_exact(consumer: Consumer, *, requests_today: int) -> None:
    total = CreditEntry.objects.filter(account=consumer.account).aggregate(sum=Sum("amount"))
    assert consumer.refresh().balance == total["sum"] == 1_000 - 2 * requests_today
    assert DailyUsage.objects.get(account=consumer.account).requests == requests_today


def signed_in_cookies(consumer: Consumer) -> dict[str, str]:
    """A portal session for the consumer, in the database the server reads it from."""
    browser = Client()
    browser.force_login(consumer.account.owner)
    return {name: morsel.value for name, morsel in browser.cookies.items()}


def post_sign_in(url: str, email: str) -> requests.Response:
    session = requests.Session()
    form = session.get(f"{url}/account/sign-in/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, form.text
    return session.post(
        f"{url}/account/sign-in/",
        data={"email": email, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{url}/account/sign-in/"},
        allow_redirects=False,
        timeout=30,
    )


def test_while_redis_is_away_limits_fail_open_jobs_wait_and_pages_work_then_all_recovers(
    redis_server: RedisServer, tess: Consumer
) -> None:
    env = {"DATABASE_URL": served_database_url(), "REDIS_URL": redis_server.url}
    with gunicorn(env=env, probe_key=tess.key) as server:
        api = Api(server, tess)
        fresh_burst_window(tess)
        assert statuses([api.generate() for _ in range(4)]) == [200, 200, 200, 429]

        redis_server.stop()

        # A new job needs the broker: 503 with Retry-After, and nothing charged or made.
        job = api.submit_job("job-1")
        assert job.status_code == 503, job.text
        assert job.json()["code"] == "SERVICE_UNAVAILABLE"
        assert job.headers["Retry-After"] == str(job.json()["retryAfter"])
        assert not Job.objects.exists()
        assert_exact(tess, requests_today=3)
        # The burst limit fails open; the daily limit (10) and the credits stay exact.
        away = [api.generate() for _ in range(8)]
        assert statuses(away) == [200] * 7 + [429]
        assert (
            away[-1].json()["error"] == "Daily request limit of 10 reached; it resets at 00:00 UTC"
        )
        assert_exact(tess, requests_today=10)
        # Failed key checks are not limited either, and a good key still works.
        assert {api.check_key(keys.make_key().plaintext) for _ in range(70)} == {401}
        assert api.check_key(tess.key) == 200
        # The pages, the docs and the portal work. A sign-in link is a task to queue for any
        # address (the task finds out whether it has an account), so known and unknown
        # addresses both get the same 503 page: the outage tells nobody who has an account.
        for page in ("/", "/docs/", "/request-access/", "/account/sign-in/", "/api/schema/"):
            assert requests.get(f"{server.url}{page}", timeout=30).status_code == 200, page
        portal = requests.get(f"{server.url}/account/", cookies=signed_in_cookies(tess), timeout=30)
        assert (portal.status_code, "Tess" in portal.text) == (200, True)
        for email in ("nobody@example.com", "tess@example.com"):
            queued_email = post_sign_in(server.url, email)
            assert queued_email.status_code == 503, email
            assert "Back in a moment" in queued_email.text
        log = server.log()
        assert "The api-burst limit is not enforced: the cache is unreachable" in log
        assert "The api-key-failures limit is not enforced: the cache is unreachable" in log
        assert "Traceback" not in log

        redis_server.start()  # on the same port, empty, as a restarted cache is

        Tier.objects.filter(slug="tight").update(daily_request_limit=100)
        fresh_burst_window(tess)
        # The retry of the refused job makes it, once; its replay and one generation fill
        # the burst limit again, which holds.
        queued = api.submit_job("job-1")
        assert queued.status_code == 202, queued.text
        assert api.submit_job("job-1").headers["Idempotent-Replayed"] == "true"
        assert Job.objects.count() == 1
        assert statuses([api.generate() for _ in range(2)]) == [200, 429]
        fresh_window("127.0.0.1")  # failed key checks count per address
        failures = [api.check_key(keys.make_key().plaintext) for _ in range(61)]
        assert failures == [401] * 60 + [429]
        assert api.check_key(tess.key) == 200
        assert_exact_after_the_job(tess, price=queued.json()["data"]["price"])


def assert_exact_after_the_job(consumer: Consumer, *, price: int) -> None:
    total = CreditEntry.objects.filter(account=consumer.account).aggregate(sum=Sum("amount"))
    assert consumer.refresh().balance == total["sum"] == 1_000 - 2 * 11 - price
    assert DailyUsage.objects.get(account=consumer.account).requests == 12
