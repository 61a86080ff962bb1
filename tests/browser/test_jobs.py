"""Jobs in a real browser: sign in to the portal, find a finished dataset job and a queued one on
the Jobs tab, download the dataset's ZIP, cancel the queued job and see its refund."""

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.services import create_account
from billing.models import Tier
from generators import jobs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMAIL = "fay@example.com"


@pytest.fixture(autouse=True)
def _inline_jobs(settings: Any, live_server: Any, tmp_path: Path) -> None:
    """Jobs run inline as their request commits, into a private media folder."""
    settings.SITE_URL = live_server.url
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _submit(api: APIClient, **body: Any) -> dict[str, Any]:
    response = api.post("/api/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["data"]


def test_a_consumer_downloads_a_dataset_job_and_cancels_a_queued_one(
    open_tab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, key = create_account(email=EMAIL, tier=Tier.objects.get(slug="pro"), name="Fay")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    # A transactional test commits each request, so this job runs to the end inline.
    dataset = _submit(api, type="dataset", count=10, format="csv", params={"productType": "saas"})
    # No worker has picked this one up yet: accepted and charged, its tasks not handed out.
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)
    queued = _submit(api, type="tickets", count=50, params={"productType": "saas"})
    before = Account.objects.get(pk=account.pk).balance

    tab = open_tab("jobs")
    page = tab.page
    tab.go("/account/jobs/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    [message] = [message for message in mail.outbox if message.to == [EMAIL]][-1:]
    link = re.search(r"http://\S+/account/sign-in/\S+/", message.body)
    assert link, message.body
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in to SynthGen").click()
    page.wait_for_url("**/account/jobs/")

    rows = page.locator("table.jobs tbody tr")
    assert rows.count() == 2
    assert "Tickets" in rows.nth(0).inner_text() and "Queued" in rows.nth(0).inner_text()
    assert "10 customers" in rows.nth(1).inner_text() and "Ready" in rows.nth(1).inner_text()
    tab.shot("jobs")

    with page.expect_download() as download:
        rows.nth(1).get_by_role("link", name="Download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"synthgen-dataset-{dataset['id'][:8]}.zip"
    assert "customers.csv" in zipfile.ZipFile(saved).namelist()

    rows.nth(0).get_by_role("button", name=re.compile("^Cancel")).click()
    refunded = f"Cancelled the job; {queued['price']} credits refunded to your balance."
    page.get_by_text(refunded).wait_for()
    assert "Cancelled" in page.locator(".facts").inner_text()
    assert Account.objects.get(pk=account.pk).balance == before + queued["price"]
    tab.shot("job-cancelled")
