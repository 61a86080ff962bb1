"""Staff approve and reject access requests from the admin."""

import re
from collections.abc import Callable

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client

from accounts.models import AccessRequest, Account, ApiKey
from accounts.services import approve_access_request
from billing.models import CreditEntry, Tier

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/accessrequest/"


@pytest.fixture
def dana(db: None) -> AccessRequest:
    return AccessRequest.objects.create(
        name="Dana Scully",
        email="dana@example.com",
        use_case="Seeding a dashboard demo with realistic reviews.",
        requested_tier=Tier.objects.get(slug="basic"),
    )


def _run_action(client: Client, action: str, ids: list[int], **fields: str) -> object:
    data = {"action": action, "_selected_action": [str(pk) for pk in ids], **fields}
    return client.post(CHANGELIST, data, follow=True)


def test_the_changelist_filters_and_searches(staff_client: Client, dana: AccessRequest) -> None:
    assert b"Dana Scully" in staff_client.get(CHANGELIST, {"q": "dana@"}).content
    assert b"Dana Scully" not in staff_client.get(CHANGELIST, {"q": "nobody"}).content
    assert b"Dana Scully" in staff_client.get(CHANGELIST, {"status__exact": "pending"}).content
    assert b"Dana Scully" not in staff_client.get(CHANGELIST, {"status__exact": "rejected"}).content


def test_approve_asks_to_confirm_the_plan_first(staff_client: Client, dana: AccessRequest) -> None:
    response = _run_action(staff_client, "approve", [dana.pk])
    assert b"Approve access requests" in response.content
    assert b'name="tier"' in response.content
    dana.refresh_from_db()
    assert dana.status == "pending"


def test_approval_creates_the_account_grants_credits_and_emails_a_key_link(
    staff_client: Client,
    staff: object,
    dana: AccessRequest,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    pro = Tier.objects.get(slug="pro")
    with django_capture_on_commit_callbacks(execute=True):
        _run_action(staff_client, "approve", [dana.pk], apply="1", tier=str(pro.pk))
    dana.refresh_from_db()
    assert dana.status == "approved"
    assert dana.decided_by == staff
    assert dana.decided_at is not None
    account = Account.objects.get(email="dana@example.com")
    assert account.tier == pro
    assert account.owner.email == "dana@example.com"
    assert account.balance == pro.starting_credits
    grant = CreditEntry.objects.get(account=account)
    assert (grant.kind, grant.amount, grant.staff) == ("grant", pro.starting_credits, staff)
    assert ApiKey.objects.filter(account=account, revoked_at=None).count() == 1
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert re.search(r"http://\S+/keys/reveal/\S+/", message.body)
    assert LogEntry.objects.filter(
        object_id=str(dana.pk), change_message__startswith="Approved"
    ).exists()


def test_approving_twice_creates_one_account_one_grant_and_one_key(
    staff: object, dana: AccessRequest, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        approve_access_request(access_request_id=dana.pk, staff=staff)
        approve_access_request(access_request_id=dana.pk, staff=staff)
    assert Account.objects.count() == 1
    assert CreditEntry.objects.count() == 1
    assert ApiKey.objects.count() == 1
    assert len(mail.outbox) == 1


def test_reject_asks_for_a_reason_and_emails_it(
    staff_client: Client,
    staff: object,
    dana: AccessRequest,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    response = _run_action(staff_client, "reject", [dana.pk])
    assert b'name="reason"' in response.content
    with django_capture_on_commit_callbacks(execute=True):
        _run_action(staff_client, "reject", [dana.pk], apply="1", reason="Use case is unclear.")
    dana.refresh_from_db()
    assert (dana.status, dana.rejection_reason, dana.decided_by) == (
        "rejected",
        "Use case is unclear.",
        staff,
    )
    [message] = mail.outbox
    assert "Use case is unclear." in message.body
    assert Account.objects.count() == 0


def test_a_decided_request_cannot_be_decided_again(
    staff_client: Client, dana: AccessRequest
) -> None:
    _run_action(staff_client, "reject", [dana.pk], apply="1", reason="No.")
    response = _run_action(staff_client, "approve", [dana.pk])
    assert b"None of those requests is pending" in response.content
    dana.refresh_from_db()
    assert dana.status == "rejected"


def test_the_admin_shows_keys_by_prefix_only(staff_client: Client, alice: object) -> None:
    response = staff_client.get("/admin/accounts/apikey/")
    api_key = ApiKey.objects.get(account=alice.account)
    assert api_key.prefix.encode() in response.content
    assert alice.key.encode() not in response.content
    assert api_key.secret_hash.encode() not in response.content
