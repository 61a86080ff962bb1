"""Reads the vocabulary files under ``vocab/`` and tells which product types have one yet."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from generators.engine.v2_1.catalog import PRODUCT_TYPES

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


def read(relative: str) -> Any:
    """One JSON vocabulary file, relative to ``vocab/``."""
    with (VOCAB_DIR / relative).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def product_types_with_vocabulary() -> tuple[str, ...]:
    """The product types whose world file exists (``vocab/products/<type>.json``), in order."""
    return tuple(
        kind for kind in PRODUCT_TYPES if (VOCAB_DIR / "products" / f"{kind}.json").exists()
    )
