"""Requests through synthgen.wsgi.application, the callable gunicorn serves, with the WSGI
environ gunicorn would build. Django's test client makes its request object itself, past
the WSGI middleware (synthgen.bodies.WsgiBodies), so it cannot show what that layer does."""

import io
import wsgiref.util
from dataclasses import dataclass
from typing import Any

from synthgen.wsgi import application


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
    content = b"".join(application(full, lambda line, headers: status.append(line)))
    code, _, reason = status[0].partition(" ")
    return Answer(status=int(code), reason=reason, body=content)
