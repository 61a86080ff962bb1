"""The text engine: seeded, pure-Python writers of feedback, tickets and interviews, by version.

A release that changes seeded output is a new version; the old one stays frozen, so a seed a
user pinned keeps giving the same data. Each version is a module with the same three
functions, imported on first use so a process loads only the vocabulary it is asked for.
"""

import importlib
from collections.abc import Sequence
from datetime import datetime
from types import ModuleType
from typing import Any

from generators.engine import native

# The compiled build of the newest version's modules, when it is current (see ``native``).
__path__[:0] = native.search_path()

_MODULES: dict[str, str] = {
    "1.0.0": "generators.engine.v1",
    "2.0.0": "generators.engine.v2",
    "2.1.0": "generators.engine.v2_1",
    "2.2.0": "generators.engine.latest",
}
VERSIONS: tuple[str, ...] = tuple(_MODULES)
LATEST: str = VERSIONS[-1]


def engine(version: str) -> ModuleType:
    """The module that writes ``version``'s output."""
    if version not in _MODULES:
        raise ValueError(f"version must be one of: {', '.join(VERSIONS)}")
    return importlib.import_module(_MODULES[version])


def generate_feedback(
    *,
    version: str,
    product_type: str,
    sentiment_mix: str,
    count: int,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> list[dict]:
    """``count`` reviews of ``product_type`` whose labels follow ``sentiment_mix``."""
    return engine(version).generate_feedback(
        product_type=product_type,
        sentiment_mix=sentiment_mix,
        count=count,
        complexity=complexity,
        seed=seed,
        window=window,
    )


def generate_tickets(
    *,
    version: str,
    product_type: str,
    count: int,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> list[dict]:
    """``count`` support tickets for ``product_type``."""
    return engine(version).generate_tickets(
        product_type=product_type, count=count, complexity=complexity, seed=seed, window=window
    )


def generate_interview(
    *,
    version: str,
    product_type: str,
    question_count: int,
    interview_type: str,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> dict:
    """One interview of ``question_count`` question/answer pairs."""
    return engine(version).generate_interview(
        product_type=product_type,
        question_count=question_count,
        interview_type=interview_type,
        complexity=complexity,
        seed=seed,
        window=window,
    )


def generate_dataset(*, version: str, **options: Any) -> dict[str, list[dict]]:
    """A dataset's customers with their feedback, tickets and interviews (datasets exist from
    2.0.0; ``options`` are ``datasets.generate_dataset``'s)."""
    return engine(version).generate_dataset(**options)


def part_counts(*, version: str, include: Sequence[str], **options: Any) -> dict[str, Any]:
    """How many reviews, tickets and interview questions ``generate_dataset`` makes for these
    options, from the customers' journeys alone, so a dataset is priced before it is written."""
    return engine(version).part_counts(include=include, **options)
