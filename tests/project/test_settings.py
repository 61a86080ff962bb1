"""The settings module: refuses unsafe production starts, passes Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_with_debug_off_and_no_secret_key() -> None:
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "SynthGen refuses to start: DEBUG is off and SECRET_KEY is not set."
    ]


def test_a_bad_boolean_fails_loudly() -> None:
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_the_deploy_check_is_clean_with_production_variables() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="synthgen.example.com",
        SITE_URL="https://synthgen.example.com",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_beat_sweeps_for_stranded_charges_and_lost_chunks_every_minute(settings: object) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["refund-stranded-charges"]["task"] == "billing.tasks.refund_stranded_charges"
    assert schedule["requeue-lost-chunks"]["task"] == "generators.tasks.requeue_lost_chunks"
    for name in ("refund-stranded-charges", "requeue-lost-chunks"):
        assert schedule[name]["schedule"] == settings.SWEEP_INTERVAL == 60
    assert settings.CHARGE_ANSWER_TIMEOUT == 60


def test_the_brokers_visibility_timeout_outlasts_the_longest_task(settings: object) -> None:
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT == 150
    assert visibility == settings.TASK_REDELIVERY_AFTER == 180
