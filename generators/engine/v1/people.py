"""Names, display names, emails and companies drawn from shipped lists, never from Faker."""

from collections.abc import Callable
from typing import NamedTuple

from generators.engine.v1.grammar import compile_bank, pick, render
from generators.engine.v1.phrasebook import read_vocab

_PEOPLE = read_vocab("people.json")
FIRST_NAMES: tuple[str, ...] = tuple(_PEOPLE["first_names"])
LAST_NAMES: tuple[str, ...] = tuple(_PEOPLE["last_names"])
COMPANIES: tuple[str, ...] = tuple(_PEOPLE["companies"])
FREE_EMAIL_DOMAINS: tuple[str, ...] = tuple(_PEOPLE["free_email_domains"])
_DOMAIN_SUFFIXES: tuple[str, ...] = tuple(_PEOPLE["company_domain_suffixes"])
_CITIES = compile_bank(_PEOPLE["cities"])
_DISPLAY_STYLES = compile_bank(_PEOPLE["display_name_styles"])
_EMAIL_STYLES = compile_bank(_PEOPLE["email_styles"])


class Person(NamedTuple):
    """A first and last name."""

    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def draw_person(*, random: Callable[[], float]) -> Person:
    """A random person from the shipped name lists."""
    return Person(pick(FIRST_NAMES, random=random), pick(LAST_NAMES, random=random))


def display_name(*, person: Person, random: Callable[[], float]) -> str:
    """How a reviewer signs: "Maria K.", "maria_kim", "Maria from Leeds"…"""
    return render(_DISPLAY_STYLES, random=random, slots=_name_slots(person))


def email_address(*, person: Person, random: Callable[[], float], domain: str | None = None) -> str:
    """An address for ``person``, at ``domain`` or at a free mail provider."""
    local = render(_EMAIL_STYLES, random=random, slots=_name_slots(person))
    return f"{local}@{domain or pick(FREE_EMAIL_DOMAINS, random=random)}"


def draw_company(*, random: Callable[[], float]) -> str:
    """A company name."""
    return pick(COMPANIES, random=random)


def company_domain(*, company: str, random: Callable[[], float]) -> str:
    """A plausible web domain for ``company``: its first word, lowercased."""
    stem = "".join(char for char in company.split()[0].lower() if char.isalnum())
    return stem + pick(_DOMAIN_SUFFIXES, random=random)


def _name_slots(person: Person) -> dict[str, object]:
    first_lower = "".join(char for char in person.first.lower() if char.isalpha())
    last_lower = "".join(char for char in person.last.lower() if char.isalpha())
    return {
        "first": person.first,
        "last": person.last,
        "initial": person.last[0],
        "first_lower": first_lower,
        "last_lower": last_lower,
        "initial_lower": first_lower[0],
        "city": _CITIES,
    }
