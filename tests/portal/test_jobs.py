"""The portal's Jobs page: the signed-in account's bulk jobs, their files and their cancel button,
served by the same jobs service as the API (jobs run inline as their request commits)."""

import datetime as dt
import re
import uuid
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import CreditEntry
from generators import jobs
from generators.models import Job
from tests.conftest import Consumer
from tests.portal.conftest import Post

FEEDBACK = {"productType": "mobile_app", "sentimentMix": "balanced"}
DATASET = {"productType": "saas", "seed": 77}


@pytest.fixture(autouse=True)
def _inline_jobs_in_private_media(settings: Any, tmp_path: Path) -> None:
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def bob_portal(bob: Consumer) -> Client:
    client = Client()
    client.force_login(bob.account.owner)
    return client


def submit(consumer: Consumer, **body: Any) -> dict[str, Any]:
    body = {"type": "feedback", "count": 120, "format": "jsonl", "params": FEEDBACK, **body}
    response = consumer.client.post("/api/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["data"]


def run(consumer: Consumer, capture: Any, **body: Any) -> dict[str, Any]:
    """Submit a job and let it run inline as its request commits; its final state."""
    with capture(execute=True):
        job = submit(consumer, **body)
    return consumer.client.get(f"/api/jobs/{job['id']}").json()["data"]


def shown_jobs(html: str) -> list[str]:
    return re.findall(r'<tr id="job-([0-9a-f-]{36})"', html)


def ledger(consumer: Consumer) -> list[tuple[str, int]]:
    entries = CreditEntry.objects.filter(account=consumer.account).order_by("pk")
    return [(entry.kind, entry.amount) for entry in entries]


def test_the_list_shows_only_the_accounts_jobs_newest_first_with_a_dataset_job(
    bob: Consumer, alice: Consumer, bob_portal: Client, django_capture_on_commit_callbacks: Any
) -> None:
    feedback = submit(bob, count=120, format="csv")
    dataset = run(bob, django_capture_on_commit_callbacks, type="dataset", count=12, params=DATASET)
    theirs = submit(alice)

    response = bob_portal.get("/account/jobs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert shown_jobs(html) == [dataset["id"], feedback["id"]]
    assert theirs["id"] not in html
    dataset_row = html.split(f'id="job-{dataset["id"]}"')[1].split("</tr>")[0]
    assert ">Dataset</a>" in dataset_row and "12 customers" in dataset_row
    assert "Ready" in dataset_row and f"{dataset['price']} charged" in dataset_row
    assert f"/account/jobs/{dataset['id']}/download/" in dataset_row
    assert "Cancel" not in dataset_row  # a finished job has nothing to cancel
    feedback_row = html.split(f'id="job-{feedback["id"]}"')[1].split("</tr>")[0]
    assert ">Feedback</a>" in feedback_row and "120 entries" in feedback_row
    assert "CSV" in feedback_row and "Queued" in feedback_row and "6 charged" in feedback_row
    assert f'action="/account/jobs/{feedback["id"]}/cancel/"' in feedback_row
    assert "download" not in feedback_row  # no file yet


def test_the_nav_links_to_the_jobs_page(alice_portal: Client) -> None:
    html = alice_portal.get("/account/jobs/").content.decode()

    assert '<a href="/account/jobs/" aria-current="page">Jobs</a>' in html
    assert '<a href="/account/jobs/">Jobs</a>' in alice_portal.get("/account/").content.decode()


def test_the_empty_state_says_how_to_start_a_job(alice_portal: Client) -> None:
    html = alice_portal.get("/account/jobs/").content.decode()

    assert "You have no jobs yet." in html
    assert "POST /api/jobs" in html
    assert "<table" not in html


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, alice: Consumer) -> None:
    job = submit(alice)

    for path in ("/account/jobs/", f"/account/jobs/{job['id']}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/?next=")


def test_jobs_are_paginated_25_a_page(bob: Consumer, bob_portal: Client) -> None:
    first = Job.objects.get(pk=submit(bob)["id"])
    for _ in range(25):  # copies of a queued job, each with an id of its own
        first.pk = uuid.uuid4()
        first.save(force_insert=True)

    page_one = bob_portal.get("/account/jobs/").content.decode()
    page_two = bob_portal.get("/account/jobs/?page=2").content.decode()

    assert len(shown_jobs(page_one)) == 25
    assert len(shown_jobs(page_two)) == 1
    assert "Page 1 of 2" in page_one and 'href="?page=2"' in page_one
    assert set(shown_jobs(page_one)).isdisjoint(shown_jobs(page_two))


def test_the_owner_downloads_the_file_the_api_serves(
    bob: Consumer, bob_portal: Client, django_capture_on_commit_callbacks: Any
) -> None:
    job = run(bob, django_capture_on_commit_callbacks, type="dataset", count=12, params=DATASET)

    response = bob_portal.get(f"/account/jobs/{job['id']}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"synthgen-dataset-{job['id'][:8]}.zip" in response["Content-Disposition"]
    portal_bytes = b"".join(response.streaming_content)
    api = bob.client.get(f"/api/jobs/{job['id']}/download")
    assert portal_bytes == b"".join(api.streaming_content)
    assert "customers.jsonl" in zipfile.ZipFile(BytesIO(portal_bytes)).namelist()


def test_another_account_gets_404_for_the_job_its_file_and_its_cancel(
    bob: Consumer, alice_portal: Client, post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    done = run(bob, django_capture_on_commit_callbacks)
    queued = submit(bob)

    assert alice_portal.get(f"/account/jobs/{done['id']}/").status_code == 404
    assert alice_portal.get(f"/account/jobs/{done['id']}/download/").status_code == 404
    assert post(alice_portal, f"/account/jobs/{queued['id']}/cancel/").status_code == 404
    assert Job.objects.get(pk=queued["id"]).status == Job.Status.QUEUED
    assert bob.refresh().balance == 1000 - done["price"] - queued["price"]


def test_a_job_without_a_file_has_no_download(alice: Consumer, alice_portal: Client) -> None:
    job = submit(alice)

    assert alice_portal.get(f"/account/jobs/{job['id']}/download/").status_code == 404


def test_cancelling_refunds_like_the_api_and_only_once(
    alice: Consumer, alice_portal: Client, post: Post
) -> None:
    job = submit(alice, count=120)
    assert alice.refresh().balance == 44

    response = post(alice_portal, f"/account/jobs/{job['id']}/cancel/")
    again = post(alice_portal, f"/account/jobs/{job['id']}/cancel/")

    assert response.status_code == 302
    assert response["Location"] == f"/account/jobs/{job['id']}/"
    assert alice.refresh().balance == 50
    assert ledger(alice)[-2:] == [("debit", -6), ("refund", 6)]
    shown = alice.client.get(f"/api/jobs/{job['id']}").json()["data"]
    assert (shown["status"], shown["refundedCredits"]) == ("cancelled", 6)
    assert again.status_code == 302
    page = alice_portal.get(again["Location"]).content.decode()
    assert "Cancelled the job; 6 credits refunded" in page and "already finished" in page
    assert "6 refunded" in page
    assert [kind for kind, _ in ledger(alice)].count("refund") == 1


def test_cancel_is_a_post_with_a_csrf_token(alice: Consumer, alice_portal: Client) -> None:
    job = submit(alice)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice.account.owner)

    assert alice_portal.get(f"/account/jobs/{job['id']}/cancel/").status_code == 405
    assert strict.post(f"/account/jobs/{job['id']}/cancel/").status_code == 403
    assert Job.objects.get(pk=job["id"]).status == Job.Status.QUEUED
    page = strict.get(f"/account/jobs/{job['id']}/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_detail_page_shows_the_summary_of_a_finished_job(
    bob: Consumer, bob_portal: Client, django_capture_on_commit_callbacks: Any
) -> None:
    job = run(bob, django_capture_on_commit_callbacks, count=40)

    html = bob_portal.get(f"/account/jobs/{job['id']}/").content.decode()

    assert "What the file contains" in html
    assert job["summary"] and all(f"&quot;{key}&quot;" in html for key in job["summary"])
    assert f"<code>{job['params']['seed']}</code>" in html
    assert "40 of 40 entries" in html


def test_an_expired_file_is_no_longer_offered_or_served(
    bob: Consumer, bob_portal: Client, django_capture_on_commit_callbacks: Any
) -> None:
    job = run(bob, django_capture_on_commit_callbacks)
    assert jobs.expire_files(now=timezone.now() + dt.timedelta(days=7, minutes=1)) == 1

    html = bob_portal.get("/account/jobs/").content.decode()

    assert "File expired" in html and f"/account/jobs/{job['id']}/download/" not in html
    assert bob_portal.get(f"/account/jobs/{job['id']}/download/").status_code == 404
