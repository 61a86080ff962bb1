"""What a request may send: a body bounded in size, UTF-8, JSON of sane depth and read whole;
and any Accept header.

Three layers for the body, outermost first:

- `WsgiBodies` (WSGI, in synthgen/wsgi.py): Django reads only bodies that announce a
  Content-Length. gunicorn hands a chunked body over already decoded (`wsgi.input_terminated`),
  so it is read here, at most the size limit and one byte more, and passed on with its length.
  A charset other than UTF-8 is taken out before Django decodes the query string with it.
- `RequestBodyMiddleware` (early in MIDDLEWARE): a body over DATA_UPLOAD_MAX_MEMORY_SIZE is
  refused with 413 before a byte of it is read, and a charset other than UTF-8 with 400.
- `JsonParser` (DRF's only parser): strict UTF-8 JSON; a body cut short, nested too deeply or
  holding a lone UTF-16 surrogate is INVALID_JSON instead of a crash further in.
"""

import codecs
import io
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_header_parameters
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer

from synthgen.errors import ApiError, InvalidJson, PayloadTooLarge, error_response
from synthgen.middleware import Handler, is_api

# Real bodies nest two or three levels (a job's params); this is far above any of them and far
# below the interpreter's recursion limit.
MAX_JSON_DEPTH = 64
UTF8_CHARSETS = {"utf-8", "ascii"}  # ASCII is a subset; JSON is UTF-8 (RFC 8259)
UNREADABLE_BODY = "synthgen.unreadable_body"
FOREIGN_CHARSET = "synthgen.foreign_charset"

NOT_AN_OBJECT = InvalidJson.message
CUT_SHORT = "The request body ended before the Content-Length it announced"
NOT_UTF8 = "Send the request body encoded as UTF-8 (charset=utf-8, or no charset)"
TOO_DEEP = f"The request body must be a JSON object nested at most {MAX_JSON_DEPTH} levels deep"
SURROGATE = "The request body holds a lone UTF-16 surrogate escape, which is not a character"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class WsgiBodies:
    """WSGI middleware, before Django builds its request: a chunked body gets a Content-Length
    (or is marked unreadable), and a charset other than UTF-8 is taken out of the Content-Type
    and noted, since building the request already decodes the query string with it."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        content_type, params = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        if "charset" in params and not _is_utf8(params["charset"]):
            environ[FOREIGN_CHARSET] = True
            environ["CONTENT_TYPE"] = content_type
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            try:
                body = environ["wsgi.input"].read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
            except Exception:  # gunicorn's own parse errors for a broken or missing chunk
                body, environ[UNREADABLE_BODY] = b"", True
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def body_problem(request: HttpRequest) -> ApiError | None:
    """Why this request's body must be refused before it is read, or None."""
    if request.META.get(UNREADABLE_BODY):
        return InvalidJson("The chunked request body was cut short or malformed")
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not (length.isascii() and length.isdigit()):
        return InvalidJson("Content-Length must be a whole number of bytes")
    if int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return PayloadTooLarge()
    charset = (request.content_params or {}).get("charset")
    if request.META.get(FOREIGN_CHARSET) or (charset is not None and not _is_utf8(charset)):
        return InvalidJson(NOT_UTF8)
    return None


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name in UTF8_CHARSETS
    except LookupError:
        return False


class RequestBodyMiddleware:
    """Refuse an oversized body or a foreign charset before anything reads the body (Django
    would decode the form or the query string with whatever codec the client names)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = body_problem(request)
        if problem is None:
            return self.get_response(request)
        if is_api(request):
            return error_response(problem)
        return HttpResponse(problem.message, status=problem.status, content_type="text/plain")


class JsonParser(JSONParser):
    """DRF's JSON parser, strict about what reaches the views."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        request = (parser_context or {}).get("request")
        announced = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        try:
            raw = stream.read()
        except OSError:  # the client dropped the connection mid-body
            raise ParseError(CUT_SHORT) from None
        if len(raw) < announced:
            raise ParseError(CUT_SHORT)
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except UnicodeDecodeError:
            raise ParseError(NOT_UTF8) from None
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        except ValueError:
            raise ParseError(NOT_AN_OBJECT) from None
        _check_tree(data)
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _check_tree(data: Any) -> None:
    """Depth and lone surrogates, walked without recursion."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str):
                _check_text(key)
            pending.append((item, depth + 1))


def _check_text(text: str) -> None:
    # json.loads joins a valid surrogate pair into one character; only lone halves remain.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(SURROGATE) from None


class ContentNegotiation(DefaultContentNegotiation):
    """An Accept header nothing here can satisfy gets the view's first renderer (JSON for the
    API) instead of an error: the API speaks nothing else, and RFC 9110 lets a server
    disregard Accept."""

    def select_renderer(
        self, request: Any, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        choices = list(renderers)
        try:
            return super().select_renderer(request, choices, format_suffix)
        except NotAcceptable:
            return choices[0], choices[0].media_type
