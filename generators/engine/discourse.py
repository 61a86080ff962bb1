"""In what order: a discourse plan, one of dozens of shapes, chosen by writer, level and length.

A shape (``vocab/discourse.json``) is a sequence of moves: ``context`` (who I am, why I
bought it), ``verdict``, ``body`` (as many points as the length allows), ``single`` (one issue
told at length), ``story`` (an incident in order), ``comparison``, ``recommend``, ``tip``,
``question``, ``suggest``, ``edit`` (an "Update:" after a change), ``proscons``. Shapes that
tell a story need an incident. The writer's register weighs the shapes that suit it, the level
limits which shapes appear, and the writer's length decides how many sentences there are room
for. The output is a tuple of ``Move`` for the microplanner; tickets and interviews can plan
their own moves and reuse the microplanner and realiser.
"""

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

from generators.engine.content import Content, Point
from generators.engine.vocabulary import read

Random = Callable[[], float]

_RAW: Final = read("discourse.json")
CENTRES: Final[dict[str, int]] = dict(_RAW["centres"])
# Plans come out shorter than the sentences they budget for; the scale makes up the difference.
_SCALE: Final[dict[str, float]] = dict(_RAW["scale"])
_WORDS_PER_SENTENCE: Final[dict[str, int]] = dict(_RAW["words_per_sentence"])
_SIZES: Final = {"story": 3, "proscons": 2, "single": 2}
# Points worth a second sentence; a lukewarm point or a niggle is said once.
_ELABORATED: Final = frozenset({"great", "good", "poor", "awful"})


@dataclass(frozen=True, slots=True)
class Shape:
    """A sequence of moves, the levels it appears at and the registers it suits."""

    moves: tuple[str, ...]
    levels: frozenset[str]
    suits: frozenset[str]
    needs_incident: bool
    fixed: int


@dataclass(frozen=True, slots=True, init=False)
class Move:
    """One step of a plan: its kind and the points it talks about."""

    kind: str
    points: tuple[Point, ...]

    # Written out for mypyc (see ``generators.engine.native``): built for every step of a plan.
    def __init__(
        self,
        kind: str,
        points: tuple[Point, ...] = (),
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "points", points)


SHAPES: Final[tuple[Shape, ...]] = tuple(
    Shape(
        moves=tuple(spec["moves"]),
        levels=frozenset(spec["levels"]),
        suits=frozenset(spec["suits"]),
        needs_incident=spec.get("needs") == "incident",
        fixed=sum(_SIZES.get(move, 1) for move in spec["moves"]),
    )
    for spec in _RAW["shapes"]
)


def sentence_budget(*, words: int, register: str) -> int:
    """How many sentences ``words`` words make in ``register``."""
    return max(1, round(words / _WORDS_PER_SENTENCE[register]))


def choose_shape(
    *, content: Content, register: str, level: str, budget: int, random: Random
) -> Shape:
    """A shape that fits the level, the content and the room, weighted by the register."""
    shapes, totals = _options(
        register, level, content.incident is not None, min(budget, 12), content.must_tell
    )
    if not shapes:
        return SHAPES[0]
    return shapes[bisect_right(totals, random() * totals[-1])]


@cache
def _options(
    register: str, level: str, incident: bool, budget: int, must_tell: bool = False
) -> tuple[tuple[Shape, ...], tuple[float, ...]]:
    # The shapes one combination may take and their running weights, worked out once.
    chosen: list[Shape] = []
    totals: list[float] = []
    total = 0.0
    for shape in SHAPES:
        if level not in shape.levels or shape.fixed > budget + 1:
            continue
        if (shape.needs_incident and not incident) or (must_tell and "story" not in shape.moves):
            continue
        total += (4 if register in shape.suits else 1) * (3 if shape.needs_incident else 1)
        chosen.append(shape)
        totals.append(total)
    return tuple(chosen), tuple(totals)


# The moves without points, made once: they are immutable, so every plan shares them.
_BARE: Final[dict[str, Move]] = {kind: Move(kind) for shape in SHAPES for kind in shape.moves}


# Moves about one point, shared the same way (content shares its points); kept to a bound in
# case a caller makes its own points for every entry.
_ABOUT: Final[dict[tuple[str, int], Move]] = {}


def _about(kind: str, point: Point) -> Move:
    key = (kind, id(point))
    move = _ABOUT.get(key)
    if move is None or move.points[0] is not point:
        if len(_ABOUT) > 100_000:
            _ABOUT.clear()
        move = _ABOUT[key] = Move(kind, (point,))
    return move


def plan_discourse(
    *, content: Content, register: str, level: str, words: int, random: Random
) -> tuple[Move, ...]:
    """The moves of one entry, in order, sized to ``words``."""
    budget = sentence_budget(words=round(words * _SCALE[level]), register=register)
    shape = choose_shape(
        content=content, register=register, level=level, budget=budget, random=random
    )
    room = max(1, budget - shape.fixed + ("body" in shape.moves))
    points = list(content.points)
    moves: list[Move] = []
    for kind in shape.moves:
        if kind == "body":
            moves += _body(points, room, random)
        elif kind in ("point", "single"):
            moves += _single(points, elaborate=kind == "single")
        elif kind == "proscons":
            taken, points[:] = points[:4], points[4:]
            moves.append(Move("proscons", tuple(taken)))
        else:
            moves.append(_BARE[kind])
    if content.label == "mixed":
        moves += _both_sides(moves, points)
    if not content.must_say:
        return tuple(moves)  # nothing the caller asked for to check
    said = {id(point) for move in moves for point in move.points}
    required = [point for point in content.points[: content.must_say] if id(point) not in said]
    return tuple(moves[:1] + [_about("point", point) for point in required] + moves[1:])


def _both_sides(moves: list[Move], points: list[Point]) -> list[Move]:
    # A mixed entry always says its strong praise and its strong complaint.
    said = {point.degree for move in moves for point in move.points}
    missing = [
        point for point in points if point.degree in ("great", "awful") and point.degree not in said
    ]
    return [_about("point", point) for point in missing[:2]]


def _single(points: list[Point], *, elaborate: bool) -> list[Move]:
    if not points:
        return []
    point = points.pop(0)
    more = elaborate and point.degree in _ELABORATED
    return [_about("point", point)] + ([_about("more", point)] if more else [])


def _body(points: list[Point], room: int, random: Random) -> list[Move]:
    moves: list[Move] = []
    while room > 0 and points:
        point = points.pop(0)
        moves.append(_about("point", point))
        room -= 1
        # Spare room goes to saying more about a point (once or twice) before moving on.
        for _ in range(3):
            spare = room - len(points)
            if (
                spare > 0
                and point.degree in _ELABORATED
                and random() < min(0.85, 0.3 + 0.12 * spare)
            ):
                moves.append(_about("more", point))
                room -= 1
    if not moves and points:
        moves.append(_about("point", points.pop(0)))
    return moves
