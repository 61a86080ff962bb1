"""App config for webhooks (signed events about jobs, keys and credits, sent to consumers)."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "accounts.webhooks"
    label = "webhooks"  # its tables and migrations keep the name of the app it started as

    def ready(self) -> None:
        from accounts.webhooks import schema  # noqa: F401  # registers the API reference's extensions
