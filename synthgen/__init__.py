"""SynthGen: the Django project (settings, URLs, Celery app, the API's front door)."""

from synthgen.celery import app as celery_app

__all__ = ["celery_app"]
