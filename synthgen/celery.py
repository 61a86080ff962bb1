"""The Celery app; tasks run eagerly in the embedded default (no REDIS_URL)."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from synthgen.redaction import RedactTokens

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")

app = Celery("synthgen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_tokens(logger: logging.Logger, **kwargs: Any) -> None:
    """The worker replaces Django's log handlers with its own: they hide tokens too."""
    for handler in logger.handlers:
        handler.addFilter(RedactTokens())
