"""The seed contract: same seed, same bytes, in any process and any thread, for every version."""

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generators.engine import (
    LATEST,
    VERSIONS,
    generate_dataset,
    generate_feedback,
    generate_interview,
    generate_tickets,
)
from generators.engine.catalog import DATASET_VERSIONS
from tests.generators.windows import WINDOW

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROOT = Path(__file__).resolve().parents[2]


def seeded_output(seed: int = 42, window: tuple = WINDOW, version: str = LATEST) -> dict:
    """What the snapshot of each version pins; tests/generators_api asks the API for the same."""
    return {
        "feedback": {
            complexity: generate_feedback(version=version, product_type="mobile_app",
                                          sentiment_mix="mixed", count=6, complexity=complexity,
                                          seed=seed, window=window)
            for complexity in ("simple", "medium", "complex")
        },
        "tickets": generate_tickets(version=version, product_type="ecommerce", count=4,
                                    complexity="complex", seed=seed, window=window),
        "interview": generate_interview(version=version, product_type="saas", question_count=6,
                                        interview_type="churn", complexity="medium", seed=seed,
                                        window=window),
    }  # fmt: skip


def seeded_dataset(version: str = LATEST) -> dict:
    """What the dataset snapshot of each version pins (the API is asked for the same)."""
    return generate_dataset(version=version, product_type="hardware", customer_count=4, seed=42,
                            complexity="medium", window=WINDOW)  # fmt: skip


def dump(output: dict) -> str:
    return json.dumps(output, indent=1, ensure_ascii=False) + "\n"


def test_the_same_seed_gives_the_same_output() -> None:
    assert dump(seeded_output()) == dump(seeded_output())


def test_different_seeds_give_different_output() -> None:
    assert dump(seeded_output(1)) != dump(seeded_output(2))


def test_the_same_seed_gives_the_same_bytes_in_another_process() -> None:
    script = (
        "import sys; sys.path.insert(0, '.');"
        "from tests.generators.test_seed import seeded_output, dump;"
        "sys.stdout.write(dump(seeded_output()))"
    )
    env = {"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"}
    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert other.stdout == dump(seeded_output())


@pytest.mark.parametrize("version", VERSIONS)
def test_the_seeded_output_of_every_version_matches_its_snapshot(version: str) -> None:
    # A deliberate change of output is a new version with a new snapshot; old ones stay.
    snapshot = SNAPSHOTS / f"{version}.json"
    assert snapshot.read_text(encoding="utf-8") == dump(seeded_output(version=version))


@pytest.mark.parametrize("version", DATASET_VERSIONS)
def test_the_seeded_dataset_of_every_version_matches_its_snapshot(version: str) -> None:
    snapshot = SNAPSHOTS / f"datasets-{version}.json"
    assert snapshot.read_text(encoding="utf-8") == dump(seeded_dataset(version=version))


def test_the_text_does_not_depend_on_the_window() -> None:
    other = (datetime(2020, 5, 1, tzinfo=UTC), datetime(2020, 5, 3, tzinfo=UTC))
    first, second = seeded_output(), seeded_output(window=other)
    for complexity, entries in first["feedback"].items():
        assert [entry["content"] for entry in entries] == [
            entry["content"] for entry in second["feedback"][complexity]
        ]
    assert [ticket["thread"] for ticket in first["tickets"]] != []
    assert [t["description"] for t in first["tickets"]] == [
        t["description"] for t in second["tickets"]
    ]


def test_threads_with_different_seeds_match_running_alone() -> None:
    alone = {seed: dump(seeded_output(seed)) for seed in range(8)}
    together: dict[int, str] = {}

    def work(seed: int) -> None:
        for _ in range(5):
            together[seed] = dump(seeded_output(seed))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert together == alone
