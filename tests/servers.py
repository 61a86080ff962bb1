"""The processes that fault tests and benchmarks/faults.py start on their own free ports: gunicorn,
Celery workers and beat, a private redis-server that can be stopped and started again, and a
TCP proxy that can make PostgreSQL refuse connections. None of them touches a shared server's
life: the shared PostgreSQL and the shared Redis on 6379 are never stopped.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Every feedback generation in a server started with it takes this long (a test-only hook).
SLOW_GENERATION_CONFIG = ROOT / "tests" / "gunicorn_slow_generation.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_database(url: str, name: str) -> str:
    """`url` (postgres://...) pointing at the database `name` instead."""
    return urllib.parse.urlsplit(url)._replace(path="/" + name).geturl()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class Gunicorn:
    """A running gunicorn: its base URL, its master's pid and its log."""

    def __init__(self, process: subprocess.Popen, url: str, log: IO[bytes]) -> None:
        self.process = process
        self.url = url
        self._log = log

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_worker(self) -> int:
        """SIGKILL one worker, as if its machine died under it; gunicorn starts another."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def log(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")


@contextmanager
def gunicorn(
    *,
    env: dict[str, str],
    probe_key: str,
    workers: int = 1,
    slow_generation: float = 0,
    debug: bool = True,
) -> Iterator[Gunicorn]:
    """Serve SynthGen with gunicorn on a free port, with `env` (DATABASE_URL, REDIS_URL, ...)
    over this process's environment; yields once `GET /api/account` answers 200."""
    port = free_port()
    env = {**os.environ, "DEBUG": "1" if debug else "0", "DB_CONN_MAX_AGE": "0", **env}
    command = [
        str(BIN / "gunicorn"),
        "synthgen.wsgi",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
    ]
    if slow_generation:
        command.append(f"--config={SLOW_GENERATION_CONFIG}")
        env["SLOW_GENERATION_SECONDS"] = str(slow_generation)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Gunicorn(process, f"http://127.0.0.1:{port}", log)
        try:
            _wait_until_serving(server, probe_key)
            yield server
        finally:
            _stop(process)


def _wait_until_serving(server: Gunicorn, key: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError("gunicorn exited during startup:\n" + server.log())
        try:
            headers = {"Authorization": f"Bearer {key}"}
            answer = requests.get(f"{server.url}/api/account", headers=headers, timeout=10)
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start serving within 60 s:\n" + server.log())


class RedisServer:
    """A private redis-server on its own port, without persistence: stopping it loses what it
    held, as a restarted cache or broker does."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


class TcpProxy:
    """A TCP proxy in front of the server of a URL (PostgreSQL here). `refuse()` closes its
    listener and drops every connection through it, so the server looks gone: connections are
    refused and those in use break; `accept()` listens again on the same port."""

    def __init__(self, *, target: str) -> None:
        address = urllib.parse.urlsplit(target)
        self.target = (address.hostname or "127.0.0.1", address.port or 5432)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def url(self, url: str) -> str:
        """`url` (the target's postgres://...) through this proxy instead."""
        address = urllib.parse.urlsplit(url)
        credentials = address.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return address._replace(netloc=netloc).geturl()

    def accept(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._serve, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            _close(sock)

    def _serve(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # refused while we connected
                    _close(client)
                    _close(upstream)
                    return
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets -= {source, sink}
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class Celery:
    """Celery worker and beat processes, each in its own process group (a kill takes a
    worker's pool with it), with `env` over this process's environment.

    With `supervise()`, a worker that exits by itself is started again, as systemd's
    `Restart=always` does in production: a worker can exit when its broker goes away while it
    holds unacknowledged tasks (kombu fails restoring them: "'NoneType' object has no
    attribute 'hostname'"), and the sweeps then recover its work once it is back.
    """

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, "DB_CONN_MAX_AGE": "0", **env}
        self.log_dir = log_dir
        self.running: list[subprocess.Popen] = []
        self.restarts = 0
        self._workers: dict[int, tuple[int, dict[str, str]]] = {}  # pid: (concurrency, env)
        self._killed: set[int] = set()
        self._supervising = False

    def _start(self, name: str, arguments: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "synthgen", *arguments],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def start(self, *, concurrency: int = 2, env: dict[str, str] | None = None) -> subprocess.Popen:
        name = f"worker-{len(self.running)}"
        arguments = [
            "worker", f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip",
            "--without-mingle", "-n", f"{name}-{os.getpid()}@%h",
        ]  # fmt: skip
        process = self._start(name, arguments, env or {})
        self._workers[process.pid] = (concurrency, env or {})
        return process

    def start_beat(self, *, env: dict[str, str] | None = None) -> subprocess.Popen:
        schedule = self.log_dir / f"beat-{len(self.running)}-schedule"
        return self._start("beat", ["beat", "--loglevel=WARNING", "-s", str(schedule)], env or {})

    def supervise(self) -> None:
        """From now on, start again every worker that exits (also one that `kill` killed)."""
        self._supervising = True
        threading.Thread(target=self._supervisor, daemon=True).start()

    def _supervisor(self) -> None:
        while self._supervising:
            for process in list(self.running):
                spec = self._workers.get(process.pid)
                if spec and process.poll() is not None and self._supervising:
                    del self._workers[process.pid]
                    self.restarts += process.pid not in self._killed
                    self.start(concurrency=spec[0], env=spec[1])
            time.sleep(0.2)

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the process and its children at once, as if its machine died."""
        self._killed.add(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        self._supervising = False
        time.sleep(0.3)  # let a restart in progress finish, so that it is stopped too
        for process in list(self.running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in list(self.running):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.log_dir.glob("*.log"))
