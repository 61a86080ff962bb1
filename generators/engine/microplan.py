"""How to say it: referring expressions, aggregation, lexical choice and connectives.

The microplanner turns a discourse plan (``discourse.Move``) into ``Message``s, each one
sentence for the realiser, deciding:

- **referring expressions**: the product by its full name at first mention, then a short
  form ("the buds", "the <model>") or a pronoun; an aspect by one of its names, then "it" or
  "they" when the next sentence keeps to it;
- **aggregation**: two neighbouring points of the same lukewarm or clear degree become one
  sentence ("delivery and packaging were both fine");
- **lexical choice**: explicit evaluation ("the battery is terrible") or an implicit fact
  with no sentiment word ("the battery went from full to empty in two hours"), by register;
- **connectives** that respect what came before: nothing before the first point, an additive
  ("Also") only after a point of the same polarity, a contrast ("But", "That said") only after
  the other polarity, an escalation ("Even worse") only after a complaint.

Tickets and interviews build their own ``Message``s with the same fields and reuse
``connective_for`` and the realiser.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from generators.engine.content import Content, Point
from generators.engine.discourse import Move

Random = Callable[[], float]
POLARITY: Final = {
    "great": 1,
    "good": 1,
    "plus": 1,
    "fine": 0,
    "niggle": -1,
    "poor": -1,
    "awful": -1,
    "minus": -1,
    "mixed": 0,
}
# The chance that a register states an opinion as a bare fact instead of an evaluation.
_IMPLICIT: Final = {
    "terse": 0.2,
    "chatty": 0.2,
    "formal": 0.25,
    "ranting": 0.12,
    "storyteller": 0.4,
    "lister": 0.15,
    "second_language": 0.15,
}
_HEDGE: Final = {
    "terse": 0.0,
    "chatty": 0.3,
    "formal": 0.12,
    "ranting": 0.2,
    "storyteller": 0.15,
    "lister": 0.0,
    "second_language": 0.2,
}
_ELABORATE: Final = {
    "great": "plus",
    "good": "plus",
    "poor": "minus",
    "awful": "minus",
    "fine": "fine",
    "niggle": "niggle",
}
_PAIRABLE: Final = frozenset({"good", "fine", "poor"})


@dataclass(slots=True, init=False)
class Message:
    """One sentence to realise: what it says and the choices made about how."""

    move: str
    points: tuple[Point, ...]
    degree: str
    connective: str
    hedge: bool
    pronoun: bool
    mentioned: bool
    step: int

    # Written out for mypyc (see ``generators.engine.native``): built for every message.
    def __init__(
        self,
        move: str,
        points: tuple[Point, ...] = (),
        degree: str = "",
        connective: str = "none",
        hedge: bool = False,
        pronoun: bool = False,
        mentioned: bool = False,
        step: int = -1,
    ) -> None:
        self.move = move
        self.points = points
        self.degree = degree
        self.connective = connective
        self.hedge = hedge
        self.pronoun = pronoun
        self.mentioned = mentioned
        self.step = step


def connective_for(*, previous: int | None, current: int, escalate: bool, random: Random) -> str:
    """The connective relation a sentence of polarity ``current`` may open with."""
    if previous is None:
        return "none"
    if current != 0 and previous != 0 and current != previous:
        return ("contrast_good" if current > 0 else "contrast_bad") if random() < 0.75 else "none"
    if current < 0 and previous < 0 and escalate and random() < 0.3:
        return "worse"
    if current == previous and current != 0:
        return "add" if random() < 0.25 else "none"
    if current == 0 and previous != 0 and random() < 0.3:
        return "soft"
    return "none"


def plan_messages(
    *,
    moves: tuple[Move, ...],
    content: Content,
    register: str,
    random: Random,
    level: str = "medium",
) -> list[Message]:
    """One message per sentence, with references, aggregation and connectives settled."""
    messages: list[Message] = []
    previous: int | None = None
    last_degree = ""
    mentioned = False
    index = 0
    implicit = 0.0 if level == "simple" else _IMPLICIT[register]
    hedge = _HEDGE[register]
    count = len(moves)
    while index < count:
        move = moves[index]
        index += 1
        if move.kind == "story":
            messages += _story_steps(content, first=not messages)
            mentioned, previous = True, (-1 if content.outcome == "bad" else 1)
            continue
        message = _message(move, content, random, implicit)
        following = moves[index] if index < count else None
        # (Most moves are not two points in a row: those skip the call.)
        if (
            following is not None
            and move.kind == "point"
            and following.kind == "point"
            and _can_pair(move, following, random)
        ):
            message.move, message.points = "pair", move.points + following.points
            message.degree = move.points[0].degree
            index += 1
        polarity = POLARITY.get(message.degree, 0)
        if message.move in ("point", "pair", "more"):
            escalate = message.degree in ("awful", "minus") and last_degree in ("poor", "awful")
            message.connective = connective_for(
                previous=previous, current=polarity, escalate=escalate, random=random
            )
            previous, last_degree = polarity, message.degree
        message.pronoun = message.move == "more" and random() < 0.6
        message.mentioned = mentioned
        mentioned = mentioned or message.move in ("verdict", "context", "comparison")
        message.hedge = not messages and random() < hedge
        messages.append(message)
    return messages


def _message(move: Move, content: Content, random: Random, implicit: float) -> Message:
    if move.kind == "point":
        degree = move.points[0].degree
        # Strong points of a mixed entry are said outright; the rest may be said as facts.
        explicit = content.label == "mixed" and degree in ("great", "awful")
        if degree in ("great", "good", "poor", "awful") and not explicit and random() < implicit:
            degree = _ELABORATE[degree]
        return Message("point", move.points, degree)
    if move.kind == "more":
        return Message("more", move.points, _ELABORATE[move.points[0].degree])
    if move.kind == "verdict":
        return Message("verdict", degree=content.verdict)
    return Message(move.kind, move.points, degree=content.verdict)


def _can_pair(move: Move, following: Move, random: Random) -> bool:
    if move.kind != "point" or following.kind != "point":
        return False
    first, second = move.points[0].degree, following.points[0].degree
    return first == second and first in _PAIRABLE and random() < 0.3


def _story_steps(content: Content, *, first: bool) -> list[Message]:
    # A story names the product in full in its first step when nothing has named it yet.
    incident = content.incident
    if incident is None:
        return []
    steps = [
        Message("step", step=number, mentioned=not (first and number == 0))
        for number in range(len(incident.steps))
    ]
    return steps + [Message("ending", degree=content.verdict, mentioned=True)]
