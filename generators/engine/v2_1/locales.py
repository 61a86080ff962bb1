"""Locales: what a writer's place changes in the words (spelling, currency, places), never code.

A locale is data (``vocab/locales/<code>.json``): its currency symbol, its spelling of the words
that differ from US English, its cities. The realiser renders with the writer's locale and
respells the finished text; en-US has nothing to respell. Add a locale by adding its file.
"""

import re
from dataclasses import dataclass
from functools import cache

from generators.engine.v2_1.vocabulary import VOCAB_DIR, read

DEFAULT_LOCALE = "en-US"


@dataclass(frozen=True, slots=True)
class Locale:
    """How one place writes: ``currency`` before amounts, ``spelling`` applied to finished text."""

    code: str
    currency: str
    cities: tuple[str, ...]
    spelling: dict[str, str]
    respelling: re.Pattern[str] | None

    def respell(self, text: str) -> str:
        """``text`` in this locale's spelling ("color" becomes "colour" in en-GB)."""
        if self.respelling is None:
            return text
        return self.respelling.sub(lambda match: self.spelling[match.group(0)], text)


@cache
def locale(code: str = DEFAULT_LOCALE) -> Locale:
    """The locale ``code`` ("en-US"), loaded once."""
    raw = read(f"locales/{code}.json")
    spelling = dict(raw.get("spelling", {}))
    pattern = (
        re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, spelling), key=len)[::-1]) + r")\b")
        if spelling
        else None
    )
    return Locale(
        code=code,
        currency=raw["currency"],
        cities=tuple(raw["cities"]),
        spelling=spelling,
        respelling=pattern,
    )


def locale_codes() -> tuple[str, ...]:
    """Every locale with a file, sorted."""
    return tuple(sorted(path.stem for path in (VOCAB_DIR / "locales").glob("*.json")))
