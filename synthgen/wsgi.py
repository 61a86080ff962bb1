"""WSGI entry point for gunicorn: `gunicorn synthgen.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")
application = get_wsgi_application()
