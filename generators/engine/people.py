"""Who people are: names, display names, emails, companies, and personas by audience.

A persona is what a writer's life lends to the text. Consumer products get a ``consumer``
persona (a household, a routine, an age); B2B products a ``professional`` one (a role at a
company of a size). Tickets and interviews draw from the same function, so a food-delivery
interviewee has a life and a SaaS one has a job:

    persona = draw_persona(audience="consumer", random=rng.random)
    persona.slots  # {"household": ..., "routine": ..., "age": ...} ready for a grammar
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final, NamedTuple

from generators.engine.grammar import Alt, compile_bank, pick, render
from generators.engine.locales import Locale, locale
from generators.engine.vocabulary import read

Random = Callable[[], float]
AUDIENCES: Final = ("consumer", "professional")

_PEOPLE: Final = read("people.json")
FIRST_NAMES: Final[tuple[str, ...]] = tuple(_PEOPLE["first_names"])
LAST_NAMES: Final[tuple[str, ...]] = tuple(_PEOPLE["last_names"])
COMPANIES: Final[tuple[str, ...]] = tuple(_PEOPLE["companies"])
FREE_EMAIL_DOMAINS: Final[tuple[str, ...]] = tuple(_PEOPLE["free_email_domains"])
_DOMAIN_SUFFIXES: Final[tuple[str, ...]] = tuple(_PEOPLE["company_domain_suffixes"])
_DISPLAY_STYLES: Final = compile_bank(_PEOPLE["display_name_styles"])
_EMAIL_STYLES: Final = compile_bank(_PEOPLE["email_styles"])
_PERSONAS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    audience: {name: tuple(values) for name, values in fields.items()}
    for audience, fields in _PEOPLE["personas"].items()
}


class Person(NamedTuple):
    """A first and last name."""

    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True, slots=True, init=False)
class Persona:
    """A consumer's life or a professional's job, as named values a grammar can use."""

    audience: str
    slots: dict[str, str]

    # Written out for mypyc (see ``generators.engine.native``): built for every writer.
    def __init__(
        self,
        audience: str,
        slots: dict[str, str],
    ) -> None:
        object.__setattr__(self, "audience", audience)
        object.__setattr__(self, "slots", slots)


def draw_person(*, random: Random) -> Person:
    """A person from the shipped name lists."""
    # ``tuple.__new__``: a NamedTuple's own ``__new__`` is Python, a call of its own per writer.
    return tuple.__new__(
        Person, (pick(FIRST_NAMES, random=random), pick(LAST_NAMES, random=random))
    )


def draw_persona(*, audience: str, random: Random) -> Persona:
    """A persona for ``audience`` ("consumer" or "professional"), one value of each field."""
    fields = _PERSONAS[audience]
    return Persona(
        audience=audience,
        slots={name: pick(values, random=random) for name, values in fields.items()},
    )


def display_name(*, person: Person, locale: Locale, random: Random) -> str:
    """How a reviewer signs: "Maria K.", "maria_kim", "Maria from Tucson"..."""
    return render(_DISPLAY_STYLES, random=random, slots=_name_slots(person, locale))


def email_address(
    *, person: Person, locale: Locale, random: Random, domain: str | None = None
) -> str:
    """An address for ``person``, at ``domain`` or at a free mail provider."""
    local = render(_EMAIL_STYLES, random=random, slots=_name_slots(person, locale))
    return f"{local}@{domain or pick(FREE_EMAIL_DOMAINS, random=random)}"


def draw_company(*, random: Random) -> str:
    """A company name."""
    return pick(COMPANIES, random=random)


def company_domain(*, company: str, random: Random) -> str:
    """A plausible web domain for ``company``: its first word, lowercased."""
    stem = "".join(char for char in company.split()[0].lower() if char.isalnum())
    return stem + pick(_DOMAIN_SUFFIXES, random=random)


def _name_slots(person: Person, locale: Locale) -> dict[str, object]:
    first_lower = _letters(person.first)
    last_lower = _letters(person.last)
    return {
        "first": person.first,
        "First_upper": person.first.upper(),
        "last": person.last,
        "initial": person.last[0],
        "first_lower": first_lower,
        "last_lower": last_lower,
        "initial_lower": first_lower[0],
        "city": _cities(locale.code),
    }


@lru_cache(maxsize=4096)
def _letters(name: str) -> str:
    # A name's letters, lowercased, as a handle or an address spells it ("o'neil" -> "oneil").
    return "".join(char for char in name.lower() if char.isalpha())


@cache
def _cities(code: str) -> Alt:
    return compile_bank(list(locale(code).cities))
