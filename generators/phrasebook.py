"""Loads the vocabulary files under ``generators/vocab/`` and compiles them once, at import."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generators.grammar import Alt, compile_bank, link, link_banks

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

# Words that must agree with an aspect's grammatical number, as slots named in templates.
AGREEMENT: Mapping[str, Mapping[str, str]] = {
    "sg": {"is": "is", "was": "was", "has": "has", "it": "it", "s": "s", "does": "does"},
    "pl": {"is": "are", "was": "were", "has": "have", "it": "they", "s": "", "does": "do"},
}


@dataclass(frozen=True, slots=True)
class Aspect:
    """One thing people write about a product, with its slots ready for realisation."""

    slug: str
    slots: dict[str, Any]
    second: dict[str, Any]


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
    detail = _bank(raw["detail"], banks)
    own = {
        "the_aspect": nouns,
        "The_aspect": nouns,
        "aspect": _bank(raw["title"], banks),
        "Aspect": _bank(raw["title"], banks),
        "praise": _bank(raw["praise"], banks),
        "praise_bare": _bank(raw["praise"], banks),
        "complaint": _bank(raw["complaint"], banks),
        "complaint_bare": _bank(raw["complaint"], banks),
        "detail": detail,
        "detail_head": detail,
        "detail_tail": (" ", detail),
        "suggestion": _bank(raw["suggestion"], banks),
        **AGREEMENT[raw["number"]],
    }
    second = {f"{name}2": value for name, value in own.items()}
    return Aspect(slug=slug, slots={**shared, **own}, second=second)


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
