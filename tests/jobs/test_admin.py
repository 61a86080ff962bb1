"""Bulk jobs in the admin."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_staff_see_bulk_jobs_in_the_admin(staff_client: Client, alice: object) -> None:
    response = alice.client.post(
        "/api/jobs",
        {"type": "tickets", "count": 3, "format": "jsonl", "params": {"productType": "saas"}},
        format="json",
    )
    assert response.status_code == 202
    listing = staff_client.get("/admin/generators/job/")
    assert listing.status_code == 200
    assert response.json()["data"]["id"].encode() in listing.content
