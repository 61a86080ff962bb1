"""No emailed link's token in any log line: Django's, runserver's, Celery's or gunicorn's.
(tests/deploy reads a real gunicorn's access log.)"""

import io
import logging
from collections.abc import Iterator

import pytest

from synthgen.celery import _redact_tokens
from synthgen.redaction import redact

TOKEN = "Zq3vX_w8-kP0aYbC1dEfGhIjKlMnOpQrStUvWxYz012"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes."""
    [handler] = [h for h in logging.getLogger().handlers if h.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.parametrize("logger", ["django.server", "django.request", "synthgen.api", "celery"])
def test_link_urls_are_logged_without_their_tokens(console: io.StringIO, logger: str) -> None:
    logging.getLogger(logger).error('"%s" %s', f"GET /keys/reveal/{TOKEN}/ HTTP/1.1", 200)
    logging.getLogger(logger).error("POST /account/sign-in/%s/?next=/account/", TOKEN)
    lines = console.getvalue()
    assert TOKEN not in lines
    assert '"GET /keys/reveal/[token]/ HTTP/1.1" 200' in lines
    assert "POST /account/sign-in/[token]/?next=/account/" in lines


def test_other_paths_are_logged_as_they_are() -> None:
    for line in ("GET /account/sign-in/sent/ HTTP/1.1", "GET /account/sign-in/ 200", "/api/jobs"):
        assert redact(line) == line


def test_the_celery_worker_s_own_handlers_hide_tokens_too() -> None:
    logger = logging.getLogger("test-worker")
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    _redact_tokens(logger=logger)
    logger.warning("Task failed for /keys/reveal/%s/", TOKEN)
    assert stream.getvalue() == "Task failed for /keys/reveal/[token]/\n"
