"""A tiny phrase grammar: nested alternatives, named slots and numbers, compiled once.

Template syntax, as written in the vocabulary files:

- ``{a|b|c}`` picks one alternative; alternatives nest and may be empty (``{very |}``).
- ``<name>`` is a slot: a named bank of the same file, or a value the caller supplies
  for one sentence (an aspect's noun, a verb agreeing with it, a persona's tool).
- ``<#3-45>`` is a whole number drawn between the two bounds, inclusive.

A compiled template is a tuple of parts: ``str`` literals, ``Alt`` (a tuple of
alternative sequences), ``Slot`` (a name) and ``Num`` (bounds). Realising one walks that
tree with a caller-owned ``random.Random`` and so never touches shared state.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

Node = tuple[Any, ...]


class Alt(tuple):
    """Alternatives: each item is a sequence of parts; one is picked per realisation."""

    __slots__ = ()


class Slot(str):
    """A reference to a bank or to a per-sentence value, resolved at realisation."""

    __slots__ = ()


class Num(NamedTuple):
    """A whole number drawn in ``[low, high]``."""

    low: int
    span: int


def compile_template(text: str) -> Node | str:
    """Compile one template string into a sequence of parts (or one literal, if that is all)."""
    sequence, position = _parse_sequence(text, 0, top=True)
    if position != len(text):
        raise ValueError(f"unbalanced '}}' in template: {text!r}")
    return _simplest(sequence)


def _simplest(sequence: Node) -> Node | str:
    # A sequence of one literal realises as that literal; skipping the tuple saves a call in
    # the hot loop and draws no random number, so seeded output is unchanged.
    if len(sequence) == 1 and type(sequence[0]) is str:
        return sequence[0]
    return sequence


def compile_bank(templates: Sequence[str] | str) -> Alt:
    """Compile a list of templates into one set of alternatives."""
    if isinstance(templates, str):
        templates = [templates]
    if not templates:
        raise ValueError("a bank needs at least one template")
    return Alt(compile_template(text) for text in templates)


def link(node: Any, *, banks: Mapping[str, Any]) -> Any:
    """Replace slots that name a bank with the bank itself, so realisation skips lookups."""
    kind = type(node)
    if kind is Slot:
        return banks.get(node, node)
    if kind is Alt:
        return Alt(link(item, banks=banks) for item in node)
    if kind is tuple:
        return tuple(link(item, banks=banks) for item in node)
    return node


def link_banks(raw: Mapping[str, Sequence[str] | str]) -> dict[str, Alt]:
    """Compile a mapping of named banks whose templates may refer to each other."""
    compiled = {name: compile_bank(templates) for name, templates in raw.items()}
    # Two passes resolve references up to two levels deep without a dependency sort; the
    # second pass links banks against already-linked ones.
    for _ in range(2):
        compiled = {name: link(bank, banks=compiled) for name, bank in compiled.items()}
    return compiled


def realize(
    node: Any,
    *,
    random: Callable[[], float],
    slots: Mapping[str, Any],
    out: list[str],
) -> None:
    """Append the words of one realisation of ``node`` to ``out``."""
    _walk(node, random, slots, out)


def render(node: Any, *, random: Callable[[], float], slots: Mapping[str, Any]) -> str:
    """Realise ``node`` into a string."""
    out: list[str] = []
    _walk(node, random, slots, out)
    return "".join(out)


def pick(options: Sequence[Any], *, random: Callable[[], float]) -> Any:
    """Pick one item of a list or tuple (never of a set: its order is not reproducible)."""
    return options[int(random() * len(options))]


def _walk(node: Any, random: Callable[[], float], slots: Mapping[str, Any], out: list[str]) -> None:
    # Positional and recursive on purpose: this is the hot loop of every generator.
    kind = type(node)
    if kind is str:
        out.append(node)
    elif kind is Alt:
        _walk(node[int(random() * len(node))], random, slots, out)
    elif kind is tuple:
        for part in node:
            kind = type(part)
            if kind is str:
                out.append(part)
            elif kind is Alt:
                chosen = part[int(random() * len(part))]
                if type(chosen) is str:
                    out.append(chosen)
                else:
                    _walk(chosen, random, slots, out)
            elif kind is Slot:
                _walk(slots[part], random, slots, out)
            else:
                _walk(part, random, slots, out)
    elif kind is Slot:
        _walk(slots[node], random, slots, out)
    else:
        out.append(str(node.low + int(random() * node.span)))


def _parse_sequence(text: str, position: int, *, top: bool) -> tuple[Node, int]:
    parts: list[Any] = []
    literal: list[str] = []
    length = len(text)
    while position < length:
        char = text[position]
        if char in "|}" and not top:
            break
        if char == "}":
            break
        if char == "{":
            _flush(literal, parts)
            alternatives, position = _parse_alternatives(text, position + 1)
            parts.append(alternatives)
            continue
        if char == "<":
            end = text.index(">", position)
            _flush(literal, parts)
            parts.append(_slot_or_number(text[position + 1 : end]))
            position = end + 1
            continue
        literal.append(char)
        position += 1
    _flush(literal, parts)
    return tuple(parts), position


def _parse_alternatives(text: str, position: int) -> tuple[Any, int]:
    options: list[Node | str] = []
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


def _slot_or_number(inner: str) -> Slot | Num:
    if not inner.startswith("#"):
        return Slot(inner)
    low, high = (int(bound) for bound in inner[1:].split("-"))
    return Num(low, high - low + 1)


def _flush(literal: list[str], parts: list[Any]) -> None:
    if literal:
        parts.append("".join(literal))
        literal.clear()
