"""Measures interviews against issue 9's targets, 1.0.0 beside the newest, and prints the figures.

Run: ``.venv/bin/python benchmarks/quality_interviews.py [--product-type T] [--level L]
[--interview-type I] [--count N] [--questions Q]``.

Every cell is N interviews (500 unless told) of one product type, level and interview type,
made with consecutive seeds, each of Q questions (10 unless told; the API allows 1-25). Per
cell, for each version:

- **6-word repeats**: the share of interviews in which some run of six words (lowercased,
  digits masked) comes back, in the same or another question or answer (target: at most 10%);
- **persona fit**: the share of interviewees who fit the product's audience: for a consumer
  product, someone with a life (no company, no job title, a persona without an employer);
  for a B2B product, someone with a job at a named company of a stated size (target: 100%);
- **contradictions**: the share of interviews in which two statements disagree: how long they
  have used it, the platform (Apple vs Android), their team's size, the company's headcount,
  who they live with, and what the main problem is (target: 0%).

The checks keep their own patterns, written apart from the engine's vocabulary.
"""

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generators.engine import LATEST  # noqa: E402
from generators.engine import interviews as v2  # noqa: E402
from generators.engine.catalog import (  # noqa: E402
    COMPLEXITY_LEVELS,
    INTERVIEW_TYPES,
    PRODUCT_TYPES,
)
from generators.engine.v1 import interviews as v1  # noqa: E402

SEED = 20240115
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC))
# Who uses each product type, as issue 9 asks: our own reading, apart from the engine's table
# (saas is for professionals; web_app may be either).
CONSUMER = {
    "ecommerce",
    "food_delivery",
    "travel",
    "mobile_app",
    "gaming",
    "fintech",
    "healthcare",
    "hardware",
}
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A job title, not a product's staff ("the property manager", "the nurse practitioners").
JOB_WORDS = re.compile(
    r"\b(?<!property )(?:manager|assistant|developer|engineer|nurse(?! practitioner)|"
    r"supervisor|director|analyst|designer|accountant|officer|coordinator|specialist|consultant|administrator|"
    r"executive|clerk|technician|lead|head of|founder|bookkeeper|admin)\b",
    re.IGNORECASE,
)
EMPLOYER = re.compile(r"\b(?:company|employees|works as|at work for|staff of|colleagues)\b", re.I)
NUMBER = (
    r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"a couple of|a few|several)"
)
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "a few": 3,
    "several": 4,
}
# How long they have used it: a span after a word that introduces a length of use.
USAGE = re.compile(
    r"\b(?:for|been|over|about|almost|nearly|roughly|around|most of|just over|bit over)\s+"
    rf"(?:about\s+|around\s+|nearly\s+|almost\s+)?{NUMBER}\s+(week|month|year)s?\b(?!\s+ago)",
    re.IGNORECASE,
)
FILLER = re.compile(r"\s+(?:i guess|tbh|lol|imo|honestly|haha|ngl|fwiw|though|really)$")
APPLE = re.compile(r"\b(?:iphone|ipad|ios|macbook)\b", re.I)
ANDROID = re.compile(r"\bandroid\b", re.I)
TEAM = re.compile(r"\b(?:team of|my team is|there are) (\d+)\b", re.I)
HEADCOUNT = re.compile(r"\b(?:about|roughly|of about|with about) ([\d,]+) people\b", re.I)
HOUSEHOLD = re.compile(
    # Not "can live with" or "easy to live with": those are about a flaw, not a home.
    r"\b(?<!can )(?<!to )(?:live with|living with|lives with|at home with|at home it's me and) "
    r"((?:my |their |a |an |two |three |four |nobody )?[a-z' -]+?)(?=[,.;]| and\b|$)",
    re.I,
)
MAIN = re.compile(
    r"\b(?:biggest|main) (?:problem|frustration|issue|reason|thing|pain)\w* "
    r"(?:is|was|came down to)(?: that)?:? ((?:\w+ ){1,3})",
    re.I,
)

Writer = Callable[..., dict]
VERSIONS: dict[str, Writer] = {"1.0.0": v1.generate_interview, LATEST: v2.generate_interview}


def make(
    writer: Writer, *, product_type: str, level: str, kind: str, count: int, questions: int
) -> list[dict]:
    return [
        writer(
            product_type=product_type,
            question_count=questions,
            interview_type=kind,
            complexity=level,
            seed=SEED + offset,
            window=WINDOW,
        )
        for offset in range(count)
    ]


def texts(interview: dict) -> list[str]:
    return [
        part
        for question in interview["questions"]
        for part in (question["question"], question["answer"])
    ]


def repeats_six_words(interview: dict) -> bool:
    seen: set[tuple[str, ...]] = set()
    for text in texts(interview):
        words = WORD.findall(re.sub(r"\d+", "0", text.lower()))
        for index in range(len(words) - 5):
            gram = tuple(words[index : index + 6])
            if gram in seen:
                return True
            seen.add(gram)
    return False


def expected_audience(product_type: str) -> str:
    """Issue 9's reading; web_app, which may be either, as its product file says if it has one."""
    if product_type in CONSUMER:
        return "consumer"
    world = ROOT / "generators" / "engine" / "vocab" / "products" / f"{product_type}.json"
    if product_type == "web_app" and world.exists():
        return str(json.loads(world.read_text(encoding="utf-8"))["audience"])
    return "professional"


def fits_persona(interview: dict) -> bool:
    person = interview["interviewee"]
    if expected_audience(interview["productType"]) == "consumer":
        return (
            not person["company"]
            and not JOB_WORDS.search(person["role"])
            and not EMPLOYER.search(person["persona"])
            and not JOB_WORDS.search(person["persona"])
        )
    described = person["persona"].lower()
    named = person["role"].lower() in described or person["company"].lower() in described
    return bool(person["company"] and person["role"] and person["companySize"] and named)


def contradictions(interview: dict) -> list[str]:
    """What two statements of one interview disagree about."""
    said = [interview["interviewee"]["persona"], *texts(interview)]
    answers = " ".join(said)
    found = []
    usage = {(_number(count), unit.lower()) for count, unit in USAGE.findall(answers)}
    if len(usage) > 1:
        found.append(f"usage {sorted(usage)}")
    if APPLE.search(answers) and ANDROID.search(answers):
        found.append("platform")
    for name, pattern in (("team", TEAM), ("headcount", HEADCOUNT)):
        values = {value.replace(",", "") for value in pattern.findall(answers)}
        if len(values) > 1:
            found.append(f"{name} {sorted(values)}")
    homes = {_home(match) for match in HOUSEHOLD.findall(answers)}
    if len(homes) > 1:
        found.append(f"household {sorted(homes)}")
    mains = {match.strip().lower() for match in MAIN.findall(answers)}
    if len(mains) > 1:
        found.append(f"main problem {sorted(mains)}")
    return found


def _number(text: str) -> int:
    lowered = text.lower()
    return int(lowered) if lowered.isdigit() else NUMBERS[lowered]


def _home(text: str) -> str:
    # A speaker's trailing filler ("... a big family I guess") is not part of who they live with.
    text = re.sub(r"\b(?:my|their)\b", "", text.lower())
    return FILLER.sub("", text).strip()


def share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return 100 * sum(values) / len(values) if values else 0.0


def measure(interviews: list[dict]) -> tuple[float, float, float]:
    return (
        share(repeats_six_words(item) for item in interviews),
        share(fits_persona(item) for item in interviews),
        share(bool(contradictions(item)) for item in interviews),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--product-type", choices=PRODUCT_TYPES)
    parser.add_argument("--level", choices=COMPLEXITY_LEVELS)
    parser.add_argument("--interview-type", choices=INTERVIEW_TYPES)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    types = [args.product_type] if args.product_type else list(PRODUCT_TYPES)
    levels = [args.level] if args.level else list(COMPLEXITY_LEVELS)
    kinds = [args.interview_type] if args.interview_type else list(INTERVIEW_TYPES)
    print(
        f"N = {args.count} interviews per cell (consecutive seeds from {SEED}), "
        f"{args.questions} questions each"
    )
    print("targets: 6-word repeats <= 10%, persona fit 100%, contradictions 0%\n")
    header = (
        f"{'product type':14} {'level':8} {'interview':19} | {'6-word repeats':>15} | "
        f"{'persona fit':>15} | {'contradictions':>15}"
    )
    print(header)
    print(
        f"{'':44}| {'1.0.0':>7} {LATEST:>7} | {'1.0.0':>7} {LATEST:>7} | {'1.0.0':>7} {LATEST:>7}"
    )
    print("-" * len(header))
    totals: dict[str, list[tuple[float, float, float]]] = {version: [] for version in VERSIONS}
    started = time.perf_counter()
    for product_type in types:
        for level in levels:
            for kind in kinds:
                row = {}
                for version, writer in VERSIONS.items():
                    made = make(
                        writer,
                        product_type=product_type,
                        level=level,
                        kind=kind,
                        count=args.count,
                        questions=args.questions,
                    )
                    row[version] = measure(made)
                    totals[version].append(row[version])
                old, new = row["1.0.0"], row[LATEST]
                print(
                    f"{product_type:14} {level:8} {kind:19} | {old[0]:6.1f}% {new[0]:6.1f}% | "
                    f"{old[1]:6.1f}% {new[1]:6.1f}% | {old[2]:6.1f}% {new[2]:6.1f}%"
                )
    print("-" * len(header))
    for version, cells in totals.items():
        worst = max(cell[0] for cell in cells)
        mean = [sum(cell[index] for cell in cells) / len(cells) for index in range(3)]
        meeting = sum(1 for cell in cells if cell[0] <= 10 and cell[1] == 100 and cell[2] == 0)
        print(
            f"{version}: mean 6-word repeats {mean[0]:.1f}% (worst cell {worst:.1f}%), "
            f"persona fit {mean[1]:.1f}%, contradictions {mean[2]:.1f}%; "
            f"cells meeting every target: {meeting}/{len(cells)}"
        )
    print(
        f"({len(types) * len(levels) * len(kinds) * args.count * 2} interviews in "
        f"{time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
