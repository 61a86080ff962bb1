"""Checks one product type's world file, for vocabulary writers (see vocab/AUTHORING.md).

Run: ``python -m generators.engine.vocab_check mobile_app``. It checks the file's shape,
renders every phrase many times in the slots the engine gives it (an unknown slot or a
broken brace is an error), flags phrases that cannot agree with their subject ("{fits|fit}"
instead of "fit<s>"), near-duplicate phrases in one bank, and then writes 150 reviews at each
level and looks for leftover markup. It exits non-zero on any error; warnings are advice.
Then measure the type with ``benchmarks/quality.py --product-type <type>``.
"""

import argparse
import random
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from generators.engine.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES
from generators.engine.grammar import compile_bank, render
from generators.engine.products import CLAUSE, DEGREES, Product, agreement, draw_product, load_world
from generators.engine.realiser import FEEDBACK, draw_item, entry_slots, rating_slots
from generators.engine.vocabulary import VOCAB_DIR, read
from generators.engine.writers import draw_writer

KIND_KEYS = ("label", "number", "full", "short", "price", "aspects")
ASPECT_KEYS = ("names", "titles", *DEGREES, "contexts", "fixes")
INCIDENT_KEYS = ("aspect", "severity", "steps", "good", "bad", "titles")
# A verb whose agreement is written out instead of left to a slot: "{fits|fit}", "is great".
LITERAL_AGREEMENT = re.compile(r"^(?:is|are|was|were|has|have)\b|\{(\w+)\|\1s\}|\{(\w+)s\|\2\}")
# A clause about the product must let its verb agree with the product: "<short> <p_has> ...".
PRODUCT_LITERAL = re.compile(
    r"<(?:short|P)> \{?(?:[^{}<]*\|)?(?:is|are|was|were|has|have|does|do)\b"
)
# A rating written out in words a frame says whatever the entry's rating: "four from me".
STAR_LITERAL = re.compile(
    r"\b(?:one|two|three|four|five|[1-5]) stars?\b|\b(?:solid|easy) (?:four|five)\b", re.I
)
# A predicate opening on a verb whose -s is written out ("loads fast"): wrong after a plural.
S_VERB = re.compile(r"^\{?(?:[^{}<|]*\|)*([a-z]+[^s\W]s)\b")
NOT_VERBS = frozenset({"always", "its", "less", "plus", "thus", "perhaps", "sometimes", "this"})
LEFTOVER = re.compile(r"[<>{}|\x01]|\s{2,}| [,.!?]")
RENDERS = 12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("product_type", choices=PRODUCT_TYPES)
    args = parser.parse_args()
    errors, warnings = check(args.product_type)
    for line in warnings:
        print(f"warning: {line}")
    for line in errors:
        print(f"ERROR: {line}")
    print(f"{args.product_type}: {len(errors)} errors, {len(warnings)} warnings")
    if not errors:
        print(f"next: .venv/bin/python benchmarks/quality.py --product-type {args.product_type}")
    return 1 if errors else 0


def check(product_type: str) -> tuple[list[str], list[str]]:
    """The errors and warnings of ``product_type``'s world file."""
    path = VOCAB_DIR / "products" / f"{product_type}.json"
    if not path.exists():
        return [f"{path} does not exist"], []
    raw = read(f"products/{product_type}.json")
    errors = list(_shape(raw))
    if errors:
        return errors, []
    try:
        load_world(product_type)
    except (KeyError, ValueError, IndexError) as problem:
        return [f"the file does not compile: {problem!r}"], []
    warnings = list(_phrases(raw)) + list(stars(raw.get("groups", {}), "groups"))
    errors += list(_renders(product_type, raw))
    errors += list(_reviews(product_type))
    return errors, warnings


def _shape(raw: dict[str, Any]) -> Iterator[str]:
    for key in ("audience", "emoji", "brands", "competitor", "tips", "kinds", "aspects"):
        if key not in raw:
            yield f"missing top-level key {key!r}"
    if raw.get("audience") not in ("consumer", "professional"):
        yield "audience must be 'consumer' or 'professional'"
    aspects = raw.get("aspects", {})
    for slug, kind in raw.get("kinds", {}).items():
        yield from (f"kind {slug}: missing {key!r}" for key in KIND_KEYS if key not in kind)
        if kind.get("number") not in ("sg", "pl"):
            yield f"kind {slug}: number must be 'sg' or 'pl'"
        yield from (
            f"kind {slug}: unknown aspect {name!r}"
            for name in kind.get("aspects", ())
            if name not in aspects
        )
    for slug, aspect in aspects.items():
        yield from (f"aspect {slug}: missing {key!r}" for key in ASPECT_KEYS if key not in aspect)
        for key in ASPECT_KEYS:
            if key in aspect and not aspect[key]:
                yield f"aspect {slug}: {key!r} is empty"
    for slug, incident in raw.get("incidents", {}).items():
        yield from (
            f"incident {slug}: missing {key!r}" for key in INCIDENT_KEYS if key not in incident
        )
        if incident.get("aspect") not in aspects:
            yield f"incident {slug}: unknown aspect {incident.get('aspect')!r}"
        if incident.get("severity") not in ("minor", "major", "severe"):
            yield f"incident {slug}: severity must be minor, major or severe"


def _phrases(raw: dict[str, Any]) -> Iterator[str]:
    for slug, aspect in raw["aspects"].items():
        yield from _echoes(slug, aspect)
        yield from _numbers(slug, aspect)
        for degree in DEGREES:
            seen: list[set[tuple[str, ...]]] = []
            for text in aspect[degree]:
                if text.startswith(CLAUSE) and PRODUCT_LITERAL.search(text):
                    yield (
                        f"aspect {slug}.{degree}: {text!r} writes out the product's verb; "
                        f"use <p_is>, <p_has>, <p_was> or <p_does>"
                    )
                if not text.startswith(CLAUSE) and LITERAL_AGREEMENT.search(text):
                    yield (
                        f"aspect {slug}.{degree}: {text!r} writes out a verb's agreement; "
                        f"use <is>, <has>, <was> or a suffix slot like fit<s>"
                    )
                grams = _grams(text)
                if any(grams & other for other in seen):
                    yield f"aspect {slug}.{degree}: {text!r} repeats four words of another phrase"
                seen.append(grams)


def _numbers(slug: str, aspect: dict[str, Any]) -> Iterator[str]:
    # "the load times" is plural: unmarked, its predicates would read "the load times is".
    for name in aspect["names"]:
        if name[:3] in ("sg:", "pl:") or name.startswith("item:"):
            continue
        head = _plain(name).split(" of ")[0].split()
        last = head[-1] if head else ""
        acronym = re.search(rf"\b{re.escape(last.upper())}\b", name) is not None
        if last.endswith("s") and not last.endswith(("ss", "us", "is", "ics")) and not acronym:
            yield f"aspect {slug}: name {name!r} looks plural; write 'pl:{name}' (or 'sg:')"
    if not any(name.startswith(("pl:", "item:")) for name in aspect["names"]):
        return
    for degree in DEGREES:
        for text in aspect[degree]:
            verb = S_VERB.match(text)
            if not text.startswith(CLAUSE) and verb and verb.group(1) not in NOT_VERBS:
                yield (
                    f"aspect {slug}.{degree}: {text!r} writes out {verb.group(1)!r}, which a "
                    f"plural name of the aspect cannot take; write it with <s>"
                )


def stars(templates: Any, where: str) -> Iterator[str]:
    """Frames that write a star count out instead of the entry's ``<stars>``/``<Stars>``, in
    the tones that serve two ratings (great and good: 4 and 5; poor: 1 and 2)."""
    if isinstance(templates, dict):
        for key, value in templates.items():
            if key not in ("fine", "awful"):
                yield from stars(value, f"{where}.{key}")
    elif isinstance(templates, list):
        for text in templates:
            if isinstance(text, str) and STAR_LITERAL.search(text):
                yield f"{where}: {text!r} names a rating; write <stars> or <Stars>"


def _echoes(slug: str, aspect: dict[str, Any]) -> Iterator[str]:
    # "the fit" + "fit<s> well" reads "the fit fits well": a name's last word opening a phrase.
    lasts = {_plain(name).split()[-1] for name in aspect["names"] if _plain(name).split()}
    for degree in DEGREES:
        for text in aspect[degree]:
            words = _plain(text).split()
            if not text.startswith(CLAUSE) and words and words[0] in lasts:
                yield f"aspect {slug}.{degree}: {text!r} repeats the last word of a name"


def _plain(text: str) -> str:
    text = re.sub(
        r"\{([^{}|]*)\|[^{}]*\}",
        r"\1",
        text.split(":", 1)[-1] if text[:3] in ("sg:", "pl:") else text,
    )
    return re.sub(r"<[^<>]*>", "", text).lower()


def _renders(product_type: str, raw: dict[str, Any]) -> Iterator[str]:
    rng = random.Random(1)
    world = load_world(product_type)
    for kind in world.kinds:
        product = _product_of(product_type, kind.slug, rng)
        slots = _slots(product, world.audience, world.emoji, rng)
        spec = raw["kinds"][kind.slug]
        for name in spec["aspects"]:
            aspect = raw["aspects"][name]
            for key in ASPECT_KEYS:
                for text in aspect[key]:
                    yield from _try(
                        text.removeprefix(CLAUSE).split(":", 1)[-1]
                        if text[:3] in ("sg:", "pl:") or text[:5] == "item:"
                        else text.removeprefix(CLAUSE),
                        slots,
                        rng,
                        f"{kind.slug}/{name}.{key}",
                    )
        for key in ("full", "short", "models"):
            for text in spec.get(key, ()):
                yield from _try(text, slots, rng, f"{kind.slug}.{key}")
    for slug, incident in raw.get("incidents", {}).items():
        kinds = [kind for kind in world.kinds if any(i.slug == slug for i in kind.incidents)]
        if not kinds:
            continue
        slots = _slots(
            _product_of(product_type, kinds[0].slug, rng), world.audience, world.emoji, rng
        )
        for key in ("steps", "good", "bad", "titles"):
            for text in incident[key]:
                yield from _try(text, slots, rng, f"incident {slug}.{key}")


def _product_of(product_type: str, kind: str, rng: random.Random) -> Product:
    for _ in range(500):
        product = draw_product(product_type=product_type, random=rng.random)
        if product.kind.slug == kind:
            return product
    raise ValueError(f"kind {kind} is never drawn")


def _slots(product: Product, audience: str, emoji: bool, rng: random.Random) -> dict[str, Any]:
    writer = draw_writer(audience=audience, emoji=emoji, random=rng.random)
    slots = entry_slots(writer=writer, product=product)
    draw_item(product=product, slots=slots, random=rng.random)
    rating_slots(slots, rating=3)
    # The realiser fills these per sentence; any value will do to test a phrase.
    slots.update(
        P="the product",
        short="it",
        pre="",
        subj="it",
        Subj="it",
        obj="it",
        title="battery",
        Title="battery",
        adj="good",
        Adj="good",
        t_is="is",
        pred="works",
        fact="works",
        clause="it works",
        ctx="",
        outcome="it works",
        fix="fix it",
        tip=slots.get("tips", ""),
        **FEEDBACK.banks,
        **agreement("sg"),
    )
    return slots


def _try(text: str, slots: dict[str, Any], rng: random.Random, where: str) -> Iterator[str]:
    try:
        node = compile_bank(text)
        for _ in range(RENDERS):
            out = render(node, random=rng.random, slots=slots)
            if re.search(r"[<>{}|]", out):
                yield f"{where}: {text!r} left markup: {out!r}"
                return
    except KeyError as missing:
        yield f"{where}: {text!r} names an unknown slot {missing}"
    except ValueError as problem:
        yield f"{where}: {text!r}: {problem}"


def _reviews(product_type: str) -> Iterator[str]:
    from generators.engine.feedback import generate_feedback

    window = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC))
    for level in COMPLEXITY_LEVELS:
        for seed in range(3):
            for mix in ("balanced", "mixed"):
                try:
                    entries = generate_feedback(
                        product_type=product_type,
                        sentiment_mix=mix,
                        count=25,
                        complexity=level,
                        seed=seed,
                        window=window,
                    )
                except (KeyError, ValueError, IndexError) as problem:
                    yield f"writing {level} reviews failed: {problem!r}"
                    return
                for entry in entries:
                    for field in ("title", "content"):
                        match = LEFTOVER.search(entry[field])
                        if match:
                            stray = match.group(0)
                            yield f"{level} review, {field} {entry[field]!r}: stray {stray!r}"


def _grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z]+", re.sub(r"\{([^{}|]*)\|[^{}]*\}", r"\1", text.lower()))
    return {tuple(words[index : index + 4]) for index in range(len(words) - 3)}


if __name__ == "__main__":
    sys.exit(main())
