"""Datasets (issue 12): one customer base behind feedback, tickets and interviews, as stories.

Each customer is drawn from random streams of their own, seeded by (seed, index) (one for the
journey, one per part), never from a stream the customers share: the first N customers of a
larger dataset are the same N customers with the same text (prefix-stable), any run of
customers can be made on its own (a job's chunk), and leaving a part out changes no other.
Per customer, in order:

1. **who**: a person whose name and email belong together, a locale and country, a signup
   date, a segment and the product-type facts of ``vocab/datasets.json``, the one product
   they use (``products.draw_product``) and the platform they use it on;
2. **the journey**, before any word: a mood and its drift (churned customers sour), the
   aspects that delight and annoy them (the first annoyance is the main pain), incidents on
   those aspects, each handled ``fast`` (resolved within a day), ``slow`` or left ``open``,
   and the moments they write reviews; a review written after a ticket is about that
   ticket's aspect and its rating follows how it was handled; a churned customer's last
   review, just before they leave, is negative about the main pain;
3. **the text**: every review is ``feedback.realise_feedback`` of a ``content.plan_content``
   the journey fixes (rating, aspects, the incident and its outcome), written by the
   customer (``writers.writer_for``). Every ticket is ``tickets.ticket_for`` of a case:
   the customer's product, the incident's category and issue, the case's order and
   handling. The interview the journey plans (``Journey.interview``: which type, when, the
   main pain it must name) is ``interviews.interview_for``, the main pain first.
"""

import math
import random as random_module
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from generators.engine.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES, SENTIMENT_MIXES
from generators.engine.content import plan_content
from generators.engine.feedback import realise_feedback, render_choice
from generators.engine.grammar import weighted
from generators.engine.interviews import interview_for
from generators.engine.locales import DEFAULT_LOCALE, locale
from generators.engine.people import (
    Person,
    company_domain,
    draw_company,
    draw_person,
    email_address,
)
from generators.engine.products import Aspect, Incident, Product, draw_product, load_world
from generators.engine.realiser import Memory, draw_item, entry_slots
from generators.engine.tickets import ticket_for
from generators.engine.timeline import iso
from generators.engine.v1.timeline import window_bounds
from generators.engine.vocabulary import read
from generators.engine.writers import Writer, writer_for

Random = Callable[[], float]
PARTS: Final = ("feedback", "tickets", "interviews")
HANDLINGS: Final = ("fast", "slow", "open")
_DATA: Final = read("datasets.json")
# Weighted tables as tuples of (value, weight) pairs, which ``grammar.weighted`` caches.
_SEGMENTS: Final = {
    name: tuple((segment, weight) for segment, weight in spec["segments"])
    for name, spec in _DATA["types"].items()
}
_COUNTRIES: Final = {
    code: tuple((country, weight) for country, weight in table)
    for code, table in _DATA["countries"].items()
}
_HOUR: Final = 3600
_DAY: Final = 24 * _HOUR
# The customer base's mood by ``satisfaction``: (centre, half-width) of a customer's start.
_MOODS: Final = {
    "positive": (0.78, 0.2),
    "balanced": (0.62, 0.32),
    "negative": (0.3, 0.22),
    "mixed": (0.55, 0.3),
}
# How support handled an incident, by whether the customer later left (as weights).
_HANDLING_WEIGHTS: Final = {
    False: (("fast", 55), ("slow", 30), ("open", 15)),
    True: (("fast", 15), ("slow", 35), ("open", 50)),
}
# How a handled (or not yet handled) ticket moves the customer's satisfaction after it.
_EFFECT: Final = {"fast": 0.08, "slow": -0.06, "open": -0.22}
_FOLLOW_UP: Final = 0.65  # the chance a ticket is followed by a review about it
_STATUSES: Final = {"fast": ("resolved", "closed"), "slow": ("resolved", "closed"),
                    "open": ("open", "pending", "in_progress")}  # fmt: skip
# The incidents a review of a rating may tell (4 stands for 4 and 5).
_TELLABLE: Final = {
    4: ("minor",),
    3: ("minor", "major"),
    2: ("major", "severe"),
    1: ("major", "severe"),
}
_INTERVIEW_TYPES: Final = (("user_research", 50), ("customer_discovery", 25), ("usability", 25))


@dataclass(frozen=True, slots=True)
class Rates:
    """Per-customer rates: mean reviews, mean tickets, the share interviewed, questions each."""

    reviews: float
    tickets: float
    interview_share: float
    questions: int


@dataclass(frozen=True, slots=True)
class Case:
    """One incident a customer hit, the ticket they filed and how support handled it."""

    aspect: Aspect
    incident: Incident
    created: int
    handling: str
    resolved: int | None
    # What the case is about in the customer's words' slots (what was ordered), drawn once so
    # the ticket and the reviews about it name the same order.
    facts: dict[str, Any]

    def handling_at(self, moment: int) -> str:
        """How the case looked at ``moment``: still open until it was resolved."""
        return self.handling if self.resolved is not None and self.resolved <= moment else "open"


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    """When a review is written, which ticket it follows (if any) and whether it tells it."""

    at: int
    case: Case | None
    follows: bool
    final: bool


@dataclass(frozen=True, slots=True)
class InterviewPlan:
    """An interview the customer gives: its type, when, the main pain it must name."""

    interview_type: str
    at: int
    main_pain: Aspect
    question_count: int


@dataclass(frozen=True, slots=True)
class Journey:
    """Everything true of one customer before any text is written."""

    record: dict[str, Any]
    writer: Writer
    product: Product
    signup: int
    end: int
    churned: bool
    mood: float
    drift: float
    delights: tuple[Aspect, ...]
    pains: tuple[Aspect, ...]
    cases: tuple[Case, ...]
    reviews: tuple[ReviewPlan, ...]
    interview: InterviewPlan | None

    def satisfaction(self, moment: int) -> float:
        """How the customer feels at ``moment``: their mood, its drift and their tickets."""
        share = (moment - self.signup) / max(1, self.end - self.signup)
        felt = self.mood + self.drift * share
        felt += sum(_EFFECT[c.handling_at(moment)] for c in self.cases if c.created < moment)
        return min(1.0, max(0.0, felt))


def default_rates(product_type: str) -> Rates:
    """The per-customer rates a dataset of ``product_type`` uses unless told otherwise."""
    raw = _type(product_type)["rates"]
    return Rates(
        reviews=raw["reviews"],
        tickets=raw["tickets"],
        interview_share=raw["interviewShare"],
        questions=raw["questions"],
    )


def generate_dataset(
    *,
    product_type: str,
    customer_count: int,
    seed: int,
    complexity: str,
    window: tuple[datetime, datetime],
    satisfaction: str = "balanced",
    churn_rate: float = 0.15,
    include: Sequence[str] = PARTS,
    rates: Rates | None = None,
    first: int = 0,
) -> dict[str, list[dict]]:
    """Customers ``first`` .. ``first + customer_count - 1`` of the dataset ``seed`` names,
    with their feedback, tickets and interviews; the same customer index always gives the same
    customer, whatever the count (so a job can make its chunks apart)."""
    _check(product_type=product_type, complexity=complexity, satisfaction=satisfaction,
           churn_rate=churn_rate, include=include)  # fmt: skip
    dataset: dict[str, list[dict]] = {"customers": [], "feedback": [], "tickets": [],
                                      "interviews": []}  # fmt: skip
    journeys = _journeys(product_type=product_type, customer_count=customer_count, seed=seed,
                         window=window, satisfaction=satisfaction, churn_rate=churn_rate,
                         rates=rates, first=first)  # fmt: skip
    for stream, journey in journeys:
        dataset["customers"].append(journey.record)
        if "tickets" in include:
            rng = random_module.Random(f"{stream}:tickets")
            dataset["tickets"].extend(
                write_tickets(journey=journey, complexity=complexity, rng=rng)
            )
        if "interviews" in include and journey.interview is not None:
            rng = random_module.Random(f"{stream}:interviews")
            dataset["interviews"].append(
                write_interview(journey=journey, complexity=complexity, rng=rng)
            )
        if "feedback" in include:
            rng = random_module.Random(f"{stream}:feedback")
            dataset["feedback"].extend(
                write_reviews(
                    journey=journey, complexity=complexity, satisfaction=satisfaction, rng=rng
                )  # fmt: skip
            )
    return dataset


def draw_journey(
    *,
    product_type: str,
    rng: random_module.Random,
    bounds: tuple[int, int],
    satisfaction: str,
    churn_rate: float,
    rates: Rates,
) -> Journey:
    """One customer and their story, drawn from ``rng`` alone."""
    rnd = rng.random
    world = load_world(product_type)
    spec = _type(product_type)
    identifier = f"cus_{rng.getrandbits(48):012x}"
    person = draw_person(random=rnd)
    locale_code = DEFAULT_LOCALE
    email = _email(person=person, locale_code=locale_code, audience=world.audience, random=rnd)
    writer = writer_for(person=person, author=person.name, locale_code=locale_code,
                        audience=world.audience, emoji=world.emoji, random=rnd)  # fmt: skip
    product = draw_product(product_type=product_type, random=rnd)
    first, last = bounds
    span = max(1, last - first)
    signup = first + int(rnd() ** 1.4 * 0.7 * span)
    churned = rnd() < churn_rate
    end = signup + int((0.3 + 0.65 * rnd()) * (last - signup)) if churned else last
    centre, width = _MOODS[satisfaction]
    mood = min(1.0, max(0.0, centre + width * (2 * rnd() - 1)))
    if churned:
        mood = min(mood, 0.4 + 0.2 * rnd())
    drift = -(mood - 0.05) * (0.6 + 0.4 * rnd()) if churned else 0.15 * (2 * rnd() - 1)
    delights, pains = _feelings(product=product, random=rnd)
    cases = _cases(writer=writer, product=product, pains=pains, signup=signup, end=end,
                   churned=churned, mean=rates.tickets * (1.5 if churned else 1.0),
                   random=rnd)  # fmt: skip
    reviews = _review_plans(cases=cases, signup=signup, end=end, churned=churned,
                            mean=rates.reviews, random=rnd)  # fmt: skip
    interview = _interview_plan(pains=pains, signup=signup, end=end, last=last, churned=churned,
                                rates=rates, random=rnd)  # fmt: skip
    record: dict[str, Any] = {
        "id": identifier,
        "name": person.name,
        "email": email,
        "country": _country(locale_code, rnd),
        "locale": locale_code,
        "signupAt": iso(signup),
        "segment": weighted(_SEGMENTS[product_type], random=rnd),
        "status": "churned" if churned else "active",
        "churnedAt": iso(end) if churned else None,
        "product": {"name": product.name, "brand": product.brand, "kind": product.kind.label},
    }
    platforms = product.kind.slots.get("platforms")
    if platforms is not None:
        record["platform"] = render_choice(platforms, rnd)
    record["facts"] = {name: _skewed(low, high, rnd) for name, (low, high) in spec["facts"].items()}
    return Journey(
        record=record, writer=writer, product=product, signup=signup, end=end, churned=churned,
        mood=mood, drift=drift, delights=delights, pains=pains, cases=cases, reviews=reviews,
        interview=interview,
    )  # fmt: skip


def write_reviews(
    *, journey: Journey, complexity: str, satisfaction: str, rng: random_module.Random
) -> list[dict]:
    """The customer's reviews, in time order, each realised from the plan their story fixes."""
    rnd = rng.random
    memory = Memory()
    titles: set[str] = set()
    entries = []
    for plan in journey.reviews:
        rating, label, aspects, incident, outcome = _review_content(
            journey=journey, plan=plan, mixed_share=0.45 if satisfaction == "mixed" else 0.12,
            random=rnd,
        )  # fmt: skip
        content = plan_content(
            kind=journey.product.kind, label=label, rating=rating, aspects=aspects,
            incident=incident, outcome=outcome, random=rnd,
        )  # fmt: skip
        entry = realise_feedback(
            writer=journey.writer, product=journey.product, content=content,
            complexity=complexity, random=rnd, memory=memory, titles=titles,
            identifier=f"feedback_{rng.getrandbits(48):012x}", timestamp=iso(plan.at),
            facts=plan.case.facts if plan.case is not None else None,
        )  # fmt: skip
        entries.append(_joined(entry, journey))
    return entries


def write_tickets(*, journey: Journey, complexity: str, rng: random_module.Random) -> list[dict]:
    """One 2.0.0 ticket per case (``tickets.ticket_for``): about the customer's own product
    and the case's incident, its order the one the reviews about it name, its thread ending
    as support handled it."""
    customer = journey.record
    memory = Memory()
    subjects: set[str] = set()
    tickets = []
    for case in journey.cases:
        statuses = _STATUSES[case.handling]
        status = statuses[int(rng.random() * len(statuses))]
        ticket = ticket_for(
            product=journey.product, writer=journey.writer, email=customer["email"],
            incident=case.incident, status=status, created=case.created,
            resolved=case.resolved, last=journey.end - 1, complexity=complexity,
            facts=case.facts, rng=rng, memory=memory, subjects=subjects,
        )  # fmt: skip
        tickets.append(
            {
                "id": ticket.pop("id"),
                "customerId": customer["id"],
                **ticket,
                "resolvedAt": iso(case.resolved) if case.resolved is not None else None,
                "aspect": case.aspect.slug,
                "incident": case.incident.slug,
            }
        )
    return tickets


def _journeys(
    *,
    product_type: str,
    customer_count: int,
    seed: int,
    window: tuple[datetime, datetime],
    satisfaction: str,
    churn_rate: float,
    rates: Rates | None,
    first: int,
) -> Iterator[tuple[str, Journey]]:
    """Each customer's stream name and journey. The journey and each part have streams of
    their own (``<stream>:tickets``...), so leaving a part out changes nothing in the others,
    and pricing (``part_counts``) draws exactly the journeys the text is written from."""
    rates = rates or default_rates(product_type)
    bounds = window_bounds(window)
    for index in range(first, first + customer_count):
        stream = f"dataset:{seed}:{index}"
        journey = draw_journey(
            product_type=product_type, rng=random_module.Random(stream), bounds=bounds,
            satisfaction=satisfaction, churn_rate=churn_rate, rates=rates,
        )  # fmt: skip
        yield stream, journey


def write_interview(*, journey: Journey, complexity: str, rng: random_module.Random) -> dict:
    """The customer's planned interview (``interviews.interview_for``): about their product,
    their main pain first, with the interviewee's name and email theirs."""
    plan = journey.interview
    if plan is None:
        raise ValueError("this customer gives no interview")
    customer = journey.record
    interview = interview_for(
        product=journey.product, writer=journey.writer, interview_type=plan.interview_type,
        main_pain=plan.main_pain, question_count=plan.question_count, complexity=complexity,
        conducted=plan.at, rng=rng,
    )  # fmt: skip
    interviewee = {**interview.pop("interviewee"), "email": customer["email"]}
    return {"id": interview.pop("id"), "customerId": customer["id"], **interview,
            "interviewee": interviewee}  # fmt: skip


def _review_content(
    *, journey: Journey, plan: ReviewPlan, mixed_share: float, random: Random
) -> tuple[int, str, list[Aspect], Incident | None, str | None]:
    """A review's rating, label, leading aspects, the incident it tells and its outcome."""
    case = plan.case
    if plan.final:
        rating = 1 if random() < 0.6 else 2
        main = journey.pains[0]
        aspects = [main] + ([case.aspect] if case is not None and case.aspect != main else [])
        told = case.incident if case is not None and case.aspect == main and plan.follows else None
        return rating, "negative", aspects, _fitting(told, rating), "bad"
    felt = journey.satisfaction(plan.at)
    rating = min(5, max(1, round(1 + 4 * felt + (random() - 0.5))))
    if case is None:
        label = _label(rating, mixed_share, random)
        aspects = _free_aspects(journey, rating, random)
        return rating, label, aspects, None, None
    handling = case.handling_at(plan.at)
    if handling == "fast":
        rating = max(rating, 4 if plan.follows else 3)
    elif handling == "open":
        rating = min(rating, 2)
    outcome = "bad" if handling == "open" or rating < 3 else "good"
    told = _fitting(case.incident, rating) if plan.follows else None
    return rating, _label(rating, 0.0, random), [case.aspect], told, outcome


def _fitting(incident: Incident | None, rating: int) -> Incident | None:
    # A happy review never tells a serious failure, nor a furious one a hiccup (content.py).
    if incident is None:
        return None
    return incident if incident.severity in _TELLABLE[min(rating, 4)] else None


def _label(rating: int, mixed_share: float, random: Random) -> str:
    if rating >= 4:
        return "positive"
    if rating == 3:
        return "mixed" if random() < mixed_share else "neutral"
    if rating == 2 and random() < mixed_share / 2:
        return "mixed"
    return "negative"


def _free_aspects(journey: Journey, rating: int, random: Random) -> list[Aspect]:
    # A review with no ticket behind it speaks first of what delights or annoys the customer.
    if rating >= 4:
        return [journey.delights[int(random() * len(journey.delights))]]
    if rating <= 2:
        return [journey.pains[int(random() * len(journey.pains))]]
    return []


def _feelings(*, product: Product, random: Random) -> tuple[tuple[Aspect, ...], tuple[Aspect, ...]]:
    """Two aspects that annoy (the main pain first, one with incidents when the kind has one)
    and one or two that delight."""
    aspects = list(product.kind.aspects)
    troubled = {incident.aspect for incident in product.kind.incidents}
    for index in range(len(aspects)):
        swap = index + int(random() * (len(aspects) - index))
        aspects[index], aspects[swap] = aspects[swap], aspects[index]
    aspects.sort(key=lambda aspect: aspect.slug not in troubled)
    pains = tuple(aspects[:2])
    rest = aspects[2:]
    start = int(random() * len(rest))
    delights = tuple(rest[(start + step) % len(rest)] for step in range(1 + int(random() < 0.5)))
    return delights, pains


def _cases(
    *,
    writer: Writer,
    product: Product,
    pains: tuple[Aspect, ...],
    signup: int,
    end: int,
    churned: bool,
    mean: float,
    random: Random,
) -> tuple[Case, ...]:
    """The incidents the customer hits, in time order, each with its handling."""
    kind = product.kind
    if not kind.incidents:
        return ()
    count = _poisson(mean, random)
    if churned:
        count = max(count, 1 if random() < 0.75 else 0)
    life = end - signup
    moments = sorted(signup + _HOUR + int((0.05 + 0.75 * random()) * life) for _ in range(count))
    by_slug = {aspect.slug: aspect for aspect in kind.aspects}
    cases: list[Case] = []
    for position, created in enumerate(moments):
        main_last = churned and position == count - 1
        told = {case.incident.slug for case in cases}
        incident = _incident(kind.incidents, pains=pains, main_only=main_last, told=told,
                             random=random)  # fmt: skip
        handling = weighted(_HANDLING_WEIGHTS[churned], random=random)
        resolved = None
        if handling == "fast":
            resolved = created + int((1 + 22 * random()) * _HOUR)
        elif handling == "slow":
            resolved = created + int((2 + 10 * random()) * _DAY)
        if resolved is not None and resolved >= end:
            handling, resolved = "open", None
        cases.append(Case(aspect=by_slug[incident.aspect], incident=incident, created=created,
                          handling=handling, resolved=resolved,
                          facts=_order(writer=writer, product=product, random=random)))  # fmt: skip
    return tuple(cases)


def _order(*, writer: Writer, product: Product, random: Random) -> dict[str, Any]:
    """What the customer ordered this time, as the slots ``realiser.draw_item`` fills."""
    slots = entry_slots(writer=writer, product=product)
    draw_item(product=product, slots=slots, random=random)
    return {
        name: value
        for name, value in slots.items()
        if name in ("item", "the_item", "i_number") or name.startswith("i_")
    }


def _incident(
    incidents: Sequence[Incident],
    *,
    pains: tuple[Aspect, ...],
    main_only: bool,
    told: set[str],
    random: Random,
) -> Incident:
    # Most incidents land on what annoys the customer; a churned customer's last, on the main
    # pain when it has incidents of its own. A story already told is told again only when
    # nothing else fits.
    wanted = {pains[0].slug} if main_only else {aspect.slug for aspect in pains}
    fitting = [incident for incident in incidents if incident.aspect in wanted]
    pool = fitting if fitting and (main_only or random() < 0.75) else list(incidents)
    pool = [incident for incident in pool if incident.slug not in told] or pool
    return pool[int(random() * len(pool))]


def _review_plans(
    *, cases: tuple[Case, ...], signup: int, end: int, churned: bool, mean: float, random: Random
) -> tuple[ReviewPlan, ...]:
    """When the customer writes: after some tickets (once handled, or a while after if not),
    at moments of their own, and, if they leave, once just before leaving."""
    life = end - signup
    moments: list[tuple[int, bool]] = []
    for case in cases:
        if random() < _FOLLOW_UP:
            after = case.resolved if case.resolved is not None else case.created
            moments.append((after + int((2 + 70 * random()) * _HOUR), True))
    for _ in range(_poisson(mean, random)):
        moments.append((signup + _HOUR + int(random() * 0.9 * life), False))
    final_at = None
    if churned:
        latest = max((case.created for case in cases), default=signup)
        final_at = end - int(min(3 * _DAY, (end - latest) / 2) * random()) - 60
    limit = final_at if final_at is not None else end
    kept = sorted(moment for moment in moments if signup < moment[0] < limit)
    plans = [
        ReviewPlan(at=at, case=_latest(cases, at), follows=follows, final=False)
        for at, follows in kept
    ]
    if final_at is not None:
        plans.append(ReviewPlan(at=final_at, case=_latest(cases, final_at),
                                follows=bool(cases), final=True))  # fmt: skip
    return tuple(plans)


def _latest(cases: tuple[Case, ...], moment: int) -> Case | None:
    before = [case for case in cases if case.created < moment]
    return before[-1] if before else None


def _interview_plan(
    *,
    pains: tuple[Aspect, ...],
    signup: int,
    end: int,
    last: int,
    churned: bool,
    rates: Rates,
    random: Random,
) -> InterviewPlan | None:
    # Churned customers are asked why they left, soon after; others about their use of it.
    share = min(1.0, rates.interview_share * (2.0 if churned else 1.0))
    if random() >= share:
        return None
    if churned:
        at = min(last, end + int((1 + 13 * random()) * _DAY))
        return InterviewPlan("churn", at, pains[0], rates.questions)
    at = max(signup + _DAY, end - int(random() * 60 * _DAY))
    return InterviewPlan(weighted(_INTERVIEW_TYPES, random=random), at, pains[0], rates.questions)


def _joined(entry: dict[str, Any], journey: Journey) -> dict[str, Any]:
    # The review is the customer's: their id first, their name as author, their platform.
    joined = {"id": entry.pop("id"), "customerId": journey.record["id"], **entry}
    joined["author"] = journey.record["name"]
    if "platform" in journey.record:
        joined["platform"] = journey.record["platform"]
    return joined


def _email(*, person: Person, locale_code: str, audience: str, random: Random) -> str:
    domain = None
    if audience == "professional":
        domain = company_domain(company=draw_company(random=random), random=random)
    return email_address(person=person, locale=locale(locale_code), random=random, domain=domain)


def _country(locale_code: str, random: Random) -> str:
    return str(weighted(_COUNTRIES[locale_code], random=random))


def _skewed(low: int, high: int, random: Random) -> int:
    # Most customers have a few orders (seats, cards); a few have many.
    return low + int(random() ** 2.5 * (high - low + 1))


def _poisson(mean: float, random: Random) -> int:
    # Knuth's method: the number of uniform draws whose product stays above e^-mean.
    limit, count, product = math.exp(-mean), 0, random()
    while product > limit:
        count += 1
        product *= random()
    return count


def _type(product_type: str) -> dict[str, Any]:
    if product_type not in _DATA["types"]:
        raise ValueError(f"product_type must be one of: {', '.join(PRODUCT_TYPES)}")
    return dict(_DATA["types"][product_type])


def _check(
    *,
    product_type: str,
    complexity: str,
    satisfaction: str,
    churn_rate: float,
    include: Sequence[str],
) -> None:
    for name, value, allowed in (
        ("product_type", product_type, PRODUCT_TYPES),
        ("complexity", complexity, COMPLEXITY_LEVELS),
        ("satisfaction", satisfaction, SENTIMENT_MIXES),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of: {', '.join(allowed)}")
    if not 0 <= churn_rate <= 1:
        raise ValueError("churn_rate must be between 0 and 1")
    unknown = [part for part in include if part not in PARTS]
    if unknown:
        raise ValueError(f"include must hold only: {', '.join(PARTS)}")


def part_counts(
    *,
    product_type: str,
    customer_count: int,
    seed: int,
    window: tuple[datetime, datetime],
    satisfaction: str = "balanced",
    churn_rate: float = 0.15,
    include: Sequence[str] = PARTS,
    rates: Rates | None = None,
    first: int = 0,
) -> dict[str, Any]:
    """How many reviews and tickets ``generate_dataset`` makes for these customers, and each
    interview's questions, from their journeys alone (no text is written), so a job is priced
    before it is built."""
    counts: dict[str, Any] = {"feedback": 0, "tickets": 0, "interview_questions": []}
    journeys = _journeys(product_type=product_type, customer_count=customer_count, seed=seed,
                         window=window, satisfaction=satisfaction, churn_rate=churn_rate,
                         rates=rates, first=first)  # fmt: skip
    for _, journey in journeys:
        if "feedback" in include:
            counts["feedback"] += len(journey.reviews)
        if "tickets" in include:
            counts["tickets"] += len(journey.cases)
        if "interviews" in include and journey.interview is not None:
            counts["interview_questions"].append(journey.interview.question_count)
    return counts
