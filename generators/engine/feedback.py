"""Customer reviews (2.0.0): a writer, a product and content are drawn, then realised.

The pipeline, one module per stage: ``writers`` (who writes) -> ``products`` (what is
reviewed) -> ``content`` (what to say) -> ``discourse`` (in what order) -> ``microplan`` (how
to say it) -> ``realiser`` (the words) -> ``surface`` (the writer's habits) -> ``titles``.

``generate_feedback`` is the public function: it draws every entry's writer, product and
content, then calls ``realise_feedback``, which takes them explicitly. Datasets (issue 12)
call ``realise_feedback`` with their own customer as the writer, the customer's product and
the content of their story::

    memory = Memory()
    writer = writer_for(person=..., author=..., locale_code="en-US", audience="consumer",
                        emoji=True, random=rng.random)
    product = draw_product(product_type="hardware", random=rng.random)
    content = plan_content(kind=product.kind, label="negative", rating=2,
                           aspects=[...], incident=..., random=rng.random)
    entry = realise_feedback(writer=writer, product=product, content=content,
                             complexity="medium", random=rng.random, memory=memory,
                             titles=set(), identifier="feedback_...", timestamp="...")
"""

import random as random_module
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from generators.engine.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES, SENTIMENT_MIXES
from generators.engine.content import Content, plan_content
from generators.engine.discourse import CENTRES, plan_discourse
from generators.engine.microplan import plan_messages
from generators.engine.products import Product, draw_product, load_world
from generators.engine.realiser import (
    Memory,
    draw_item,
    entry_slots,
    rating_slots,
    realise_messages,
)
from generators.engine.surface import apply_habits
from generators.engine.timeline import iso, moment
from generators.engine.titles import title_for
from generators.engine.v1.timeline import window_bounds
from generators.engine.writers import Writer, draw_writer

Random = Callable[[], float]
VERSION: Final = "2.0.0"
# The "mixed" sentiment mix: a marketplace-like spread, as 1.0.0 had it.
_MIXED_SHARES: Final = (("positive", 55), ("mixed", 14), ("neutral", 13), ("negative", 18))


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
    _check_choice("product_type", product_type, PRODUCT_TYPES)
    world = load_world(product_type)
    rng = random_module.Random(seed)
    rnd = rng.random
    labels = draw_labels(mix=sentiment_mix, count=count, rng=rng)
    bounds = window_bounds(window)
    memory = Memory()
    titles: set[str] = set()
    entries = []
    for label in labels:
        identifier = f"feedback_{rng.getrandbits(48):012x}"
        timestamp = iso(moment(rnd(), bounds=bounds))
        writer = draw_writer(audience=world.audience, emoji=world.emoji, random=rnd)
        product = draw_product(product_type=product_type, random=rnd)
        content = plan_content(kind=product.kind, label=label, random=rnd)
        entries.append(
            realise_feedback(
                writer=writer,
                product=product,
                content=content,
                complexity=complexity,
                random=rnd,
                memory=memory,
                titles=titles,
                identifier=identifier,
                timestamp=timestamp,
            )
        )
    return entries


def realise_feedback(
    *,
    writer: Writer,
    product: Product,
    content: Content,
    complexity: str,
    random: Random,
    memory: Memory,
    titles: set[str],
    identifier: str,
    timestamp: str,
    facts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One review by ``writer`` of ``product`` saying ``content``, as an API entry; ``facts``
    are slots the caller fixed (a dataset's order, the same one its ticket names)."""
    memory.next_entry()
    words = writer.words(centre=CENTRES[complexity], random=random)
    moves = plan_discourse(
        content=content, register=writer.register, level=complexity, words=words, random=random
    )
    messages = plan_messages(
        moves=moves, content=content, register=writer.register, random=random, level=complexity
    )
    slots = entry_slots(writer=writer, product=product)
    draw_item(product=product, slots=slots, random=random)
    if facts:
        slots.update(facts)
    rating_slots(slots, rating=content.rating)
    sentences = realise_messages(
        messages=messages,
        content=content,
        product=product,
        slots=slots,
        register=writer.register,
        random=random,
        memory=memory,
    )
    text = apply_habits(sentences, habits=writer.habits, random=random)
    # ``Locale`` is not compiled: its ``respell`` is a Python call, and most locales (en-US)
    # have nothing to respell.
    place = writer.locale
    respelt = place.respelling is not None
    if respelt:
        text = place.respell(text)
    told = content.incident is not None and any(m.move == "step" for m in messages)
    title = title_for(
        content=content,
        writer=writer,
        slots=slots,
        random=random,
        memory=memory,
        given=titles,
        told=told,
    )
    said = {point.aspect.slug for message in messages for point in message.points}
    if told and content.incident is not None:
        said.add(content.incident.aspect)
    entry: dict[str, Any] = {
        "id": identifier,
        "rating": content.rating,
        "title": place.respell(title) if respelt else title,
        "content": text,
        "sentiment": content.label,
        "timestamp": timestamp,
        "author": writer.author,
        "verifiedPurchase": random() < 0.8,
        "helpfulVotes": int(random() ** 3 * 60),
        "aspects": sorted(said),
        "product": {"name": product.name, "brand": product.brand, "kind": product.kind.label},
    }
    platforms = product.kind.slots.get("platforms")
    if platforms is not None:
        entry["platform"] = render_choice(platforms, random)
        entry["appVersion"] = f"{2 + int(random() * 8)}.{int(random() * 20)}.{int(random() * 10)}"
    return entry


def render_choice(bank: Any, random: Random) -> str:
    """One plain alternative of a bank of literals."""
    return str(bank[int(random() * len(bank))])


def draw_labels(*, mix: str, count: int, rng: random_module.Random) -> list[str]:
    """The sentiment label of every entry, in a shuffled order."""
    if mix in ("positive", "negative"):
        return [mix] * count
    if mix == "balanced":
        shares = [("positive", 1), ("neutral", 1), ("negative", 1)]
        rng.shuffle(shares)
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
    order = sorted(
        range(len(shares)), key=lambda index: (-(count * shares[index][1]) % total, index)
    )
    for index in order[: count - sum(quotas)]:
        quotas[index] += 1
    return [label for (label, _), quota in zip(shares, quotas, strict=True) for _ in range(quota)]


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of: {', '.join(allowed)}")
    return value
