"""What is reviewed: one concrete made-up product per entry, from its product type's world file.

A product type's world (``vocab/products/<type>.json``) holds made-up brand grammars, kinds of
product (earbuds and blenders for hardware, shops by what they sell, tools by what they do),
each kind with its own parts, uses, models, price range and the aspects people write about
it; the aspects' words by degree; and incidents (stories of one thing that happened). A drawn
``Product`` is one brand and model of one kind, so details fit it: a blender has a jug, a
shop sells what was ordered. Tickets and interviews reuse ``draw_product`` and the kinds'
slots (``product.all_slots()``) so their text names the same things:

    product = draw_product(product_type="hardware", random=rng.random)
    product.name        # "Veltra Q3 earbuds"
    product.kind.aspects  # the compiled aspects this kind has
    product.all_slots()  # brand, model, parts, uses... for any grammar
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from generators.engine.grammar import Alt, compile_bank, link, link_banks, pick, render
from generators.engine.lexicon import vary
from generators.engine.vocabulary import product_types_with_vocabulary, read

Random = Callable[[], float]
DEGREES: Final = ("great", "good", "fine", "niggle", "poor", "awful", "plus", "minus")
SEVERITIES: Final = ("minor", "major", "severe")
# A phrase of an aspect that is a whole clause with its own subject ("=<part> cracked after a
# month") starts with this mark; the others are predicates of the aspect's name.
CLAUSE: Final = "="
# Words that must agree with a noun phrase's grammatical number, by slot name.
AGREEMENT: Final[Mapping[str, Mapping[str, str]]] = {
    "sg": {
        "is": "is",
        "was": "was",
        "has": "has",
        "s": "s",
        "es": "es",
        "does": "does",
        "it": "it",
        "It": "It",
        "its": "its",
        "them": "it",
        "this": "this",
        "itis": "it's",
        "Itis": "It's",
        "isnt": "isn't",
        "doesnt": "doesn't",
        "hasnt": "hasn't",
        "are": "is",
    },
    "pl": {
        "is": "are",
        "was": "were",
        "has": "have",
        "s": "",
        "es": "",
        "does": "do",
        "it": "they",
        "It": "They",
        "its": "their",
        "them": "them",
        "this": "these",
        "itis": "they're",
        "Itis": "They're",
        "isnt": "aren't",
        "doesnt": "don't",
        "hasnt": "haven't",
        "are": "are",
    },
}


def agreement(number: str, prefix: str = "") -> dict[str, str]:
    """The agreement slots for a noun of ``number`` ("sg"/"pl"), names prefixed (``p_is``)."""
    return {prefix + name: word for name, word in AGREEMENT[number].items()}


@dataclass(frozen=True, slots=True, init=False)
class Phrase:
    """A noun phrase and its grammatical number."""

    node: Any
    number: str
    owned: bool

    # Written out for mypyc (see ``generators.engine.native``): built for every phrase made.
    def __init__(
        self,
        node: Any,
        number: str,
        owned: bool = False,
    ) -> None:
        object.__setattr__(self, "node", node)
        object.__setattr__(self, "number", number)
        object.__setattr__(self, "owned", owned)


@dataclass(frozen=True, slots=True)
class Aspect:
    """One thing people write about: its names, its titles and its words by degree."""

    slug: str
    names: tuple[Phrase, ...]
    titles: tuple[Phrase, ...]
    degrees: dict[str, Alt]
    clauses: dict[str, Alt]
    contexts: Alt
    fixes: Alt


@dataclass(frozen=True, slots=True)
class Incident:
    """A story of one thing that happened, in order, with a good and a bad way it ended."""

    slug: str
    aspect: str
    severity: str
    steps: tuple[Alt, ...]
    endings: dict[str, Alt]
    titles: Alt
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of product of a type (earbuds, a homeware shop, a CRM) and what it has."""

    slug: str
    label: str
    number: str
    full: Alt
    short: Alt
    models: Alt | None
    price: tuple[int, int]
    aspects: tuple[Aspect, ...]
    incidents: tuple[Incident, ...]
    slots: dict[str, Any]
    items: tuple[tuple[Any, Any, str], ...]


@dataclass(frozen=True, slots=True)
class World:
    """Everything one product type's file defines, compiled."""

    product_type: str
    audience: str
    emoji: bool
    brands: Alt
    kinds: tuple[Kind, ...]
    slots: dict[str, Any]


@dataclass(frozen=True, slots=True, init=False)
class Product:
    """One made-up product: a brand and model of a kind, and the facts an entry keeps."""

    product_type: str
    kind: Kind
    brand: str
    model: str
    name: str
    price: int
    slots: dict[str, Any]

    # Written out for mypyc (see ``generators.engine.native``): built for every entry's product.
    def __init__(
        self,
        product_type: str,
        kind: Kind,
        brand: str,
        model: str,
        name: str,
        price: int,
        slots: dict[str, Any] | None = None,
    ) -> None:
        object.__setattr__(self, "product_type", product_type)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "brand", brand)
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "price", price)
        object.__setattr__(self, "slots", {} if slots is None else slots)

    def all_slots(self) -> dict[str, Any]:
        """A new dict of every slot a grammar may name about this product: its world's banks,
        its kind's (parts, uses, items...), its brand and model."""
        return {**self.kind.slots, **self.slots}


def draw_product(*, product_type: str, random: Random) -> Product:
    """A new product of ``product_type``: a kind, a brand, a model and a price."""
    world = load_world(product_type)
    kind = pick(world.kinds, random=random)
    brand = render(world.brands, random=random, slots={})
    model = render(kind.models, random=random, slots={}) if kind.models is not None else ""
    low, high = kind.price
    price = _round_price(low + random() * (high - low))
    name = " ".join(part for part in (brand, model) if part)
    name = f"{name} {kind.label}" if model else name
    return Product(
        product_type=product_type,
        kind=kind,
        brand=brand,
        model=model,
        name=name,
        price=price,
        slots=product_slots(brand=brand, model=model),
    )


def product_slots(*, brand: str, model: str) -> dict[str, str]:
    """The slots naming one product: brand, model, both (``name``), the brand's possessive."""
    possessive = f"{brand}'" if brand.endswith("s") else f"{brand}'s"
    return {
        "brand": brand,
        "model": model,
        "name": f"{brand} {model}" if model else brand,
        # "the Veltra Q3", but a shop or a tool without a model goes by its brand alone.
        "the_name": f"the {brand} {model}" if model else brand,
        "brand_s": possessive,
    }


def _round_price(value: float) -> int:
    step = 5 if value < 100 else 10 if value < 300 else 50
    return max(step, int(value / step) * step - (1 if value > 20 else 0))


@cache
def load_world(product_type: str) -> World:
    """The compiled world of ``product_type`` (each type loads once, on first use)."""
    if product_type not in product_types_with_vocabulary():
        raise ValueError(f"product type {product_type!r} has no 2.0 vocabulary yet")
    raw = read(f"products/{product_type}.json")
    banks = link_banks(_banks(raw))
    aspects = {slug: _aspect(slug, spec, banks) for slug, spec in raw["aspects"].items()}
    incidents = tuple(
        _incident(slug, spec, banks) for slug, spec in raw.get("incidents", {}).items()
    )
    kinds = tuple(
        _kind(slug, spec, aspects=aspects, incidents=incidents, banks=banks)
        for slug, spec in raw["kinds"].items()
    )
    return World(
        product_type=product_type,
        audience=raw["audience"],
        emoji=raw["emoji"],
        brands=compile_bank(raw["brands"]),
        kinds=kinds,
        slots=banks,
    )


def _banks(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    # Every top-level list of strings is a bank its templates may use (competitor, tips...).
    return {
        name: value
        for name, value in raw.items()
        if isinstance(value, list) and name not in ("brands", "groups")
    }


def phrases(
    templates: list[str], banks: Mapping[str, Any], default: str = "sg"
) -> tuple[Phrase, ...]:
    """Noun phrases written ``"pl:the ear tips"``, ``"the hinge"`` (the default number) or
    ``"item:<the_item>"`` (the number of whatever was ordered, known once it is drawn)."""
    out = []
    for text in templates:
        number, _, body = (
            text.partition(":")
            if text[:3] in ("pl:", "sg:") or text[:5] == "item:"
            else (default, "", text)
        )
        out.append(Phrase(node=link(compile_bank(body), banks=banks), number=number))
    return tuple(out)


def _title_number(phrase: Phrase, text: str) -> Phrase:
    return Phrase(node=phrase.node, number="pl") if _plural_title(text) else phrase


def _plural_title(text: str) -> bool:
    # A title is a bare noun ("battery", "returns"): one ending in a single "s" is plural
    # unless it says otherwise.
    if text[:3] in ("sg:", "pl:"):
        return text[:3] == "pl:"
    last = text.split()[-1]
    return last.endswith("s") and not last.endswith("ss")


def _bank(templates: list[str], banks: Mapping[str, Any]) -> Alt:
    return link(compile_bank([vary(text) for text in templates]), banks=banks)


def _aspect(slug: str, spec: Mapping[str, Any], banks: Mapping[str, Any]) -> Aspect:
    # Besides its own names, an aspect is named through the product ("Veltra's battery life").
    owned = [
        f"{number}:<brand_s> {title.removeprefix('pl:')}"
        for title in spec["titles"]
        for number in ["pl" if _plural_title(title) else "sg"]
    ]
    return Aspect(
        slug=slug,
        names=phrases(spec["names"], banks)
        + tuple(
            Phrase(node=phrase.node, number=phrase.number, owned=True)
            for phrase in phrases(owned, banks)
        ),
        titles=tuple(
            _title_number(phrase, text)
            for phrase, text in zip(phrases(spec["titles"], banks), spec["titles"], strict=True)
        ),
        degrees={
            degree: _bank([text for text in spec[degree] if not text.startswith(CLAUSE)], banks)
            for degree in DEGREES
            if any(not text.startswith(CLAUSE) for text in spec[degree])
        },
        clauses={
            degree: _bank([text[1:] for text in spec[degree] if text.startswith(CLAUSE)], banks)
            for degree in DEGREES
            if any(text.startswith(CLAUSE) for text in spec[degree])
        },
        contexts=_bank(spec["contexts"], banks),
        fixes=_bank(spec["fixes"], banks),
    )


def _incident(slug: str, spec: Mapping[str, Any], banks: Mapping[str, Any]) -> Incident:
    return Incident(
        slug=slug,
        aspect=spec["aspect"],
        severity=spec["severity"],
        steps=tuple(_bank([step], banks) for step in spec["steps"]),
        endings={outcome: _bank(spec[outcome], banks) for outcome in ("good", "bad")},
        titles=_bank(spec["titles"], banks),
        kinds=tuple(spec.get("kinds", ())),
    )


def _kind(
    slug: str,
    spec: Mapping[str, Any],
    *,
    aspects: Mapping[str, Aspect],
    incidents: tuple[Incident, ...],
    banks: Mapping[str, Any],
) -> Kind:
    own = {
        name: value
        for name, value in spec.items()
        if isinstance(value, list)
        and name not in ("full", "short", "models", "price", "aspects", "items")
    }
    # A kind lists "parts" and "uses"; a template names one of them as <part> or <use>.
    for plural, singular in (("parts", "part"), ("uses", "use")):
        if plural in own:
            own[singular] = own.pop(plural)
    if "part" in own:
        own["part_bare"] = [part.removeprefix("the ") for part in own["part"]]
    kind_banks = link_banks(own, outer=banks)
    kind_banks["noun"] = kind_banks.get("noun", compile_bank(spec["label"]))
    names = set(spec["aspects"])
    return Kind(
        slug=slug,
        label=spec["label"],
        number=spec["number"],
        full=_bank(spec["full"], {**banks, **kind_banks}),
        short=_bank(spec["short"], {**banks, **kind_banks}),
        models=compile_bank(spec["models"]) if "models" in spec else None,
        price=(spec["price"][0], spec["price"][1]),
        aspects=tuple(aspects[name] for name in spec["aspects"]),
        incidents=tuple(
            incident
            for incident in incidents
            if incident.aspect in names and (not incident.kinds or slug in incident.kinds)
        ),
        slots={**banks, **kind_banks},
        items=_items(spec.get("items", ()), {**banks, **kind_banks}),
    )


def _items(templates: Any, banks: Mapping[str, Any]) -> tuple[tuple[Any, Any, str], ...]:
    # What was ordered from a shop: "pl:two pairs of jeans = the jeans" (full = short).
    items = []
    for text in templates:
        number, _, body = text.partition(":") if text[:3] in ("pl:", "sg:") else ("sg", "", text)
        full, _, short = body.partition(" = ")
        items.append((_bank([full], banks), _bank([short or full], banks), number))
    return tuple(items)


def available_product_types() -> tuple[str, ...]:
    """The product types the 2.0 engine can write about today."""
    return product_types_with_vocabulary()
