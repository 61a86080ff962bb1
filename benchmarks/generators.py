"""Measures generation speed on one core and compares feedback with a seeded Faker baseline.

Feedback, tickets and interviews are the newest engine's, over every product type, with
1.0.0's complex tickets and complex interviews beside them. The Faker baseline is built once
per process and reseeded per batch, as a user would use it.

Run: ``.venv/bin/python benchmarks/generators.py [--cpu]`` (``make`` compiles the engine
first; ``SYNTHGEN_ENGINE=python`` measures it as pure Python). ``--cpu`` times by this
process's CPU time instead of the wall clock, for a machine other work is sharing.
"""

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faker import Faker  # noqa: E402

from generators.engine import native  # noqa: E402
from generators.engine.feedback import generate_feedback  # noqa: E402
from generators.engine.interviews import generate_interview  # noqa: E402
from generators.engine.tickets import generate_tickets  # noqa: E402
from generators.engine.v1.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES  # noqa: E402
from generators.engine.v1.interviews import (  # noqa: E402
    generate_interview as generate_interview_v1,
)
from generators.engine.v1.tickets import generate_tickets as generate_tickets_v1  # noqa: E402
from generators.engine.vocabulary import product_types_with_vocabulary  # noqa: E402

WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC))
BATCH = 50
SECONDS = 1.5


CLOCK = time.process_time if "--cpu" in sys.argv[1:] else time.perf_counter


def rate(produce: Callable[[int], int]) -> float:
    """Items per second of ``produce(seed) -> items made``, over about SECONDS seconds."""
    produce(0)  # warm caches before timing
    made, calls, start = 0, 0, CLOCK()
    while CLOCK() - start < SECONDS:
        made += produce(calls)
        calls += 1
    return made / (CLOCK() - start)


FAKE = Faker("en_US")
FEEDBACK_TYPES = product_types_with_vocabulary()


def faker_baseline(seed: int) -> int:
    fake = FAKE
    fake.seed_instance(seed)
    for _ in range(BATCH):
        {
            "author": fake.name(),
            "rating": fake.random_int(1, 5),
            "title": fake.sentence(),
            "content": fake.paragraph(nb_sentences=fake.random_int(3, 5)),
            "timestamp": fake.date_time_between(WINDOW[0], WINDOW[1]).isoformat(),
        }
    return BATCH


def feedback(complexity: str) -> Callable[[int], int]:
    def produce(seed: int) -> int:
        return len(generate_feedback(
            product_type=FEEDBACK_TYPES[seed % len(FEEDBACK_TYPES)], sentiment_mix="balanced",
            count=BATCH, complexity=complexity, seed=seed, window=WINDOW,
        ))  # fmt: skip

    return produce


def tickets(complexity: str, make: Callable[..., list] = generate_tickets) -> Callable[[int], int]:
    def produce(seed: int) -> int:
        return len(make(
            product_type=PRODUCT_TYPES[seed % len(PRODUCT_TYPES)], count=BATCH,
            complexity=complexity, seed=seed, window=WINDOW,
        ))  # fmt: skip

    return produce


def interviews(
    complexity: str, make: Callable[..., dict] = generate_interview
) -> Callable[[int], int]:
    def produce(seed: int) -> int:
        make(
            product_type=PRODUCT_TYPES[seed % len(PRODUCT_TYPES)], question_count=25,
            interview_type="user_research", complexity=complexity, seed=seed, window=WINDOW,
        )  # fmt: skip
        return 1

    return produce


def request_ms(produce: Callable[[int], int]) -> float:
    """The median time of one 50-entry call, in milliseconds."""
    timings = []
    for seed in range(200):
        start = CLOCK()
        produce(seed)
        timings.append((CLOCK() - start) * 1000)
    return sorted(timings)[len(timings) // 2]


def main() -> int:
    clock = "CPU time" if CLOCK is time.process_time else "wall clock"
    print(f"One core, Python {sys.version.split()[0]}, calls of {BATCH}, ~{SECONDS}s per figure"
          f" ({clock})")  # fmt: skip
    build = "compiled with mypyc" if native.is_compiled() else "pure Python"
    print(f"  engine: {build} (SYNTHGEN_ENGINE=python runs it as pure Python)")
    baseline = rate(faker_baseline)
    print(f"  Faker baseline (name, rating, sentence title, 3-5 sentence paragraph, timestamp): "
          f"{baseline:,.0f} entries/s")  # fmt: skip
    missed = []
    for complexity in COMPLEXITY_LEVELS:
        speed = rate(feedback(complexity))
        ratio = speed / baseline
        met = ratio >= 4 if complexity == "medium" else None
        missed += [] if met is not False else [f"feedback {complexity}"]
        target = "" if met is None else f"   (target >= 4x) {'MET' if met else 'MISSED'}"
        print(f"  feedback  {complexity:<8} {speed:>9,.0f} entries/s  {ratio:5.1f}x Faker{target}")
    for complexity in COMPLEXITY_LEVELS:
        speed = rate(tickets(complexity))
        met = complexity != "complex" or speed >= 5000
        missed += [] if met else ["tickets with threads"]
        target = "   (target with threads >= 5,000/s) " + ("MET" if met else "MISSED")
        print(f"  tickets   {complexity:<8} {speed:>9,.0f} tickets/s"
              f"{target if complexity == 'complex' else ''}")  # fmt: skip
    before = rate(tickets("complex", generate_tickets_v1))
    print(f"  tickets   complex  {before:>9,.0f} tickets/s with 1.0.0, for comparison")
    for complexity in COMPLEXITY_LEVELS:
        speed = rate(interviews(complexity))
        print(f"  interview {complexity:<8} {speed:>9,.0f} interviews/s of 25 questions")
    before = rate(interviews("complex", generate_interview_v1))
    print(f"  interview complex  {before:>9,.0f} interviews/s with 1.0.0, for comparison")
    for complexity in COMPLEXITY_LEVELS:
        elapsed = request_ms(feedback(complexity))
        met = elapsed < 4
        missed += [] if met else [f"50-entry {complexity} request"]
        print(f"  one 50-entry feedback request, {complexity:<8} median {elapsed:.2f} ms  "
              f"(target < 4 ms) {'MET' if met else 'MISSED'}")  # fmt: skip
    elapsed = request_ms(tickets("complex"))
    print(f"  one 50-ticket complex request            median {elapsed:.2f} ms")
    print("All targets met." if not missed else f"Missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
