"""The CLI runs as its own process against a live server of the test database: the `synthgen`
script that `pip install ./clients/python` put beside this interpreter."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "synthgen"


@pytest.fixture(autouse=True)
def _inline_jobs_in_private_media(settings: Any, tmp_path: Path) -> None:
    """A job runs inside its POST's commit, so the live server needs no worker."""
    settings.JOBS_RUN_IN_THREAD = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


def synthgen(
    *args: str, key: str | None, url: str, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run `synthgen ARGS` as an API consumer would, with only the environment it documents."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SYNTHGEN")}
    env["SYNTHGEN_URL"] = url
    if key is not None:
        env["SYNTHGEN_API_KEY"] = key
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
