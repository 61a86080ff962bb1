"""Jobs pinned to a generator version build that version's output."""

import json
from typing import Any

import pytest

from generators.engine import VERSIONS
from tests.conftest import Consumer
from tests.generators_api.test_versions import DATES, snapshot
from tests.jobs.test_api import content, download, run


@pytest.mark.parametrize("version", VERSIONS)
def test_a_job_pinned_to_a_version_builds_that_versions_output(
    bob: Consumer, django_capture_on_commit_callbacks: Any, version: str
) -> None:
    params = {"productType": "ecommerce", "complexityLevel": "complex", **DATES,
              "generatorVersion": version}  # fmt: skip
    job = run(bob, django_capture_on_commit_callbacks, type="tickets", count=4, params=params)
    assert job["status"] == "succeeded"
    assert job["generatorVersion"] == version
    lines = content(download(bob, job)).splitlines()
    assert [json.loads(line) for line in lines] == snapshot(version)["tickets"]
