"""User interviews: one persona is drawn first, and every answer is written from its facts."""

import random as random_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generators.catalog import COMPLEXITY_LEVELS, INTERVIEW_TYPES, PRODUCT_TYPES
from generators.feedback import product_aspects
from generators.grammar import Alt, compile_bank, link_banks, pick, render
from generators.people import draw_company, draw_person
from generators.phrasebook import Aspect, compile_tree, read_vocab
from generators.timeline import iso, moment, window_bounds

Random = Callable[[], float]

ARC: tuple[str, ...] = ("warm_up", "current_workflow", "pain_points", "wishes", "wrap_up")
# Which stages a short interview keeps, most valuable first; they are then put in arc order.
_PRIORITY = ("pain_points", "warm_up", "wishes", "current_workflow", "wrap_up")
# How extra questions beyond one per stage are shared out.
_EXTRA_WEIGHTS = {"warm_up": 1, "current_workflow": 3, "pain_points": 4, "wishes": 3, "wrap_up": 1}
_SENTENCES_PER_ANSWER = {"simple": 1, "medium": 2, "complex": 3}
_FOLLOW_UPS = (
    "Can you give me a concrete example?",
    "How often does that happen?",
    "Why do you think that is?",
    "What did you do next?",
    "How did that affect the rest of your week?",
    "Could you say more about that?",
    "Who else is affected by that?",
    "What would good look like there?",
)

_COMMON = read_vocab("interviews/common.json")
_BANKS = link_banks(_COMMON["banks"])
_QUESTIONS: dict[str, dict[str, Alt]] = compile_tree(_COMMON["questions"], banks=_BANKS)
_ANSWERS: dict[str, Alt] = compile_tree(_COMMON["answers"], banks=_BANKS)
_PERSONA = compile_tree(_COMMON["persona"], banks=_BANKS)
_SIZES: tuple[tuple[str, int, int], ...] = tuple(tuple(size) for size in _COMMON["sizes"])
_SIZE_WORDS = {"1-10": "tiny", "11-50": "small", "51-200": "mid-sized", "201-1000": "large"}


@dataclass(frozen=True, slots=True)
class InterviewBook:
    """Roles, tools and tasks of one product type's users."""

    roles: tuple[str, ...]
    tools: tuple[str, ...]
    tasks: Alt
    aspects: tuple[Aspect, ...]


def _load_book(product_type: str) -> InterviewBook:
    raw = read_vocab(f"interviews/{product_type}.json")
    return InterviewBook(
        roles=tuple(raw["roles"]),
        tools=tuple(raw["tools"]),
        tasks=compile_bank(raw["tasks"]),
        aspects=product_aspects(product_type=product_type),
    )


_BOOKS: dict[str, InterviewBook] = {product: _load_book(product) for product in PRODUCT_TYPES}
TOOL_NAMES: tuple[str, ...] = tuple(
    sorted({tool for book in _BOOKS.values() for tool in book.tools})
)


def generate_interview(
    *,
    product_type: str,
    question_count: int,
    interview_type: str,
    complexity: str,
    seed: int,
    window: tuple[datetime, datetime],
) -> dict:
    """One interview about ``product_type`` with ``question_count`` question/answer pairs."""
    for name, value, allowed in (
        ("product_type", product_type, PRODUCT_TYPES),
        ("interview_type", interview_type, INTERVIEW_TYPES),
        ("complexity", complexity, COMPLEXITY_LEVELS),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of: {', '.join(allowed)}")
    rng = random_module.Random(seed)
    rnd = rng.random
    book = _BOOKS[product_type]
    identifier = f"interview_{rng.getrandbits(48):012x}"
    interviewee, slots = _persona(book=book, rng=rng)
    questions = _questions(
        stages=arc_stages(question_count=question_count), interview_type=interview_type,
        complexity=complexity, book=book, slots=slots, rng=rng,
    )  # fmt: skip
    return {
        "id": identifier,
        "interviewType": interview_type,
        "productType": product_type,
        "interviewee": interviewee,
        "conductedAt": iso(moment(rnd(), bounds=window_bounds(window))),
        "questions": questions,
    }


def arc_stages(*, question_count: int) -> list[str]:
    """The stage of every question, in arc order."""
    if question_count < len(ARC):
        kept = set(_PRIORITY[:question_count])
        return [stage for stage in ARC if stage in kept]
    extra = question_count - len(ARC)
    total = sum(_EXTRA_WEIGHTS.values())
    shares = {stage: 1 + extra * weight // total for stage, weight in _EXTRA_WEIGHTS.items()}
    by_remainder = sorted(
        ARC, key=lambda stage: (-(extra * _EXTRA_WEIGHTS[stage]) % total, ARC.index(stage))
    )
    for stage in by_remainder[: question_count - sum(shares.values())]:
        shares[stage] += 1
    return [stage for stage in ARC for _ in range(shares[stage])]


def _persona(*, book: InterviewBook, rng: random_module.Random) -> tuple[dict, dict[str, Any]]:
    rnd = rng.random
    person = draw_person(random=rnd)
    role = pick(book.roles, random=rnd)
    company = draw_company(random=rnd)
    size, low, high = pick(_SIZES, random=rnd)
    headcount = low + int(rnd() * (high - low + 1))
    tools = list(book.tools)
    rng.shuffle(tools)
    tools = sorted(tools[: 2 + int(rnd() * 2)])
    task = render(book.tasks, random=rnd, slots={})
    slots: dict[str, Any] = {
        "product": render(book.aspects[0].slots["product"], random=rnd, slots={}),
        "role": role,
        "Role": role,
        "a": "an" if role[0] in "AEIOU" else "a",
        "company": company,
        "headcount": f"{headcount:,}",
        "task": task,
        "tool": tools[0],
        "tool2": tools[1],
        "size_word": _SIZE_WORDS.get(size, "very large"),
    }
    persona = render(_PERSONA, random=rnd, slots=slots)
    interviewee = {
        "name": person.name,
        "role": role,
        "company": company,
        "companySize": size,
        "persona": persona,
        "toolsUsed": tools,
    }
    return interviewee, slots


def _questions(
    *,
    stages: list[str],
    interview_type: str,
    complexity: str,
    book: InterviewBook,
    slots: dict[str, Any],
    rng: random_module.Random,
) -> list[dict]:
    rnd = rng.random
    aspects = list(book.aspects)
    rng.shuffle(aspects)
    tools = [slots["tool"], slots["tool2"]]
    asked: set[str] = set()
    said: set[str] = set()
    # Which answer templates each stage has used in this interview, so none repeats too soon.
    used: dict[str, set[int]] = {stage: set() for stage in ARC}
    questions = []
    for number, stage in enumerate(stages, start=1):
        aspect = aspects[number % len(aspects)]
        local = {**aspect.slots, **slots}
        local["tool"], local["tool2"] = tools[number % 2], tools[(number + 1) % 2]
        # One complaint and one wish per answer, so its sentences elaborate instead of repeat.
        for name in ("complaint", "suggestion", "the_aspect"):
            local[name] = _own_words(aspect.slots[name], slots=local, random=rnd, tools=tools)
        question = _fresh(_QUESTIONS[interview_type][stage], slots=local, random=rnd, seen=asked)
        if question in asked:
            question = _fresh(Alt((follow,) for follow in _FOLLOW_UPS), slots=local, random=rnd,
                              seen=asked)  # fmt: skip
        asked.add(question)
        sentences = []
        for _ in range(_SENTENCES_PER_ANSWER[complexity]):
            template = _unused(_ANSWERS[stage], used=used[stage], random=rnd)
            sentence = _fresh(template, slots=local, random=rnd, seen=said)
            said.add(sentence)
            if sentence not in sentences:
                sentences.append(sentence)
        answer = " ".join(sentences)
        questions.append({"number": number, "stage": stage, "question": question, "answer": answer})
    return questions


def _unused(bank: Alt, *, used: set[int], random: Random) -> Any:
    """One template of ``bank`` this interview has not used yet; all again once all are used."""
    if len(used) >= len(bank):
        used.clear()
    index = int(random() * len(bank))
    while index in used:
        index = (index + 1) % len(bank)
    used.add(index)
    return bank[index]


def _own_words(node: Alt, *, slots: dict[str, Any], random: Random, tools: list[str]) -> str:
    # Review phrases may name a tool ("the Slack integration"); a persona only names its own.
    text = ""
    for _ in range(12):
        text = render(node, random=random, slots=slots)
        if not any(tool in text for tool in TOOL_NAMES if tool not in tools):
            return text
    return "it"


def _fresh(node: Alt, *, slots: dict[str, Any], random: Random, seen: set[str]) -> str:
    text = ""
    for _ in range(8):
        text = render(node, random=random, slots=slots)
        text = text[:1].upper() + text[1:]
        if text not in seen:
            break
    return text
