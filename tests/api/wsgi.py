"""Requests through synthgen.wsgi.application, the callable gunicorn serves, with the WSGI
environ gunicorn would build. Django's test client makes its request object itself, past
the WSGI middleware (synthgen.bodies.WsgiBodies), so it cannot show what that layer does."""

import io
import wsgiref.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from synthgen.wsgi import application


def in_test_application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """The application, minus what closes the database connection at each request's start
    and end: it holds the test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return [b"".join(application(environ, start_response))]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class Answer:
    status: int
    reason: str
    body: bytes


def wsgi_call(method: str, path: str, *, body: bytes = b"", **environ: Any) -> Answer:
    """`environ` adds or overrides keys (HTTP_*, CONTENT_TYPE, QUERY_STRING, ...). A body sent
    with Transfer-Encoding: chunked arrives as gunicorn passes it: decoded, with no length."""
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "")
    full: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "wsgi.input": io.BytesIO(body),
        **({"wsgi.input_terminated": True} if chunked else {"CONTENT_LENGTH": str(len(body))}),
        **environ,
    }
    wsgiref.util.setup_testing_defaults(full)
    status: list[str] = []
    content = b"".join(in_test_application(full, lambda line, headers: status.append(line)))
    code, _, reason = status[0].partition(" ")
    return Answer(status=int(code), reason=reason, body=content)
