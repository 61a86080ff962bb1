"""Portal fixtures: a consumer already signed in, and requests whose emails really leave."""

from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.conftest import Consumer

Post = Callable[..., HttpResponse]


@pytest.fixture
def alice_portal(alice: Consumer) -> Client:
    client = Client()
    client.force_login(alice.account.owner)
    return client


@pytest.fixture
def post(django_capture_on_commit_callbacks: Callable) -> Post:
    """POST, then run the on-commit callbacks (the emails), which a test's own transaction
    would otherwise never reach."""

    def post(client: Client, path: str, data: dict | None = None, **extra: object) -> HttpResponse:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {}, **extra)

    return post
