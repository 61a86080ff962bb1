"""Docs fixtures: the four plans, restored for tests that run on a flushed database."""

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.conftest import pytest_collection_modifyitems  # noqa: F401  (run us last)


@pytest.fixture
def plans(transactional_db: None) -> None:
    """A transactional test may follow one that flushed the tables: restore the four plans
    with the data migration that creates them."""
    importlib.import_module("billing.migrations.0002_the_four_plans").create_plans(
        django_apps, None
    )
