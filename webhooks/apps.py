"""App config for webhooks (signed events about jobs, keys and credits, sent to consumers)."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from webhooks import schema  # noqa: F401  # registers the API reference's extensions
