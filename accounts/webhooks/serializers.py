"""Input validation for /api/webhooks: camelCase fields, unknown ones refused, every problem at
once (the generation endpoints' conventions)."""

from django.conf import settings
from rest_framework import serializers

from accounts.webhooks.addresses import MAX_URL_LENGTH, url_problem
from accounts.webhooks.models import SUBSCRIBABLE
from generators.serializers import StrictSerializer, choice


def check_url(url: str) -> None:
    problem = url_problem(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS)
    if problem:
        raise serializers.ValidationError(problem)


class WebhookEndpointRequestSerializer(StrictSerializer):
    """An endpoint to create; with `partial=True`, the fields of a change."""

    url = serializers.CharField(
        trim_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH, validators=[check_url]
    )
    events = serializers.ListField(
        child=choice(tuple(SUBSCRIBABLE)),
        allow_empty=False,
        min_length=1,
        error_messages={"empty": f"Name at least one of: {', '.join(SUBSCRIBABLE)}"},
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    enabled = serializers.BooleanField(required=False)
