"""The engine compiled with mypyc writes exactly what its Python writes, and never runs stale."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generators.engine import native
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]

# Feedback of every level, tickets, an interview and a dataset, over product types and seeds
# the snapshots do not use.
SAMPLE = """
import json, sys
sys.path.insert(0, ".")
from generators.engine import LATEST, generate_dataset, generate_feedback, generate_interview
from generators.engine import generate_tickets, native
from generators.engine.catalog import PRODUCT_TYPES
from tests.generators.windows import WINDOW

out = {"compiled": native.is_compiled(), "output": []}
for seed, product_type in enumerate(PRODUCT_TYPES):
    common = dict(version=LATEST, product_type=product_type, seed=seed, window=WINDOW)
    for level in ("simple", "medium", "complex"):
        out["output"].append(generate_feedback(sentiment_mix="balanced", count=12,
                                               complexity=level, **common))
        out["output"].append(generate_tickets(count=4, complexity=level, **common))
    out["output"].append(generate_interview(question_count=8, interview_type="churn",
                                            complexity="complex", **common))
    out["output"].append(generate_dataset(customer_count=5, complexity="medium", **common))
sys.stdout.write(json.dumps(out, default=str))
"""


def sample(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SAMPLE],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_compiled_engine_writes_the_same_bytes_as_pure_python() -> None:
    if not native.is_compiled():
        # `make test` compiles it; CI must test the build that production runs.
        message = "the engine is not compiled (bin/compile-engine)"
        if IN_CI:
            pytest.fail(message + ", and CI runs the compiled one")
        pytest.skip(message)
    compiled, pure = sample(), sample(SYNTHGEN_ENGINE="python")
    assert (compiled["compiled"], pure["compiled"]) == (True, False)
    assert compiled["output"] == pure["output"]


def package_sources(into: Path) -> Path:
    for source in native.PACKAGE_DIR.glob("*.py"):
        shutil.copy(source, into / source.name)
    return into


def test_the_digest_changes_when_any_module_of_the_package_does(tmp_path: Path) -> None:
    # The compiled modules, and those they import (a changed signature there would not match
    # the build), but not the frozen versions, which are never compiled.
    package = package_sources(tmp_path)
    before = native.sources_digest(package)
    assert before == native.sources_digest(native.PACKAGE_DIR)
    for name in (*native.COMPILED, "vocabulary", "catalog", "nodes"):
        source = package / f"{name}.py"
        text = source.read_text()
        source.write_text(text + "\n")
        assert native.sources_digest(package) != before, name
        source.write_text(text)


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(native, "NATIVE_DIR", tmp_path)
    monkeypatch.setattr(native, "DIGEST_FILE", tmp_path / "SOURCES")
    monkeypatch.delenv("SYNTHGEN_ENGINE", raising=False)
    return tmp_path


def test_a_build_of_the_current_sources_goes_first_on_the_path(build_dir: Path) -> None:
    (build_dir / "SOURCES").write_text(native.sources_digest() + "\n")
    assert native.search_path() == [str(build_dir)]


def test_a_build_of_older_sources_is_left_alone_with_a_warning(build_dir: Path) -> None:
    (build_dir / "SOURCES").write_text("0" * 64 + "\n")
    with pytest.warns(UserWarning, match="older than its sources"):
        assert native.search_path() == []


def test_no_build_and_pure_python_asked_for_run_the_sources(
    build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert native.search_path() == []
    (build_dir / "SOURCES").write_text(native.sources_digest() + "\n")
    monkeypatch.setenv("SYNTHGEN_ENGINE", "python")
    assert native.search_path() == []


def test_an_edited_module_runs_as_python_until_it_is_compiled_again(tmp_path: Path) -> None:
    # A copy of the package with a build in it: editing one compiled module's source must
    # not leave the old build running.
    if not native.is_compiled():
        pytest.skip("the engine is not compiled (bin/compile-engine)")
    copy = tmp_path / "generators"
    shutil.copytree(ROOT / "generators", copy, ignore=shutil.ignore_patterns("__pycache__"))
    script = "import generators.engine.native as n; print(n.is_compiled())"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)}

    def compiled() -> str:
        result = subprocess.run([sys.executable, "-W", "ignore", "-c", script], cwd=tmp_path,
                                env=env, capture_output=True, text=True, check=True)  # fmt: skip
        return result.stdout.strip()

    assert compiled() == "True"
    titles = copy / "engine" / "titles.py"
    titles.write_text(titles.read_text() + "\n# edited\n")
    assert compiled() == "False"
