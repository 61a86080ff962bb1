"""Behind nginx, the per-address limits count the client nginx names, not nginx itself."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import AccessRequest
from tests.accounts.test_request_access import VALID

pytestmark = pytest.mark.django_db

APPLICATION = {**VALID, "company": ""}


def test_the_address_a_trusted_proxy_names_is_the_client_s(client: Client, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client.post("/request-access/", APPLICATION, HTTP_X_REAL_IP="203.0.113.9")
    assert AccessRequest.objects.get().ip_address == "203.0.113.9"


def test_anyone_else_cannot_choose_their_address(client: Client, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client.post("/request-access/", APPLICATION, HTTP_X_REAL_IP="203.0.113.9")
    assert AccessRequest.objects.get().ip_address == "127.0.0.1"


def test_a_header_that_is_not_an_address_is_ignored(client: Client, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client.post("/request-access/", APPLICATION, HTTP_X_REAL_IP="203.0.113.9, 10.0.0.1")
    assert AccessRequest.objects.get().ip_address == "127.0.0.1"


def test_each_client_behind_the_proxy_has_its_own_limit(client: Client, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.REQUEST_ACCESS_RATE = "2/h"
    for number in range(2):
        mine = {**APPLICATION, "email": f"me{number}@example.com"}
        assert (
            client.post("/request-access/", mine, HTTP_X_REAL_IP="203.0.113.9").status_code == 302
        )
    refused = client.post("/request-access/", APPLICATION, HTTP_X_REAL_IP="203.0.113.9")
    other = client.post("/request-access/", APPLICATION, HTTP_X_REAL_IP="198.51.100.4")
    assert (refused.status_code, other.status_code) == (429, 302)
