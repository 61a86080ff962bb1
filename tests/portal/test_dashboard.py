"""The portal's usage page: plan and limits, today's requests, balance, chart and ledger."""

import datetime as dt
import re

from django.test import Client

from billing.models import DailyUsage
from billing.services import grant_credits, utc_today
from tests.conftest import Consumer

BAR = re.compile(rb'class="bar[^"]*" data-day="([\d-]+)" data-value="(\d+)"')


def _bars(content: bytes) -> list[tuple[str, int]]:
    return [(day.decode(), int(value)) for day, value in BAR.findall(content)]


def test_the_dashboard_shows_the_plan_its_limits_and_the_balance(
    alice_portal: Client, alice: Consumer
) -> None:
    response = alice_portal.get("/account/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Free Tier" in page
    assert "5 requests a day" in page
    assert '<p class="stat-value" id="balance">50</p>' in page


def test_the_dashboard_counts_todays_requests(alice_portal: Client, alice: Consumer) -> None:
    DailyUsage.objects.create(account=alice.account, day=utc_today(), requests=3, credits=6)
    page = alice_portal.get("/account/").content.decode()
    assert re.search(r'id="requests-today">3 <span class="of">/ 5</span>', page)


def test_the_chart_draws_thirty_days_of_requests_and_credits(
    alice_portal: Client, alice: Consumer
) -> None:
    today = utc_today()
    DailyUsage.objects.create(account=alice.account, day=today, requests=4, credits=8)
    three_days_ago = today - dt.timedelta(days=3)
    DailyUsage.objects.create(account=alice.account, day=three_days_ago, requests=1, credits=5)
    bars = _bars(alice_portal.get("/account/").content)
    requests, credits = bars[:30], bars[30:]
    assert len(requests) == len(credits) == 30
    assert requests[-1] == (today.isoformat(), 4)
    assert credits[-1] == (today.isoformat(), 8)
    assert requests[-4] == (three_days_ago.isoformat(), 1)
    assert credits[-4] == (three_days_ago.isoformat(), 5)
    assert sum(value for _, value in requests) == 5


def test_usage_older_than_thirty_days_is_left_out_of_the_chart(
    alice_portal: Client, alice: Consumer
) -> None:
    old = utc_today() - dt.timedelta(days=30)
    DailyUsage.objects.create(account=alice.account, day=old, requests=9, credits=9)
    bars = _bars(alice_portal.get("/account/").content)
    assert all(value == 0 for _, value in bars)


def test_another_accounts_usage_is_not_shown(
    alice_portal: Client, alice: Consumer, bob: Consumer
) -> None:
    DailyUsage.objects.create(account=bob.account, day=utc_today(), requests=7, credits=7)
    bars = _bars(alice_portal.get("/account/").content)
    assert all(value == 0 for _, value in bars)


def test_an_unused_account_is_told_how_to_make_its_first_request(
    alice_portal: Client, alice: Consumer
) -> None:
    page = alice_portal.get("/account/").content.decode()
    assert "No API requests in the last 30 days yet" in page


def test_the_ledger_lists_the_starting_credits(alice_portal: Client, alice: Consumer) -> None:
    page = alice_portal.get("/account/").content.decode()
    assert "Starting credits (Free Tier)" in page
    assert "+50" in page


def test_the_ledger_is_paginated_newest_first(alice_portal: Client, alice: Consumer) -> None:
    for number in range(1, 25):
        grant_credits(account=alice.account, amount=1, reason=f"Goodwill {number:02d}")
    first = alice_portal.get("/account/").content.decode()
    assert "Goodwill 24" in first
    assert "Goodwill 04" not in first
    assert "Page 1 of 2" in first
    second = alice_portal.get("/account/?page=2").content.decode()
    assert "Goodwill 04" in second
    assert "Starting credits" in second
    assert "Goodwill 24" not in second


def test_a_suspended_account_is_told_so(client: Client, charlie: Consumer) -> None:
    client.force_login(charlie.account.owner)
    page = client.get("/account/").content.decode()
    assert "This account is suspended" in page
