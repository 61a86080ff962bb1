"""The whole journey in a real browser: land, read the docs, apply, get approved by staff in
the admin, reveal the key, call the API, then sign in to the portal, see the calls, and
create and revoke a key."""

import re
from typing import Any

import pytest
import requests
from django.core import mail

from accounts.models import AccessRequest
from tests.browser.conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STAFF_PASSWORD = "pw-Staff-123"
EMAIL = "dana@example.com"


@pytest.fixture
def staff_user(django_user_model: type) -> object:
    return django_user_model.objects.create_superuser("sam", "sam@synthgen.local", STAFF_PASSWORD)


@pytest.fixture(autouse=True)
def _links_point_at_the_live_server(settings: Any, live_server: Any) -> None:
    settings.SITE_URL = live_server.url


def _link_in_last_email(to: str, pattern: str) -> str:
    [message] = [message for message in mail.outbox if message.to == [to]][-1:]
    match = re.search(pattern, message.body)
    assert match, message.body
    return match.group(0)


def _call(base_url: str, key: str, path: str, body: dict | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"}
    if body is None:
        return requests.get(base_url + path, headers=headers, timeout=30)
    return requests.post(base_url + path, headers=headers, json=body, timeout=30)


def _apply(visitor: Any) -> None:
    page = visitor.page
    visitor.go("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Realistic customer data, on demand"
    visitor.shot("landing")
    page.get_by_role("link", name="Read the docs").click()
    page.wait_for_url("**/docs/")
    assert page.locator("#tiers tbody tr").count() == 4
    visitor.shot("docs")
    visitor.go("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 9
    visitor.shot("api-reference")
    visitor.go("/")
    page.get_by_role("link", name="Request API access").click()
    page.get_by_label("Name").fill("Dana Developer")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Company").fill("Acme Research")
    page.get_by_label("Use case").fill("We test our review-analysis pipeline with synthetic data.")
    page.get_by_label("Requested plan").select_option("basic")
    visitor.shot("request-access")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/request-access/thanks/")
    visitor.shot("request-received")


def _approve_in_admin(staff: Any) -> None:
    page = staff.page
    staff.go("/admin/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    staff.shot("admin-login")
    page.get_by_role("button", name="Log in").click()
    staff.go("/admin/accounts/accessrequest/")
    access_request = AccessRequest.objects.get(email=EMAIL)
    page.locator(f'input[name="_selected_action"][value="{access_request.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve")
    staff.shot("admin-access-requests")
    page.get_by_role("button", name="Go").click()
    page.get_by_role("button", name="Approve and email the key link").wait_for()
    staff.shot("admin-approve-confirmation")
    page.get_by_role("button", name="Approve and email the key link").click()
    page.get_by_text("Approved 1 request(s); key links emailed.").wait_for()
    staff.shot("admin-approved")


def _reveal_key(visitor: Any) -> str:
    page = visitor.page
    page.goto(_link_in_last_email(EMAIL, r"http://\S+/keys/reveal/\S+/"))
    visitor.shot("reveal-link")
    page.get_by_role("button", name="Reveal my API key").click()
    key = page.locator("#api-key").inner_text()
    assert key.startswith("sg_live_")
    visitor.shot("key-revealed")
    return key


def _sign_in(visitor: Any) -> None:
    page = visitor.page
    visitor.go("/account/")
    page.wait_for_url("**/account/sign-in/?next=/account/")
    page.get_by_label("Email").fill(EMAIL)
    visitor.shot("portal-sign-in")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    visitor.shot("portal-check-email")
    page.goto(_link_in_last_email(EMAIL, r"http://\S+/account/sign-in/\S+/"))
    visitor.shot("portal-sign-in-link")
    page.get_by_role("button", name="Sign in to SynthGen").click()
    page.wait_for_url("**/account/")


def _bar(page: Any, chart: str) -> int:
    return int(page.locator(f"#{chart} rect.bar.today").get_attribute("data-value"))


def test_a_developer_goes_from_the_landing_page_to_managing_keys(
    open_tab: Any, live_server: Any, staff_user: object
) -> None:
    visitor, staff = open_tab("visitor"), open_tab("staff")
    _apply(visitor)
    _approve_in_admin(staff)
    key = _reveal_key(visitor)

    base = live_server.url
    assert _call(base, key, "/api/account").json()["data"]["email"] == EMAIL
    feedback = {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 5}
    assert _call(base, key, "/api/feedback/generate", feedback).status_code == 200
    assert _call(base, key, "/api/feedback/generate", feedback).status_code == 200
    tickets = {"productType": "ecommerce", "ticketCount": 3}
    assert _call(base, key, "/api/tickets/generate", tickets).status_code == 200

    _sign_in(visitor)
    page = visitor.page
    assert page.locator("#requests-today").inner_text().startswith("3")
    assert _bar(page, "chart-requests") == 3
    assert _bar(page, "chart-credits") == 2 + 2 + 3
    visitor.shot("portal-dashboard")

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Key name").fill("CI runner")
    page.get_by_role("button", name="Create key").click()
    new_key = page.locator("#api-key").inner_text()
    visitor.shot("portal-key-created")
    assert _call(base, new_key, "/api/account").status_code == 200

    page.get_by_role("link", name="← Back to your keys").click()
    visitor.shot("portal-keys")
    page.get_by_role("link", name=re.compile(r"^Revoke CI runner")).click()
    visitor.shot("portal-revoke-confirmation")
    page.get_by_role("button", name="Revoke this key").click()
    page.get_by_text("It is refused from its next request.").wait_for()
    visitor.shot("portal-key-revoked")
    refused = _call(base, new_key, "/api/account")
    assert refused.status_code == 401
    assert refused.json()["code"] == "UNAUTHORIZED"
    assert _call(base, key, "/api/account").status_code == 200

    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_label("New plan").select_option("pro")
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("Request sent.").wait_for()
    visitor.shot("portal-plan-requested")
    staff.go("/admin/accounts/planchangerequest/")
    staff.page.get_by_text(EMAIL).first.wait_for()
    staff.shot("admin-plan-change-requests")


def test_the_pages_fit_a_phone_screen(open_tab: Any, live_server: Any) -> None:
    phone = open_tab("phone", PHONE)
    for path in ["/", "/docs/", "/request-access/", "/account/sign-in/", "/api/docs/"]:
        phone.go(path)
        if path == "/api/docs/":
            phone.page.locator(".opblock").first.wait_for()
        overflow = phone.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
        phone.shot(path.strip("/") or "landing")
