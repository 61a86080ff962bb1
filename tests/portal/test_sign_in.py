"""Signing in to the portal with an emailed single-use link."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import views
from accounts.models import SignInLink
from tests.conftest import Consumer
from tests.portal.conftest import Post

LINK = re.compile(r"https?://\S+(/account/sign-in/(\S+)/)")


def _emailed_path(index: int = -1) -> str:
    match = LINK.search(mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return match.group(1)


def test_the_sign_in_page_asks_for_an_email(client: Client, db: None) -> None:
    response = client.get("/account/sign-in/")
    assert response.status_code == 200
    assert b'<label for="id_email">' in response.content


def test_an_account_email_is_sent_a_sign_in_link(
    client: Client, alice: Consumer, post: Post
) -> None:
    response = post(client, "/account/sign-in/", {"email": "Alice@Example.com"}, follow=True)
    assert b"Check your email" in response.content
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "15 minutes" in message.body
    assert _emailed_path()


def test_an_unknown_email_gets_the_same_answer_and_no_email(
    client: Client, alice: Consumer, post: Post
) -> None:
    known = post(client, "/account/sign-in/", {"email": "alice@example.com"}, follow=True)
    unknown = post(client, "/account/sign-in/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert len(mail.outbox) == 1


def test_only_a_digest_of_the_token_is_stored(client: Client, alice: Consumer, post: Post) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com"})
    token = _emailed_path().split("/")[-2]
    link = SignInLink.objects.get()
    assert token not in (link.token_hash, str(link.pk))


def test_opening_the_link_shows_a_button_and_does_not_sign_in(
    client: Client, alice: Consumer, post: Post
) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com"})
    response = client.get(_emailed_path())
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert client.get("/account/").status_code == 302
    assert SignInLink.objects.get().used_at is None


def test_pressing_the_button_signs_in_and_opens_the_dashboard(
    client: Client, alice: Consumer, post: Post
) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com"})
    response = post(client, _emailed_path(), follow=True)
    assert response.redirect_chain[-1][0] == "/account/"
    assert b"Usage and credits" in response.content
    assert b"alice@example.com" in response.content


def test_a_link_works_only_once(client: Client, alice: Consumer, post: Post) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com"})
    path = _emailed_path()
    client.post(path)
    stranger = Client()
    assert stranger.get(path).status_code == 410
    assert stranger.post(path).status_code == 410
    assert stranger.get("/account/").status_code == 302


def test_a_link_expires_after_15_minutes(client: Client, alice: Consumer, post: Post) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com"})
    later = timezone.now() + dt.timedelta(minutes=15, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(_emailed_path()).status_code == 410
        response = client.post(_emailed_path())
    assert response.status_code == 410
    assert b"Email me a new link" in response.content


def test_a_link_still_works_just_before_it_expires(
    client: Client, alice: Consumer, post: Post
) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com"})
    later = timezone.now() + dt.timedelta(minutes=14, seconds=50)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post(_emailed_path())
    assert response.status_code == 302


def test_an_unknown_token_says_the_link_no_longer_works(client: Client, db: None) -> None:
    response = client.get("/account/sign-in/not-a-real-token/")
    assert response.status_code == 410
    assert b"no longer works" in response.content


def test_sign_in_links_are_rate_limited_per_email(
    client: Client, alice: Consumer, post: Post
) -> None:
    for _ in range(5):
        assert post(client, "/account/sign-in/", {"email": "alice@example.com"}).status_code == 302
    response = post(client, "/account/sign-in/", {"email": "ALICE@example.com"})
    assert response.status_code == 429
    assert b"Too many sign-in links" in response.content
    assert len(mail.outbox) == 5


def test_the_email_limit_answers_the_same_for_unknown_emails(
    client: Client, alice: Consumer
) -> None:
    answers = []
    for email in ("alice@example.com", "nobody@example.com"):
        path, data = "/account/sign-in/", {"email": email}
        answers.append([client.post(path, data).status_code for _ in range(6)])
    assert answers[0] == answers[1] == [302] * 5 + [429]


def test_sign_in_links_are_rate_limited_per_ip(client: Client, alice: Consumer, post: Post) -> None:
    for number in range(20):
        client.post("/account/sign-in/", {"email": f"someone{number}@example.com"})
    response = post(client, "/account/sign-in/", {"email": "alice@example.com"})
    assert response.status_code == 429
    assert mail.outbox == []


def test_another_network_is_not_held_back_by_the_first(client: Client, alice: Consumer) -> None:
    for number in range(20):
        client.post("/account/sign-in/", {"email": f"someone{number}@example.com"})
    data = {"email": "alice@example.com"}
    response = client.post("/account/sign-in/", data, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_an_invalid_email_is_explained_at_the_field(client: Client, db: None) -> None:
    response = client.post("/account/sign-in/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert b'value="not-an-email"' in response.content


@pytest.mark.parametrize("path", ["/account/", "/account/keys/", "/account/plan/"])
def test_portal_pages_send_strangers_to_sign_in(client: Client, db: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/account/sign-in/?next={path}"


def test_staff_without_an_account_are_sent_to_sign_in(staff_client: Client) -> None:
    response = staff_client.get("/account/")
    assert response["Location"].startswith("/account/sign-in/")


def test_signing_out_ends_the_session(alice_portal: Client) -> None:
    assert alice_portal.get("/account/").status_code == 200
    response = alice_portal.post("/account/sign-out/", follow=True)
    assert b"You are signed out." in response.content
    assert alice_portal.get("/account/").status_code == 302


def test_the_limits_are_five_an_hour_per_email_and_twenty_per_network() -> None:
    assert views.SIGN_IN_RATE_PER_EMAIL == "5/h"
    assert views.SIGN_IN_RATE_PER_IP == "20/h"


def test_signing_in_returns_to_the_page_that_asked_for_it(
    client: Client, alice: Consumer, post: Post
) -> None:
    asked = client.get("/account/keys/", follow=True)
    assert b'name="next" value="/account/keys/"' in asked.content
    post(client, "/account/sign-in/", {"email": "alice@example.com", "next": "/account/keys/"})
    response = post(client, _emailed_path())
    assert response["Location"] == "/account/keys/"


def test_a_next_page_elsewhere_is_ignored(client: Client, alice: Consumer, post: Post) -> None:
    post(client, "/account/sign-in/", {"email": "alice@example.com", "next": "https://evil.test/"})
    response = post(client, _emailed_path())
    assert response["Location"] == "/account/"
