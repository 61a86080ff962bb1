"""What to say: a label, a rating that fits it, the points (aspect and degree) and an incident.

Content is decided before any word is written, so the words can only agree with it. The
degrees run ``great``, ``good``, ``fine``, ``niggle`` (a minor complaint a happy customer
mentions), ``poor``, ``awful``. The rules that keep labels honest live here:

- a rating fits its label (positive 4-5, neutral 3, negative 1-2, mixed 2-4);
- a 4 or 5 star entry has no severe or major incident and complains at most in niggles;
- a neutral entry is lukewarm (mostly ``fine``, a mild minus, sometimes a mild plus);
- a mixed entry holds strong praise and strong complaint.

Datasets pass what they know (``rating``, ``aspects``, ``incident``, ``outcome``) to
``plan_content``; whatever is left out is drawn.
"""

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Final

from generators.engine.grammar import weighted
from generators.engine.products import Aspect, Incident, Kind

Random = Callable[[], float]
LABELS: Final = ("positive", "neutral", "negative", "mixed")
RATINGS: Final[dict[str, tuple[tuple[int, int], ...]]] = {
    "positive": ((5, 55), (4, 45)),
    "negative": ((1, 55), (2, 45)),
    "neutral": ((3, 100),),
    "mixed": ((4, 35), (3, 45), (2, 20)),
}
RATINGS_OF: Final[dict[str, tuple[int, ...]]] = {
    label: tuple(rating for rating, _ in options) for label, options in RATINGS.items()
}
# Per rating: the verdict's degrees and the points' degrees, as (degree, weight).
_VERDICTS: Final[dict[int, tuple[tuple[str, int], ...]]] = {
    5: (("great", 7), ("good", 3)),
    4: (("good", 8), ("great", 2)),
    3: (("fine", 1),),
    2: (("poor", 1),),
    1: (("awful", 7), ("poor", 3)),
}
_POINTS: Final[dict[int, tuple[tuple[str, int], ...]]] = {
    5: (("great", 5), ("good", 5)),
    4: (("good", 8), ("great", 2)),
    # Lukewarm leans on the flat side: praise in a 3-star entry is rare and mild, or an
    # analyser (and a reader) takes the entry for a happy one.
    3: (("fine", 3), ("niggle", 3), ("poor", 4)),
    2: (("poor", 8), ("awful", 2)),
    1: (("awful", 6), ("poor", 4)),
}
# How likely an entry is to tell a story, and which incidents fit its rating.
_INCIDENT_CHANCE: Final = {5: 0.06, 4: 0.12, 3: 0.22, 2: 0.38, 1: 0.45}
_SEVERITIES_ALLOWED: Final[dict[int, tuple[str, ...]]] = {
    5: ("minor",),
    4: ("minor",),
    3: ("minor", "major"),
    2: ("major", "severe"),
    1: ("major", "severe"),
}
MAX_POINTS: Final = 9


@dataclass(frozen=True, slots=True)
class Point:
    """One thing an entry says: an aspect and how good or bad it is."""

    aspect: Aspect
    degree: str


@dataclass(frozen=True, slots=True, init=False)
class Content:
    """The whole message of one entry, most important point first."""

    label: str
    rating: int
    verdict: str
    points: tuple[Point, ...]
    incident: Incident | None
    outcome: str
    # How many leading points must be said, and whether the incident must be told: what a
    # caller (a dataset) asked for, as opposed to what was drawn.
    must_say: int
    must_tell: bool

    # Written out for mypyc (see ``generators.engine.native``): built for every entry.
    def __init__(
        self,
        label: str,
        rating: int,
        verdict: str,
        points: tuple[Point, ...],
        incident: Incident | None,
        outcome: str,
        must_say: int = 0,
        must_tell: bool = False,
    ) -> None:
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "rating", rating)
        object.__setattr__(self, "verdict", verdict)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "incident", incident)
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "must_say", must_say)
        object.__setattr__(self, "must_tell", must_tell)


def draw_rating(*, label: str, random: Random) -> int:
    """A rating that fits ``label``."""
    return weighted(RATINGS[label], random=random)


def plan_content(
    *,
    kind: Kind,
    label: str,
    random: Random,
    rating: int | None = None,
    aspects: Sequence[Aspect] = (),
    incident: Incident | None = None,
    outcome: str | None = None,
) -> Content:
    """What one entry about a product of ``kind`` says; given parts are kept, the rest drawn."""
    must_tell = incident is not None
    rating = draw_rating(label=label, random=random) if rating is None else rating
    if rating not in RATINGS_OF[label]:
        raise ValueError(f"rating {rating} does not fit label {label!r}")
    if incident is None and random() < _INCIDENT_CHANCE[rating]:
        incident = _draw_incident(kind=kind, rating=rating, random=random)
    if outcome is None:
        outcome = "good" if rating >= 3 else "bad"
    chosen = _order_aspects(kind=kind, first=aspects, incident=incident, random=random)
    verdict = "mixed" if label == "mixed" else weighted(_VERDICTS[rating], random=random)
    degrees = _degrees(label=label, rating=rating, count=len(chosen), random=random)
    made = []
    for aspect, degree in zip(chosen, degrees, strict=True):
        # _point, written out: an entry makes up to nine.
        known = _MADE.get(id(aspect))
        point = known.get(degree) if known is not None else None
        if point is None or point.aspect is not aspect:
            point = _point(aspect, degree)
        made.append(point)
    points = tuple(made)
    return Content(
        label=label,
        rating=rating,
        verdict=verdict,
        points=points,
        incident=incident,
        outcome=outcome,
        must_say=len(aspects),
        must_tell=must_tell,
    )


_POINT_TOTALS: Final[dict[int, tuple[tuple[str, ...], tuple[int, ...]]]] = {
    rating: (tuple(degree for degree, _ in options), tuple(accumulate(w for _, w in options)))
    for rating, options in _POINTS.items()
}
# Points are immutable, so entries share them: finding one is cheaper than making it.
# By the aspect's id, then the degree: no key tuple to build and hash for every point.
_MADE: Final[dict[int, dict[str, Point]]] = {}


def _point(aspect: Aspect, degree: str) -> Point:
    known = _MADE.get(id(aspect))
    if known is None:
        known = _MADE[id(aspect)] = {}
    point = known.get(degree)
    if point is None or point.aspect is not aspect:
        point = known[degree] = Point(aspect=aspect, degree=degree)
    return point


def _draw_incident(*, kind: Kind, rating: int, random: Random) -> Incident | None:
    allowed = [item for item in kind.incidents if item.severity in _SEVERITIES_ALLOWED[rating]]
    return allowed[int(random() * len(allowed))] if allowed else None


def _order_aspects(
    *, kind: Kind, first: Sequence[Aspect], incident: Incident | None, random: Random
) -> list[Aspect]:
    # A partial shuffle of the kind's aspects after the ones the caller named; the incident's
    # aspect is left out, since the story already covers it.
    if first:
        taken = {aspect.slug for aspect in first} | ({incident.aspect} if incident else set())
        pool = [aspect for aspect in kind.aspects if aspect.slug not in taken]
    else:
        pool = list(_pool(kind, incident.aspect if incident else None))
    count = min(len(pool), MAX_POINTS - len(first))
    for index in range(count):
        swap = index + int(random() * (len(pool) - index))
        pool[index], pool[swap] = pool[swap], pool[index]
    return list(first) + pool[:count]


# The aspects a kind's entries choose among, by the incident's aspect, worked out once per kind.
_POOLS: Final[dict[tuple[int, str | None], tuple[Kind, tuple[Aspect, ...]]]] = {}


def _pool(kind: Kind, left_out: str | None) -> tuple[Aspect, ...]:
    key = (id(kind), left_out)
    known = _POOLS.get(key)
    if known is None or known[0] is not kind:
        pool = tuple(aspect for aspect in kind.aspects if aspect.slug != left_out)
        known = _POOLS[key] = (kind, pool)
    return known[1]


def _degrees(*, label: str, rating: int, count: int, random: Random) -> list[str]:
    if label == "mixed":
        lean = {
            4: (("good", 2), ("great", 1)),
            3: (("good", 1), ("poor", 1)),
            2: (("poor", 2), ("awful", 1)),
        }[rating]
        degrees = ["great", "awful"] if random() < 0.5 else ["awful", "great"]
        return (degrees + [weighted(lean, random=random) for _ in range(count)])[:count]
    # ``weighted`` of _POINTS[rating], its running totals worked out once.
    values, totals = _POINT_TOTALS[rating]
    top = totals[-1]
    degrees = [values[bisect_right(totals, random() * top)] for _ in range(count)]
    if rating == 4 and count >= 2 and random() < 0.55:
        degrees[min(count - 1, 1 + int(random() * 2))] = "niggle"
    if rating == 3 and count >= 3:
        # Lukewarm first; then a mild minus and, half the time, a mild plus, in either order.
        degrees[0] = "fine"
        plus = "good" if random() < 0.5 else "fine"
        degrees[1], degrees[2] = (plus, "niggle") if random() < 0.5 else ("niggle", plus)
    if rating == 2 and count >= 3 and random() < 0.4:
        degrees[2] = "fine"
    return degrees
