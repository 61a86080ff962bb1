"""Malformed requests are a 4xx in the envelope and cost nothing, whatever is wrong with them."""

import io
import json
from typing import Any

import pytest
from django.test import Client

from billing.models import CreditEntry
from generators.serializers import MAX_NAME_SHOWN, MAX_UNKNOWN_SHOWN
from tests.api.wsgi import wsgi_call
from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
VALID = {"productType": "mobile_app", "sentimentMix": "balanced", "feedbackCount": 1}
VALID_BYTES = json.dumps(VALID).encode()
JOB = {"type": "feedback", "count": 5, "params": {"productType": "mobile_app"}}


def _post(consumer: Consumer, path: str, body: bytes, **extra: Any) -> Any:
    content_type = extra.pop("content_type", "application/json")
    return consumer.client.generic("POST", path, body, content_type=content_type, **extra)


def _refused(response: Any, status: int = 400, code: str = "INVALID_JSON") -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["success"], body["code"]) == (False, code)
    return body


def _nothing_charged(consumer: Consumer) -> None:
    assert consumer.refresh().balance == 1000
    assert not CreditEntry.objects.filter(account=consumer.account, kind="debit").exists()


def test_json_nested_ten_thousand_deep_is_invalid_json(bob: Consumer) -> None:
    for body in (b"[" * 10_000 + b"]" * 10_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000):
        error = _refused(_post(bob, FEEDBACK, body))["error"]
        assert "nested at most 64 levels" in error
    _nothing_charged(bob)


def test_nesting_just_past_the_limit_is_refused_and_a_real_body_is_not(bob: Consumer) -> None:
    deep = {**VALID, "extra": json.loads("[" * 64 + "]" * 64)}
    _refused(_post(bob, FEEDBACK, json.dumps(deep).encode()))
    assert _post(bob, FEEDBACK, VALID_BYTES).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (FEEDBACK, b'{"\\ud800": 1}'),
        (FEEDBACK, b'{"productType": "mobile_app\\udfff"}'),
        ("/api/jobs", b'{"type": "feedback", "count": 5, "params": {"productType": "\\ud800"}}'),
        ("/api/jobs", b'{"type": "feedback", "count": 5, "params": {"\\udc00x": 1}}'),
    ],
)
def test_a_lone_surrogate_escape_anywhere_is_invalid_json(
    bob: Consumer, path: str, body: bytes
) -> None:
    assert "surrogate" in _refused(_post(bob, path, body))["error"]
    _nothing_charged(bob)


def test_a_surrogate_pair_is_one_character_and_fine(bob: Consumer) -> None:
    body = b'{"productType": "mobile_app", "\\ud83d\\ude00": 1}'
    details = _refused(_post(bob, FEEDBACK, body), code="INVALID_PARAMETERS")["details"]
    assert "😀" in details


def test_invalid_utf8_is_invalid_json(bob: Consumer) -> None:
    assert "UTF-8" in _refused(_post(bob, FEEDBACK, b'{"productType": "\xff\xfe"}'))["error"]


@pytest.mark.parametrize("charset", ["rot13", "nope", "utf-16", "latin-1", "base64"])
def test_a_charset_other_than_utf8_is_refused_before_anything_decodes(
    bob: Consumer, charset: str
) -> None:
    content_type = f"application/json; charset={charset}"
    response = _post(bob, FEEDBACK, VALID_BYTES, content_type=content_type)
    assert "UTF-8" in _refused(response)["error"]
    _nothing_charged(bob)


def _through_wsgi(
    consumer: Consumer, path: str, query: str, content_type: str, **environ: Any
) -> tuple[str, Any]:
    """A GET (unless told) through the WSGI callable gunicorn serves."""
    method = environ.pop("REQUEST_METHOD", "GET")
    answer = wsgi_call(
        method, path, QUERY_STRING=query, CONTENT_TYPE=content_type,
        HTTP_AUTHORIZATION=f"Bearer {consumer.key}", **environ,
    )  # fmt: skip
    return f"{answer.status} {answer.reason}", json.loads(answer.body)


@pytest.mark.parametrize("charset", ["rot13", "base64", "nope"])
def test_a_foreign_charset_on_a_request_with_a_query_string_is_refused(
    bob: Consumer, charset: str
) -> None:
    # Django decodes the query string with the named codec while it builds the request.
    status, body = _through_wsgi(bob, "/api/jobs", "limit=5", f"text/plain; charset={charset}")
    assert (status, body["code"]) == ("400 Bad Request", "INVALID_JSON")
    status, body = _through_wsgi(bob, "/api/jobs", "limit=5", "text/plain; charset=utf-8")
    assert (status, body) == ("200 OK", {"success": True, "data": []})


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "us-ascii"])
def test_utf8_and_its_ascii_subset_are_accepted(bob: Consumer, charset: str) -> None:
    content_type = f"application/json; charset={charset}"
    assert _post(bob, FEEDBACK, VALID_BYTES, content_type=content_type).status_code == 200


def test_nan_and_infinity_are_not_json(bob: Consumer) -> None:
    _refused(_post(bob, FEEDBACK, b'{"productType": "mobile_app", "seed": NaN}'))
    _refused(_post(bob, FEEDBACK, b'{"productType": "mobile_app", "seed": -Infinity}'))


@pytest.mark.parametrize("limit", ["²", "١", "٣", "1.0", "+5", " 5", "0x5", "", "1" * 5000])
def test_a_list_limit_must_be_ascii_digits_in_range(bob: Consumer, limit: str) -> None:
    body = _refused(bob.client.get("/api/jobs", {"limit": limit}), code="INVALID_PARAMETERS")
    assert body["details"] == {"limit": "Must be a whole number from 1 to 100"}


@pytest.mark.parametrize(
    "day", ["٢٠٢٤-٠١-٠٥", "2024-1-5", "20240105", "2024-W01-1", "２０２４-01-05"]
)
def test_a_date_must_be_yyyy_mm_dd_in_ascii_digits(bob: Consumer, day: str) -> None:
    body = {**VALID, "dateTo": day}
    details = _refused(_post(bob, FEEDBACK, json.dumps(body).encode()), code="INVALID_PARAMETERS")
    assert details["details"] == {"dateTo": "Must be a date as YYYY-MM-DD"}


def test_a_body_over_the_limit_is_413_before_it_is_read(bob: Consumer, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # The client announces a million bytes and sends two: had anything read the body, the test
    # client's payload would have complained of a read past its end.
    response = _post(bob, FEEDBACK, b"{}", CONTENT_LENGTH="1000000")
    body = _refused(response, status=413, code="PAYLOAD_TOO_LARGE")
    assert body == {
        "success": False,
        "error": "The request body must be at most 1,000 bytes",
        "code": "PAYLOAD_TOO_LARGE",
        "maxBytes": 1000,
    }
    assert response.has_header("X-Request-Id")
    at_limit = {**VALID, "seed": 1, "pad": "x" * 900}
    _refused(_post(bob, FEEDBACK, json.dumps(at_limit).encode()), code="INVALID_PARAMETERS")
    _nothing_charged(bob)


def test_an_oversized_form_post_outside_the_api_is_a_plain_413(client: Client, db: None) -> None:
    response = client.generic(
        "POST", "/request-access/", b"name=x", CONTENT_LENGTH="99999999",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_a_body_shorter_than_its_content_length_is_invalid_json(bob: Consumer) -> None:
    short = io.BytesIO(b'{"productType"')
    response = _post(bob, FEEDBACK, b"", CONTENT_LENGTH="100", **{"wsgi.input": short})
    assert _refused(response)["error"] == (
        "The request body ended before the Content-Length it announced"
    )
    _nothing_charged(bob)


class DroppedConnection(io.RawIOBase):
    def readinto(self, buffer: Any) -> int:
        raise ConnectionResetError(104, "Connection reset by peer")


def test_a_body_whose_client_dropped_the_connection_is_invalid_json(bob: Consumer) -> None:
    response = _post(
        bob, FEEDBACK, b"", CONTENT_LENGTH="100", **{"wsgi.input": DroppedConnection()}
    )
    assert "ended before" in _refused(response)["error"]


def test_a_content_length_that_is_not_a_number_is_refused(bob: Consumer) -> None:
    _refused(_post(bob, FEEDBACK, VALID_BYTES, CONTENT_LENGTH="１０"))


def test_a_huge_unknown_field_name_is_cut_short_in_the_details(bob: Consumer) -> None:
    body = {**VALID, "x" * 1_000_000: 1}
    details = _refused(_post(bob, FEEDBACK, json.dumps(body).encode()), code="INVALID_PARAMETERS")
    [name] = details["details"]
    assert name == "x" * (MAX_NAME_SHOWN - 1) + "…"
    assert len(json.dumps(details)) < 1000


def test_thousands_of_unknown_fields_are_summed_up_after_the_first_few(bob: Consumer) -> None:
    body = {**VALID, **{f"field{number}": 1 for number in range(5000)}}
    details = _refused(_post(bob, FEEDBACK, json.dumps(body).encode()), code="INVALID_PARAMETERS")
    assert len(details["details"]) == MAX_UNKNOWN_SHOWN + 1
    assert details["details"]["…"] == f"{5000 - MAX_UNKNOWN_SHOWN} more unknown fields"


def test_job_params_with_unknown_names_are_cut_short_too(bob: Consumer) -> None:
    body = {**JOB, "params": {**JOB["params"], "sentimentMix": "mixed", "y" * 500: 1}}
    response = _post(bob, "/api/jobs", json.dumps(body).encode())
    details = _refused(response, code="INVALID_PARAMETERS")["details"]
    assert list(details) == ["params." + "y" * (MAX_NAME_SHOWN - 1) + "…"]


def test_a_host_this_server_does_not_serve_is_a_400_envelope_under_the_api(
    client: Client, db: None
) -> None:
    response = client.get("/api/account", HTTP_HOST="scanner.example")
    assert response.json() == {
        "success": False,
        "error": "The request is malformed",
        "code": "BAD_REQUEST",
    }
    assert response.status_code == 400
    page = client.get("/", HTTP_HOST="scanner.example")
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (400, "text/html")


def _chunked(body: Any) -> dict[str, Any]:
    """A chunked POST as gunicorn hands it over: decoded, ending at EOF, with no length."""
    return {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": body}


def test_a_chunked_body_is_read_through_the_wsgi_door(bob: Consumer) -> None:
    status, body = _through_wsgi(
        bob, FEEDBACK, "", "application/json", **_chunked(io.BytesIO(VALID_BYTES))
    )
    assert (status, body["creditsUsed"]) == ("200 OK", 2)


def test_a_chunked_body_over_the_limit_is_413(bob: Consumer, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = io.BytesIO(b" " * 5000 + VALID_BYTES)
    status, answer = _through_wsgi(bob, FEEDBACK, "", "application/json", **_chunked(body))
    assert (status, answer["code"]) == ("413 Request Entity Too Large", "PAYLOAD_TOO_LARGE")
    assert body.tell() == 1001  # read no further than the limit and one byte
    _nothing_charged(bob)


class BrokenChunks(io.RawIOBase):
    def readinto(self, buffer: Any) -> int:
        raise ValueError("Invalid chunk size")  # what gunicorn raises for a garbled chunk


def test_a_broken_chunked_body_is_invalid_json(bob: Consumer) -> None:
    status, answer = _through_wsgi(
        bob, FEEDBACK, "", "application/json", **_chunked(BrokenChunks())
    )
    assert (status, answer["code"]) == ("400 Bad Request", "INVALID_JSON")
    assert answer["error"] == "The chunked request body was cut short or malformed"


def test_an_accept_header_nothing_can_satisfy_still_gets_json(bob: Consumer) -> None:
    response = _post(bob, FEEDBACK, VALID_BYTES, HTTP_ACCEPT="text/x-nothing")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert bob.client.get("/api/account", HTTP_ACCEPT="image/png").json()["success"] is True


def test_an_unknown_query_parameter_is_refused_like_an_unknown_field(bob: Consumer) -> None:
    body = _refused(bob.client.get("/api/jobs?limt=5"), code="INVALID_PARAMETERS")
    assert body["details"] == {"limt": "Unknown field; allowed: limit"}
