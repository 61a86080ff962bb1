"""The public access-request form."""

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client, override_settings

from accounts.models import AccessRequest

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Dana Scully",
    "email": "dana@example.com",
    "company": "FBI Labs",
    "use_case": "We will seed our analytics dashboard demo with realistic app reviews.",
    "plan": "basic",
    "website": "",
}


def test_the_landing_page_links_to_the_form_and_the_docs(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/request-access/"' in response.content
    assert b'href="/docs/"' in response.content
    assert b"100 requests/day" in response.content


def test_a_valid_request_is_stored_and_confirmed(client: Client) -> None:
    response = client.post("/request-access/", VALID, follow=True)
    assert response.redirect_chain == [("/request-access/thanks/", 302)]
    assert b"your request is in" in response.content
    access_request = AccessRequest.objects.get()
    assert access_request.status == "pending"
    assert access_request.requested_tier.slug == "basic"
    assert access_request.ip_address == "127.0.0.1"


def test_the_applicant_and_staff_are_emailed(
    client: Client, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/request-access/", VALID)
    recipients = [message.to for message in mail.outbox]
    assert recipients == [["dana@example.com"], ["staff@synthgen.local"]]
    assert "received your SynthGen access request" in mail.outbox[0].subject
    assert "/admin/accounts/accessrequest/" in mail.outbox[1].body


def test_invalid_input_shows_an_error_at_each_field_and_keeps_what_was_typed(
    client: Client,
) -> None:
    response = client.post(
        "/request-access/", {**VALID, "email": "not-an-email", "use_case": "stuff", "name": ""}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"email", "use_case", "name"}
    assert b'value="not-an-email"' in response.content
    assert b'value="FBI Labs"' in response.content
    assert b"at least a full sentence" in response.content
    assert AccessRequest.objects.count() == 0


def test_an_unknown_plan_is_refused(client: Client) -> None:
    response = client.post("/request-access/", {**VALID, "plan": "platinum"})
    assert response.status_code == 400
    assert "plan" in response.context["form"].errors


def test_the_form_is_csrf_protected() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/request-access/", VALID)
    assert response.status_code == 403
    assert AccessRequest.objects.count() == 0


def test_the_form_page_carries_a_csrf_token(client: Client) -> None:
    response = client.get("/request-access/")
    assert b"csrfmiddlewaretoken" in response.content


def test_a_bot_filling_the_honeypot_sees_success_but_nothing_is_stored(client: Client) -> None:
    response = client.post("/request-access/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert AccessRequest.objects.count() == 0
    assert mail.outbox == []


def test_a_second_pending_request_is_refused_by_email_and_the_form_cannot_tell(
    client: Client, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/request-access/", VALID, follow=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            "/request-access/",
            {**VALID, "email": "DANA@example.com", "name": "Someone Else"},
            follow=True,
        )
    assert second.redirect_chain == first.redirect_chain == [("/request-access/thanks/", 302)]
    assert second.content == first.content
    [waiting] = AccessRequest.objects.all()
    assert (waiting.name, waiting.submissions) == ("Dana Scully", 2)
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject == "Your SynthGen access request is still waiting for review"
    assert "Hi Dana Scully," in message.body
    assert "Someone Else" not in message.body


def test_a_rejected_applicant_may_apply_again(client: Client) -> None:
    client.post("/request-access/", VALID)
    AccessRequest.objects.update(status="rejected")
    response = client.post("/request-access/", VALID)
    assert response.status_code == 302
    assert AccessRequest.objects.count() == 2


@override_settings(REQUEST_ACCESS_RATE="3/h")
def test_too_many_submissions_from_one_ip_get_a_friendly_429(client: Client) -> None:
    for number in range(3):
        client.post("/request-access/", {**VALID, "email": f"user{number}@example.com"})
    response = client.post("/request-access/", {**VALID, "email": "user9@example.com"})
    assert response.status_code == 429
    assert b"Too many submissions" in response.content
    assert AccessRequest.objects.count() == 3


@override_settings(REQUEST_ACCESS_RATE="3/h")
def test_the_ip_limit_counts_each_address_separately(client: Client) -> None:
    for number in range(3):
        client.post("/request-access/", {**VALID, "email": f"user{number}@example.com"})
    response = client.post(
        "/request-access/", {**VALID, "email": "other@example.com"}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302


def test_each_error_and_help_text_is_tied_to_its_input(client: Client) -> None:
    response = client.post("/request-access/", {**VALID, "email": "bad", "use_case": "short"})
    page = response.content.decode()
    for described in (
        'aria-describedby="id_email_error"',
        'aria-describedby="id_use_case_helptext id_use_case_error"',
    ):
        assert described in page
    assert 'id="id_email_error"' in page
    assert 'id="id_use_case_helptext"' in page
    assert 'id="id_use_case_error"' in page
