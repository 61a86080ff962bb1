"""Every example on /docs/ works when pasted: run against a live server with a real key."""

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from accounts.services import create_account
from billing.models import Tier

EXAMPLE = re.compile(
    r'<pre id="[\w-]+" data-example="([\w-]+)"([^>]*)><code>(.*?)</code></pre>', re.S
)
PLACEHOLDER = "your_api_key_here"

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("plans"),
]


def _examples(base_url: str) -> list[tuple[str, str, str]]:
    page = requests.get(f"{base_url}/docs/", timeout=10).text
    found = [(kind, attrs, html.unescape(code)) for kind, attrs, code in EXAMPLE.findall(page)]
    assert {kind for kind, _, _ in found} >= {"curl", "javascript", "python", "body"}
    return found


def _key() -> str:
    _, key = create_account(email="docs@example.com", tier=Tier.objects.get(slug="basic"))
    return key


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_curl_examples_work_when_pasted(live_server: object, tmp_path: Path) -> None:
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    key = _key()
    for kind, _, code in _examples(live_server.url):
        if kind.startswith("curl"):
            answer = json.loads(_run(["bash", "-c", code.replace(PLACEHOLDER, key)], tmp_path))
            assert answer["success"] is True, answer


def test_the_javascript_example_works_when_pasted(live_server: object, tmp_path: Path) -> None:
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    key = _key()
    [code] = [code for kind, _, code in _examples(live_server.url) if kind == "javascript"]
    script = tmp_path / "example.mjs"
    script.write_text(code.replace(PLACEHOLDER, key))
    output = _run(["node", str(script)], tmp_path)
    assert "success: true" in output
    assert "creditsUsed: 2" in output


def test_the_python_example_works_when_pasted(live_server: object, tmp_path: Path) -> None:
    key = _key()
    [code] = [code for kind, _, code in _examples(live_server.url) if kind == "python"]
    script = tmp_path / "example.py"
    script.write_text(code.replace(PLACEHOLDER, key))
    output = _run([sys.executable, str(script)], tmp_path)
    assert "'success': True" in output
    assert "'creditsUsed': 2" in output


def test_every_request_body_on_the_page_is_accepted(live_server: object) -> None:
    key = _key()
    bodies = [(attrs, code) for kind, attrs, code in _examples(live_server.url) if kind == "body"]
    assert len(bodies) == 4
    for attrs, code in bodies:
        path = re.search(r'data-path="([^"]+)"', attrs).group(1)
        response = requests.post(
            f"{live_server.url}{path}",
            headers={"Authorization": f"Bearer {key}"},
            json=json.loads(code),
            timeout=30,
        )
        assert response.status_code == 200, (path, response.text)


def test_the_python_client_example_works_when_pasted(live_server: object, tmp_path: Path) -> None:
    key = _key()
    [code] = [code for kind, _, code in _examples(live_server.url) if kind == "python-client"]
    script = tmp_path / "example.py"
    script.write_text(code.replace(PLACEHOLDER, key))
    output = _run([sys.executable, str(script)], tmp_path)
    lines = output.splitlines()
    assert lines[0] == "2 credits used, 998 left"
    assert len(lines) == 6 and all(re.match(r"^[1-5] \S", line) for line in lines[1:])


def _installed_typescript_client(project: Path) -> None:
    """`npm install`ed into `project`, as the page says: a link to the built package."""
    package = Path(__file__).resolve().parents[2] / "clients" / "typescript"
    if not (package / "node_modules" / ".package-lock.json").exists():
        _run(["npm", "ci", "--no-audit", "--no-fund"], package)
    _run(["npm", "run", "build"], package)
    (project / "node_modules").mkdir()
    (project / "node_modules" / "synthgen-client").symlink_to(package)


def test_the_typescript_client_example_works_when_pasted(
    live_server: object, tmp_path: Path
) -> None:
    if not shutil.which("npm"):
        pytest.skip("node and npm are not installed")
    key = _key()
    [code] = [code for kind, _, code in _examples(live_server.url) if kind == "typescript-client"]
    _installed_typescript_client(tmp_path)
    script = tmp_path / "example.mjs"
    script.write_text(code.replace(PLACEHOLDER, key))
    output = _run(["node", str(script)], tmp_path)
    lines = output.splitlines()
    assert lines[0] == "2 credits used, 998 left"
    assert len(lines) == 6 and all(re.match(r"^[1-5] \S", line) for line in lines[1:])


def _balance(base_url: str, key: str) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    answer = requests.get(f"{base_url}/api/account", headers=headers, timeout=10)
    return answer.json()["data"]["remainingCredits"]


def _dry_run_printed(output: str) -> None:
    lines = output.splitlines()
    assert lines[0] == "200 credits; 800 would remain"
    assert re.fullmatch(r"100 batches, about \d+ s", lines[1]), lines[1]
    assert len(lines) == 2


def test_the_python_client_dry_run_example_prices_a_job_and_charges_nothing(
    live_server: object, tmp_path: Path
) -> None:
    key = _key()
    [code] = [c for kind, _, c in _examples(live_server.url) if kind == "python-client-dry-run"]
    script = tmp_path / "example.py"
    script.write_text(code.replace(PLACEHOLDER, key))

    _dry_run_printed(_run([sys.executable, str(script)], tmp_path))
    assert _balance(live_server.url, key) == 1000


def test_the_typescript_client_dry_run_example_prices_a_job_and_charges_nothing(
    live_server: object, tmp_path: Path
) -> None:
    if not shutil.which("npm"):
        pytest.skip("node and npm are not installed")
    key = _key()
    [code] = [c for kind, _, c in _examples(live_server.url) if kind == "typescript-client-dry-run"]
    _installed_typescript_client(tmp_path)
    script = tmp_path / "example.mjs"
    script.write_text(code.replace(PLACEHOLDER, key))

    _dry_run_printed(_run(["node", str(script)], tmp_path))
    assert _balance(live_server.url, key) == 1000


def test_the_dataset_example_joins_the_customers_reviews_and_tickets_in_sqlite(
    live_server: object, tmp_path: Path
) -> None:
    key = _key()
    [code] = [c for kind, _, c in _examples(live_server.url) if kind == "python-dataset"]
    script = tmp_path / "example.py"
    script.write_text(code.replace(PLACEHOLDER, key))

    lines = _run([sys.executable, str(script)], tmp_path).splitlines()

    counted = re.fullmatch(r"20 customers for (\d+) credits", lines[0])
    assert counted, lines[0]
    assert _balance(live_server.url, key) == 1000 - int(counted.group(1))
    averages = dict(re.fullmatch(r"(\w+): ([\d.]+) stars over \d+ reviews", line).groups()
                    for line in lines[1:3])  # fmt: skip
    assert float(averages["churned"]) < float(averages["active"])
    joined = lines[3:]
    assert joined and all(re.fullmatch(r".+, [1-5] stars, after the ticket: .+", x) for x in joined)


def test_the_dataset_dry_run_example_names_the_seed_it_priced(live_server: object) -> None:
    key = _key()
    [code] = [c for kind, _, c in _examples(live_server.url) if kind == "curl-dataset-dry-run"]
    answer = json.loads(_run(["bash", "-c", code.replace(PLACEHOLDER, key)], Path.cwd()))
    assert answer["dryRun"] is True and answer["seed"] == 42
    assert answer["credits"] > 0 and answer["creditsUsed"] == 0
    assert _balance(live_server.url, key) == 1000
