"""The web tier as production runs it (nginx in front of gunicorn's threaded workers): slow clients
cannot starve the workers, bodies arrive whole or are refused in the envelope, and no log line
holds an emailed link's token."""

import json
import secrets
import socket
import struct
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests.deploy.conftest import SLOTS, Stack

FEEDBACK = b'{"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 1}'


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def _read(sock: socket.socket) -> Answer:
    """One answer, read by its framing: nginx keeps a connection open for a while after
    refusing a body it has not read (lingering close), so reading until EOF would wait."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    chunked = headers.get("Transfer-Encoding") == "chunked"
    while not _complete(body, headers, chunked) and (chunk := sock.recv(65536)):
        body += chunk
    return Answer(int(lines[0].split()[1]), headers, _dechunk(body) if chunked else body)


def _complete(body: bytes, headers: dict[str, str], chunked: bool) -> bool:
    if chunked:
        return body.endswith(b"0\r\n\r\n")
    if "Content-Length" in headers:
        return len(body) >= int(headers["Content-Length"])
    return False


def _dechunk(body: bytes) -> bytes:
    whole = b""
    while body:
        size, _, body = body.partition(b"\r\n")
        length = int(size, 16)
        if length == 0:
            break
        whole, body = whole + body[:length], body[length + 2 :]
    return whole


def _request(
    port: int, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body and "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _send(port: int, raw: bytes, *, timeout: float = 10) -> Answer:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        return _read(sock)


def _call(stack: Stack, method: str, path: str, *, port: int | None = None, **kwargs) -> Answer:
    headers = {"Authorization": f"Bearer {stack.key}", **kwargs.pop("headers", {})}
    raw = _request(port or stack.nginx_port, method, path, headers=headers, **kwargs)
    return _send(port or stack.nginx_port, raw)


def _wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Log lines reach their files a moment after the answer."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not logged in time"
        time.sleep(0.1)


def _slow_clients(stack: Stack, port: int, count: int) -> list[socket.socket]:
    """Authenticated connections that announce a 100-byte body, send 2 bytes of it, and wait
    (with a key, so the view goes on to read the body)."""
    held = []
    headers = {"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"}
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = _request(port, "POST", "/api/feedback/generate", headers=headers, body=b"x" * 100)
        sock.sendall(head[:-100] + b'{"')
        held.append(sock)
    time.sleep(0.5)  # let them be accepted
    return held


def _timed_account_call(stack: Stack, port: int, timeout: float) -> float:
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {stack.key}"}
    try:
        answer = _send(
            port, _request(port, "GET", "/api/account", headers=headers), timeout=timeout
        )
    except TimeoutError:
        return float("inf")
    assert answer.status == 200
    return time.perf_counter() - started


def test_slow_clients_cannot_starve_the_workers_behind_nginx(stack: Stack) -> None:
    held = _slow_clients(stack, stack.nginx_port, SLOTS * 2)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            took = list(
                pool.map(lambda _: _timed_account_call(stack, stack.nginx_port, 5), range(24))
            )
        assert max(took) < 1.0, took
    finally:
        for sock in held:
            sock.close()


def test_without_nginx_the_same_slow_clients_hold_every_worker_thread(stack: Stack) -> None:
    """What nginx is there for: straight to gunicorn, as many slow clients as worker threads
    stall everyone else (they are let go at the end, and the workers answer again)."""
    held = _slow_clients(stack, stack.gunicorn_port, SLOTS)
    try:
        # On a busy machine a worker may take a moment to hand every held connection to a
        # thread; until it has, a call still gets through. Once it has, calls stall.
        deadline = time.monotonic() + 10
        while (took := _timed_account_call(stack, stack.gunicorn_port, 1.5)) <= 1.0:
            assert time.monotonic() < deadline, f"never stalled (last call took {took:.3f} s)"
            time.sleep(0.2)
    finally:
        for sock in held:
            sock.close()
    assert _timed_account_call(stack, stack.gunicorn_port, 10) < 1.0


@pytest.mark.parametrize("through", ["nginx", "gunicorn"])
def test_a_chunked_json_body_is_read(stack: Stack, through: str) -> None:
    port = stack.nginx_port if through == "nginx" else stack.gunicorn_port
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part) for part in (FEEDBACK[:20], FEEDBACK[20:])
    )
    answer = _call(
        stack, "POST", "/api/feedback/generate", port=port,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        body=chunks + b"0\r\n\r\n",
    )  # fmt: skip
    assert answer.status == 200, answer.body
    assert answer.json()["creditsUsed"] == 2


@pytest.mark.parametrize("how", ["closes its side", "resets the connection"])
def test_a_body_the_client_cuts_short_is_a_400_not_a_500(stack: Stack, how: str) -> None:
    sock = socket.create_connection(("127.0.0.1", stack.gunicorn_port), timeout=10)
    headers = {"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"}
    raw = _request(stack.gunicorn_port, "POST", "/api/feedback/generate", headers=headers,
                   body=b"x" * 100)  # fmt: skip
    sock.sendall(raw[:-100] + b'{"')
    if how == "resets the connection":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        time.sleep(0.5)
    else:
        sock.shutdown(socket.SHUT_WR)
        answer = _read(sock)
        sock.close()
        assert (answer.status, answer.json()["code"]) == (400, "INVALID_JSON")
    assert "Internal Server Error" not in stack.gunicorn_log
    assert "Traceback" not in stack.gunicorn_log


def test_nginx_answers_its_own_refusals_under_api_in_the_envelope(stack: Stack) -> None:
    huge = {"X-Padding": "a" * 9000}
    api = _call(stack, "GET", "/api/account", headers=huge)
    assert (api.status, api.headers["Content-Type"]) == (431, "application/json")
    assert api.json() == {
        "success": False,
        "error": "The request headers are too large",
        "code": "BAD_REQUEST",
    }
    page = _call(stack, "GET", "/docs/", headers=huge)
    assert page.status == 431 and not page.body.startswith(b"{")
    announced = _request(stack.nginx_port, "POST", "/api/feedback/generate",
                         headers={"Content-Length": "4000000"})  # fmt: skip
    too_big = _send(stack.nginx_port, announced)
    assert (too_big.status, too_big.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert too_big.json()["maxBytes"] == 2_621_440
    garbled = _send(
        stack.nginx_port, b"GET /api/account HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n"
    )
    assert (garbled.status, garbled.json()["code"]) == (400, "BAD_REQUEST")


def test_the_client_s_address_reaches_the_app_through_nginx(stack: Stack) -> None:
    _call(stack, "GET", "/api/account", headers={"User-Agent": "address-probe"})
    _wait_for(lambda: "address-probe" in stack.gunicorn_log)
    [line] = [line for line in stack.gunicorn_log.splitlines() if "address-probe" in line]
    assert line.startswith("127.0.0.1 ")  # nginx's X-Real-IP, in gunicorn's access log


def test_no_access_log_line_holds_a_link_token(stack: Stack) -> None:
    tokens = [secrets.token_urlsafe(32) for _ in range(3)]
    _call(stack, "GET", f"/keys/reveal/{tokens[0]}/")
    _call(stack, "GET", f"/account/sign-in/{tokens[1]}/?next=/account/")
    _call(stack, "GET", "/docs/", headers={"Referer": f"http://localhost/keys/reveal/{tokens[2]}/"})
    _wait_for(lambda: "localhost/keys/reveal/[token]/" in stack.gunicorn_log)
    _wait_for(lambda: "localhost/keys/reveal/[token]/" in stack.nginx_access_log)
    logs = stack.gunicorn_log + stack.nginx_access_log
    assert not [token for token in tokens if token in logs]
    assert "/keys/reveal/[token]/" in stack.gunicorn_log
    assert "/account/sign-in/[token]/?next=/account/" in stack.nginx_access_log
    assert "/keys/reveal/[token]/" in stack.nginx_access_log
