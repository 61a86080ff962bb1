"""Support tickets (2.0.0): a writer, a product and a case are drawn, then realised.

The same pipeline as reviews, with a ticket's own content and moves:

- **who writes**: ``writers.writer_for`` (a voice, a length habit, a register, surface
  habits) for the customer; a drawn agent for the thread;
- **what about**: a made-up product of the type (its brand grammar from the type's product
  file when there is one, else from the ticket file) and a *case*: a category, an issue of
  it and its specifics, drawn once per ticket (what I did, what happened, what I expected,
  the error text, the device, an order or booking number, an amount, a date, steps tried),
  so the subject, the description and the thread all name the same things;
- **in what order**: a shape of moves chosen by level and register (``shapes`` in
  ``vocab/tickets/common.json``), as many optional moves as the writer's length allows;
- **the words**: compositional frames (``moves``) around the issue's own phrases, with
  agreement slots for the broken thing and counts that agree with their unit (``<#1-3
  business day>``), drawn through one ``realiser.Memory`` per call so no frame repeats
  close by; then ``surface.apply_habits`` for the writer's habits;
- **the thread** (complex tickets): the agent answers what the customer wrote and asks for
  what the description left out; the customer's reply gives exactly that; the thread ends
  as the status says.

``generate_tickets`` draws a stranger, a product and a case per ticket; ``ticket_for`` writes
the same way for a dataset's known customer: their own product (named in the description),
the category and issue the type's file files their incident under, their order, and a thread
whose fix is sent when the case was resolved.

Vocabulary is data: ``vocab/tickets/common.json`` (frames, categories, thread) and one file
per product type (``vocab/tickets/<type>.json``: kinds, brands, bugs, tasks, wishes,
devices, the type's own category). 1.0.0 lives frozen in ``v1/tickets.py``.
"""

import random as random_module
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Final

from generators.engine.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES
from generators.engine.grammar import (
    Alt,
    compile_bank,
    link,
    link_banks,
    pick,
    render,
    settle_articles,
    weighted,
)
from generators.engine.lexicon import vary
from generators.engine.locales import DEFAULT_LOCALE, locale, locale_codes
from generators.engine.people import company_domain, draw_company, draw_person, email_address
from generators.engine.products import Incident, Product, agreement, load_world, product_slots
from generators.engine.realiser import Memory, tidy
from generators.engine.surface import apply_habits
from generators.engine.timeline import iso, moment
from generators.engine.v1.timeline import window_bounds
from generators.engine.vocabulary import product_types_with_vocabulary, read
from generators.engine.writers import REGISTERS, Writer, writer_for

Random = Callable[[], float]
VERSION: Final = "2.0.0"
_COMMON: Final = read("tickets/common.json")
_STATUSES: Final = (
    ("open", 25),
    ("pending", 15),
    ("in_progress", 20),
    ("resolved", 25),
    ("closed", 15),
)
_CHANNELS: Final = (("email", 40), ("chat", 30), ("web", 20), ("phone", 10))
_CENTRES: Final[dict[str, int]] = dict(_COMMON["centres"])
_WORDS_PER_SENTENCE: Final = 11
_THREAD_GAP: Final = (600, 30000)  # seconds between thread messages, before fitting the window
# What ends a sentence already, and a comma that runs it on ("Hi Maria,").
_CLOSED: Final = frozenset(".!?:,")
_QUOTED: Final = ('."', '?"', '!"')
# The moves a case can feed: a move needs the case to carry the slot it names.
_NEEDS_SLOT: Final = {
    "error": "error",
    "reason": "because",
    "expected": "expected",
    "environment": "device",
    "tried": "tried",
    "reference": "ref",
    "impact": "impact",
}
# How often a ticket of a priority says its urgency in the text, for short tickets and others.
_PRESSING: Final = {True: {"urgent": 0.5, "high": 0.3}, False: {"urgent": 1.0, "high": 0.6}}
# Moves that give what an agent would otherwise ask for (``needs`` of an issue), and back.
_ASKED_FOR: Final = {"environment": "environment", "reference": "reference", "tried": "steps"}
_GIVEN_BY: Final = {"environment": "environment", "reference": "reference", "steps": "tried",
             "use": "reason"}  # fmt: skip
_POLARITY: Final = {"negative": -1, "mixed": -1, "neutral": 0, "positive": 1}


@dataclass(frozen=True, slots=True, eq=False)
class Issue:
    """One kind of problem of a category: its phrases and what an agent may ask about it."""

    fields: dict[str, Alt]
    needs: tuple[str, ...]
    number: str
    uses: str
    tense: str


@dataclass(frozen=True, slots=True, eq=False)
class Category:
    """A ticket category: its issues, its priorities and the tones it is written in."""

    name: str
    issues: tuple[Issue, ...]
    priorities: tuple[tuple[str, int], ...]
    sentiments: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Shape:
    """A description's moves in order; a move ending in "?" is said only if there is room."""

    moves: tuple[tuple[str, bool], ...]
    levels: frozenset[str]
    weight: dict[str, float]


@dataclass(frozen=True, slots=True)
class Desk:
    """Everything one product type's tickets are written from, compiled."""

    product_type: str
    audience: str
    emoji: bool
    brands: Alt
    kinds: tuple[dict[str, Any], ...]
    # A kind's own banks (what can be missing from its box), by its slug.
    kind_banks: dict[str, dict[str, Any]]
    categories: tuple[tuple[Category, int], ...]
    # The bugs (tasks, wishes) that fit a kind, by (what the issue uses, the kind's slug):
    # a blender has no Bluetooth, earbuds have no jug.
    fitting: dict[tuple[str, str], tuple[dict[str, Any], ...]]
    slots: dict[str, Any]
    moves: dict[str, Any]
    call: dict[str, Any]
    thread: dict[str, Any]
    # A product world's incident slug, per kind (or "*" for any): the category, issue and bug
    # (task...) it is filed as.
    incidents: dict[str, dict[str, tuple[Category, Issue, dict[str, Any] | None]]]


def generate_tickets(
    *,
    product_type: str,
    count: int,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> list[dict]:
    """``count`` support tickets about ``product_type``."""
    if product_type not in PRODUCT_TYPES:
        raise ValueError(f"product_type must be one of: {', '.join(PRODUCT_TYPES)}")
    if complexity not in COMPLEXITY_LEVELS:
        raise ValueError(f"complexity must be one of: {', '.join(COMPLEXITY_LEVELS)}")
    desk = load_desk(product_type)
    rng = random_module.Random(seed)
    bounds = window_bounds(window)
    memory = Memory()
    subjects: set[str] = set()
    return [
        _ticket(desk=desk, complexity=complexity, rng=rng, bounds=bounds, memory=memory,
                subjects=subjects)
        for _ in range(count)
    ]  # fmt: skip


def _ticket(
    *,
    desk: Desk,
    complexity: str,
    rng: random_module.Random,
    bounds: tuple[int, int],
    memory: Memory,
    subjects: set[str],
) -> dict[str, Any]:
    rnd = rng.random
    memory.next_entry()
    identifier = f"ticket_{rng.getrandbits(48):012x}"
    category = weighted(desk.categories, random=rnd)
    issue = pick(category.issues, random=rnd)
    priority = weighted(category.priorities, random=rnd)
    sentiment = _sentiment(category, priority, rnd)
    status = weighted(_STATUSES, random=rnd)
    channel = weighted(_CHANNELS, random=rnd)
    # A ticket is signed with the customer's name, so no review-style display name is drawn.
    writer = writer_for(
        person=draw_person(random=rnd), author="", locale_code=DEFAULT_LOCALE,
        audience=desk.audience, emoji=desk.emoji, random=rnd,
    )  # fmt: skip
    email = _email(desk, writer, rnd)
    slots = _case_slots(desk=desk, category=category, issue=issue, writer=writer, random=rnd)
    case = _Case(
        category=category, issue=issue, priority=priority, sentiment=sentiment, status=status,
        channel=channel, writer=writer, email=email, slots=slots,
    )  # fmt: skip
    return _realise(
        desk=desk, case=case, complexity=complexity, identifier=identifier,
        times=lambda: _Times(created=moment(rnd(), bounds=bounds), resolved=None, last=bounds[1]),
        random=rnd, memory=memory, subjects=subjects,
    )  # fmt: skip


def ticket_for(
    *,
    product: Product,
    writer: Writer,
    email: str,
    incident: Incident,
    status: str,
    created: int,
    resolved: int | None,
    last: int,
    complexity: str,
    facts: Mapping[str, Any],
    rng: random_module.Random,
    memory: Memory,
    subjects: set[str],
) -> dict[str, Any]:
    """The ticket a known customer files about ``incident`` on their own ``product``.

    The category and issue are the ones the type's file gives the incident (``incidents`` in
    ``vocab/tickets/<type>.json``), so the ticket is about the incident's aspect; what was
    ordered is ``facts`` (as the reviews about it say); the thread, written between
    ``created`` and ``last``, ends as ``status`` says, its fix sent at ``resolved``."""
    if complexity not in COMPLEXITY_LEVELS:
        raise ValueError(f"complexity must be one of: {', '.join(COMPLEXITY_LEVELS)}")
    desk = load_desk(product.product_type)
    rnd = rng.random
    memory.next_entry()
    identifier = f"ticket_{rng.getrandbits(48):012x}"
    filed = desk.incidents[incident.slug]
    category, issue, filler = filed.get(product.kind.slug) or filed["*"]
    priority = weighted(_SEVERITY_PRIORITIES[incident.severity], random=rnd)
    sentiment = _sentiment(category, priority, rnd)
    slots = _case_slots(
        desk=desk, category=category, issue=issue, writer=writer, random=rnd,
        product=product, filler=filler,
    )  # fmt: skip
    slots["audience"] = writer.persona.audience
    for name in _ORDERED:
        # What was ordered is the order the customer's reviews name.
        if "the_item" in facts and slots.pending.pop(name, None) is not None:
            slots[name] = facts["the_item"]
    case = _Case(
        category=category, issue=issue, priority=priority, sentiment=sentiment, status=status,
        channel=weighted(_CHANNELS, random=rnd), writer=writer, email=email, slots=slots,
        about=True,
    )  # fmt: skip
    return _realise(
        desk=desk, case=case, complexity=complexity, identifier=identifier,
        times=lambda: _Times(created=created, resolved=resolved, last=last), random=rnd,
        memory=memory, subjects=subjects,
    )  # fmt: skip


# Plain classes rather than NamedTuples: compiled, they are native classes built by a native
# ``__init__``, where a NamedTuple's ``__new__`` is Python run for every ticket.
class _Case:
    """What one ticket is about and how it stands, before any word of it is written."""

    __slots__ = (
        "about", "category", "channel", "email", "issue", "priority", "sentiment", "slots",
        "status", "writer",
    )  # fmt: skip

    def __init__(
        self,
        *,
        category: Category,
        issue: Issue,
        priority: str,
        sentiment: str,
        status: str,
        channel: str,
        writer: Writer,
        email: str,
        slots: "Facts",
        about: bool = False,
    ) -> None:
        self.category = category
        self.issue = issue
        self.priority = priority
        self.sentiment = sentiment
        self.status = status
        self.channel = channel
        self.writer = writer
        self.email = email
        self.slots = slots
        # Whether the description must name the product (a known customer's own).
        self.about = about


class _Times:
    """When a ticket was created, when its fix was sent (if known) and the latest moment."""

    __slots__ = ("created", "last", "resolved")

    def __init__(self, *, created: int, resolved: int | None, last: int) -> None:
        self.created = created
        self.resolved = resolved
        self.last = last


def _realise(
    *,
    desk: Desk,
    case: _Case,
    complexity: str,
    identifier: str,
    times: Callable[[], _Times],
    random: Random,
    memory: Memory,
    subjects: set[str],
) -> dict[str, Any]:
    slots, writer = case.slots, case.writer
    slots["email"] = case.email
    said: set[str] = set()
    description = _description(
        desk=desk, complexity=complexity, channel=case.channel, priority=case.priority,
        sentiment=case.sentiment, writer=writer, slots=slots, said=said, random=random,
        memory=memory, about=case.about,
    )  # fmt: skip
    subject = _subject(
        issue=case.issue, priority=case.priority, writer=writer, slots=slots, random=random,
        memory=memory, seen=subjects, desk=desk,
    )  # fmt: skip
    # Drawn after the words, so a plain ticket's moment is the draw it always was.
    when = times()
    ticket: dict[str, Any] = {
        "id": identifier,
        "subject": subject,
        "description": description,
        "category": case.category.name,
        "priority": case.priority,
        "status": case.status,
        "channel": case.channel,
        "customer": {"name": writer.person.name, "email": case.email},
        "sentiment": case.sentiment,
        "createdAt": iso(when.created),
    }
    if complexity == "complex":
        ticket["thread"] = _thread(
            desk=desk, category=case.category.name, issue=case.issue, status=case.status,
            sentiment=case.sentiment, writer=writer, times=when, slots=slots, said=said,
            random=random, memory=memory,
        )  # fmt: skip
    return ticket


def _sentiment(category: Category, priority: str, random: Random) -> str:
    # Tone follows priority: nobody files an urgent ticket cheerfully, nor a low one in a rage.
    if priority in ("high", "urgent"):
        return "negative" if random() < 0.85 else "mixed"
    sentiment = weighted(category.sentiments, random=random)
    if priority == "low" and sentiment == "negative":
        return "neutral"
    return sentiment


def _strong(priority: str, sentiment: str) -> bool:
    return priority in ("high", "urgent") or sentiment in ("negative", "mixed")


def _email(desk: Desk, writer: Writer, random: Random) -> str:
    domain = None
    if desk.audience == "professional":
        domain = company_domain(company=draw_company(random=random), random=random)
    return email_address(person=writer.person, locale=writer.locale, random=random, domain=domain)


class Facts(dict):
    """A ticket's slots. A fact given as a bank is drawn the first time a sentence names it and
    kept, so every mention agrees and a fact nothing names costs nothing."""

    __slots__ = ("pending", "random")

    def __init__(self, base: Mapping[str, Any], random: Random) -> None:
        super().__init__(base)
        self.pending: dict[str, Any] = {}
        self.random = random

    def __missing__(self, key: str) -> Any:
        value = render(self.pending.pop(key), random=self.random, slots=self)
        self[key] = value
        return value

    def knows(self, key: str) -> bool:
        """Whether the ticket has the fact ``key`` (drawn or not yet)."""
        return bool(self.get(key)) or key in self.pending


def _named(slots: Facts, name: str, sentences: list[tuple[str, int]]) -> bool:
    # A fact already drawn into an earlier sentence is not given again ("I'm on <device>").
    return name in slots and any(slots[name] in text for text, _ in sentences)


def _case_slots(
    *,
    desk: Desk,
    category: Category,
    issue: Issue,
    writer: Writer,
    random: Random,
    product: Product | None = None,
    filler: dict[str, Any] | None = None,
) -> Facts:
    """The facts of one ticket, each drawn once so every mention of it agrees: about a new
    product of the desk's, or about the customer's own ``product``."""
    slots = Facts(desk.slots, random)
    later = slots.pending
    if product is None:
        kind = pick(desk.kinds, random=random)
        slots.update(product_slots(brand=render(desk.brands, random=random, slots={}), model=""))
    else:
        kind = _own_kind(product)
        # The kind's own words (its parts, its uses) for the product's name, drawn if named.
        later.update((name, bank) for name, bank in product.kind.slots.items() if name not in slots)
        slots.update(product.slots)
    slots.update(_PRODUCT_AGREEMENT[kind["number"]])
    slots.update(writer.persona.slots)
    slots["first"] = writer.person.first
    slots["last"] = writer.person.last
    slots["needs"] = issue.needs
    slots["tense"] = issue.tense
    slots["category"] = category.name
    slots["currency"] = writer.locale.currency
    slots["short"] = kind["short"]
    slots["noun"] = kind["noun"]
    later["P"] = kind["full"]
    later["city"] = _CITIES[writer.locale.code]
    later["ref_noun"] = slots["ref_nouns"]
    later["device"] = slots["devices"]
    later["agent"] = slots["agents"]
    for name in _ONCE:
        if name in slots:
            later[name] = slots.pop(name)
    for name, bank in desk.kind_banks.get(kind["slug"], {}).items():
        later[name] = bank
    _numbers(slots, random)
    number = issue.number
    if issue.uses:
        filler = filler or pick(desk.fitting[issue.uses, kind["slug"]], random=random)
        number = filler["number"]
        for name, value in filler["fields"].items():
            # The bug's own bank (what a blender's owner tries) replaces the type's.
            if name in _OWN_BANKS:
                slots[name] = value
            else:
                later[name] = value
    slots.update(_AGREEMENT[number])
    if "steps" in issue.needs:
        _tries(slots, random)
    for name, bank in issue.fields.items():
        # The facts of the case are drawn once; the ask and the fix are worded per sentence.
        if filler is not None and name in filler["fields"]:
            continue
        if name in _CASE_FIELDS:
            later[name] = bank
        else:
            slots[name] = bank
    return slots


def _own_kind(product: Product) -> dict[str, Any]:
    kind = product.kind
    return {"slug": kind.slug, "number": kind.number, "full": kind.full, "short": kind.short,
            "noun": kind.slots["noun"]}  # fmt: skip


_LETTERS: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_CITIES: Final[dict[str, Alt]] = {
    code: compile_bank(list(locale(code).cities)) for code in locale_codes()
}
_AGREEMENT: Final = {number: agreement(number) for number in ("sg", "pl")}
_PRODUCT_AGREEMENT: Final = {number: agreement(number, "p_") for number in ("sg", "pl")}
# Banks of a type's file that name one thing per ticket: the same order, item or street in
# every mention.
_ONCE: Final = ("charge_for", "item", "street", "env_ask", "place", "dish", "game")
# The banks of a type's file that name what was ordered (a dataset's order, when it has one).
_ORDERED: Final = ("item", "dish")
# Banks a bug (task, wish) may bring its own of, read whole rather than drawn once.
_OWN_BANKS: Final = ("tries",)
# A known incident's priority, by how serious it is.
_SEVERITY_PRIORITIES: Final = {
    "minor": (("low", 60), ("medium", 40)),
    "major": (("medium", 55), ("high", 45)),
    "severe": (("high", 60), ("urgent", 40)),
}
# The issue's phrases drawn once per ticket (the rest are drawn per sentence).
_CASE_FIELDS: Final = frozenset({"happened", "expected", "error", "impact", "ref_noun", "did"})


def _tries(slots: dict[str, Any], random: Random) -> None:
    # Two things the customer tried and two the agent suggests, all different.
    options = slots["tries"]
    start = int(random() * len(options))
    step = 1 + int(random() * (len(options) - 1)) if len(options) > 3 else 1
    tried, tried2, suggest, suggest2 = (
        render(options[(start + step * k) % len(options)], random=random, slots=slots)
        for k in range(4)
    )
    slots["tried"], slots["suggest"], slots["suggest2"] = tried, suggest, suggest2
    slots["tried_more"] = f" and {tried2}" if random() < 0.5 else ""


def _numbers(slots: dict[str, Any], random: Random) -> None:
    # Exact figures where people are exact (money, order numbers, card digits, versions).
    low, high = slots["amount_range"]
    whole = low + int(random() * (high - low))
    cents = pick(("00", "99", "49", "95", "50", f"{10 + int(random() * 89)}"), random=random)
    slots["amount"] = f"{slots['currency']}{whole}.{cents}"
    slots["amount2"] = f"{slots['currency']}{max(1, whole - 1 - int(random() * whole * 0.6))}.00"
    slots["last4"] = f"{1000 + int(random() * 9000)}"
    slots["ref"] = _reference(render(slots["references"], random=random, slots={}), random)
    major, minor = 1 + int(random() * 9), int(random() * 20)
    slots["version"] = f"{major}.{minor}.{int(random() * 10)}"
    slots["version_next"] = f"{major}.{minor + 1}"
    month = pick(_COMMON["months"], random=random)
    slots["date"] = f"{month} {1 + int(random() * 28)}"
    slots["month"] = month


def _reference(pattern: str, random: Random) -> str:
    # "#" is a digit, "@" a capital letter: "BK-@@####" becomes "BK-QF4821". The digits are
    # one draw, then each letter is one, left to right.
    count = pattern.count("#")
    digits = str(int(random() * 10**count)).zfill(count)
    if count:
        pieces = pattern.split("#")
        pattern = "".join(map(str.__add__, pieces, digits)) + pieces[-1]
    if "@" not in pattern:
        return pattern
    head, *rest = pattern.split("@")
    return head + "".join([_LETTERS[int(random() * 24)] + piece for piece in rest])


def _description(
    *,
    desk: Desk,
    complexity: str,
    channel: str,
    priority: str,
    sentiment: str,
    writer: Writer,
    slots: Facts,
    said: set[str],
    random: Random,
    memory: Memory,
    about: bool = False,
) -> str:
    words = writer.words(centre=_CENTRES[complexity], random=random)
    budget = max(1, round(words / _WORDS_PER_SENTENCE))
    phone = channel == "phone"
    moves = _moves(
        phone=phone, complexity=complexity, register=writer.register, priority=priority,
        sentiment=sentiment, random=random,
    )  # fmt: skip
    book = desk.call if phone else desk.moves
    polarity = _POLARITY[sentiment]
    sentences: list[tuple[str, int]] = []
    required = [optional for _, optional in moves].count(False)
    room = budget - required
    for move, optional in moves:
        if optional and (room <= 0 or random() < 0.2):
            continue
        if move == "environment" and _named(slots, "device", sentences):
            continue
        text = _say(move, desk=desk, book=book, priority=priority, sentiment=sentiment,
                    slots=slots, random=random, memory=memory)  # fmt: skip
        if not text:
            continue
        room -= optional
        said.add(move)
        sentences.append((text, polarity if move in ("mood", "urgency", "ask") else 0))
    if about and not any(slots["brand"] in text for text, _ in sentences):
        # A known customer's ticket says which of the brand's products it is about.
        text = _say("about", desk=desk, book=book, priority=priority, sentiment=sentiment,
                    slots=slots, random=random, memory=memory)  # fmt: skip
        sentences.insert(len(sentences) if phone else 0, (text, 0))
    if phone:
        # The agent typed it: none of the customer's habits, no greeting or sign-off.
        return " ".join(text for text, _ in sentences)
    body = apply_habits(sentences, habits=writer.habits, random=random)
    letter = _letter(
        body, channel=channel, complexity=complexity, writer=writer, slots=slots,
        random=random, memory=memory,
    )  # fmt: skip
    return writer.locale.respell(letter)


def _moves(
    *, phone: bool, complexity: str, register: str, priority: str, sentiment: str, random: Random
) -> tuple[tuple[str, bool], ...]:
    """A shape's moves as (move, optional), with the tone placed as priority and mood ask."""
    table = _CALL_SHAPES if phone else _SHAPES
    moves = weighted(table[complexity][register], random=random).moves
    if moves[0][0] in ("urgency", "mood") and not _strong(priority, sentiment):
        # Only a strong feeling comes first; a mild one is said at the end, if at all.
        moves = moves[1:] + moves[:1]
    # A pressing ticket says its urgency whatever its shape; a one-line message leaves it to
    # its subject more often than an email does.
    share = _PRESSING[complexity == "simple"].get(priority, 0.0)
    if share > 0 and random() < share:
        moves = tuple((move, optional and move != "urgency") for move, optional in moves)
        if all(move != "urgency" for move, _ in moves):
            moves += (("urgency", False),)
    return moves


def _say(
    move: str,
    *,
    desk: Desk,
    book: dict[str, Any],
    priority: str,
    sentiment: str,
    slots: Facts,
    random: Random,
    memory: Memory,
) -> str:
    if move == "story" and not slots.knows("did"):
        move = "happened"
    need = _NEEDS_SLOT.get(move)
    if need is not None and not slots.knows(need):
        return ""
    if move in _ASKED_FOR and _ASKED_FOR[move] not in slots["needs"]:
        return ""
    if move == "quote":
        slots["quote"] = _capitalise(slots["happened"])
    elif move == "ask" and book is desk.call:
        slots["ask_cap"] = _capitalise(render(slots["ask"], random=random, slots=slots))
    frames = book[move]
    if move == "urgency":
        frames = frames[priority]
    elif move == "mood":
        frames = frames[sentiment]
    elif move in ("context", "aside", "about") and isinstance(frames, dict):
        # A known customer speaks as who they are (a web app's user may be no professional).
        frames = frames[slots.get("audience", desk.audience)]
    elif move == "happened" and slots.knows("area"):
        # Said without the action that led to it, a bug names what broke ("it" needs a noun).
        frames = frames["named"]
    elif move in ("story", "happened"):
        frames = frames.get(slots["tense"]) or frames["present"]
    elif isinstance(frames, dict):
        frames = frames.get(slots["category"]) or frames["default"]
    if not frames:
        return ""
    frame = memory.choose(frames, random)
    # ``render`` of a plain literal is the literal; the check costs less than the call.
    return finish(frame if type(frame) is str else render(frame, random=random, slots=slots))


def _letter(
    body: str,
    *,
    channel: str,
    complexity: str,
    writer: Writer,
    slots: Facts,
    random: Random,
    memory: Memory,
) -> str:
    # An email opens and signs off; a chat or a form is just what the customer typed.
    if channel not in ("email", "web") or complexity == "simple" or writer.register == "terse":
        return body
    greet = render(memory.choose(slots["greets"], random), random=random, slots=slots)
    sign = render(memory.choose(slots["signs"], random), random=random, slots=slots)
    if writer.habits.lowercase:
        greet, sign = greet.lower(), sign.lower()
    parts = [part for part in (greet, body, sign) if part]
    return "\n\n".join(parts)


def _subject(
    *,
    issue: Issue,
    priority: str,
    writer: Writer,
    slots: Facts,
    random: Random,
    memory: Memory,
    seen: set[str],
    desk: Desk,
) -> str:
    subject = ""
    for _ in range(8):
        subject = finish(
            render(memory.choose(issue.fields["subject"], random), random=random, slots=slots),
            stop=False,
        )
        if random() < 0.3 and not subject.endswith("?"):
            tails = _by(desk.thread["subject_tails"], slots["category"])
            subject += render(memory.choose(tails, random), random=random, slots=slots)
        prefixes = desk.thread["subject_prefix"][priority]
        # An urgent ticket says so in its subject, where no typo blurs it.
        if priority == "urgent" or random() < 0.5:
            subject = render(prefixes, random=random, slots=slots) + subject
        if writer.habits.lowercase:
            subject = subject.lower()
        if subject not in seen:
            break
    seen.add(subject)
    return subject


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def finish(text: str, *, stop: bool = True) -> str:
    """A realised sentence closed up, its articles settled, capitalised and (``stop``) ended."""
    text = tidy(settle_articles(text) if "\x01" in text else text)
    if not text:
        return text
    if stop and text[-1] not in _CLOSED and not text.endswith(_QUOTED):
        text += "."
    return text[0].upper() + text[1:]


def _thread(
    *,
    desk: Desk,
    category: str,
    issue: Issue,
    status: str,
    sentiment: str,
    writer: Writer,
    times: _Times,
    slots: Facts,
    said: set[str],
    random: Random,
    memory: Memory,
) -> list[dict[str, str]]:
    # The agent asks for something the description did not give, and the reply gives it.
    missing = [need for need in issue.needs if _GIVEN_BY.get(need) not in said]
    missing = missing or ["confirm"]
    need = pick(missing, random=random)
    lines = desk.thread
    agent = f"{slots['agent']} (Support)"
    steps = _thread_steps(status=status, random=random)
    gaps = [_THREAD_GAP[0] + int(random() * (_THREAD_GAP[1] - _THREAD_GAP[0])) for _ in steps]
    messages = []
    choose = memory.choose
    for (sender, kind), sent in zip(steps, _schedule(steps, gaps, times), strict=True):
        if kind == "ask":
            parts = [lines["greet"], _by(lines["ack"], category), lines["ask"][need]]
        elif kind == "reply":
            parts = [lines["answer"][need], lines["reply_tail"][sentiment]]
        elif kind == "fix":
            # The case's fix: the bug's own when it has one (an appliance's is no firmware
            # update), else the issue's.
            parts = [lines["thanks_agent"], slots["fix"], lines["fix_tail"]]
        elif kind == "thanks":
            parts = [lines["thanks"][sentiment]]
        elif kind == "working":
            parts = [lines["working_lead"], _by(lines[kind], category)]
        else:
            parts = [_by(lines[kind], category)]
        texts = []
        for bank in parts:
            # A bug's own fix may be one sentence, not a bank to draw from.
            frame = bank if type(bank) is str else choose(bank, random)
            texts.append(
                finish(frame if type(frame) is str else render(frame, random=random, slots=slots))
            )
        text = _join(texts)
        if sender == "customer":
            text = _in_voice(text, polarity=_POLARITY[sentiment], writer=writer, slots=slots)
        messages.append(
            {
                "from": sender,
                "author": agent if sender == "agent" else writer.person.name,
                "message": writer.locale.respell(text),
                "sentAt": iso(sent),
            }
        )
    return messages


def _in_voice(text: str, *, polarity: int, writer: Writer, slots: Facts) -> str:
    # The writer's habits, except on what they copy exactly: a typo never lands in an email
    # address or an order number.
    kept = [value for value in (slots["email"], slots["ref"]) if value in text]
    for mark, value in enumerate(kept):
        text = text.replace(value, _KEPT[mark])
    text = apply_habits([(text, polarity)], habits=writer.habits, random=slots.random)
    for mark, value in enumerate(kept):
        text = text.replace(_KEPT[mark], value)
    return text


_KEPT: Final = ("\x02", "\x03")


def _join(parts: list[str]) -> str:
    # "Hi Maria," runs on into the next sentence: "Hi Maria, sorry about...".
    out = ""
    for part in parts:
        if not part:
            continue
        if out.endswith((",", ":")) and not part.startswith(("I ", "I'")):
            part = part[0].lower() + part[1:]
        out = f"{out} {part}" if out else part
    return out


def _by(bank: Any, category: str) -> Any:
    if isinstance(bank, dict):
        return bank.get(category) or bank["default"]
    return bank


def _thread_steps(*, status: str, random: Random) -> list[tuple[str, str]]:
    # Resolved and closed threads end with the fix (and thanks); the others end waiting on the
    # customer (pending) or on the team behind the agent (in progress, open).
    steps = [("agent", "ask"), ("customer", "reply")]
    if status in ("resolved", "closed"):
        steps.append(("agent", "fix"))
        if random() < 0.7:
            steps.append(("customer", "thanks"))
        if status == "closed":
            steps.append(("agent", "close"))
    elif status == "pending":
        steps.append(("agent", "waiting"))
    elif status == "in_progress":
        steps.append(("agent", "working"))
    else:
        steps += [("customer", "follow_up"), ("agent", "working")]
    return steps


def _schedule(steps: list[tuple[str, str]], gaps: list[int], times: _Times) -> list[int]:
    # A known resolution is the moment the fix is sent; what follows it comes after.
    kinds = [kind for _, kind in steps]
    if times.resolved is None or "fix" not in kinds:
        return _fit(created=times.created, last=times.last, gaps=gaps)
    fix = 1 + kinds.index("fix")
    before = _fit(created=times.created, last=times.resolved, gaps=gaps[:fix], exact=True)
    return before + _fit(created=times.resolved, last=times.last, gaps=gaps[fix:])


def _fit(*, created: int, last: int, gaps: list[int], exact: bool = False) -> list[int]:
    # A ticket created near the window's end squeezes its thread instead of running past it;
    # an ``exact`` fit stretches or squeezes it to end at ``last``.
    total = sum(gaps)
    room = max(0, last - created)
    scale = (room / total if exact else min(1.0, room / total)) if total else 0.0
    times, elapsed = [], 0
    for gap in gaps:
        elapsed += gap
        times.append(created + int(elapsed * scale))
    if exact and times:
        times[-1] = last
    return times


def _tree(raw: Any, banks: Mapping[str, Any]) -> Any:
    if isinstance(raw, dict):
        return {key: _tree(value, banks) for key, value in raw.items()}
    return link(compile_bank([vary(text) for text in raw]), banks=banks)


def _fillers(raw: list[dict], banks: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    # A filler that lists "kinds" fits only those; one without fits every kind.
    out = []
    for spec in raw:
        number = spec.get("number", "sg")
        fields = {
            key: _tree(value, banks)
            for key, value in spec.items()
            if key not in ("number", "kinds")
        }
        out.append({"number": number, "fields": fields, "kinds": tuple(spec.get("kinds", ()))})
    return tuple(out)


def _fitting(
    fillers: Mapping[str, tuple[dict[str, Any], ...]], kinds: Sequence[str]
) -> dict[tuple[str, str], tuple[dict[str, Any], ...]]:
    fitting = {
        (uses, kind): tuple(f for f in options if not f["kinds"] or kind in f["kinds"])
        for uses, options in fillers.items()
        for kind in kinds
    }
    empty = [key for key, options in fitting.items() if not options]
    if empty:
        raise ValueError(f"no bug, task or wish fits: {empty}")
    return fitting


@cache
def load_desk(product_type: str) -> Desk:
    """The compiled ticket vocabulary of ``product_type`` (each type loads once)."""
    own = read(f"tickets/{product_type}.json")
    raw_banks = {**_COMMON["banks"], **own["banks"]}
    # A fact's bank (the item, the charge) is left unlinked everywhere, so every template
    # that names it reads the ticket's one drawing of it.
    banks = link_banks({name: bank for name, bank in raw_banks.items() if name not in _ONCE})
    facts = link_banks(
        {name: bank for name, bank in raw_banks.items() if name in _ONCE}, outer=banks
    )
    brands = (
        load_world(product_type).brands
        if product_type in product_types_with_vocabulary()
        else compile_bank(own["brands"])
    )
    kinds = tuple(
        {
            "slug": slug,
            "number": spec["number"],
            "full": _tree(spec["full"], banks),
            "short": _tree(spec["short"], banks),
            "noun": _tree(spec["noun"], banks),
        }
        for slug, spec in own["kinds"].items()
    )
    definitions = {**_COMMON["categories"], **own.get("categories", {})}
    categories = tuple(
        (_category(name, spec, banks), spec["weight"])
        for name, spec in definitions.items()
        if name in own["has"]
    )
    fillers = {name: _fillers(own[name], banks) for name in ("bugs", "tasks", "wishes")}
    # Every kind a ticket can be about: the desk's own, and the world's a customer may own.
    slugs = list(own["kinds"])
    if product_type in product_types_with_vocabulary():
        slugs += [kind.slug for kind in load_world(product_type).kinds if kind.slug not in slugs]
    return Desk(
        product_type=product_type,
        audience=own["audience"],
        emoji=own["emoji"],
        brands=brands,
        kinds=kinds,
        categories=categories,
        fitting=_fitting(fillers, slugs),
        kind_banks={
            slug: {name: _tree(bank, banks) for name, bank in spec.get("banks", {}).items()}
            for slug, spec in own["kinds"].items()
        },
        slots={**banks, **facts, "amount_range": tuple(own["amount"])},
        moves=_tree(_COMMON["moves"], banks),
        call=_tree(_COMMON["call"], banks),
        thread=_tree(_COMMON["thread"], banks),
        incidents=_filed(own.get("incidents", {}), categories, fillers),
    )


def _filed(
    table: Mapping[str, list | dict[str, list]],
    categories: tuple[tuple[Category, int], ...],
    fillers: Mapping[str, tuple[dict[str, Any], ...]],
) -> dict[str, dict[str, tuple[Category, Issue, dict[str, Any] | None]]]:
    # ``[category, n]``: the category's n-th issue, or, when its one issue is told through a
    # type's bugs (tasks, wishes), that issue with the n-th of them; ``{kind: [category, n],
    # "*": ...}`` files the incident by the kind of product it happened to.
    by_name = {category.name: category for category, _ in categories}
    filed: dict[str, dict[str, tuple[Category, Issue, dict[str, Any] | None]]] = {}
    for slug, where in table.items():
        per_kind = where if isinstance(where, dict) else {"*": where}
        filed[slug] = {}
        for kind, (name, index) in per_kind.items():
            category = by_name[name]
            first = category.issues[0]
            if first.uses:
                filed[slug][kind] = (category, first, fillers[first.uses][index])
            else:
                filed[slug][kind] = (category, category.issues[index], None)
    return filed


def _shapes(specs: list[dict]) -> dict[str, dict[str, tuple[tuple[Shape, float], ...]]]:
    # Per level and register, the shapes and their weights (a register favours its own).
    shapes = [
        Shape(
            moves=tuple((move.rstrip("?"), move.endswith("?")) for move in spec["moves"]),
            levels=frozenset(spec["levels"]),
            weight=spec.get("suits", {}),
        )
        for spec in specs
    ]
    return {
        level: {
            register: tuple(
                (shape, shape.weight.get(register, 1.0))
                for shape in shapes
                if level in shape.levels
            )
            for register in REGISTERS
        }
        for level in COMPLEXITY_LEVELS
    }


_SHAPES: Final = _shapes(_COMMON["shapes"])
# A phone ticket's description is the agent's note of the call.
_CALL_SHAPES: Final = _shapes(_COMMON["call_shapes"])


def _category(name: str, spec: Mapping[str, Any], banks: Mapping[str, Any]) -> Category:
    issues = tuple(
        Issue(
            fields={
                key: _tree(value, banks)
                for key, value in issue.items()
                if key not in ("needs", "number", "uses")
            },
            needs=tuple(issue["needs"]),
            number=issue.get("number", "sg"),
            uses=issue.get("uses", ""),
            tense=issue.get("tense", spec["tense"]),
        )
        for issue in spec["issues"]
    )
    return Category(
        name=name,
        issues=issues,
        priorities=tuple(spec["priority"].items()),
        sentiments=tuple(spec["sentiment"].items()),
    )
