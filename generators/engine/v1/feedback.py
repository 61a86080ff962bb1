"""Customer reviews: each entry is planned (label, rating, aspects, roles), then written."""

import random as random_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generators.engine.v1.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES, SENTIMENT_MIXES
from generators.engine.v1.grammar import Alt, compile_bank, link, pick, render
from generators.engine.v1.people import display_name, draw_person
from generators.engine.v1.phrasebook import (
    Aspect,
    common_banks,
    compile_aspect,
    compile_tree,
    product_slots,
    read_vocab,
)
from generators.engine.v1.timeline import iso, moment, window_bounds

Random = Callable[[], float]

_COMMON = read_vocab("feedback/common.json")
_BANKS = common_banks("feedback")
_TITLES: dict[str, Alt] = compile_tree(_COMMON["titles"], banks=_BANKS)
_PRODUCT_SLOT_NAMES = ("product", "product_short", "goal", "goal_you")
# Facts an entry states once and repeats the same: who writes, how often, what for, against
# which competitor. Each entry draws one alternative of each and keeps it for every sentence.
_PINNED_COMMON = ("person", "frequency")
_PINNED_PRODUCT = ("purpose", "competitor")
_PRAISING = frozenset({"praise", "praise_mild", "comparison_pos"})
_BARE = {"praise": "praise_bare", "complaint": "complaint_bare"}
_NO_DETAIL = {"detail_tail": "", "detail_head": compile_bank(_COMMON["detail_free_heads"])}
_RATINGS: dict[str, tuple[tuple[int, int], ...]] = {
    label: tuple((rating, weight) for rating, weight in pairs)
    for label, pairs in _COMMON["labels"]["ratings"].items()
}
_MIXED_SHARES: tuple[tuple[str, int], ...] = tuple(_COMMON["labels"]["weights_mixed"].items())
# Words per entry the complexity levels aim for; an entry outside is rewritten.
WORD_RANGES: Mapping[str, tuple[int, int]] = {
    "simple": (8, 30),
    "medium": (30, 70),
    "complex": (70, 160),
}
_REWRITES = 6
_REROLLS = 4


@dataclass(frozen=True, slots=True)
class Step:
    """One sentence of a plan: its role and the aspects (by position) it talks about."""

    kind: str
    first: int
    second: int


@dataclass(frozen=True, slots=True)
class ProductBook:
    """Everything needed to write reviews of one product type."""

    aspects: tuple[Aspect, ...]
    platforms: tuple[str, ...]
    pinned: dict[str, Alt]


def _sentence_banks() -> dict[tuple[str, str], Alt]:
    compiled = compile_tree(_COMMON["sentences"], banks=_BANKS)
    banks: dict[tuple[str, str], Alt] = {}
    for kind, levels in compiled.items():
        for level in COMPLEXITY_LEVELS:
            # A kind written once serves every level; otherwise fall back to the nearest.
            if isinstance(levels, Alt):
                banks[kind, level] = levels
            else:
                banks[kind, level] = levels.get(level) or levels.get("medium") or levels["simple"]
    return banks


def _parse_plans() -> dict[tuple[str, str], tuple[tuple[Step, ...], ...]]:
    plans: dict[tuple[str, str], tuple[tuple[Step, ...], ...]] = {}
    for key, levels in _COMMON["plans"].items():
        for level, options in levels.items():
            plans[key, level] = tuple(tuple(_parse_step(text) for text in plan) for plan in options)
    return plans


def _parse_step(text: str) -> Step:
    kind, *positions = text.split(":")
    first, second = ([int(position) for position in positions] + [-1, -1])[:2]
    return Step(kind=kind, first=first, second=second)


def _tenures() -> tuple[dict[str, Alt], ...]:
    # How long the reviewer has used the product, drawn once per entry: every sentence that
    # mentions it ("for about 7 months", "7 months in") names the same span.
    raw = _COMMON["tenure"]
    tenures = []
    for low, high, unit in raw["spans"]:
        for count in range(low, high + 1):
            words = {"<n>": "a" if count == 1 else str(count),
                     "<units>": unit if count == 1 else f"{unit}s"}  # fmt: skip
            tenures.append({
                name: link(compile_bank([_fill(text, words) for text in templates]), banks=_BANKS)
                for name, templates in raw["phrasings"].items()
            })  # fmt: skip
    return tuple(tenures)


def _fill(text: str, words: Mapping[str, str]) -> str:
    for key, value in words.items():
        text = text.replace(key, value)
    return text


def _load_book(product_type: str) -> ProductBook:
    raw = read_vocab(f"feedback/{product_type}.json")
    # A goal is said of others ("anyone who wants to keep their ...") or to the reader.
    raw["goal_you"] = [text.replace("<their>", "your") for text in raw["goal"]]
    raw["goal"] = [text.replace("<their>", "their") for text in raw["goal"]]
    shared = product_slots(raw, names=_PRODUCT_SLOT_NAMES, banks=_BANKS)
    aspects = tuple(
        compile_aspect(slug=slug, raw=aspect, shared=shared, banks=_BANKS)
        for slug, aspect in raw["aspects"].items()
    )
    pinned = {
        **product_slots(raw, names=_PINNED_PRODUCT, banks=_BANKS),
        **{name: compile_bank(_COMMON["pinned"][name]) for name in _PINNED_COMMON},
    }
    return ProductBook(aspects=aspects, platforms=tuple(raw.get("platforms", ())), pinned=pinned)


_TENURES = _tenures()
_SENTENCES = _sentence_banks()
_PLANS = _parse_plans()
_BOOKS: dict[str, ProductBook] = {product: _load_book(product) for product in PRODUCT_TYPES}


def generate_feedback(
    *,
    product_type: str,
    sentiment_mix: str,
    count: int,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> list[dict]:
    """``count`` reviews of ``product_type`` whose labels follow ``sentiment_mix``."""
    _check_choice("sentiment_mix", sentiment_mix, SENTIMENT_MIXES)
    _check_choice("complexity", complexity, COMPLEXITY_LEVELS)
    book = _BOOKS[_check_choice("product_type", product_type, PRODUCT_TYPES)]
    rng = random_module.Random(seed)
    labels = draw_labels(mix=sentiment_mix, count=count, rng=rng)
    bounds = window_bounds(window)
    seen: set[str] = set()
    titles: set[str] = set()
    return [
        _entry(book=book, label=label, complexity=complexity, rng=rng, bounds=bounds,
               seen=seen, titles=titles)
        for label in labels
    ]  # fmt: skip


def draw_labels(*, mix: str, count: int, rng: random_module.Random) -> list[str]:
    """The sentiment label of every entry, in a shuffled order."""
    if mix in ("positive", "negative"):
        return [mix] * count
    if mix == "balanced":
        shares = [("positive", 1), ("neutral", 1), ("negative", 1)]
        rng.shuffle(shares)  # which labels get the remainder is part of the seeded output
    else:
        shares = list(_MIXED_SHARES)
    labels = _apportion(shares=shares, count=count)
    if mix == "mixed" and count >= 2 and "mixed" not in labels:
        labels[labels.index("positive")] = "mixed"
    rng.shuffle(labels)
    return labels


def _apportion(*, shares: list[tuple[str, int]], count: int) -> list[str]:
    # Largest remainder: exact shares as even as the count allows; ties go to earlier labels.
    total = sum(weight for _, weight in shares)
    quotas = [(count * weight) // total for _, weight in shares]
    remainders = sorted(
        range(len(shares)), key=lambda index: (-(count * shares[index][1]) % total, index)
    )
    for index in remainders[: count - sum(quotas)]:
        quotas[index] += 1
    return [label for (label, _), quota in zip(shares, quotas, strict=True) for _ in range(quota)]


def _entry(
    *,
    book: ProductBook,
    label: str,
    complexity: str,
    rng: random_module.Random,
    bounds: tuple[int, int],
    seen: set[str],
    titles: set[str],
) -> dict[str, Any]:
    rnd = rng.random
    identifier = f"feedback_{rng.getrandbits(48):012x}"
    rating = _draw_rating(label=label, random=rnd)
    plan_key = "mixed" if label == "mixed" else str(rating)
    version = f"{2 + int(rnd() * 8)}.{int(rnd() * 20)}"
    aspects = _draw_aspects(book=book, count=4, random=rnd)
    facts = _facts(book=book, version=version, random=rnd)
    plan, content = _write(
        plan_key=plan_key, complexity=complexity, aspects=aspects, facts=facts,
        random=rnd, seen=seen,
    )  # fmt: skip
    title = _title(plan_key=plan_key, aspects=aspects, random=rnd, titles=titles)
    timestamp = iso(moment(rnd(), bounds=bounds))
    person = draw_person(random=rnd)
    used = sorted({index for step in plan for index in (step.first, step.second) if index >= 0})
    entry: dict[str, Any] = {
        "id": identifier,
        "rating": rating,
        "title": title,
        "content": content,
        "sentiment": "neutral" if label == "neutral" else label,
        "timestamp": timestamp,
        "author": display_name(person=person, random=rnd),
        "verifiedPurchase": rnd() < 0.8,
        "helpfulVotes": int(rnd() ** 3 * 60),
        "aspects": [aspects[index].slug for index in used],
    }
    if book.platforms:
        entry["platform"] = pick(book.platforms, random=rnd)
        entry["appVersion"] = f"{version}.{int(rnd() * 10)}"
    return entry


def _facts(*, book: ProductBook, version: str, random: Random) -> dict[str, Any]:
    """The facts one entry states, drawn once so that no two sentences disagree."""
    facts: dict[str, Any] = {"version": version, **pick(_TENURES, random=random)}
    for name, bank in book.pinned.items():
        facts[name] = pick(bank, random=random)
    return facts


def _write(
    *,
    plan_key: str,
    complexity: str,
    aspects: tuple[Aspect, ...],
    facts: dict[str, Any],
    random: Random,
    seen: set[str],
) -> tuple[tuple[Step, ...], str]:
    low, high = WORD_RANGES[complexity]
    options = _PLANS[plan_key, complexity]
    for _ in range(_REWRITES):
        plan = pick(options, random=random)
        sentences = [
            _sentence(step=step, complexity=complexity, aspects=aspects, facts=facts,
                      random=random, seen=seen)
            for step in plan
        ]  # fmt: skip
        content = " ".join(sentences)
        if low <= content.count(" ") + 1 <= high:
            break
    seen.update(sentences)
    return plan, content


def _sentence(
    *,
    step: Step,
    complexity: str,
    aspects: tuple[Aspect, ...],
    facts: dict[str, Any],
    random: Random,
    seen: set[str],
) -> str:
    first = aspects[max(step.first, 0)]
    slots = {**first.slots, **facts}
    if step.second >= 0:
        slots.update(aspects[step.second].second)
    # The opinion is chosen before the sentence, so the detail attached to it can fit it.
    polarity = "praise" if step.kind in _PRAISING else "complaint"
    phrase, takes_detail = pick(first.phrases[polarity], random=random)
    slots[polarity] = slots[_BARE[polarity]] = phrase
    slots.update(first.details[polarity] if takes_detail else _NO_DETAIL)
    node = _SENTENCES[step.kind, complexity]
    # A bounded memory of this call's sentences: re-roll a repeat a few times, then accept it.
    for _ in range(_REROLLS):
        text = render(node, random=random, slots=slots)
        text = text[0].upper() + text[1:]
        if text not in seen:
            break
    return text


def _title(*, plan_key: str, aspects: tuple[Aspect, ...], random: Random, titles: set[str]) -> str:
    slots = {**aspects[0].slots, **aspects[1].second}
    node = _TITLES[plan_key]
    for _ in range(20):
        title = render(node, random=random, slots=slots)
        title = title[0].upper() + title[1:]
        if title not in titles:
            break
    titles.add(title)
    return title


def _draw_rating(*, label: str, random: Random) -> int:
    options = _RATINGS[label]
    point = random() * sum(weight for _, weight in options)
    for rating, weight in options:
        point -= weight
        if point < 0:
            return rating
    return options[-1][0]


def _draw_aspects(*, book: ProductBook, count: int, random: Random) -> tuple[Aspect, ...]:
    # A partial Fisher-Yates shuffle: distinct aspects without building a set.
    pool = list(book.aspects)
    for index in range(count):
        swap = index + int(random() * (len(pool) - index))
        pool[index], pool[swap] = pool[swap], pool[index]
    return tuple(pool[:count])


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of: {', '.join(allowed)}")
    return value


def product_aspects(*, product_type: str) -> tuple[Aspect, ...]:
    """The compiled aspects of a product type, shared with the interview writer."""
    return _BOOKS[product_type].aspects
