"""Lexical choice: words a reviewer swaps freely, applied to phrases when they are compiled.

``vocab/lexicon.json`` lists sets of interchangeable words ("quick", "fast", "speedy"). Every
plain word of a template that belongs to a set becomes an alternative of the whole set, so
one phrase written once has many surfaces and no module writes synonyms by hand. Slots and
counts (``<...>``) are left alone. Tickets and interviews pass their templates through
``vary`` the same way.
"""

import re
from functools import cache
from typing import Final

from generators.engine.vocabulary import read

_SETS: Final[tuple[tuple[str, ...], ...]] = tuple(
    tuple(words) for words in read("lexicon.json")["synonyms"] if len(set(words)) > 1
)
_CHOICES: Final[dict[str, str]] = {}
for _words in _SETS:
    for _word in _words:
        _CHOICES.setdefault(_word, "{" + "|".join(dict.fromkeys(_words)) + "}")
_PATTERN: Final = re.compile(
    r"<[^<>]*>|(?<![\w'-])(?:"
    + "|".join(sorted(map(re.escape, _CHOICES), key=len, reverse=True))
    + r")(?![\w'-])"
)


@cache
def vary(template: str) -> str:
    """``template`` with each word of a synonym set written as the set's alternatives."""
    return _PATTERN.sub(_swap, template)


def _swap(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if text.startswith("<") else _CHOICES[text]
