"""Staff manage plans, credits and accounts in the admin; ledger rows stay read-only."""

from django.contrib.admin.models import LogEntry
from django.test import Client

from billing.models import CreditEntry, Tier
from tests.conftest import Consumer

ACCOUNTS = "/admin/accounts/account/"


def run_action(client: Client, action: str, consumers: list[Consumer], **fields: str) -> object:
    data = {
        "action": action,
        "_selected_action": [str(c.account.pk) for c in consumers],
        **fields,
    }
    return client.post(ACCOUNTS, data, follow=True)


def test_the_account_list_shows_plan_balance_and_requests_today(
    staff_client: Client, alice: Consumer
) -> None:
    alice.client.post(
        "/api/tickets/generate", {"productType": "saas", "ticketCount": 3}, format="json"
    )
    page = staff_client.get(ACCOUNTS).content.decode()
    assert "Requests today" in page
    row = next(line for line in page.split("<tr") if "alice@example.com" in line)
    assert "Free Tier" in row
    assert '<td class="field-balance">47</td>' in row
    assert '<td class="field-requests_today">1</td>' in row


def test_an_account_page_lists_recent_ledger_entries_read_only(
    staff_client: Client, alice: Consumer
) -> None:
    page = staff_client.get(f"{ACCOUNTS}{alice.account.pk}/change/").content.decode()
    assert "recent credit entries" in page.lower()
    assert "Starting credits" in page
    assert 'name="credit_entries-0-amount"' not in page


def test_granting_credits_asks_for_an_amount_and_a_reason_first(
    staff_client: Client, alice: Consumer
) -> None:
    response = run_action(staff_client, "move_credits", [alice])
    assert b"Grant or adjust credits" in response.content
    assert b'name="amount"' in response.content and b'name="reason"' in response.content
    assert alice.refresh().balance == 50


def test_a_grant_from_the_admin_is_a_ledger_entry_by_that_staff_member(
    staff_client: Client, staff: object, alice: Consumer, bob: Consumer
) -> None:
    run_action(
        staff_client,
        "move_credits",
        [alice, bob],
        apply="1",
        kind="grant",
        amount="25",
        reason="Conference giveaway",
    )
    assert alice.refresh().balance == 75
    assert bob.refresh().balance == 1_025
    entry = CreditEntry.objects.get(account=alice.account, kind="grant", amount=25)
    assert (entry.staff, entry.reason) == (staff, "Conference giveaway")
    assert LogEntry.objects.filter(object_id=str(alice.account.pk)).exists()


def test_a_negative_adjustment_cannot_overdraw(staff_client: Client, alice: Consumer) -> None:
    response = run_action(
        staff_client,
        "move_credits",
        [alice],
        apply="1",
        kind="adjustment",
        amount="-60",
        reason="Chargeback",
    )
    assert "not changed, only 50 credits left" in response.content.decode()
    assert alice.refresh().balance == 50


def test_a_grant_must_be_positive(staff_client: Client, alice: Consumer) -> None:
    response = run_action(
        staff_client, "move_credits", [alice], apply="1", kind="grant", amount="-5", reason="x"
    )
    assert b"A grant must be positive" in response.content
    assert alice.refresh().balance == 50


def test_staff_change_an_accounts_plan(staff_client: Client, alice: Consumer) -> None:
    pro = Tier.objects.get(slug="pro")
    assert b'name="tier"' in run_action(staff_client, "change_tier", [alice]).content
    run_action(staff_client, "change_tier", [alice], apply="1", tier=str(pro.pk))
    assert alice.refresh().tier == pro
    assert alice.account.balance == 50
    assert alice.client.get("/api/account").json()["data"]["tier"] == "pro"


def test_staff_suspend_and_unsuspend_accounts(staff_client: Client, alice: Consumer) -> None:
    run_action(staff_client, "suspend", [alice])
    assert alice.refresh().is_suspended
    response = alice.client.get("/api/account")
    assert response.json()["code"] == "ACCOUNT_SUSPENDED"
    run_action(staff_client, "unsuspend", [alice])
    assert not alice.refresh().is_suspended
    assert alice.client.get("/api/account").status_code == 200


def test_ledger_entries_cannot_be_added_changed_or_deleted(
    staff_client: Client, alice: Consumer
) -> None:
    entry = CreditEntry.objects.get(account=alice.account)
    assert staff_client.get("/admin/billing/creditentry/").status_code == 200
    page = staff_client.get(f"/admin/billing/creditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="amount"' not in page.content
    assert staff_client.get("/admin/billing/creditentry/add/").status_code == 403
    staff_client.post(f"/admin/billing/creditentry/{entry.pk}/change/", {"amount": "9999"})
    assert staff_client.post(f"/admin/billing/creditentry/{entry.pk}/delete/").status_code == 403
    entry.refresh_from_db()
    assert entry.amount == 50


def test_plans_are_edited_in_the_admin(staff_client: Client) -> None:
    free = Tier.objects.get(slug="free")
    page = staff_client.get(f"/admin/billing/tier/{free.pk}/change/")
    assert b'name="daily_request_limit"' in page.content
    data = {
        "slug": "free",
        "name": "Free Tier",
        "daily_request_limit": "10",
        "burst_limit_per_minute": "5",
        "starting_credits": "50",
        "monthly_credits": "60",
        "display_price": "$0 / month",
        "position": "1",
    }
    staff_client.post(f"/admin/billing/tier/{free.pk}/change/", data)
    free.refresh_from_db()
    assert (free.daily_request_limit, free.monthly_credits) == (10, 60)


def test_staff_cannot_add_an_account_that_skips_approval(staff_client: Client) -> None:
    assert staff_client.get("/admin/accounts/account/add/").status_code == 403
