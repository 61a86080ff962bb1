"""The engine is pure Python: it knows nothing of Django, the database, prices or the web."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "rest_framework", "celery", "billing", "accounts", "synthgen")


def test_importing_every_engine_version_loads_no_django_and_no_billing() -> None:
    # 2.0.0's feedback writer is imported directly until the version is registered.
    script = (
        "import sys; import generators.engine as e;"
        "[e.engine(v) for v in e.VERSIONS];"
        "import generators.engine.feedback;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
