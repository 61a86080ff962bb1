"""One webhook POST: to a checked address only, within a deadline, never following a redirect.

Built on http.client so the connection goes to the very address that was checked (the host
name still names the TLS certificate and the Host header); see accounts.webhooks.addresses.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from accounts.webhooks.addresses import IPAddress, forbidden_reason, parse_address

USER_AGENT = "SynthGen-Webhooks/1.0 (+https://www.standardwebhooks.com/)"
RESPONSE_LIMIT = 2048  # bytes of the answer kept in the log


class Refused(Exception):
    """The URL may not be called (its address is not public, or its scheme is not allowed)."""


@dataclass(frozen=True)
class Answer:
    """What one attempt got: a status and the start of the body, or an error instead."""

    status: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to `address`, whatever `host` resolves to now."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class _PinnedTlsConnection(_PinnedConnection):
    """HTTPS to `address`, with the certificate checked against `host`."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def resolve(host: str, port: int, *, allow_private: bool) -> IPAddress:
    """The first address of `host` that may be called; Refused if none may."""
    literal = parse_address(host)
    if literal is not None:
        addresses: list[IPAddress | None] = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OSError(f"Could not resolve {host}") from exc
        addresses = [parse_address(str(info[4][0])) for info in found]
    reasons = []
    for address in addresses:
        if address is None:  # an IPv6 address with a zone, which no public host has
            continue
        reason = forbidden_reason(address, allow_private=allow_private)
        if reason is None:
            return address
        reasons.append(reason)
    if literal is not None:
        raise Refused(f"Refused: {reasons[0]}")
    raise Refused(f"Refused: {host} resolves to no public address ({'; '.join(reasons)})")


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool
) -> Answer:
    """POST `body` and report what happened; never raises for the receiver's faults."""
    started = time.monotonic()
    try:
        status, text = _exchange(
            url, body=body, headers=headers, timeout=timeout, allow_private=allow_private
        )
    except Refused as exc:
        return Answer(None, "", str(exc), _elapsed_ms(started))
    except TimeoutError:
        return Answer(None, "", f"Timed out after {timeout:g} s", _elapsed_ms(started))
    except ssl.SSLError as exc:
        return Answer(None, "", f"TLS failed: {exc.reason or exc}", _elapsed_ms(started))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = str(exc) or type(exc).__name__
        if time.monotonic() - started >= timeout:
            error = f"Timed out after {timeout:g} s"
        return Answer(None, "", error[:300], _elapsed_ms(started))
    error = ""
    if 300 <= status < 400:
        error = f"Answered {status}: redirects are not followed"
    return Answer(status, text, error, _elapsed_ms(started))


def _exchange(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool
) -> tuple[int, str]:
    parts = urlsplit(url)
    if parts.scheme not in (("https", "http") if allow_private else ("https",)):
        raise Refused(f"Refused: {parts.scheme}:// URLs are not allowed")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(host, port, allow_private=allow_private)
    connection_class = _PinnedTlsConnection if parts.scheme == "https" else _PinnedConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    # The socket timeout bounds each read; the watchdog bounds the whole exchange, so a
    # receiver that drips its answer a byte at a time is still cut off at the deadline.
    watchdog = threading.Timer(timeout, _abort, args=(connection,))
    watchdog.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers={**headers, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        text = response.read(RESPONSE_LIMIT).decode("utf-8", errors="replace")
        return response.status, text
    finally:
        watchdog.cancel()
        connection.close()


def _abort(connection: http.client.HTTPConnection) -> None:
    if connection.sock is not None:
        with contextlib.suppress(OSError):  # already closed
            connection.sock.shutdown(socket.SHUT_RDWR)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
