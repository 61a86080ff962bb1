"""The Tracery-style grammar every stage writes with: nested alternatives, slots, counts, prices.

Template syntax, as written in the vocabulary files (``vocab/AUTHORING.md`` has examples):

- ``{a|b|c}`` picks one alternative; alternatives nest and may be empty (``{really |}``).
- ``<name>`` is a slot: a named bank, or a value the realiser supplies for one sentence (the
  subject's noun, a verb agreeing with it: ``<is>``, ``<has>``, ``<s>``...).
- ``<#3-45>`` is a whole number between the bounds, drawn among the round ones people use.
- ``<#2-10 day>`` is a count with its unit in agreement: "1 day", "2 days", "three days";
  an irregular plural is written ``<#2-4 box/boxes>``.
- ``<$20-80>`` is a round price in the writer's currency (the ``currency`` slot).
- ``<a>`` is "a" or "an", settled by the word after it once the sentence is written.

A compiled template is a tuple of parts: ``str`` literals, ``Alt`` (alternatives), ``Slot``
(a name), ``Count`` and ``Price``. Realising walks that tree with the caller's seeded
``random`` and never touches shared state.
"""

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import accumulate
from typing import Any, Final, NamedTuple

from generators.engine.nodes import Alt, Slot

Random = Callable[[], float]
Node = Any
ARTICLE: Final = "\x01"
# The node classes as constants: compiled, a Final is a C static, where a plain global (``Alt``
# imported from ``nodes``, which is not compiled) is a dict lookup on every use.
_ALT: Final = Alt
_SLOT: Final = Slot

NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
_VOWEL_EXCEPTIONS = ("uni", "use", "usu", "one", "once", "eu", "ur")
_SILENT_H = ("hour", "honest", "heir")


class Count(NamedTuple):
    """A number with a unit that agrees with it ("1 day", "3 days"); ``values`` are round."""

    values: tuple[int, ...]
    singular: str
    plural: str


class Price(NamedTuple):
    """A round amount of money in the currency the ``currency`` slot names."""

    values: tuple[int, ...]


def round_values(low: int, high: int) -> tuple[int, ...]:
    """The numbers in ``[low, high]`` people say: every one up to 12, then fives, tens, fifties."""
    values = [n for n in range(low, high + 1) if n <= 10 or _is_round(n)]
    return tuple(values) or (low,)


def _is_round(number: int) -> bool:
    if number <= 30:
        return number % 5 == 0 or number in (12, 18, 24)
    if number <= 100:
        return number % 10 == 0 or number in (45, 75)
    if number <= 1000:
        return number % 50 == 0
    return number % 500 == 0


def compile_template(text: str) -> Node:
    """Compile one template string into parts (or one literal, if that is all it is)."""
    sequence, position = _parse_sequence(text, 0, top=True)
    if position != len(text):
        raise ValueError(f"unbalanced '}}' in template: {text!r}")
    return _simplest(sequence)


def compile_bank(templates: Sequence[str] | str) -> Alt:
    """Compile a list of templates into one set of alternatives."""
    if isinstance(templates, str):
        templates = [templates]
    if not templates:
        raise ValueError("a bank needs at least one template")
    return Alt(compile_template(text) for text in templates)


def link(node: Node, *, banks: Mapping[str, Any]) -> Node:
    """Replace slots that name a bank with the bank itself, so realisation skips lookups."""
    kind = type(node)
    if kind is Slot:
        return banks.get(node, node)
    if kind is Alt:
        return Alt(link(item, banks=banks) for item in node)
    if kind is tuple:
        return tuple(link(item, banks=banks) for item in node)
    return node


def link_banks(raw: Mapping[str, Sequence[str] | str], *, outer: Mapping[str, Any] = {}) -> dict:
    """Compile named banks whose templates may refer to each other (and to ``outer`` banks)."""
    compiled = {name: compile_bank(templates) for name, templates in raw.items()}
    # Three passes resolve references three levels deep without a dependency sort.
    for _ in range(3):
        known = {**outer, **compiled}
        compiled = {name: link(bank, banks=known) for name, bank in compiled.items()}
    return compiled


def slots_in(node: Node) -> set[str]:
    """The names of the slots a compiled node still refers to (for the vocabulary checker)."""
    kind = type(node)
    if kind is Slot:
        return {str(node)}
    if kind in (Alt, tuple):
        return set().union(*(slots_in(item) for item in node)) if node else set()
    return set()


def render(node: Node, *, random: Random, slots: dict[str, Any]) -> str:
    """Realise ``node`` into a string."""
    # Most nodes are a literal or a choice of literals: those need no walk and no join.
    kind = type(node)
    if kind is _ALT:
        options: tuple = node
        node = options[int(random() * len(options))]
        kind = type(node)
    if kind is str:
        return node
    out: list[str] = []
    _walk(node, random, slots, out)
    return "".join(out)


def weighted(options: Sequence[tuple[Any, float]], *, random: Random) -> Any:
    """One value of ``(value, weight)`` pairs, drawn in proportion to the weights."""
    values, totals = _running(tuple(options))
    return values[bisect_right(totals, random() * totals[-1])]


@cache
def _running(options: tuple) -> tuple[tuple, tuple[float, ...]]:
    return tuple(value for value, _ in options), tuple(accumulate(w for _, w in options))


def pick(options: Sequence[Any], *, random: Random) -> Any:
    """Pick one item of a list or tuple (never of a set: its order is not reproducible)."""
    return options[int(random() * len(options))]


def settle_articles(text: str) -> str:
    """Turn each ``<a>`` marker into "a" or "an" by the sound of the word after it."""
    head, *rest = text.split(ARTICLE)
    out = [head]
    for part in rest:
        word = part.lstrip().lower()
        out.append(("an" if _vowel_sound(word) else "a") + part)
    return "".join(out)


def _vowel_sound(word: str) -> bool:
    if word.startswith(_SILENT_H):
        return True
    if word[:1] in ("8",) or word.startswith(("11", "18")):
        return True
    return word[:1] in "aeiou" and not word.startswith(_VOWEL_EXCEPTIONS) and word != ""


def _walk(node: Node, random: Random, slots: dict[str, Any], out: list[str]) -> None:
    # Positional and recursive on purpose: this is the hot loop of every generator. Literals
    # are appended where they are met, so only a nested sequence costs a call. (Alternatives
    # are read through a ``tuple`` local, which compiled is a direct tuple index.)
    kind = type(node)
    options: tuple
    if kind is _ALT:
        options = node
        node = options[int(random() * len(options))]
        kind = type(node)
    elif kind is _SLOT:
        node = slots[node]
        kind = type(node)
    if kind is str:
        out.append(node)
        return
    if kind is not tuple:
        _walk_part(node, kind, random, slots, out)
        return
    parts: tuple = node
    for part in parts:
        kind = type(part)
        if kind is str:
            out.append(part)
            continue
        if kind is _SLOT:
            part = slots[part]
            kind = type(part)
            if kind is str:
                out.append(part)
                continue
        if kind is _ALT:
            options = part
            part = options[int(random() * len(options))]
            kind = type(part)
            if kind is str:
                out.append(part)
                continue
        if kind is tuple:
            _walk(part, random, slots, out)
        else:
            _walk_part(part, kind, random, slots, out)


def _walk_part(
    node: Node, kind: type, random: Random, slots: dict[str, Any], out: list[str]
) -> None:
    # The rarer nodes: a slot or a choice that leads to another, a count, a price.
    if kind is _ALT or kind is _SLOT:
        _walk(node, random, slots, out)
    elif kind is Count:
        out.append(_count(node, random))
    else:
        values = node.values
        out.append(f"{slots['currency']}{values[int(random() * len(values))]}")


def _count(node: Count, random: Random) -> str:
    values = node.values
    number = values[int(random() * len(values))]
    unit = node.singular if number == 1 else node.plural
    if not unit:
        return str(number)
    if number <= 10 and random() < 0.45:
        return f"{'a' if number == 1 and unit[0] not in 'aeiou' else NUMBER_WORDS[number]} {unit}"
    return f"{number} {unit}"


def _simplest(sequence: tuple) -> Node:
    if len(sequence) == 1 and type(sequence[0]) is str:
        return sequence[0]
    return sequence


def _parse_sequence(text: str, position: int, *, top: bool) -> tuple[tuple, int]:
    parts: list[Any] = []
    literal: list[str] = []
    length = len(text)
    while position < length:
        char = text[position]
        if char == "}" or (char == "|" and not top):
            break
        if char == "{":
            _flush(literal, parts)
            alternatives, position = _parse_alternatives(text, position + 1)
            parts.append(alternatives)
            continue
        if char == "<":
            end = text.index(">", position)
            _flush(literal, parts)
            parts.append(_special(text[position + 1 : end]))
            position = end + 1
            continue
        literal.append(char)
        position += 1
    _flush(literal, parts)
    return tuple(parts), position


def _parse_alternatives(text: str, position: int) -> tuple[Any, int]:
    options: list[Node] = []
    while True:
        sequence, position = _parse_sequence(text, position, top=False)
        options.append(_simplest(sequence))
        if position >= len(text):
            raise ValueError(f"unclosed '{{' in template: {text!r}")
        if text[position] == "}":
            break
        position += 1
    if len(options) == 1:
        return options[0], position + 1
    return Alt(options), position + 1


def _special(inner: str) -> Any:
    if inner == "a":
        return ARTICLE
    if inner.startswith("$"):
        low, high = (int(bound) for bound in inner[1:].split("-"))
        return Price(round_values(low, high))
    if not inner.startswith("#"):
        return Slot(inner)
    bounds, _, unit = inner[1:].partition(" ")
    low, high = (int(bound) for bound in bounds.split("-"))
    singular, _, plural = unit.partition("/")
    return Count(round_values(low, high), singular, plural or (singular + "s" if singular else ""))


def _flush(literal: list[str], parts: list[Any]) -> None:
    if literal:
        parts.append("".join(literal))
        literal.clear()
