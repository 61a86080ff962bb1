"""A 10,000-customer dataset job on real Celery workers over Redis and PostgreSQL (issue 12).

As CSV: the export's last step then runs inside the last chunk's task, well inside the test
workers' 6-second task limit (about 0.6 s in-process for 10,000 customers)."""

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from billing.models import CreditEntry
from tests.jobs.conftest import wait_for
from tests.servers import Celery

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = ("customers", "feedback", "tickets", "ticket_messages", "interviews",
          "interview_questions")  # fmt: skip


def test_a_10000_customer_dataset_job_runs_on_two_workers_into_a_zip_whose_ids_join(
    workers: Celery, make_consumer: Any
) -> None:
    erin = make_consumer("erin@example.com", "pro", name="Erin", credits=200_000)
    workers.start(concurrency=2)
    body = {"type": "dataset", "count": 10_000, "format": "csv",
            "params": {"productType": "saas", "seed": 12}}  # fmt: skip
    response = erin.client.post("/api/jobs", body, format="json")
    assert response.status_code == 202, response.json()
    job = response.json()["data"]

    def done() -> dict[str, Any] | None:
        shown = erin.client.get(f"/api/jobs/{job['id']}").json()["data"]
        return shown if shown["status"] not in ("queued", "running") else None

    try:
        finished = wait_for(done, timeout=240, every=0.5, what="the dataset job")
    except pytest.fail.Exception:
        print(workers.logs())
        raise

    assert (finished["status"], finished["entriesDone"], finished["progress"]) == (
        "succeeded",
        10_000,
        100,
    )
    download = erin.client.get(f"/api/jobs/{job['id']}/download")
    assert download["Content-Type"] == "application/zip"
    zipped = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    manifest = json.loads(zipped.read("manifest.json"))
    rows = {
        table: list(csv.DictReader(io.StringIO(zipped.read(f"{table}.csv").decode())))
        for table in TABLES
    }
    for table in TABLES:
        assert manifest["tables"][table]["rows"] == len(rows[table])
        assert not rows[table] or list(rows[table][0]) == manifest["tables"][table]["columns"]
    ids = {customer["id"] for customer in rows["customers"]}
    assert len(ids) == len(rows["customers"]) == 10_000
    for table in ("feedback", "tickets", "interviews"):
        assert {item["customerId"] for item in rows[table]} <= ids
    assert len(rows["feedback"]) > 10_000 and len(rows["tickets"]) > 5_000
    assert (manifest["seed"], manifest["complete"]) == (12, True)
    debits = CreditEntry.objects.filter(account=erin.account, amount__lt=0)
    assert [entry.amount for entry in debits] == [-job["price"]]
    assert erin.refresh().balance == 200_000 - job["price"]
