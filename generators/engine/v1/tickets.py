"""Support tickets: a category and a priority are drawn first, and the wording follows them."""

import random as random_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generators.engine.v1.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES
from generators.engine.v1.grammar import Alt, compile_bank, link_banks, pick, render
from generators.engine.v1.people import company_domain, draw_company, draw_person, email_address
from generators.engine.v1.phrasebook import AGREEMENT, compile_tree, read_vocab
from generators.engine.v1.timeline import iso, moment, window_bounds

Random = Callable[[], float]

_COMMON = read_vocab("tickets/common.json")
_PRIORITIES = ("low", "medium", "high", "urgent")
_STATUSES = (("open", 25), ("pending", 15), ("in_progress", 20), ("resolved", 25), ("closed", 15))
_CHANNELS = (("email", 40), ("chat", 30), ("web", 20), ("phone", 10))
# Business products get work addresses; consumer ones mostly free mail providers.
_WORK_EMAIL = frozenset({"saas", "web_app"})
_TOPICS = ("task", "wish")
# A feature written "pl:discount codes" is plural; verbs about it agree ("discount codes fail").
_PLURAL_MARK = "pl:"
_MONTHS: tuple[str, ...] = tuple(_COMMON["months"])
# Categories where "what I already tried" makes sense before asking for help.
_TROUBLESHOOTING = frozenset({"bug", "account", "how_to"})
_THREAD_GAP = (600, 30000)  # seconds between thread messages, before fitting the window


@dataclass(frozen=True, slots=True)
class Category:
    """A ticket category of one product: its phrases, default tone and priority weights."""

    name: str
    sentiment: str
    priority_weights: tuple[tuple[str, int], ...]
    phrases: dict[str, Alt]


@dataclass(frozen=True, slots=True)
class TicketBook:
    """The categories and product slots of one product type."""

    categories: tuple[Category, ...]
    slots: dict[str, Any]
    topics: dict[str, Alt]
    features: tuple[tuple[str, str], ...]
    exchanges: dict[str, tuple[Alt, Alt]]


def _load_book(product_type: str) -> TicketBook:
    raw = read_vocab(f"tickets/{product_type}.json")
    product = {name: raw[name] for name in ("product", "product_short", "bug", "menu")}
    banks = link_banks({**_COMMON["banks"], **product})
    definitions = {**_COMMON["categories"], **raw.get("extra", {})}
    categories = tuple(
        Category(
            name=name,
            sentiment=definition["sentiment"],
            priority_weights=tuple(definition["priority"].items()),
            phrases=compile_tree(
                {key: definition[key] for key in ("subjects", "problems", "asks")}, banks=banks
            ),
        )
        for name, definition in definitions.items()
    )
    thread = {kind: lines for kind, lines in _COMMON["thread"].items() if kind != "exchange"}
    lines = compile_tree({"priority": _COMMON["priority_lines"], "thread": thread}, banks=banks)
    # Topics stay unlinked slots: each ticket draws its own once and reuses it throughout.
    topics = {name: compile_bank(raw[name]) for name in _TOPICS}
    features = tuple(
        (text.removeprefix(_PLURAL_MARK), "pl" if text.startswith(_PLURAL_MARK) else "sg")
        for text in raw["feature"]
    )
    return TicketBook(
        categories=categories, slots={**banks, **lines}, topics=topics, features=features,
        exchanges=_exchanges(banks),
    )  # fmt: skip


def _exchanges(banks: dict[str, Alt]) -> dict[str, tuple[Alt, Alt]]:
    # An agent's question and the customer's answer to it, kept at the same position.
    return {
        category: (
            compile_tree([ask for ask, _ in pairs], banks=banks),
            compile_tree([answer for _, answer in pairs], banks=banks),
        )
        for category, pairs in _COMMON["thread"]["exchange"].items()
    }


_BOOKS: dict[str, TicketBook] = {product: _load_book(product) for product in PRODUCT_TYPES}


def generate_tickets(
    *,
    product_type: str,
    count: int,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> list[dict]:
    """``count`` support tickets about ``product_type``."""
    if product_type not in _BOOKS:
        raise ValueError(f"product_type must be one of: {', '.join(PRODUCT_TYPES)}")
    if complexity not in COMPLEXITY_LEVELS:
        raise ValueError(f"complexity must be one of: {', '.join(COMPLEXITY_LEVELS)}")
    rng = random_module.Random(seed)
    bounds = window_bounds(window)
    book = _BOOKS[product_type]
    subjects: set[str] = set()
    return [
        _ticket(book=book, product_type=product_type, complexity=complexity, rng=rng,
                bounds=bounds, subjects=subjects)
        for _ in range(count)
    ]  # fmt: skip


def _ticket(
    *,
    book: TicketBook,
    product_type: str,
    complexity: str,
    rng: random_module.Random,
    bounds: tuple[int, int],
    subjects: set[str],
) -> dict[str, Any]:
    rnd = rng.random
    identifier = f"ticket_{rng.getrandbits(48):012x}"
    category = pick(book.categories, random=rnd)
    priority = weighted(category.priority_weights, random=rnd)
    status = weighted(_STATUSES, random=rnd)
    person = draw_person(random=rnd)
    domain = None
    if product_type in _WORK_EMAIL:
        domain = company_domain(company=draw_company(random=rnd), random=rnd)
    email = email_address(person=person, random=rnd, domain=domain)
    feature, number = pick(book.features, random=rnd)
    slots = {
        **book.slots,
        **AGREEMENT[number],
        "version": f"{2 + int(rnd() * 8)}.{int(rnd() * 20)}",
        "customer_first": person.first,
        "customer_name": person.name,
        "feature": feature,
        "Feature": _capitalise(feature),
    }
    # A date named in the subject, the description and the thread is the same date.
    slots["month"] = pick(_MONTHS, random=rnd)
    slots["date"] = f"{slots['month']} {2 + int(rnd() * 27)}"
    # One topic per ticket: the subject and the description name the same feature, task or
    # wish, and a subject is paired with the problem written at the same position.
    for name in _TOPICS:
        slots[name] = render(book.topics[name], random=rnd, slots=slots)
    topic = int(rnd() * len(category.phrases["problems"]))
    slots["subjects"] = _paired(category.phrases["subjects"], topic)
    slots["problems"] = _paired(category.phrases["problems"], topic)
    slots["asks"] = _paired(category.phrases["asks"], topic)
    sentiment = "negative" if priority in ("high", "urgent") else category.sentiment
    subject = _subject(category=category, priority=priority, slots=slots, random=rnd, seen=subjects)
    description = _description(
        complexity=complexity, priority=priority, sentiment=sentiment, person=person.first,
        troubleshooting=category.name in _TROUBLESHOOTING, slots=slots, random=rnd,
    )  # fmt: skip
    created = moment(rnd(), bounds=bounds)
    ticket: dict[str, Any] = {
        "id": identifier,
        "subject": subject,
        "description": description,
        "category": category.name,
        "priority": priority,
        "status": status,
        "channel": weighted(_CHANNELS, random=rnd),
        "customer": {"name": person.name, "email": email},
        "sentiment": sentiment,
        "createdAt": iso(created),
    }
    if complexity == "complex":
        ticket["thread"] = _thread(
            book=book, category=category.name, status=status, customer=person.name,
            created=created, last=bounds[1], slots=slots, random=rnd,
        )  # fmt: skip
    return ticket


def _subject(
    *, category: Category, priority: str, slots: dict, random: Random, seen: set[str]
) -> str:
    for _ in range(8):
        subject = _capitalise(render(slots["subjects"], random=random, slots=slots))
        if priority == "urgent" and random() < 0.5:
            subject = f"URGENT: {subject}"
        if subject not in seen:
            break
    seen.add(subject)
    return subject


def _description(
    *,
    complexity: str,
    priority: str,
    sentiment: str,
    person: str,
    troubleshooting: bool,
    slots: dict,
    random: Random,
) -> str:
    def say(name: str) -> str:
        return _capitalise(render(slots[name], random=random, slots=slots))

    urgency = render(slots["priority"][priority], random=random, slots=slots)
    body = [say("problems")]
    if complexity == "simple":
        return " ".join(part for part in (*body, urgency) if part)
    if complexity == "complex" and troubleshooting:
        body.append(say("tried"))
    body.append(say("asks"))
    body.append(urgency)
    if sentiment == "negative":
        body.append(say("annoyed"))
    elif sentiment == "positive":
        body.append(say("friendly"))
    paragraph = " ".join(part for part in body if part)
    return f"{say('hi')}\n\n{paragraph}\n\n{say('thanks')}\n{person}"


def _thread(
    *,
    book: TicketBook,
    category: str,
    status: str,
    customer: str,
    created: int,
    last: int,
    slots: dict,
    random: Random,
) -> list[dict[str, str]]:
    thread_slots = {**slots, "version_next": _next_version(slots["version"])}
    agent = f"{render(slots['agent'], random=random, slots=slots)} (Support)"
    steps = _thread_steps(status=status, random=random)
    asks, answers = book.exchanges[category]
    # The customer's reply answers the question the agent asked, so both share a position.
    turn = int(random() * len(asks))
    lines = {**slots["thread"], "ask": asks[turn], "reply": answers[turn]}
    gaps = [_THREAD_GAP[0] + int(random() * (_THREAD_GAP[1] - _THREAD_GAP[0])) for _ in steps]
    messages = []
    for (sender, kind), sent in zip(
        steps, _fit(created=created, last=last, gaps=gaps), strict=True
    ):
        bank = lines[kind]
        if isinstance(bank, dict):
            bank = bank.get(category) or bank["default"]
        messages.append(
            {
                "from": sender,
                "author": agent if sender == "agent" else customer,
                "message": render(bank, random=random, slots=thread_slots),
                "sentAt": iso(sent),
            }
        )
    return messages


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


def _fit(*, created: int, last: int, gaps: list[int]) -> list[int]:
    # The gaps come from the seed whatever the window; only their scale depends on it, so a
    # ticket created near the window's end squeezes its thread instead of running past it.
    total = sum(gaps)
    room = max(0, last - created)
    scale = min(1.0, room / total) if total else 0.0
    times, elapsed = [], 0
    for gap in gaps:
        elapsed += gap
        times.append(created + int(elapsed * scale))
    return times


def weighted(options: tuple[tuple[str, int], ...], *, random: Random) -> str:
    """Pick a name from (name, weight) pairs."""
    point = random() * sum(weight for _, weight in options)
    for name, weight in options:
        point -= weight
        if point < 0:
            return name
    return options[-1][0]


def _next_version(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"


def _paired(options: Alt, position: int) -> Any:
    return options[position % len(options)]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
