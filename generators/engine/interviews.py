"""User interviews (2.0.0): a drawn interviewee talks about one product and holds to what they say.

The review pipeline's stages, in interview form:

- **who speaks**: ``writers.draw_writer`` for the product type's audience (a consumer with a
  household and a routine, or a professional with a role at a company), with their verbal
  habits (fillers, contractions, hedges) and none of a typist's (typos, emoji, all lowercase);
- **what it is about**: ``products.draw_product`` when the type has a world file, else the
  interview vocabulary's own made-up product for the type;
- **what is true** (``Facts``): how long, how often and on what they use it, who with, how
  they found it, what they used before, their pains in order (the first is the main one),
  what they like: drawn once, before a word is said, so every answer can only repeat them;
- **in what order**: the arc (``arc_stages``, shared with 1.0.0) and each stage's script per
  interview type (``vocab/interviews/plan.json``) pick the questions and follow-ups;
- **the words**: every answer is a core and, by complexity and the speaker's verbosity,
  supporting moves (a detail, an example, a contrast, a feeling), each composed from
  ``vocab/interviews/common.json`` and the type's file, then given the speaker's habits;
- **the memory** (``_Conversation``, one per interview): a frame comes back only once its
  bank's others have been used, a sentence that repeats six words already said is redrawn
  (or, if it only supports, left out), a long fact or a saying once said is referred back
  to ("the other option"), and a phrase borrowed from the product's world is refused when it
  names a platform, a span of time, a team size or a household the facts do not hold.

Registered as part of 2.0.0 by the lead; until then callers import ``generate_interview``
from here. The output has the same fields and types as 1.0.0's.
"""

import random as random_module
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from itertools import filterfalse
from typing import Any, Final

from generators.engine.catalog import COMPLEXITY_LEVELS, INTERVIEW_TYPES, PRODUCT_TYPES
from generators.engine.grammar import Alt, pick, render, settle_articles
from generators.engine.people import draw_company, draw_persona
from generators.engine.products import AGREEMENT, Aspect, Kind, Product, draw_product, load_world
from generators.engine.products import product_slots as naming_slots
from generators.engine.realiser import Grammar, draw_item, entry_slots, tidy
from generators.engine.surface import apply_habits
from generators.engine.timeline import iso, moment
from generators.engine.v1.interviews import arc_stages
from generators.engine.v1.timeline import window_bounds
from generators.engine.vocabulary import product_types_with_vocabulary, read
from generators.engine.writers import Writer, draw_writer

Random = Callable[[], float]
VERSION: Final = "2.0.0"

_PLAN: Final[dict[str, Any]] = read("interviews/plan.json")
COMMON: Final = Grammar.load("interviews/common.json")
_MODES: Final[dict[str, str]] = _PLAN["modes"]
# Support moves an answer adds after its core, by complexity: (fewest, most).
_SUPPORT: Final[dict[str, tuple[int, int]]] = {
    level: (low, high) for level, (low, high) in _PLAN["support"].items()
}
_FOLLOW_CHANCE: Final[float] = _PLAN["follow_chance"]
# The facts drawn once per interviewee (slot name -> the bank it is drawn from).
_FACT_BANKS: Final[dict[str, str]] = _PLAN["facts"]
# Long facts, once said, are referred back to ("the other option") rather than said again.
_BACK_REFERENCES: Final[dict[str, str]] = _PLAN["back_references"]
_TRIES: Final = 8
_PAIN_DEGREES: Final = ("poor", "minus", "niggle", "awful")
_UNSAYABLE: Final = "\x02"
# Possessive: a word is only ever doubled whole, so the run is never given back (which made
# the plain ``\w+`` try every shorter prefix of every word, the dearest regex of a sentence).
_DOUBLED: Final = re.compile(r"\b(?!had\b|that\b)(\w++) \1\b", re.IGNORECASE)
# Sought first in an ASCII sentence lowercased, where case is plain: IGNORECASE makes the
# regex engine fold every letter it compares, and most sentences double no word.
_DOUBLED_ASCII: Final = re.compile(r"\b(\w++) \1\b", re.ASCII)
_SENTENCE_START: Final = re.compile(r"(?<=[.!?] )[a-z]")
# An answer whose core already opens with a lead-in ("So, ", "Honestly? ") takes no other.
_OPENS_WITH_LEAD: Final = re.compile(r"^\S+[,.?:!] ")
_MY: Final = re.compile(r"\b(?:my|our)\b")
_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class _Guard:
    """A guard of the plan (``guards``), matched whatever the case.

    An ASCII text is matched lowercased, against the pattern without IGNORECASE: the same
    matches at the same places, at a fraction of the cost, for a pattern written in lowercase
    with no escape that names a character by its code. Any other text or pattern is matched
    with IGNORECASE as written."""

    __slots__ = ("blind", "plain")

    def __init__(self, pattern: str) -> None:
        self.blind = re.compile(pattern, re.IGNORECASE)
        lowercase = pattern == pattern.lower() and not re.search(r"\\[0-9xuUN]", pattern)
        self.plain = re.compile(pattern) if lowercase else None

    def search(self, text: str) -> bool:
        """Whether the guard matches anywhere in ``text``."""
        if self.plain is not None and text.isascii():
            return self.plain.search(text.lower()) is not None
        return self.blind.search(text) is not None

    def matches(self, text: str) -> list[str]:
        """What the guard matches in ``text``, each lowercased."""
        if self.plain is not None and text.isascii():
            return self.plain.findall(text.lower())
        return [match.lower() for match in self.blind.findall(text)]


_TIME_SPAN: Final = _Guard(_PLAN["guards"]["time_span"])
_PLATFORMS: Final[dict[str, _Guard]] = {
    name: _Guard(pattern) for name, pattern in _PLAN["guards"]["platforms"].items()
}
_HOUSEHOLD: Final = _Guard(_PLAN["guards"]["household"])
_TEAM_SIZE: Final = _Guard(_PLAN["guards"]["team_size"])


@dataclass(frozen=True, slots=True)
class Topic:
    """Something the interviewee talks about: its name and the ways they say what is wrong
    (or right) with it and what they would change, each rendered once for the interview."""

    name: str
    sayings: tuple[str, ...]
    fixes: tuple[str, ...]
    number: str = "sg"
    # The world aspect it is (``""`` for the interview vocabulary's own topics).
    aspect: str = ""


@dataclass(slots=True)
class Facts:
    """What is true of one interviewee, fixed before any answer: the slots every answer uses,
    and the things they talk about (pains first, the main one first of all; then likes)."""

    slots: dict[str, Any]
    pains: list[Topic]
    likes: list[Topic]
    platform: str
    household: str
    # Names the interviewee must not say: in customer discovery, the product being explored.
    unsaid: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Book:
    """One product type's interview vocabulary, with its world when it has a file."""

    product_type: str
    audience: str
    grammar: Grammar
    has_world: bool


@cache
def book(product_type: str) -> Book:
    """The compiled interview vocabulary of ``product_type`` (loaded once)."""
    has_world = product_type in product_types_with_vocabulary()
    return Book(
        product_type=product_type,
        audience=audience(product_type),
        grammar=Grammar.load(f"interviews/{product_type}.json"),
        has_world=has_world,
    )


def audience(product_type: str) -> str:
    """Who uses ``product_type``: its world file's ``audience`` if it has one, else the table
    in ``vocab/interviews/plan.json``."""
    if product_type in product_types_with_vocabulary():
        return str(load_world(product_type).audience)
    return str(_PLAN["audiences"][product_type])


def generate_interview(
    *,
    product_type: str,
    question_count: int,
    interview_type: str,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> dict:
    """One interview about ``product_type`` with ``question_count`` question/answer pairs."""
    for name, value, allowed in (
        ("product_type", product_type, PRODUCT_TYPES),
        ("interview_type", interview_type, INTERVIEW_TYPES),
        ("complexity", complexity, COMPLEXITY_LEVELS),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of: {', '.join(allowed)}")
    rng = random_module.Random(seed)
    rnd = rng.random
    identifier = f"interview_{rng.getrandbits(48):012x}"
    conducted = iso(moment(rnd(), bounds=window_bounds(window)))
    kind_book = book(product_type)
    writer = _settled(draw_writer(audience=kind_book.audience, emoji=False, random=rnd), rnd)
    product = _product(kind_book, random=rnd)
    facts = draw_facts(
        book=kind_book, writer=writer, product=product, mode=_MODES[interview_type], random=rnd
    )
    interview, _ = _interview(
        kind_book=kind_book, facts=facts, writer=writer, interview_type=interview_type,
        complexity=complexity, question_count=question_count, rng=rng,
    )  # fmt: skip
    return {
        "id": identifier,
        "interviewType": interview_type,
        "productType": product_type,
        "interviewee": interview["interviewee"],
        "conductedAt": conducted,
        "questions": interview["questions"],
    }


def interview_for(
    *,
    product: Product,
    writer: Writer,
    interview_type: str,
    main_pain: Aspect,
    question_count: int,
    complexity: str,
    conducted: int,
    rng: random_module.Random,
) -> dict:
    """The interview a known customer gives about their own ``product``, ``main_pain`` the
    first of their pains (what a churn interview is about), with ``mainPain`` and the
    ``aspects`` its answers talk about."""
    if interview_type not in INTERVIEW_TYPES:
        raise ValueError(f"interview_type must be one of: {', '.join(INTERVIEW_TYPES)}")
    if complexity not in COMPLEXITY_LEVELS:
        raise ValueError(f"complexity must be one of: {', '.join(COMPLEXITY_LEVELS)}")
    rnd = rng.random
    identifier = f"interview_{rng.getrandbits(48):012x}"
    kind_book = book(product.product_type)
    writer = _settled(writer, rnd)
    facts = draw_facts(
        book=kind_book, writer=writer, product=product, mode=_MODES[interview_type],
        random=rnd, main=main_pain,
    )  # fmt: skip
    interview, talked = _interview(
        kind_book=kind_book, facts=facts, writer=writer, interview_type=interview_type,
        complexity=complexity, question_count=question_count, rng=rng,
    )  # fmt: skip
    return {
        "id": identifier,
        "interviewType": interview_type,
        "productType": product.product_type,
        "interviewee": interview["interviewee"],
        "conductedAt": iso(conducted),
        "questions": interview["questions"],
        "mainPain": facts.pains[0].aspect or main_pain.slug,
        "aspects": list(dict.fromkeys(topic.aspect for topic in talked if topic.aspect)),
    }


def _interview(
    *,
    kind_book: Book,
    facts: Facts,
    writer: Writer,
    interview_type: str,
    complexity: str,
    question_count: int,
    rng: random_module.Random,
) -> tuple[dict, list[Topic]]:
    """The interviewee and the questions of one interview, and the topics it talked about."""
    mode = _MODES[interview_type]
    interviewee = _interviewee(
        facts=facts,
        writer=writer,
        audience=kind_book.audience,
        mode=mode,
        grammar=kind_book.grammar,
        random=rng.random,
    )
    talk = _Conversation(
        facts=facts,
        writer=writer,
        mode=mode,
        audience=kind_book.audience,
        complexity=complexity,
        rng=rng,
    )
    questions = talk.write(arc_stages(question_count=question_count))
    return {"interviewee": interviewee, "questions": questions}, talk.talked


def _settled(writer: Writer, random: Random) -> Writer:
    """``writer`` with a life that holds together (``persona_rules`` in the plan): no school
    runs without children, no night shifts once retired."""
    for _ in range(_TRIES):
        if all(_holds(rule, writer.persona.slots) for rule in _PLAN["persona_rules"]):
            return writer
        persona = draw_persona(audience=writer.persona.audience, random=random)
        writer = replace(writer, persona=persona)
    return writer


def _holds(rule: dict[str, dict[str, str]], slots: dict[str, str]) -> bool:
    applies = all(re.search(pattern, slots.get(name, "")) for name, pattern in rule["if"].items())
    return not applies or all(
        re.search(pattern, slots.get(name, "")) for name, pattern in rule["then"].items()
    )


def _product(kind_book: Book, *, random: Random) -> Product:
    if kind_book.has_world:
        return draw_product(product_type=kind_book.product_type, random=random)
    # No world file yet: the interview vocabulary's own made-up product of the type.
    banks = kind_book.grammar.banks
    brand = render(banks["brands"], random=random, slots={})
    label = render(banks["label"], random=random, slots={})
    kind = Kind(
        slug=kind_book.product_type,
        label=label,
        number="sg",
        full=banks["full"],
        short=banks["short"],
        models=None,
        price=(0, 0),
        aspects=(),
        incidents=(),
        slots={"noun": banks["noun"]},
        items=(),
    )
    return Product(
        product_type=kind_book.product_type,
        kind=kind,
        brand=brand,
        model="",
        name=brand,
        price=0,
        slots=naming_slots(brand=brand, model=""),
    )


def draw_facts(
    *,
    book: Book,
    writer: Writer,
    product: Product,
    mode: str,
    random: Random,
    main: Aspect | None = None,
) -> Facts:
    """Everything the interviewee will state, drawn once so no answer can contradict another;
    ``main``, when known (a dataset's customer), is their main pain."""
    slots = entry_slots(writer=writer, product=product)
    slots.update(COMMON.banks)
    slots.update(book.grammar.banks)
    slots.update(item="a few things", the_item="the order")
    draw_item(product=product, slots=slots, random=random)
    slots.update(AGREEMENT[product.kind.number])
    slots["P"] = product.name if not product.model else f"the {product.name}"
    slots["short"] = product.kind.short
    # After the first mention, the interviewer says the brand or a short form ("the buds").
    slots["P_short"] = Alt((product.brand, product.kind.short))
    household = writer.persona.slots.get("household", "")
    for name, bank in _FACT_BANKS.items():
        slots[name] = _fixed(slots[bank], slots=slots, household=household, random=random)
    slots["task"], slots["purpose"] = _task(
        product, slots=slots, household=household, random=random
    )
    platform = next((name for name, rule in _PLATFORMS.items() if rule.search(slots["device"])), "")
    unsaid = (product.brand,) if mode == "discovery" else ()
    facts = Facts(
        slots=slots, pains=[], likes=[], platform=platform, household=household, unsaid=unsaid
    )
    if book.audience == "professional":
        _company_facts(slots, random=random)
    tools = list(_tool_names(book))
    random_module.Random(int(random() * 2**32)).shuffle(tools)
    slots["tools"] = sorted(tools[: 2 + int(random() * 2)])
    slots["tools_all"] = ", ".join(slots["tools"][:-1]) + " and " + slots["tools"][-1]
    slots["tool"], slots["tool2"] = slots["tools"][0], slots["tools"][1]
    facts.pains = _topics(facts, product, book, usability=mode == "usability", random=random)
    if main is not None:
        facts.pains = _led_by(main, facts, random=random)
    facts.likes = _likes(facts, product, book, random=random)
    slots["main"] = facts.pains[0].name
    slots["like"] = facts.likes[0].name
    slots["likes_it"] = facts.likes[0].sayings[0]
    return facts


def _led_by(main: Aspect, facts: Facts, *, random: Random) -> list[Topic]:
    """The drawn pains with ``main`` first (as drawn, if its words never fit)."""
    topic = _aspect_topic(main, facts, degrees=_PAIN_DEGREES, random=random)
    if topic is None:
        return facts.pains
    return [topic] + [pain for pain in facts.pains if pain.aspect != main.slug]


def _fixed(bank: Any, *, slots: dict[str, Any], household: str, random: Random) -> str:
    """One rendering of ``bank`` that every answer then repeats as said."""
    text = ""
    for _ in range(_TRIES):
        text = _clean(render(bank, random=random, slots=slots))
        if not _mentions_someone_else(text, household):
            return text
    return text


def _task(
    product: Product, *, slots: dict[str, Any], household: str, random: Random
) -> tuple[str, str]:
    """What they use it for, as a verb phrase ("use them on my commute") and as a purpose
    ("on my commute", "to order dinner"): the kind's own uses when its world has them, else
    the interview vocabulary's tasks of the type."""
    uses = product.kind.slots.get("use")
    task = str(slots["task"])
    if uses is None:
        return task, f"to {task}"
    for _ in range(_TRIES):
        use = _clean(render(uses, random=random, slots=slots))
        if not _mentions_someone_else(use, household) and not _TEAM_SIZE.search(use):
            return f"{render(COMMON.banks['use_verb'], random=random, slots=slots)} {use}", use
    return task, f"to {task}"


def _mentions_someone_else(text: str, household: str) -> bool:
    """Whether ``text`` names a person or pet the speaker's household does not have."""
    return any(match not in household.lower() for match in _HOUSEHOLD.matches(text))


def _company_facts(slots: dict[str, Any], *, random: Random) -> None:
    description = str(slots.get("company", "a company"))
    sizes = next(
        (rule["sizes"] for rule in _PLAN["company_sizes"] if re.search(rule["match"], description)),
        _PLAN["default_sizes"],
    )
    size = pick(sizes, random=random)
    low, high = _PLAN["headcounts"][size]
    headcount = _round_headcount(low + int(random() * (high - low + 1)))
    slots["company_desc"] = description
    slots["company_name"] = draw_company(random=random)
    slots["company_size"] = size
    slots["headcount"] = f"{headcount:,}"
    slots["size_word"] = _PLAN["size_words"][size]
    team = max(2, min(headcount, 2 + int(random() ** 2 * 28)))
    slots["team"] = str(team)


def _round_headcount(value: int) -> int:
    if value <= 12:
        return value
    step = 5 if value < 100 else 50 if value < 1000 else 500
    return max(step, value // step * step)


def _tool_names(kind_book: Book) -> tuple[str, ...]:
    return tuple(str(tool) for tool in kind_book.grammar.banks["tools"])


def _topics(
    facts: Facts, product: Product, kind_book: Book, *, usability: bool, random: Random
) -> list[Topic]:
    """The interviewee's pains, main one first: the product's own aspects where its world has
    them (what is wrong with these earbuds, this CRM), else the type's; snags for usability."""
    groups = kind_book.grammar.groups
    found: list[Topic] = []
    if not usability and kind_book.has_world:
        aspects = list(product.kind.aspects)
        random_module.Random(int(random() * 2**32)).shuffle(aspects)
        for aspect in aspects:
            topic = _aspect_topic(aspect, facts, degrees=_PAIN_DEGREES, random=random)
            if topic is not None:
                found.append(topic)
            if len(found) >= 4:
                return found
    source = groups["snags"] if usability else groups["topics"]
    names = list(source)
    random_module.Random(int(random() * 2**32)).shuffle(names)
    for name in names:
        spec = source[name]
        topic = _made_topic(spec["name"], spec["problem"], spec["fix"], facts, random=random)
        if topic is not None:
            found.append(topic)
    return found[:5]


def _likes(facts: Facts, product: Product, kind_book: Book, *, random: Random) -> list[Topic]:
    taken = {topic.name for topic in facts.pains}
    if kind_book.has_world:
        for aspect in product.kind.aspects[::-1]:
            topic = _aspect_topic(aspect, facts, degrees=("good", "plus"), random=random)
            if topic is not None and topic.name not in taken:
                return [topic]
    spec = kind_book.grammar.groups["likes"]
    topic = _made_topic(spec["name"], spec["saying"], spec["saying"], facts, random=random)
    assert topic is not None, f"{kind_book.product_type}: likes never render cleanly"
    return [topic]


def _aspect_topic(
    aspect: Any, facts: Facts, *, degrees: Iterable[str], random: Random
) -> Topic | None:
    names = [phrase for phrase in aspect.names if not phrase.owned and phrase.number != "item"]
    if not names:
        return None
    phrase = pick(names, random=random)
    name = _clean(render(phrase.node, random=random, slots=facts.slots))
    number = _number(phrase.number, name)
    slots = {**facts.slots, **AGREEMENT[number]}
    slots["subj"] = slots["Subj"] = slots["obj"] = name
    slots["ctx"] = aspect.contexts
    banks = [(aspect.degrees[d], True) for d in degrees if d in aspect.degrees]
    banks += [(aspect.clauses[d], False) for d in degrees if d in aspect.clauses]
    sayings: list[str] = []
    for _ in range(12):
        if not banks or len(sayings) >= 4:
            break
        bank, predicate = pick(banks, random=random)
        text = _safe_render(bank, slots, random)
        if text is None:
            continue
        text = f"{name} {text}" if predicate else text
        if text not in sayings and not _conflicts(text, facts):
            sayings.append(text)
    fixes = [
        text
        for text in (_safe_render(aspect.fixes, slots, random) for _ in range(3))
        if text is not None and not _conflicts(text, facts)
    ]
    if len(sayings) < 2 or not fixes:
        return None
    return Topic(
        name=name,
        sayings=_distinct(sayings),
        fixes=_distinct(fixes),
        number=number,
        aspect=aspect.slug,
    )


def _number(number: str, name: str) -> str:
    # A name a world file left singular but that reads plural ("the load times") agrees as one.
    last = name.split()[-1] if name else ""
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
    return "pl" if number == "sg" and plural else number


def _made_topic(
    name_bank: Alt, saying_bank: Alt, fix_bank: Alt, facts: Facts, *, random: Random
) -> Topic | None:
    slots = facts.slots
    name = _clean(render(name_bank, random=random, slots=slots))
    sayings = list(
        dict.fromkeys(
            text
            for text in (_safe_render(saying_bank, slots, random) for _ in range(8))
            if text is not None and not _conflicts(text, facts)
        )
    )[:4]
    fixes = [
        text
        for text in (_safe_render(fix_bank, slots, random) for _ in range(3))
        if text is not None and not _conflicts(text, facts)
    ]
    if not sayings or not fixes:
        return None
    return Topic(
        name=name, sayings=_distinct(sayings), fixes=_distinct(fixes), number=_number("sg", name)
    )


def _distinct(texts: Iterable[str]) -> tuple[str, ...]:
    """``texts`` without the ones that say another's words with a synonym swapped ("will
    really take" and "will genuinely take"): each kept one shares no four words in a row."""
    kept: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for text in texts:
        words = _WORD.findall(text.lower())
        grams = {tuple(words[index : index + 4]) for index in range(len(words) - 3)}
        if not grams & seen:
            kept.append(text)
            seen |= grams
    return tuple(kept)


def _safe_render(bank: Any, slots: dict[str, Any], random: Random) -> str | None:
    # A world phrase may name a slot only a review fills (a rating, a title); skip it.
    try:
        return _clean(render(bank, random=random, slots=slots))
    except KeyError:
        return None


def _conflicts(text: str, facts: Facts) -> bool:
    """Whether ``text`` states something the facts do not hold: a span of time (only the
    tenure says how long), a team's size, another platform, a person or pet not in the
    household, or a name the interviewee does not know."""
    if _TIME_SPAN.search(text) or _TEAM_SIZE.search(text):
        return True
    if any(name in text for name in facts.unsaid):
        return True
    if any(rule.search(text) for name, rule in _PLATFORMS.items() if name != facts.platform):
        return True
    return _mentions_someone_else(text, facts.household)


def _clean(text: str) -> str:
    text = tidy(settle_articles(text)) if "\x01" in text else tidy(text)
    return text.replace(" ?", "?").replace(" !", "!")


def _interviewee(
    *, facts: Facts, writer: Writer, audience: str, mode: str, grammar: Grammar, random: Random
) -> dict:
    slots = facts.slots
    # The persona describes them, so their own words ("in my thirties") turn to "their".
    persona = _MY.sub(
        "their",
        _finish(render(COMMON.groups["persona"][audience][mode], random=random, slots=slots)),
    )
    if audience == "professional":
        role, company, size = (
            _capital(str(slots["role"])),
            str(slots["company_name"]),
            str(slots["company_size"]),
        )
    else:
        # A consumer has a life, not an employer: the role says how they relate to the product.
        role = _capital(_clean(render(grammar.groups["roles"][mode], random=random, slots=slots)))
        company, size = "", None
    person = {"name": writer.person.name, "role": role, "company": company}
    if size is not None:  # a household has no company size; the field is optional
        person["companySize"] = size
    return {**person, "persona": persona, "toolsUsed": list(slots["tools"])}


class _Conversation:
    """Writes one interview's questions and answers, remembering what has been said."""

    def __init__(
        self,
        *,
        facts: Facts,
        writer: Writer,
        mode: str,
        audience: str,
        complexity: str,
        rng: random_module.Random,
    ) -> None:
        self.facts = facts
        self.writer = writer
        self.mode = mode
        self.audience = audience
        self.complexity = complexity
        self.rng = rng
        self.random = rng.random
        # Which frames of each bank this interview has used (by the bank's identity): a frame
        # comes back only once every other one has been said.
        self.used: dict[int, set[int]] = {}
        self.grams: set[tuple[str, ...]] = set()
        # What of the facts and sayings this interviewee has said so far, each lowercased.
        self.candidates = _candidates(facts)
        self.said: set[str] = set()
        # Each fact or saying tested against ``said``: lowercased, and its number of words.
        self.measures: dict[str, tuple[str, int]] = {}
        # Per tuple of sayings: the tuple, the size of ``said`` that ``_unsaid``'s answer was
        # worked out for, that answer, and each saying with its measure.
        self.fresh: dict[int, list[Any]] = {}
        # The facts a back reference stands in for once said (``_BACK_REFERENCES``), lowercased:
        # a fact of under three words is never referred back to.
        self.references = tuple(
            (name, bank, fact.lower())
            for name, bank in _BACK_REFERENCES.items()
            if isinstance(fact := facts.slots[name], str) and len(fact.split()) >= 3
        )
        # ``_refresh``'s slots, with the size of ``said`` and the topic they were made for.
        self.refreshed: tuple[int, Topic, dict[str, Any]] | None = None
        self.made: Counter[str] = Counter()
        # The last words (lowercased) of the question or answer being written.
        self.tail: list[str] = []
        # Spoken, not typed: a speaker's fillers and contractions, none of a typist's slips.
        habits = writer.habits
        self.habits = replace(
            habits,
            lowercase=False,
            no_final_stop=False,
            emoji=0.0,
            caps_word=0.0,
            typo=0.0,
            expand=False,
            exclaim=habits.exclaim * 0.3,
            ellipsis=habits.ellipsis * 0.3,
        )
        # The keys of a group's frames, the most specific first (see ``_variant``).
        self.variants = (f"{mode}_{audience}", mode, audience, "any")
        # What ``_variant`` found for a group, with the group.
        self.variant_of: dict[int, tuple[dict[str, Any], Alt]] = {}
        self.mentioned: list[Topic] = []
        # Every topic a question was about, pains and likes, in order.
        self.talked: list[Topic] = []
        self.topic: Topic = facts.pains[0]
        self.wishes = 0

    def write(self, stages: list[str]) -> list[dict]:
        questions: list[dict] = []
        for stage in dict.fromkeys(stages):
            self._stage(stage, stages.count(stage), questions)
        return questions

    def _stage(self, stage: str, count: int, questions: list[dict]) -> None:
        script = _PLAN["scripts"][self.mode][stage]
        mains = list(script["more"])
        follows = list(script["follow"])
        self.rng.shuffle(mains)
        self.rng.shuffle(follows)
        intent = pick(script["open"], random=self.random)
        previous_main = True
        for index in range(count):
            if index:
                if not mains and not follows:
                    # A long interview has asked everything of this stage: the memory keeps a
                    # question asked again from getting the same words.
                    mains, follows = list(script["more"]), list(script["follow"])
                    self.rng.shuffle(mains)
                    self.rng.shuffle(follows)
                wants_follow = previous_main and self.random() < _FOLLOW_CHANCE
                if follows and (wants_follow or not mains):
                    intent, previous_main = follows.pop(), False
                else:
                    intent, previous_main = mains.pop(), True
            self._move_topic(_PLAN["intents"][intent]["topic"], stage)
            questions.append(
                {
                    "number": len(questions) + 1,
                    "stage": stage,
                    "question": self._question(intent, first=not questions),
                    "answer": self._answer(intent),
                }
            )

    def _move_topic(self, rule: str, stage: str) -> None:
        pains = self.facts.pains
        if rule == "main":
            self.topic = pains[0]
        elif rule == "next":
            unsaid = [topic for topic in pains if topic not in self.mentioned]
            self.topic = unsaid[0] if unsaid else pains[len(self.mentioned) % len(pains)]
        elif rule == "wish" and self.mentioned:
            # Wishes go back over the pains in the order they were raised.
            self.topic = self.mentioned[self.wishes % len(self.mentioned)]
            self.wishes += 1
        elif rule == "like":
            self.topic = self.facts.likes[0]
        if rule != "none" and self.topic not in self.talked:
            self.talked.append(self.topic)
        if rule == "like":
            return
        if self.topic not in self.mentioned and self.topic in pains:
            self.mentioned.append(self.topic)

    def _slots(self) -> dict[str, Any]:
        """The slots of one question or answer: the facts, and the current topic's sayings
        not said yet in this interview (once all are, a phrase that refers back to it)."""
        slots = {**self.facts.slots, "topic": self.topic.name}
        self._refresh(slots)
        return slots

    def _refresh(self, slots: dict[str, Any]) -> None:
        """Once a long fact or a saying has been said, later sentences refer back to it."""
        # What to refer back to follows from what was said and the topic alone; ``said``
        # only grows, so while its size and the topic hold, so does the answer.
        known = self.refreshed
        if known is None or known[0] != len(self.said) or known[1] is not self.topic:
            known = self.refreshed = (len(self.said), self.topic, self._references())
        slots.update(known[2])

    def _references(self) -> dict[str, Any]:
        """The slots ``_refresh`` sets: a said fact's back reference, the unsaid sayings."""
        facts = self.facts.slots
        # A slot of these holds its fact or, once said, the back reference, never another
        # text: so the fact decides, whichever of the two a question's slots hold now.
        said = self.said
        changes = {
            name: COMMON.banks[bank] for name, bank, lowered in self.references if lowered in said
        }
        if isinstance(facts["P"], str) and self._said(facts["P"]):
            changes["P"] = facts["P_short"]
        topic, main = self.topic, self.facts.pains[0]
        fresh = {
            "problem": self._unsaid(topic.sayings, 0),
            "problem2": self._unsaid(topic.sayings, 1),
            "main_problem": self._unsaid(main.sayings, 0),
            "fix": self._unsaid(topic.fixes, 0),
            "main_fix": self._unsaid(main.fixes, 0),
        }
        for name, text in fresh.items():
            recall = "recall_fix" if name.endswith("fix") else "recall"
            changes[name] = COMMON.banks[recall] if text is None else text
        problem = changes["problem"]
        if isinstance(problem, str) and problem.startswith(f"{topic.name} "):
            # After the topic's name ("the app: ..."), the complaint goes on with a pronoun.
            pronoun = "they" if topic.number == "pl" else "it"
            problem = f"{pronoun} {problem[len(topic.name) + 1 :]}"
        changes["problem_it"] = problem
        if fresh["problem2"] is None:
            # A second complaint about a topic that has none left is not said at all.
            changes["problem2"] = _UNSAYABLE
        return changes

    def _said(self, fact: str, *, words: int = 4) -> bool:
        # A fact of four words or more ("ringing the restaurant directly") said earlier.
        measure = self.measures.get(fact)
        if measure is None:
            measure = self.measures[fact] = (fact.lower(), len(fact.split()))
        return measure[1] >= words and measure[0] in self.said

    def _unsaid(self, sayings: tuple[str, ...], index: int) -> str | None:
        """The ``index``-th of ``sayings`` not said yet, or None."""
        # ``said`` only grows, so while its size holds the answer does too.
        known = self.fresh.get(id(sayings))
        if known is None or known[0] is not sayings:
            measured = tuple((text, text.lower(), len(text.split())) for text in sayings)
            known = self.fresh[id(sayings)] = [sayings, -1, [], measured]
        said = self.said
        if known[1] != len(said):
            # Said: three words or more, and among what was said (as ``_said`` tells).
            known[2] = [
                text for text, lowered, words in known[3] if words < 3 or lowered not in said
            ]
            known[1] = len(said)
        fresh = known[2]
        return fresh[index] if index < len(fresh) else None

    def _question(self, intent: str, *, first: bool) -> str:
        slots = self._slots()
        self.tail = []
        questions = self._variant(COMMON.groups["questions"][intent])
        ask = self._say(questions, slots, keep=True, spoken=False)
        if first or self.random() < 0.45 or _OPENS_WITH_LEAD.match(ask):
            return ask
        ack = render(self._choose(COMMON.groups["acks"]), random=self.random, slots=slots)
        return f"{ack}{ask}" if ack else ask

    def _answer(self, intent: str) -> str:
        slots = self._slots()
        self.tail = []
        spec = _PLAN["intents"][intent]
        answers = COMMON.groups["answers"][intent]
        core_bank = self._variant(answers)
        if self.complexity == "simple":
            for key in (f"{self.mode}_short", f"{self.audience}_short", "short"):
                if key in answers:
                    core_bank = answers[key]
                    break
        for name in spec.get("states", ()):
            # The question asks for this fact: the answer says it plainly, not "as I said",
            # unless saying it again would repeat six words.
            fact = self.facts.slots[name]
            if not self._said(fact, words=6):
                slots[name] = fact
        lead = self.random() < _PLAN["lead_chance"]
        polarity = spec["polarity"]
        sentences = [self._say(core_bank, slots, keep=True, polarity=polarity, lead=lead)]
        for move in self._moves(spec["support"]):
            bank = self._variant(COMMON.groups["support"][move])
            polarity = _PLAN["move_polarity"].get(move, 0)
            self._refresh(slots)
            sentences.append(self._say(bank, slots, keep=False, polarity=polarity))
        return " ".join(sentence for sentence in sentences if sentence)

    def _variant(self, group: dict[str, Any]) -> Alt:
        """The most specific frames of ``group`` for this interview: its mode and audience,
        its mode, its audience, or those for any interview."""
        known = self.variant_of.get(id(group))
        if known is not None and known[0] is group:
            return known[1]
        for key in self.variants:
            if key in group:
                self.variant_of[id(group)] = (group, group[key])
                return group[key]
        raise KeyError(f"no frames for {self.mode}/{self.audience} in {sorted(group)}")

    def _moves(self, allowed: list[str]) -> list[str]:
        low, high = _SUPPORT[self.complexity]
        verbosity = self.writer.verbosity
        count = low + int(self.random() * (high - low + 1))
        count = max(low, min(high, round(count * min(verbosity, 1.3))))
        moves = list(allowed)
        self.rng.shuffle(moves)
        # The moves this speaker has made least come first, so no one move (a comparison, a
        # workaround) turns up in every answer.
        moves.sort(key=lambda move: self.made[move])
        chosen = moves[:count]
        for move in chosen:
            self.made[move] += 1
        return chosen

    def _with_lead(self, core: str, polarity: int) -> str:
        """``core`` opened the way this speaker opens an answer ("Honestly? ", "Well, "),
        unless it already opens with a lead-in of its own."""
        group = "leads_negative" if polarity < 0 else "leads"
        leads = COMMON.groups[group].get(self.writer.register)
        if leads is None or _OPENS_WITH_LEAD.match(core):
            return core
        lead = render(self._choose(leads), random=self.random, slots={})
        if core.split(" ", 1)[0].lower().strip(",.?!") == lead.split(" ", 1)[0].lower().strip(
            ",.?!"
        ):
            return core  # no "Honestly? Honestly, ..."
        if lead and lead[-2] not in ".?!" and not core.startswith(("I ", "I'")):
            core = core[:1].lower() + core[1:]
        return lead + core

    def _spoken(self, text: str, polarity: int) -> str:
        # Habits apply sentence by sentence (the spoken ones need no whole-answer pass), so the
        # memory below judges the words exactly as they will be read.
        finished = apply_habits([(text, polarity)], habits=self.habits, random=self.random)
        return self.writer.locale.respell(finished)

    def _choose(self, bank: Alt) -> Any:
        """One frame of ``bank`` this interview has not used yet (any, once all have been)."""
        used = self.used.get(id(bank))
        if used is None:
            used = self.used[id(bank)] = set()
        if len(used) >= len(bank):
            used.clear()
        if used:
            unused = list(filterfalse(used.__contains__, range(len(bank))))
            index = unused[int(self.random() * len(unused))]
        else:
            index = int(self.random() * len(bank))
        used.add(index)
        return bank[index]

    def _say(
        self,
        bank: Alt,
        slots: dict[str, Any],
        *,
        keep: bool,
        polarity: int = 0,
        lead: bool = False,
        spoken: bool = True,
    ) -> str:
        """A sentence from ``bank`` that repeats no six words already said in this interview;
        after a few tries, the one repeating least when ``keep`` (a question, a core), else
        none (a supporting sentence is simply left out)."""
        best, best_words, least = "", list(self.tail), 1 << 30
        for _ in range(_TRIES):
            text = _finish(render(self._choose(bank), random=self.random, slots=slots))
            if _UNSAYABLE in text:
                continue
            if lead:
                text = self._with_lead(text, polarity)
            if spoken:
                text = self._spoken(text, polarity)
            # Six words may run across the end of the sentence before it, too.
            lowered = text.lower()
            words = self.tail + _WORD.findall(lowered)
            grams = _grams(words)
            overlap = len(grams & self.grams) if grams else 0
            if not overlap:
                return self._keep(text, lowered, words, grams)
            if overlap < least:
                best, best_words, least = text, words, overlap
        if not keep:
            return ""
        return self._keep(best, best.lower(), best_words, _grams(best_words))

    def _keep(self, text: str, lowered: str, words: list[str], grams: set[tuple[str, ...]]) -> str:
        # ``words`` are the tail's and the text's, ``grams`` their six-word runs.
        self.grams |= grams
        said = list(filter(lowered.__contains__, self.candidates))
        if said:
            # A candidate said once is said: only the others are sought from now on.
            self.said.update(said)
            self.candidates = tuple(filterfalse(self.said.__contains__, self.candidates))
        self.tail = words[len(self.tail) :][-5:]
        return text


def _candidates(facts: Facts) -> tuple[str, ...]:
    """Everything an interview may need to know it has said: the facts that are referred back
    to, the product's name, and every saying and fix of every topic."""
    texts = [str(facts.slots[name]) for name in (*_BACK_REFERENCES, *_FACT_BANKS, "P")]
    for topic in (*facts.pains, *facts.likes):
        texts.extend(topic.sayings)
        texts.extend(topic.fixes)
    return tuple(dict.fromkeys(text.lower() for text in texts))


def six_grams(text: str) -> set[tuple[str, ...]]:
    """Every run of six words in ``text``, lowercased (what a reader notices coming back)."""
    return _grams(_WORD.findall(text.lower()))


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    # Each run starts one word later; the last one a whole run long ends them all.
    return set(zip(words, words[1:], words[2:], words[3:], words[4:], words[5:], strict=False))


def _finish(text: str) -> str:
    text = _clean(text)
    if not text:
        return text
    if text[-1] not in ".!?":
        text += "."
    # A slot's words may meet the frame's ("starting again" + " again"): say them once.
    if not text.isascii() or _DOUBLED_ASCII.search(text.lower()) is not None:
        text = _DOUBLED.sub(r"\1", text)
    text = _capital(text)
    if ". " not in text and "? " not in text and "! " not in text:
        return text  # one sentence: no later one to capitalise
    return _SENTENCE_START.sub(_upper, text)


def _upper(match: re.Match[str]) -> str:
    return match.group(0).upper()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
