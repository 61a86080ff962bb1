"""Secrets out of log lines: the tokens in the emailed links' URLs.

A key-reveal link (/keys/reveal/<token>/) and a sign-in link (/account/sign-in/<token>/) are
secrets until used; an access log that recorded them would let anyone who reads the logs
reveal a key or sign in. `RedactTokens` rewrites every record that passes a handler it is
attached to: Django's console handler (settings.LOGGING), Celery's (synthgen/celery.py) and
gunicorn's access and error logs (`GunicornLogger`, named in deploy/gunicorn.conf.py).
"""

import logging
import re

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/keys/reveal/|/account/sign-in/)(?!sent/)[^/?#\s\"']+")
HIDDEN = r"\1[token]"


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(HIDDEN, text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with the tokens taken out of its access and error lines."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactTokens())
