"""Asking for another plan in the portal, and staff deciding it in the admin."""

from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client

from accounts.models import PlanChangeRequest
from billing.models import Tier
from tests.conftest import Consumer
from tests.portal.conftest import Post


def test_the_plan_page_offers_every_other_plan(alice_portal: Client, alice: Consumer) -> None:
    response = alice_portal.get("/account/plan/")
    offered = [tier.slug for tier in response.context["form"].fields["tier"].queryset]
    assert offered == ["basic", "pro", "enterprise"]


def test_a_consumer_can_ask_for_another_plan(
    alice_portal: Client, alice: Consumer, post: Post
) -> None:
    data = {"tier": "pro", "message": "Launching next month."}
    response = post(alice_portal, "/account/plan/", data, follow=True)
    assert b"Request sent." in response.content
    plan_change = PlanChangeRequest.objects.get()
    assert (plan_change.current_tier.slug, plan_change.requested_tier.slug) == ("free", "pro")
    assert plan_change.status == "pending"
    [message] = mail.outbox
    assert "Free Tier to Pro Plan" in message.subject
    assert "/admin/accounts/planchangerequest/" in message.body


def test_a_second_request_waits_for_the_first(alice_portal: Client, alice: Consumer) -> None:
    alice_portal.post("/account/plan/", {"tier": "pro"})
    page = alice_portal.get("/account/plan/").content.decode()
    assert "Send the request" not in page
    assert "waiting for staff" in alice_portal.get("/account/").content.decode()
    alice_portal.post("/account/plan/", {"tier": "basic"})
    assert PlanChangeRequest.objects.count() == 1


def test_the_current_plan_cannot_be_requested(alice_portal: Client, alice: Consumer) -> None:
    response = alice_portal.post("/account/plan/", {"tier": "free"})
    assert response.status_code == 400
    assert not PlanChangeRequest.objects.exists()


def test_staff_approve_a_plan_change_in_the_admin(
    staff_client: Client, alice_portal: Client, alice: Consumer, post: Post
) -> None:
    alice_portal.post("/account/plan/", {"tier": "pro"})
    plan_change = PlanChangeRequest.objects.get()
    changelist = "/admin/accounts/planchangerequest/"
    assert alice.account.email in staff_client.get(changelist).content.decode()
    data = {"action": "approve", "_selected_action": [plan_change.pk]}
    post(staff_client, changelist, data)
    assert alice.refresh().tier == Tier.objects.get(slug="pro")
    plan_change.refresh_from_db()
    assert (plan_change.status, plan_change.decided_by.username) == ("approved", "sam")
    assert LogEntry.objects.filter(object_id=str(plan_change.pk)).exists()
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert "approved" in mail.outbox[-1].subject


def test_staff_reject_a_plan_change_with_a_reason(
    staff_client: Client, alice_portal: Client, alice: Consumer, post: Post
) -> None:
    alice_portal.post("/account/plan/", {"tier": "enterprise"})
    plan_change = PlanChangeRequest.objects.get()
    changelist = "/admin/accounts/planchangerequest/"
    data = {"action": "reject", "_selected_action": [plan_change.pk]}
    assert b"Reject and email the reason" in staff_client.post(changelist, data).content
    post(staff_client, changelist, {**data, "apply": "1", "reason": "Talk to sales first."})
    plan_change.refresh_from_db()
    assert plan_change.status == "rejected"
    assert alice.refresh().tier.slug == "free"
    assert "Talk to sales first." in mail.outbox[-1].body
    assert "Talk to sales first." in alice_portal.get("/account/plan/").content.decode()
