"""The Celery app; tasks run eagerly in the embedded default (no REDIS_URL)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")

app = Celery("synthgen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
