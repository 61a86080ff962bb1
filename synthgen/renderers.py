"""The API's JSON renderer: DRF's, with its encoding done by orjson.

The bytes are DRF's JSONRenderer's with our settings (compact, UTF-8 rather than \\u escapes,
U+2028 and U+2029 escaped for JavaScript, datetimes, decimals and lazy strings through DRF's
encoder), at about a tenth of the cost: 4 us instead of 46 us for a 5-entry feedback answer
(issue 11). An answer asked for indented (`Accept: application/json; indent=4`) is rendered by
DRF itself, since orjson indents only by two.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

# Integer keys as strings, as json does; datetimes handed to DRF's encoder, which writes "Z"
# and milliseconds where orjson would write "+00:00" and microseconds.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_default = JSONEncoder().default
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


def render_json(data: Any) -> bytes:
    """`data` as DRF's JSONRenderer writes it with the project's settings."""
    body = orjson.dumps(data, default=_default, option=_OPTIONS)
    if b"\xe2\x80" in body:
        for character, escaped in _LINE_SEPARATORS:
            body = body.replace(character, escaped)
    return body


class JSONRenderer(DrfJSONRenderer):
    """DRF's JSONRenderer, encoding through `render_json`."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if (
            self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
            or self.ensure_ascii
            or not api_settings.COMPACT_JSON
        ):
            return super().render(data, accepted_media_type, renderer_context)
        return render_json(data)
