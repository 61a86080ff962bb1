"""A Content-Security-Policy on every HTML page, and pages that need nothing it forbids: no
inline script, no inline event handler, no inline style. (The browser tests report any
violation a real page triggers.)"""

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from csp.utils import build_policy
from django.test import Client, override_settings

from tests.conftest import Consumer

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/docs/", "/request-access/", "/account/sign-in/", "/api/docs/"]
PORTAL_PAGES = ["/account/", "/account/keys/", "/account/plan/", "/account/jobs/"]
STAFF_PAGES = ["/admin/", "/admin/accounts/accessrequest/", "/admin/accounts/account/"]


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, on* attributes, style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        data_block = names.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and "src" not in names and not data_block:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name.startswith("on")]
        if "style" in names:
            self.found.append(f'{tag} style="{names["style"]}"')


def _check(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert "style-src 'self';" in policy + ";"
    assert "unsafe" not in policy
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == [], (path, parser.found)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_a_strict_policy_and_no_inline_code(client: Client, path: str) -> None:
    _check(client, path)


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_portal_pages_carry_a_strict_policy_and_no_inline_code(alice: Consumer, path: str) -> None:
    client = Client()
    client.force_login(alice.account.owner)
    _check(client, path)


def test_the_portal_job_pages_carry_a_strict_policy_and_no_inline_code(
    alice: Consumer, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """A finished job (download link, summary) and a queued one (cancel form), listed and alone."""
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    body = {
        "type": "feedback",
        "count": 20,
        "params": {"productType": "saas", "sentimentMix": "balanced"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = alice.client.post("/api/jobs", body, format="json").json()["data"]
    queued = alice.client.post("/api/jobs", body, format="json").json()["data"]
    client = Client()
    client.force_login(alice.account.owner)
    for path in (
        "/account/jobs/",
        f"/account/jobs/{done['id']}/",
        f"/account/jobs/{queued['id']}/",
    ):
        _check(client, path)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_carry_a_strict_policy_and_no_inline_code(
    staff_client: Client, alice: Consumer, path: str
) -> None:
    _check(staff_client, path)


def test_the_swagger_start_up_script_is_a_file_of_its_own(client: Client) -> None:
    response = client.get("/api/docs/?script=")
    assert response["Content-Type"] == "application/javascript"
    assert b"SwaggerUIBundle" in response.content


def test_pages_and_api_answers_carry_the_policy_django_csp_builds(alice: Consumer) -> None:
    """The policy is built once per process (synthgen.middleware), and is django-csp's own."""
    body = {"productType": "saas", "sentimentMix": "balanced", "feedbackCount": 1}
    answer = alice.client.post("/api/feedback/generate", body, format="json")
    assert answer.status_code == 200
    assert answer["Content-Security-Policy"] == build_policy()
    assert Client().get("/")["Content-Security-Policy"] == build_policy()
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert Client().get("/")["Content-Security-Policy"] == "default-src 'none'"
