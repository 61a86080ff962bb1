"""The management commands staff and `make run` use."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import Account
from billing.models import CreditEntry

pytestmark = pytest.mark.django_db


def _output(*args: str) -> str:
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def _create_account(*args: str) -> str:
    return _output(*args).strip().splitlines()[-1]


def test_create_account_prints_a_working_key_as_its_last_line(db: None) -> None:
    key = _create_account("--email", "eve@example.com", "--tier", "pro", "--name", "Eve")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    data = client.get("/api/account").json()["data"]
    assert (data["email"], data["tier"], data["remainingCredits"]) == (
        "eve@example.com",
        "pro",
        10_000,
    )


def test_create_account_credits_sets_the_starting_grant(db: None) -> None:
    _create_account("--email", "eve@example.com", "--tier", "free", "--credits", "7")
    account = Account.objects.get()
    assert account.balance == 7
    assert list(CreditEntry.objects.values_list("amount", flat=True)) == [7]


def test_create_account_reports_the_credits_it_granted(db: None) -> None:
    first = _output("--email", "eve@example.com", "--tier", "pro", "--credits", "777")
    assert "granted 777 credits" in first
    again = _output("--email", "Eve@example.com", "--tier", "pro", "--credits", "5")
    assert "already exists, on Pro Plan with 777 credits; no credits granted" in again
    assert Account.objects.get().balance == 777


def test_create_account_reuses_the_account_and_adds_a_key(db: None) -> None:
    first = _create_account("--email", "eve@example.com", "--tier", "free")
    second = _create_account("--email", "eve@example.com", "--tier", "free")
    assert first != second
    account = Account.objects.get()
    assert account.api_keys.count() == 2
    assert account.balance == 50


def test_create_account_names_the_plans_when_one_is_unknown(db: None) -> None:
    with pytest.raises(CommandError, match="free, basic, pro, enterprise"):
        _create_account("--email", "eve@example.com", "--tier", "gold")


def test_demo_creates_its_users_once_and_shows_them_every_time(
    db: None, settings: object, tmp_path: object
) -> None:
    settings.VAR_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    assert first.getvalue() == second.getvalue()
    assert "Staff:    staff / " in first.getvalue()
    key = first.getvalue().split("API key:")[1].split()[0]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/account").json()["data"]["email"] == "demo@synthgen.local"
    assert Account.objects.count() == 1
