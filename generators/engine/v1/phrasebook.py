"""Loads the vocabulary files under ``generators/vocab/`` and compiles them once, at import."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generators.engine.v1.grammar import Alt, compile_bank, link, link_banks

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

# Words that must agree with an aspect's grammatical number, as slots named in templates.
AGREEMENT: Mapping[str, Mapping[str, str]] = {
    "sg": {"is": "is", "was": "was", "has": "has", "it": "it", "It": "It", "s": "s",
           "es": "es", "does": "does", "its": "its", "this": "this", "that": "that"},
    "pl": {"is": "are", "was": "were", "has": "have", "it": "they", "It": "They", "s": "",
           "es": "", "does": "do", "its": "their", "this": "these", "that": "those"},
}  # fmt: skip
# A phrase that already carries its own specifics ("arrived in 3 days", "on the subway")
# starts with this mark, or holds a number, and then takes no detail of its own.
COMPLETE_MARK = "!"
# A detail that suits only praise or only complaints starts with one of these marks.
POLARITY_MARKS: Mapping[str, str] = {"+": "praise", "-": "complaint"}


@dataclass(frozen=True, slots=True)
class Aspect:
    """One thing people write about a product, with its slots ready for realisation."""

    slug: str
    slots: dict[str, Any]
    second: dict[str, Any]
    # Per polarity ("praise", "complaint"): (phrase, takes a detail) pairs, and the detail
    # slots that suit it.
    phrases: dict[str, tuple[tuple[Any, bool], ...]]
    details: dict[str, dict[str, Any]]


def read_vocab(relative: str) -> dict[str, Any]:
    """Read one JSON vocabulary file, relative to the vocab directory."""
    with (VOCAB_DIR / relative).open(encoding="utf-8") as handle:
        return json.load(handle)


def compile_tree(raw: Any, *, banks: Mapping[str, Alt]) -> Any:
    """Compile nested dicts of template lists, keeping the dict shape."""
    if isinstance(raw, Mapping):
        return {key: compile_tree(value, banks=banks) for key, value in raw.items()}
    return link(compile_bank(raw), banks=banks)


def compile_aspect(
    *, slug: str, raw: Mapping[str, Any], shared: Mapping[str, Any], banks: Mapping[str, Alt]
) -> Aspect:
    """Compile an aspect's phrase lists into the slots its sentences refer to."""
    nouns = _bank(raw["nouns"], banks)
    phrases = {kind: _phrases(raw[kind], banks) for kind in ("praise", "complaint")}
    details = {
        kind: _bank([_unmark(text) for text in raw["detail"] if _suits(text, kind)], banks)
        for kind in ("praise", "complaint")
    }
    praise = Alt(node for node, _ in phrases["praise"])
    complaint = Alt(node for node, _ in phrases["complaint"])
    own = {
        "the_aspect": nouns,
        "The_aspect": nouns,
        "aspect": _bank(raw["title"], banks),
        "Aspect": _bank(raw["title"], banks),
        "praise": praise,
        "praise_bare": praise,
        "complaint": complaint,
        "complaint_bare": complaint,
        "detail": details["praise"],
        "detail_head": details["praise"],
        "detail_tail": (" ", details["praise"]),
        "suggestion": _bank(raw["suggestion"], banks),
        **AGREEMENT[raw["number"]],
    }
    second = {f"{name}2": value for name, value in own.items()}
    detail_slots = {
        kind: {"detail_head": bank, "detail_tail": (" ", bank)} for kind, bank in details.items()
    }
    return Aspect(
        slug=slug, slots={**shared, **own}, second=second, phrases=phrases, details=detail_slots
    )


def product_slots(
    raw: Mapping[str, Any], *, names: Sequence[str], banks: Mapping[str, Alt]
) -> dict:
    """Compile the product-level phrase lists a product file defines."""
    return {name: _bank(raw[name], banks) for name in names if name in raw}


@cache
def common_banks(kind: str) -> dict[str, Alt]:
    """The shared banks of one document kind (``feedback``, ``tickets``, ``interviews``)."""
    return link_banks(read_vocab(f"{kind}/common.json")["banks"])


def _bank(templates: Sequence[str] | str, banks: Mapping[str, Alt]) -> Alt:
    return link(compile_bank(templates), banks=banks)


def _phrases(templates: Sequence[str], banks: Mapping[str, Alt]) -> tuple[tuple[Any, bool], ...]:
    compiled = _bank([text.removeprefix(COMPLETE_MARK) for text in templates], banks)
    takes_detail = (not text.startswith(COMPLETE_MARK) and "<#" not in text for text in templates)
    return tuple(zip(compiled, takes_detail, strict=True))


def _suits(detail: str, kind: str) -> bool:
    return POLARITY_MARKS.get(detail[:1], kind) == kind


def _unmark(detail: str) -> str:
    return detail[1:] if detail[:1] in POLARITY_MARKS else detail
