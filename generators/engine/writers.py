"""Who writes: a drawn person with a voice, a length habit, a register and surface habits.

Every entry has its own writer. Tickets and interviews reuse the same draw:

    writer = draw_writer(audience="consumer", emoji=True, random=rng.random)
    writer.register          # "terse", "chatty", "formal", "ranting", "storyteller",
                             # "lister" or "second_language"
    writer.words(centre=55, random=rng.random)  # a heavy-tailed length near the centre
    writer.habits            # probabilities the surface stage applies (see surface.py)

Datasets build a ``Writer`` for a known customer with ``writer_for`` (their name and locale,
a drawn voice). Registers and habits are data in ``vocab/writers.json``.
"""

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from generators.engine.grammar import weighted
from generators.engine.locales import DEFAULT_LOCALE, Locale, locale
from generators.engine.people import Person, Persona, display_name, draw_person, draw_persona
from generators.engine.vocabulary import read

Random = Callable[[], float]

_RAW: Final = read("writers.json")
# ``NormalDist().inv_cdf(p)`` is a Python method that checks ``p`` and calls this with a mean
# of 0.0 and a deviation of 1.0 (the C function where there is one); called directly, a draw
# costs no Python frame. Every ``p`` here is inside (0, 1). The function is private to
# ``statistics`` (3.11 to 3.13 have it): without it, the public method gives the same floats.
_INV_CDF: Final[Callable[[float, float, float], float]] = getattr(
    statistics,
    "_normal_dist_inv_cdf",
    lambda p, mu, sigma: statistics.NormalDist(mu, sigma).inv_cdf(p),
)
REGISTERS: Final[tuple[str, ...]] = tuple(_RAW["registers"])
_WEIGHTS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    audience: tuple((name, spec["weight"][audience]) for name, spec in _RAW["registers"].items())
    for audience in ("consumer", "professional")
}
_HABIT_NAMES: Final[tuple[str, ...]] = tuple(_RAW["habits"])
# The figures every writer's draws use, read once and typed (compiled, a float is a C double;
# the file's values are floats already, so these are the same numbers).
_ENTRY_SIGMA: Final[float] = float(_RAW["entry_sigma"])
_WRITER_SIGMA: Final[float] = float(_RAW["writer_sigma"])
_VERBOSITY: Final[dict[str, float]] = {
    register: float(spec["verbosity"]) for register, spec in _RAW["registers"].items()
}


@dataclass(frozen=True, slots=True)
class Habits:
    """How often a writer does each surface thing, per sentence or per entry (see surface.py)."""

    lowercase: bool
    no_final_stop: bool
    exclaim: float
    ellipsis: float
    caps_word: float
    emoji: float
    filler: float
    typo: float
    drop_article: float
    contract: float
    expand: bool


@dataclass(frozen=True, slots=True, init=False)
class Writer:
    """One person writing one entry."""

    person: Person
    author: str
    locale: Locale
    persona: Persona
    register: str
    verbosity: float
    habits: Habits

    # Written out for mypyc (see ``generators.engine.native``): built for every entry's writer.
    def __init__(
        self,
        person: Person,
        author: str,
        locale: Locale,
        persona: Persona,
        register: str,
        verbosity: float,
        habits: Habits,
    ) -> None:
        object.__setattr__(self, "person", person)
        object.__setattr__(self, "author", author)
        object.__setattr__(self, "locale", locale)
        object.__setattr__(self, "persona", persona)
        object.__setattr__(self, "register", register)
        object.__setattr__(self, "verbosity", verbosity)
        object.__setattr__(self, "habits", habits)

    def words(self, *, centre: float, random: Random) -> int:
        """A length for one text: the level's centre times this writer's heavy-tailed habit."""
        spread = math.exp(_ENTRY_SIGMA * _INV_CDF(0.02 + 0.96 * random(), 0.0, 1.0))
        return max(3, round(centre * self.verbosity * spread))


def draw_writer(
    *, audience: str, emoji: bool, random: Random, locale_code: str = DEFAULT_LOCALE
) -> Writer:
    """A stranger with a voice, for a product whose audience is ``audience``."""
    person = draw_person(random=random)
    place = locale(locale_code)
    return writer_for(
        person=person,
        author=display_name(person=person, locale=place, random=random),
        locale_code=locale_code,
        audience=audience,
        emoji=emoji,
        random=random,
    )


def writer_for(
    *, person: Person, author: str, locale_code: str, audience: str, emoji: bool, random: Random
) -> Writer:
    """A writer for a known person (a dataset's customer): their name, a drawn voice."""
    register = weighted(_WEIGHTS[audience], random=random)
    verbosity = _VERBOSITY[register] * math.exp(
        _WRITER_SIGMA * _INV_CDF(0.01 + 0.98 * random(), 0.0, 1.0)
    )
    return Writer(
        person=person,
        author=author,
        locale=locale(locale_code),
        persona=draw_persona(audience=audience, random=random),
        register=register,
        verbosity=verbosity,
        habits=_habits(register, emoji=emoji, random=random),
    )


def _habits(register: str, *, emoji: bool, random: Random) -> Habits:
    # A habit is a trait: ``share`` of writers have it, at ``rate``; the rest never do it.
    # The traits this writer has are one bit each, in order, above a bit for ``emoji``.
    key = 1 if emoji else 0
    bit = 2
    for share in _SHARES[register]:
        if random() < share:
            key |= bit
        bit <<= 1
    made = _MADE[register]
    habits = made.get(key)
    if habits is None:
        traits = _TRAITS[register]
        has = [key >> (index + 1) & 1 == 1 for index in range(len(traits))]
        values: dict[str, float | bool] = {
            name: has_it if type(rate) is bool else (rate if has_it else 0.0)
            for (name, rate, _), has_it in zip(traits, has, strict=True)
        }
        if not emoji:
            values["emoji"] = 0.0
        habits = made[key] = Habits(**values)  # type: ignore[arg-type]
    return habits


# Each register's (habit, rate, share), its own figures over the common ones, worked out once.
_TRAITS: Final[dict[str, tuple[tuple[str, float | bool, float], ...]]] = {
    register: tuple(
        (name, *spec.get("habits", {}).get(name, _RAW["habits"][name])) for name in _HABIT_NAMES
    )
    for register, spec in _RAW["registers"].items()
}
_SHARES: Final[dict[str, tuple[float, ...]]] = {
    register: tuple(float(share) for _, _, share in traits) for register, traits in _TRAITS.items()
}
# Habits are immutable and come in few combinations, so writers share them: finding one is
# cheaper than making one. By register, then by the key ``_habits`` makes of the draws.
_MADE: Final[dict[str, dict[int, Habits]]] = {register: {} for register in _TRAITS}
