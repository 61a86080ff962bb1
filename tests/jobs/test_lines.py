"""A chunk's JSON lines are byte for byte what json.dumps(ensure_ascii=False) writes, whatever
the entries hold."""

import json
from typing import Any

import pytest

from generators import engine
from generators.jobs import encode_lines
from generators.serializers import generation_window

WINDOW = generation_window(date_from=None, date_to=None)


def expected(entries: list[Any]) -> bytes:
    return "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries).encode()


@pytest.mark.parametrize("version", engine.VERSIONS)
@pytest.mark.parametrize("complexity", ["simple", "medium", "complex"])
def test_engine_entries_of_every_kind_encode_as_json_does(version: str, complexity: str) -> None:
    common = {"version": version, "product_type": "mobile_app", "complexity": complexity,
              "window": WINDOW}  # fmt: skip
    batches = [
        engine.generate_feedback(sentiment_mix="mixed", count=50, seed=3, **common),
        engine.generate_tickets(count=50, seed=5, **common),
        [
            engine.generate_interview(
                question_count=8, interview_type="user_research", seed=7, **common
            )
        ],  # fmt: skip
    ]
    for entries in batches:
        assert encode_lines(entries) == expected(entries)


def test_odd_values_encode_as_json_does() -> None:
    entries = [
        {"text": 'Zoë said “hi” — \\ "quoted" \n\t\r\x00\x1f\u2028 日本語 😀'},
        {"floats": [0.1, 1e-07, 1e22, -0.0, 3.0, 1 / 3], "none": None, "bools": [True, False]},
        {"ints": [0, -1, 2**70], "empty": {}, "list": [], "nested": [[{"a": [{}]}]]},
        {"ünïcode kéy": "", "": "empty key", "n": float("inf"), "m": float("nan")},
    ]
    assert encode_lines(entries) == expected(entries)
    assert encode_lines(entries[:1]) == expected(entries[:1])
    assert encode_lines([]) == b""


def test_what_json_cannot_encode_fails_as_it_does() -> None:
    with pytest.raises(TypeError):
        encode_lines([{"when": object()}])
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate is no UTF-8
        encode_lines([{"text": "\ud800"}])
