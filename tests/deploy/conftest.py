"""The production web tier as the README runs it: nginx with deploy/nginx.conf in front of
gunicorn with deploy/gunicorn.conf.py, on ports picked at run time, against a scratch SQLite
database (what is under test here is the web tier, not the database)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
WORKERS = 2
THREADS = 2  # per worker (gthread): a slow client holds one thread
SLOTS = WORKERS * THREADS
NGINX_MAIN = """
daemon off;
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx.error.log warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {scratch}/nginx-body;
    proxy_temp_path {scratch}/nginx-proxy;
    fastcgi_temp_path {scratch}/nginx-fastcgi;
    uwsgi_temp_path {scratch}/nginx-uwsgi;
    scgi_temp_path {scratch}/nginx-scgi;
    include {scratch}/synthgen.conf;
}}
"""
CREATE_ACCOUNT = [
    "create_account", "--email", "stack@example.com", "--tier", "enterprise", "--credits", "1000",
]  # fmt: skip


@dataclass
class Stack:
    nginx_port: int
    gunicorn_port: int
    key: str
    scratch: Path

    @property
    def gunicorn_log(self) -> str:
        return (self.scratch / "gunicorn.log").read_text(errors="replace")

    @property
    def nginx_access_log(self) -> str:
        return (self.scratch / "nginx.access.log").read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_site(*, nginx_port: int, gunicorn_port: int, scratch: Path) -> str:
    """deploy/nginx.conf as shipped, but on our ports and logging into the scratch folder."""
    site = NGINX_SITE.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{nginx_port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{gunicorn_port};",
        "/var/log/nginx/synthgen.access.log": str(scratch / "nginx.access.log"),
    }
    for shipped, ours in replacements.items():
        assert shipped in site, f"deploy/nginx.conf no longer says {shipped!r}"
        site = site.replace(shipped, ours)
    return site


def _wait_until_ready(url: str, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            pytest.fail("gunicorn or nginx exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within 60 s")


def _warm_up(url: str, key: str) -> None:
    """Each worker imports the views on its first request, which takes a second on a
    busy machine: have every worker answer a few before anything is timed."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with ThreadPoolExecutor(max_workers=SLOTS) as pool:
        for answer in pool.map(
            lambda _: urllib.request.urlopen(request, timeout=30), range(8 * SLOTS)
        ):
            answer.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        message = "nginx is missing: apt-get install nginx-light"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    scratch = tmp_path_factory.mktemp("stack")
    gunicorn_port, nginx_port = free_port(), free_port()
    skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    env = {name: value for name, value in os.environ.items() if name not in skip}
    env.update(
        DEBUG="1",
        LOG_LEVEL="WARNING",
        SQLITE_PATH=str(scratch / "db.sqlite3"),
        MEDIA_ROOT=str(scratch / "media"),
        SITE_URL=f"http://localhost:{nginx_port}",
        TRUSTED_PROXIES="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{gunicorn_port}",
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    created = subprocess.run(
        [*manage, *CREATE_ACCOUNT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    key = created.stdout.strip().splitlines()[-1]
    site = nginx_site(nginx_port=nginx_port, gunicorn_port=gunicorn_port, scratch=scratch)
    (scratch / "synthgen.conf").write_text(site)
    (scratch / "nginx.conf").write_text(NGINX_MAIN.format(scratch=scratch))
    gunicorn_bin = Path(sys.executable).parent / "gunicorn"
    processes = [
        subprocess.Popen(
            [str(gunicorn_bin), "-c", str(GUNICORN_CONFIG), "synthgen.wsgi"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=(scratch / "gunicorn.log").open("wb"), stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [nginx, "-c", str(scratch / "nginx.conf"), "-p", str(scratch)],
            start_new_session=True,
            stdout=(scratch / "nginx.out").open("wb"), stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    try:
        _wait_until_ready(f"http://127.0.0.1:{nginx_port}/health/ready", processes)
        _warm_up(f"http://127.0.0.1:{gunicorn_port}/api/account", key)
        yield Stack(nginx_port=nginx_port, gunicorn_port=gunicorn_port, key=key, scratch=scratch)
    finally:
        for process in processes:
            _stop(process)
