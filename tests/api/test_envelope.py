"""Whatever happens under /api/, the answer is the JSON envelope with a request id."""

import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from accounts.api import AccountView

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("api/boom", _boom), path("", include("synthgen.urls"))]


def test_an_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": "No such endpoint or resource",
        "code": "NOT_FOUND",
    }
    assert len(response["X-Request-Id"]) == 32


def test_a_wrong_method_is_a_json_405(alice: object) -> None:
    response = alice.client.delete("/api/account")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_an_error_in_an_api_view_is_a_json_500_with_a_request_id_and_no_internals(
    alice: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(self: AccountView, request: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(AccountView, "get", fail)
    with caplog.at_level(logging.ERROR, logger="synthgen.api"):
        response = alice.client.get("/api/account")
    body = response.json()
    assert response.status_code == 500
    assert body["code"] == "INTERNAL_ERROR"
    assert body["requestId"] == response["X-Request-Id"]
    assert "hunter2" not in response.content.decode()
    assert body["requestId"] in caplog.text
    assert "hunter2" in caplog.text


@override_settings(ROOT_URLCONF=__name__)
def test_an_error_outside_drf_under_api_is_a_json_500(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/api/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert "hunter2" not in response.content.decode()


def test_pages_outside_api_keep_their_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_every_response_carries_a_request_id(client: Client) -> None:
    assert client.get("/").has_header("X-Request-Id")
