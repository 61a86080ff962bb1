"""WSGI entry point for gunicorn: `gunicorn synthgen.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthgen.settings")
django_application = get_wsgi_application()

from synthgen.bodies import WsgiBodies  # noqa: E402  (needs the settings above)

application = WsgiBodies(django_application)
