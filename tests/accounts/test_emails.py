"""Every email is plain text: what people typed arrives as typed, never HTML-escaped; and the
single-line fields that reach subjects and layouts refuse newlines and control characters."""

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client

from accounts import services
from accounts.models import AccessRequest, PlanChangeRequest
from billing.models import Tier

pytestmark = pytest.mark.django_db

NAME = "Siobhán O'Brien <Łódź>"
COMPANY = "Smith & Sons <Ltd> «Zürich»"
USE_CASE = 'We\'ll test "quoted" reviews & <b>tags</b> in our naïve pipeline, Ōsaka to Kraków.'
STAFF_TEXT = "Sorry, we can't <verify> O'Brien & Co. — ça arrive."
ESCAPES = ("&#x27;", "&#39;", "&lt;", "&gt;", "&amp;", "&quot;")
APPLICATION = {
    "name": NAME,
    "email": "siobhan@example.com",
    "company": COMPANY,
    "use_case": USE_CASE,
    "plan": "basic",
    "website": "",
}


def _sent(action: Callable[[], object], on_commit: Callable) -> list[mail.EmailMessage]:
    before = len(mail.outbox)
    with on_commit(execute=True):
        action()
    return mail.outbox[before:]


def _as_typed(message: mail.EmailMessage, *expected: str) -> None:
    text = message.subject + "\n" + message.body
    assert not [escape for escape in ESCAPES if escape in text], text
    for value in expected:
        assert value in text, (value, text)


def test_every_email_carries_apostrophes_angle_brackets_and_accents_as_typed(
    client: Client, staff: object, django_capture_on_commit_callbacks: Callable
) -> None:
    on_commit = django_capture_on_commit_callbacks
    received, to_staff = _sent(lambda: client.post("/request-access/", APPLICATION), on_commit)
    _as_typed(received, NAME, USE_CASE)
    _as_typed(to_staff, NAME, COMPANY, USE_CASE)
    assert to_staff.subject == f"New access request from {NAME} (Basic Plan)"

    [still_pending] = _sent(lambda: client.post("/request-access/", APPLICATION), on_commit)
    _as_typed(still_pending, NAME)

    access_request = AccessRequest.objects.get()
    approve = lambda: services.approve_access_request(  # noqa: E731
        access_request_id=access_request.pk, staff=staff
    )
    [approved] = _sent(approve, on_commit)
    _as_typed(approved, NAME)

    other = {**APPLICATION, "email": "other@example.com"}
    _sent(lambda: client.post("/request-access/", other), on_commit)
    reject = lambda: services.reject_access_request(  # noqa: E731
        access_request_id=AccessRequest.objects.get(status="pending").pk,
        staff=staff,
        reason=STAFF_TEXT,
    )
    [rejected] = _sent(reject, on_commit)
    _as_typed(rejected, NAME, STAFF_TEXT)

    sign_in = lambda: client.post("/account/sign-in/", {"email": "siobhan@example.com"})  # noqa: E731
    [link] = _sent(sign_in, on_commit)
    _as_typed(link, NAME)

    account = access_request.account or AccessRequest.objects.get(pk=access_request.pk).account
    portal = Client()
    portal.force_login(account.owner)
    ask = lambda: portal.post("/account/plan/", {"tier": "pro", "message": USE_CASE})  # noqa: E731
    [to_staff_plan] = _sent(ask, on_commit)
    _as_typed(to_staff_plan, NAME, USE_CASE)
    decide = lambda: services.decide_plan_change(  # noqa: E731
        plan_change_id=PlanChangeRequest.objects.get().pk,
        staff=staff,
        approve=True,
        note=STAFF_TEXT,
    )
    [decided] = _sent(decide, on_commit)
    _as_typed(decided, NAME, STAFF_TEXT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Dana\nBcc: everyone@example.com"),
        ("name", "Dana\rScully"),
        ("name", "Dana\tScully"),
        ("name", "Dana\x00Scully"),
        ("name", "Dana\u2028Scully"),
        ("company", "Acme\nLtd"),
        ("company", "Acme\x1b[31mLtd"),
    ],
)
def test_single_line_fields_refuse_newlines_and_control_characters(
    client: Client, field: str, value: str
) -> None:
    response = client.post("/request-access/", {**APPLICATION, field: value})
    assert response.status_code == 400
    assert not AccessRequest.objects.exists()
    assert mail.outbox == []


def test_a_key_name_is_one_line_too(alice: object) -> None:
    portal = Client()
    portal.force_login(alice.account.owner)  # type: ignore[attr-defined]
    response = portal.post("/account/keys/", {"name": "CI\nserver"})
    assert response.status_code == 400
    assert b"one line of text" in response.content


def test_names_in_any_script_with_punctuation_are_welcome(client: Client) -> None:
    response = client.post(
        "/request-access/", {**APPLICATION, "name": "José Ñúñez-O'Neil 李小龍 (Ops)"}
    )
    assert response.status_code == 302
    assert Tier.objects.get(slug="basic") == AccessRequest.objects.get().requested_tier
