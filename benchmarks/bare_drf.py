"""The ceiling benchmarks/charge.py measures SynthGen against: a bare Django REST framework view
as a WSGI app (``gunicorn benchmarks.bare_drf``), no middleware, no authentication, no database.
It parses the JSON body as the real endpoint does and answers the API page's example feedback
entry five times over, rendered by DRF's JSON renderer.
"""

import django
from django.conf import settings
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-drf-benchmark-only",  # noqa: S106 - signs nothing; never served to users
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402 - needs the settings above
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

ENTRY = {
    "id": "feedback_123",
    "rating": 4,
    "title": "Great app with minor issues",
    "content": "I've been using this app for a few weeks now...",
    "sentiment": "positive",
    "timestamp": "2024-01-15T10:30:00Z",
}


class BareFeedbackView(APIView):
    def post(self, request: Request) -> Response:
        count = int(request.data.get("feedbackCount", 5))
        return Response(
            {
                "success": True,
                "data": [dict(ENTRY, id=f"feedback_{index}") for index in range(count)],
                "creditsUsed": 2,
                "remainingCredits": 48,
            }
        )


urlpatterns = [path("api/feedback/generate", BareFeedbackView.as_view())]
application = get_wsgi_application()
