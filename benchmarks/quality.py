"""Measures feedback text against issue 9's Goal, per product type and level, and prints it.

Run: ``.venv/bin/python benchmarks/quality.py [--product-type T] [--level L] [--version V]``.
Every cell is 500 entries made as a user makes them: 10 calls of 50 with consecutive seeds,
balanced mix (the mixed-entry figure uses the "mixed" mix). The checks keep their own keyword
lists, written apart from the engine's vocabulary; VADER (vaderSentiment) is the independent
analyser and is never imported by the engine. Without filters it measures the product types
that have 2.0 vocabulary; ``--version 1.0.0`` measures the frozen engine the same way.
"""

import argparse
import functools
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from generators import engine  # noqa: E402
from generators.engine.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES  # noqa: E402

SEED = 20240115
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC))
CALLS, BATCH = 10, 50
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
DIGITS = re.compile(r"\d+")
CENTRES = {"simple": 15, "medium": 55, "complex": 130}

# Follow-on connectives: fine after a point, wrong before the first one.
FOLLOW_ON = re.compile(
    r"^(?:also|plus|another|even worse|worse still|on top of that|besides|what's more|and then|"
    r"to top it off|oh and|in addition|additionally|as well|again|moreover|furthermore|"
    r"another strength|another thing)\b",
    re.IGNORECASE,
)
# How a sentence that only sets the scene (who, when, why) opens.
SCENE = re.compile(
    r"^(?:bought|got|ordered|picked up|i've had|been using|using|we've been|our team|my team|"
    r"i'm (?:the|a|an|in|retired)|i manage|i run|quick review|short review|honest review|"
    r"first order|placed|made a|"
    r"found|came across|with \w+|replaced|we picked|we chose|we switched|\w+ months? in|"
    r"\w+ weeks? in)\b",
    re.IGNORECASE,
)
# Grammar slips a reader notices, each counted on its own.
UNITS = r"(?:day|week|month|year|hour|minute|second|time|star|email|item|seat|size|reset|device)"
SLIPS: dict[str, re.Pattern[str]] = {
    "doubled word ('before before')": re.compile(r"\b(?!had\b|that\b)(\w+) \1\b", re.I),
    "'1 days' (singular count, plural unit)": re.compile(rf"\b(?:1|one|a) {UNITS}s\b", re.I),
    "'3 day' (plural count, singular unit)": re.compile(
        rf"\b(?:[2-9]|\d\d+|two|three|four|five|six|seven|eight|nine|ten) {UNITS}\b(?![-'])"
        r"(?! zones?)",
        re.I,
    ),
    "'over the last nearly'": re.compile(
        r"\bthe (?:last|past) (?:nearly|about|almost|roughly)\b", re.I
    ),
    "'glad with'": re.compile(r"\b(?:glad|happy|pleased) with with\b|\bglad with\b", re.I),
    "'a' before a vowel sound": re.compile(
        r"\ba (?!one\b|once\b|use|usu|uni|euro|u\b|ur)[aeiou]\w", re.I
    ),
    "'an' before a consonant sound": re.compile(
        r"\ban (?!hour|honest|heir|\d)[b-df-hj-np-tv-z]\w", re.I
    ),
    "'they is' / 'it are'": re.compile(
        r"\b(?:they|these|we) (?:is|was|has)\b|\b(?:it|this) (?:are|were)\b", re.I
    ),
    "'a 3 hours' (article before a plural count)": re.compile(r"\ba \d+ \w+s\b", re.I),
    "leftover markup": re.compile(r"[<>{}|\x01]"),
    "stray spacing or punctuation": re.compile(
        r" [,.!?;:](?!\))|,,|\s{2,}|(?<!\.)\.\.(?!\.)|, \.|\bthe \."
    ),
    "verb repeated in its -ing form ('browsing ... browse')": re.compile(
        r"\b(\w{4,})ing\b[^.!?]*\b\1e?s?\b", re.I
    ),
}
# A severe failure: nothing a 4-star positive review should describe.
SEVERE = re.compile(
    r"\b(?:crash(?:ed|es|ing)?|charged (?:me )?twice|double[- ]charged|double[- ]billed|"
    r"stopped (?:working|charging|turning on)|died|dead\b|broke\b|broken|never arrived|"
    r"lost (?:my|our|a day)|outage|went down|fell apart|cracked|snapped|refund(?:ed)? refused|"
    r"data loss|bricked|caught fire|burn(?:ed|t) out)",
    re.I,
)
# Words that do not belong to a product type's world (and, for hardware, to a kind's).
WRONG_WORLD: dict[str, re.Pattern[str]] = {
    "ecommerce": re.compile(
        r"\b(?:firmware|software update|app update|the update|version \d|patch(?:ed)?|"
        r"bluetooth|battery life|uptime|seats?|onboarding|api)\b",
        re.I,
    ),
    "saas": re.compile(
        r"\b(?:parcel|courier|doorstep|size chart|battery|charger|earbuds?|"
        r"packaging|jug|fries|the box it came in|wash(?:es)?)\b",
        re.I,
    ),
    "hardware": re.compile(
        r"\b(?:checkout|seats?|size chart|onboarding|per seat|"
        r"pipeline|invoices?|dashboard)\b",
        re.I,
    ),
    # What the other worlds have and this one does not: a word from a shop, a kitchen, a
    # game, a flight, a clinic or an office where it cannot be.
    "mobile_app": re.compile(
        r"\b(?:parcel|courier|doorstep|size chart|jug|fries|the box it came in|boarding pass|"
        r"hotel room|per seat|prescriptions?|matchmaking)\b",
        re.I,
    ),
    "web_app": re.compile(
        r"\b(?:parcel|courier|doorstep|size chart|jug|fries|the box it came in|boarding pass|"
        r"hotel room|battery life|charger|earbuds?|prescriptions?|matchmaking)\b",
        re.I,
    ),
    "gaming": re.compile(
        r"\b(?:size chart|jug|fries|per seat|invoices?|payroll|boarding pass|hotel room|"
        r"prescriptions?|overdraft)\b",
        re.I,
    ),
    "fintech": re.compile(
        r"\b(?:size chart|jug|fries|earbuds?|matchmaking|frame ?rate|boarding pass|"
        r"hotel room|prescriptions?|per seat|the box it came in)\b",
        re.I,
    ),
    "healthcare": re.compile(
        r"\b(?:size chart|jug|fries|matchmaking|frame ?rate|per seat|boarding pass|"
        r"hotel room|dividends?|overdraft|stock trades?)\b",
        re.I,
    ),
    "travel": re.compile(
        r"\b(?:size chart|jug|fries|matchmaking|frame ?rate|per seat|firmware|"
        r"prescriptions?|earbuds?|payroll|overdraft)\b",
        re.I,
    ),
    "food_delivery": re.compile(
        r"\b(?:size chart|matchmaking|frame ?rate|per seat|firmware|boarding pass|"
        r"hotel room|prescriptions?|earbuds?|payroll|overdraft)\b",
        re.I,
    ),
}
KIND_WORDS: dict[str, str] = {
    "earbud": r"ear ?tips?|earbuds?|\bbuds\b|in my ears?",
    "speaker": r"grille|speaker",
    "blender": r"\bjug\b|blades?|smoothies?|blender",
    "vacuum": r"suction|dust ?bin|side brush|\brobot\b|vacuum",
    "watch": r"wrist|heart[- ]rate|\bthe watch\b|step count",
    "fryer": r"fries|fryer|basket|crisper",
}
# Real product reviews, as the issue measured them.
REAL = {
    "sentences repeated verbatim (numbers masked)": "1.8%",
    "long sentences (7+ words) sharing a first-3/last-3 frame": "0.2%",
    "entries sharing their first 4 words (of 300)": "2%",
    "distinct-2 over 8,000 tokens": "0.73",
    "words per entry: coefficient of variation": "0.95",
    "positive entries VADER reads positive": "75%",
    "negative entries VADER reads negative": "44%",
}


@dataclass
class Figure:
    """One measured figure: its value as shown, whether it meets its target, and the target."""

    name: str
    shown: str
    target: str = ""
    met: bool | None = None


@dataclass
class Cell:
    """The figures of one product type at one level."""

    product_type: str
    level: str
    figures: list[Figure] = field(default_factory=list)


def generator(version: str) -> Callable[..., list[dict]]:
    """The feedback function of ``version``, as the API calls it."""
    return functools.partial(engine.generate_feedback, version=version)


def sample(
    make: Callable[..., list[dict]], *, product_type: str, level: str, mix: str
) -> list[dict]:
    """500 entries made as a user makes them: 10 calls of 50 with consecutive seeds."""
    entries: list[dict] = []
    for call in range(CALLS):
        entries += make(
            product_type=product_type,
            sentiment_mix=mix,
            count=BATCH,
            complexity=level,
            seed=SEED + call,
            window=WINDOW,
        )
    return entries


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def share(items: Iterable, test: Callable) -> float:
    items = list(items)
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def distinct_2(tokens: Sequence[str]) -> float:
    bigrams = list(zip(tokens, tokens[1:], strict=False))
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = sum((a - mx) ** 2 for a in rx) ** 0.5
    sy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (sx * sy) if sx and sy else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def variety(entries: list[dict]) -> list[Figure]:
    texts = [entry["content"] for entry in entries]
    said = [DIGITS.sub("#", sentence.lower()) for text in texts for sentence in sentences(text)]
    counts = Counter(said)
    repeated = share(said, lambda sentence: counts[sentence] > 1)
    long = [words(sentence) for sentence in said]
    long = [tokens for tokens in long if len(tokens) >= 7]
    frames = Counter((tuple(tokens[:3]), tuple(tokens[-3:])) for tokens in long)
    framed = share(long, lambda tokens: frames[(tuple(tokens[:3]), tuple(tokens[-3:]))] > 1)
    openings = [tuple(words(text)[:4]) for text in texts[:300]]
    opened = Counter(openings)
    shared_opening = share(openings, lambda key: opened[key] > 1)
    tokens = [token for text in texts for token in words(text)][:8000]
    titles = len({entry["title"] for entry in entries}) / len(entries)
    return [
        Figure(
            "sentences repeated verbatim (numbers masked)",
            f"{pct(repeated)} of {len(said)}",
            "<= 3%",
            repeated <= 0.03,
        ),
        Figure(
            "long sentences (7+ words) sharing a first-3/last-3 frame",
            f"{pct(framed)} of {len(long)}",
            "<= 10%",
            framed <= 0.10,
        ),
        Figure(
            "entries sharing their first 4 words (of 300)",
            pct(shared_opening),
            "<= 10%",
            shared_opening <= 0.10,
        ),
        Figure(
            "distinct-2 over 8,000 tokens",
            f"{distinct_2(tokens):.2f} ({len(tokens)} tok)",
            ">= 0.55",
            distinct_2(tokens) >= 0.55,
        ),
        Figure("distinct titles", pct(titles), ">= 95%", titles >= 0.95),
    ]


def lengths(entries: list[dict], level: str) -> list[Figure]:
    counts = sorted(len(entry["content"].split()) for entry in entries)
    mean = sum(counts) / len(counts)
    sd = (sum((count - mean) ** 2 for count in counts) / len(counts)) ** 0.5
    median = counts[len(counts) // 2]
    centre = CENTRES[level]
    return [
        Figure(
            "words per entry: coefficient of variation",
            f"{sd / mean:.2f}",
            ">= 0.35",
            sd / mean >= 0.35,
        ),
        Figure(
            "longest / median words",
            f"{counts[-1]}/{median} = {counts[-1] / median:.1f}",
            ">= 2.5",
            counts[-1] / median >= 2.5,
        ),
        Figure(
            "median words per entry",
            str(median),
            f"around {centre} (+-30%)",
            abs(median - centre) <= 0.3 * centre,
        ),
    ]


def labels(
    entries: list[dict], mixed: list[dict], analyser: SentimentIntensityAnalyzer
) -> list[Figure]:
    scores = [analyser.polarity_scores(entry["content"])["compound"] for entry in entries]
    by_label: dict[str, list[float]] = {}
    for entry, score in zip(entries, scores, strict=True):
        by_label.setdefault(entry["sentiment"], []).append(score)
    positive, negative = by_label.get("positive", []), by_label.get("negative", [])
    neutral = by_label.get("neutral", [])
    pos_share = share(positive, lambda score: score >= 0.05)
    neg_share = share(negative, lambda score: score <= -0.05)
    rho = spearman([entry["rating"] for entry in entries], scores)
    allowed = {"positive": (4, 5), "negative": (1, 2), "neutral": (3,), "mixed": (2, 3, 4)}
    fits = share(entries + mixed, lambda entry: entry["rating"] in allowed[entry["sentiment"]])
    pos_mean, neg_mean = _mean(positive), _mean(negative)
    neu_mean, middle = _mean(neutral), (pos_mean + neg_mean) / 2
    near = abs(neu_mean - middle) <= (pos_mean - neg_mean) / 6
    strong = [entry for entry in mixed if entry["sentiment"] == "mixed"]
    both = share(strong, lambda entry: _strong_both(entry["content"], analyser))
    return [
        Figure(
            "positive entries VADER reads positive",
            f"{pct(pos_share)} of {len(positive)}",
            ">= 90%",
            pos_share >= 0.90,
        ),
        Figure(
            "negative entries VADER reads negative",
            f"{pct(neg_share)} of {len(negative)}",
            ">= 75%",
            neg_share >= 0.75,
        ),
        Figure("rating vs VADER Spearman", f"{rho:.2f}", ">= 0.70", rho >= 0.70),
        Figure("ratings consistent with their label", pct(fits), "100%", fits == 1.0),
        Figure(
            "neutral mean VADER vs midpoint of neg/pos means",
            f"{neu_mean:+.2f} vs {middle:+.2f} (neg {neg_mean:+.2f}, pos {pos_mean:+.2f})",
            "within 1/6 of the gap",
            near,
        ),
        Figure(
            "mixed entries with strong praise and strong complaint",
            f"{pct(both)} of {len(strong)}",
            ">= 90%",
            both >= 0.90,
        ),
    ]


def defects(entries: list[dict], product_type: str, level: str) -> list[Figure]:
    figures = []
    for name, pattern in SLIPS.items():
        found = share(
            entries,
            lambda entry, pattern=pattern: (
                pattern.search(entry["content"]) or pattern.search(entry["title"])
            ),
        )
        figures.append(Figure(f"slip: {name}", pct(found), "<= 0.3%", found <= 0.003))
    first = share(entries, _first_point_follows_on)
    figures.append(
        Figure("first point opens with a follow-on connective", pct(first), "<= 1%", first <= 0.01)
    )
    repeats = share(entries, lambda entry: _repeats_6_gram(entry["content"]))
    target_met = repeats <= 0.03 if level == "complex" else None
    figures.append(
        Figure(
            "6-word phrase repeated inside one entry",
            pct(repeats),
            "<= 3% (complex)" if level == "complex" else "",
            target_met,
        )
    )
    four = [entry for entry in entries if entry["rating"] == 4 and entry["sentiment"] == "positive"]
    severe = share(four, lambda entry: SEVERE.search(entry["content"]))
    figures.append(
        Figure(
            "severe failure in a 4-star positive review",
            f"{pct(severe)} of {len(four)}",
            "<= 1%",
            severe <= 0.01,
        )
    )
    wrong = share(entries, lambda entry: _wrong_world(entry, product_type))
    figures.append(Figure("product's wrong world", pct(wrong), "<= 1%", wrong <= 0.01))
    return figures


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _strong_both(content: str, analyser: SentimentIntensityAnalyzer) -> bool:
    scores = [analyser.polarity_scores(sentence)["compound"] for sentence in sentences(content)]
    return any(score >= 0.3 for score in scores) and any(score <= -0.3 for score in scores)


def _first_point_follows_on(entry: dict) -> bool:
    said = sentences(entry["content"])
    if not said:
        return False
    if FOLLOW_ON.search(said[0]):
        return True
    # A first sentence that only sets the scene leaves the next as the first point.
    return len(said) > 1 and bool(SCENE.search(said[0])) and bool(FOLLOW_ON.search(said[1]))


def _repeats_6_gram(content: str) -> bool:
    tokens = words(content)
    grams = [tuple(tokens[index : index + 6]) for index in range(len(tokens) - 5)]
    return len(set(grams)) < len(grams)


def _wrong_world(entry: dict, product_type: str) -> bool:
    text = entry["content"]
    pattern = WRONG_WORLD.get(product_type)
    if pattern is not None and pattern.search(text):
        return True
    kind = str(entry.get("product", {}).get("kind", "")).lower()
    own = [name for name in KIND_WORDS if name in kind]
    if product_type != "hardware" or not own:
        return False
    others = "|".join(words_ for name, words_ in KIND_WORDS.items() if name not in own)
    allowed = KIND_WORDS[own[0]]
    stripped = re.sub(allowed, "", text, flags=re.I)
    return re.search(others, stripped, re.I) is not None


_ANALYSER = SentimentIntensityAnalyzer()


def measure(version: str, product_type: str, level: str) -> tuple[Cell, list[dict]]:
    make = generator(version)
    entries = sample(make, product_type=product_type, level=level, mix="balanced")
    mixed = sample(make, product_type=product_type, level=level, mix="mixed")
    cell = Cell(product_type, level)
    cell.figures = (
        variety(entries)
        + lengths(entries, level)
        + labels(entries, mixed, _ANALYSER)
        + defects(entries, product_type, level)
    )
    return cell, entries


def show(cells: list[Cell]) -> list[str]:
    missed = []
    names = [figure.name for figure in cells[0].figures]
    header = "".join(f"{c.product_type[:9]}/{c.level[:3]:<3}".ljust(24) for c in cells)
    print(f"{'figure (N = 500 per cell, 10 calls of 50)':<58}{header}{'target':<24}real reviews")
    for row, name in enumerate(names):
        line = f"{name[:57]:<58}"
        for cell in cells:
            figure = cell.figures[row]
            mark = "" if figure.met is None else (" ok" if figure.met else " MISS")
            line += f"{figure.shown[:20] + mark:<24}"
            if figure.met is False:
                missed.append(f"{cell.product_type}/{cell.level}: {name}")
        target = cells[0].figures[row].target
        print(f"{line}{target[:23]:<24}{REAL.get(name, '-')}")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--product-type", choices=PRODUCT_TYPES)
    parser.add_argument("--level", choices=COMPLEXITY_LEVELS)
    parser.add_argument("--version", choices=engine.VERSIONS, default=engine.LATEST)
    args = parser.parse_args()
    if args.product_type:
        types: tuple[str, ...] = (args.product_type,)
    elif args.version != "1.0.0":
        from generators.engine.vocabulary import product_types_with_vocabulary

        types = product_types_with_vocabulary()
    else:
        types = ("ecommerce", "hardware", "saas")
    levels = (args.level,) if args.level else COMPLEXITY_LEVELS
    print(
        f"Feedback {args.version}, seeds {SEED}..{SEED + CALLS - 1}, balanced mix "
        f"(mixed figure: the 'mixed' mix)"
    )
    missed: list[str] = []
    by_level: dict[str, list[list[dict]]] = {}
    for product_type in types:
        cells = []
        for level in levels:
            cell, entries = measure(args.version, product_type, level)
            cells.append(cell)
            by_level.setdefault(level, []).append(entries)
        print()
        missed += show(cells)
    if len(types) > 1:
        print()
        for level, groups in by_level.items():
            mixed_tokens = _interleaved_tokens(groups)
            value = distinct_2(mixed_tokens)
            met = value >= 0.65
            print(
                f"distinct-2 over 8,000 tokens across {len(groups)} product types, {level}: "
                f"{value:.2f}   (target >= 0.65) {'ok' if met else 'MISS'}   real reviews 0.73"
            )
            missed += [] if met else [f"across types/{level}: distinct-2"]
    print()
    print("All targets met." if not missed else f"Missed {len(missed)}: " + "; ".join(missed))
    return 1 if missed else 0


def _interleaved_tokens(groups: list[list[dict]]) -> list[str]:
    tokens: list[str] = []
    for row in zip(*groups, strict=False):
        for entry in row:
            tokens += words(entry["content"])
        if len(tokens) >= 8000:
            break
    return tokens[:8000]


if __name__ == "__main__":
    sys.exit(main())
