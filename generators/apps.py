"""App config for generators (the text engine and its HTTP endpoints)."""

from django.apps import AppConfig


class GeneratorsConfig(AppConfig):
    name = "generators"
