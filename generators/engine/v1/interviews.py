"""User interviews: a persona and its pains come first; each question has answers written for it."""

import random as random_module
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generators.engine.v1.catalog import COMPLEXITY_LEVELS, INTERVIEW_TYPES, PRODUCT_TYPES
from generators.engine.v1.feedback import product_aspects
from generators.engine.v1.grammar import Alt, compile_bank, pick, render
from generators.engine.v1.people import draw_company, draw_person
from generators.engine.v1.phrasebook import AGREEMENT, Aspect, read_vocab
from generators.engine.v1.timeline import iso, moment, window_bounds

Random = Callable[[], float]

ARC: tuple[str, ...] = ("warm_up", "current_workflow", "pain_points", "wishes", "wrap_up")
# Which stages a short interview keeps, most valuable first; they are then put in arc order.
_PRIORITY = ("pain_points", "warm_up", "wishes", "current_workflow", "wrap_up")
# How extra questions beyond one per stage are shared out.
_EXTRA_WEIGHTS = {"warm_up": 1, "current_workflow": 3, "pain_points": 4, "wishes": 3, "wrap_up": 1}
# The sentences an answer holds after its core, by complexity: simple answers are the plain
# core alone; medium ones add a concrete detail; complex ones a comparison and a nuance too.
_SUPPORT_KINDS = {"simple": (), "medium": ("detail",), "complex": ("detail", "contrast", "nuance")}
# A follow-up's core is already concrete, so it skips the detail a main answer adds.
_FOLLOW_KINDS = {"simple": (), "medium": (), "complex": ("contrast", "nuance")}
_FOLLOW_UP_CHANCE = 0.4
_REROLLS = 8
_TOOL_TRIES = 12
_SIZE_PHRASE = re.compile(r"\b(tiny|small|mid-sized|very large|large) (?:team|company|business)")


@dataclass(frozen=True, slots=True)
class Intent:
    """One kind of question, with answers written to respond to it."""

    name: str
    ask: Alt
    plain: Alt
    core: Alt
    # The questions this one may follow up on; empty when it suits any question of its stage.
    after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StagePlan:
    """The questions an interview type asks at one stage, and the sentences that support them."""

    mains: tuple[Intent, ...]
    follows: tuple[Intent, ...]
    support: Mapping[str, Alt]


@dataclass(frozen=True, slots=True)
class InterviewBook:
    """Roles, tools, tasks and alternatives of one product type's users."""

    roles: tuple[str, ...]
    tools: tuple[str, ...]
    tasks: Alt
    alternatives: Alt
    aspects: tuple[Aspect, ...]


def _compile(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        return {key: _compile(value) for key, value in raw.items()}
    return compile_bank(raw)


_COMMON = read_vocab("interviews/common.json")
_INTENTS: dict[str, Intent] = {
    name: Intent(name=name, ask=compile_bank(raw["ask"]), plain=compile_bank(raw["plain"]),
                 core=compile_bank(raw["core"]), after=tuple(raw.get("after", ())))
    for name, raw in _COMMON["intents"].items()
}  # fmt: skip
_SUPPORT: dict[str, dict[str, dict[str, Alt]]] = _compile(_COMMON["support"])
_MODES: dict[str, str] = _COMMON["modes"]
_PERSONAS: dict[str, Alt] = _compile(_COMMON["persona"])
_PINNED: dict[str, Alt] = _compile(_COMMON["pinned"])
_USAGE: tuple[tuple[str, Alt], ...] = tuple(
    (entry["usage"], compile_bank(entry["last"])) for entry in _COMMON["usage"]
)
# A snag is a usability pain; its place stands for the aspect in the banks every type shares.
_SNAGS: tuple[dict[str, str], ...] = tuple(
    {
        **snag,
        **{key.capitalize(): value[:1].upper() + value[1:] for key, value in snag.items()},
        "the_aspect": snag["where"],
        "The_aspect": snag["Where"] if "Where" in snag else snag["where"].capitalize(),
    }
    for snag in _COMMON["snags"]
)
_SIZES: tuple[tuple[str, int, int], ...] = tuple(tuple(size) for size in _COMMON["sizes"])
_SIZE_WORDS: dict[str, str] = _COMMON["size_words"]


def _stage_plan(interview_type: str, stage: str) -> StagePlan:
    raw = _COMMON["interviews"][interview_type][stage]
    # Support sentences come from the most specific bank that has them: the interview type,
    # then its mode (use, churn, discovery), then the banks every interview shares.
    sources = (interview_type, _MODES[interview_type], "any")
    banks = next(_SUPPORT[key][stage] for key in sources if stage in _SUPPORT.get(key, {}))
    return StagePlan(
        mains=tuple(_INTENTS[name] for name in raw["main"]),
        follows=tuple(_INTENTS[name] for name in raw["follow"]),
        support=banks,
    )


_PLANS: dict[tuple[str, str], StagePlan] = {
    (kind, stage): _stage_plan(kind, stage) for kind in INTERVIEW_TYPES for stage in ARC
}


def _load_book(product_type: str) -> InterviewBook:
    raw = read_vocab(f"interviews/{product_type}.json")
    return InterviewBook(
        roles=tuple(raw["roles"]),
        tools=tuple(raw["tools"]),
        tasks=compile_bank(raw["tasks"]),
        alternatives=compile_bank(raw["alternatives"]),
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
    book = _BOOKS[product_type]
    identifier = f"interview_{rng.getrandbits(48):012x}"
    interviewee, slots = _persona(book=book, interview_type=interview_type, rng=rng)
    writer = _Writer(book=book, interview_type=interview_type, complexity=complexity,
                     slots=slots, tools=interviewee["toolsUsed"], rng=rng)  # fmt: skip
    questions = writer.write(arc_stages(question_count=question_count))
    return {
        "id": identifier,
        "interviewType": interview_type,
        "productType": product_type,
        "interviewee": interviewee,
        "conductedAt": iso(moment(rng.random(), bounds=window_bounds(window))),
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


def _persona(
    *, book: InterviewBook, interview_type: str, rng: random_module.Random
) -> tuple[dict, dict[str, Any]]:
    """The interviewee and the facts every answer repeats the same way (its slots)."""
    rnd = rng.random
    person = draw_person(random=rnd)
    role = pick(book.roles, random=rnd)
    company = draw_company(random=rnd)
    size, low, high = pick(_SIZES, random=rnd)
    headcount = low + int(rnd() * (high - low + 1))
    tools = list(book.tools)
    rng.shuffle(tools)
    tools = sorted(tools[: 2 + int(rnd() * 2)])
    usage, last = pick(_USAGE, random=rnd)
    slots: dict[str, Any] = {
        "product": render(book.aspects[0].slots["product"], random=rnd, slots={}),
        "role": role,
        "Role": role,
        "a": "an" if role[0] in "AEIOU" else "a",
        "company": company,
        "headcount": f"{headcount:,}",
        "size_word": _SIZE_WORDS[size],
        "task": render(book.tasks, random=rnd, slots={}),
        "tool": tools[0],
        "tool2": tools[1],
        "tools_all": ", ".join(tools[:-1]) + " and " + tools[-1],
        "usage": usage,
        "last": render(last, random=rnd, slots={}),
        "alt": render(book.alternatives, random=rnd, slots={}),
        "their": "my",
    }
    for name, bank in _PINNED.items():
        slots[name] = render(bank, random=rnd, slots=slots)
    slots["goal"] = _goal(book=book, size_word=slots["size_word"], random=rnd)
    for name in ("usage", "last", "alt", "channel", "device", "attitude", "rating"):
        slots[name.capitalize()] = _capital(slots[name])
    persona = render(_PERSONAS[_MODES[interview_type]], random=rnd, slots=slots)
    interviewee = {
        "name": person.name,
        "role": role,
        "company": company,
        "companySize": size,
        "persona": persona,
        "toolsUsed": tools,
    }
    return interviewee, slots


def _goal(*, book: InterviewBook, size_word: str, random: Random) -> str:
    # A goal may speak of a team's size ("give a small team enterprise tools"); keep only one
    # that agrees with the company's.
    text = ""
    for _ in range(_TOOL_TRIES):
        text = render(book.aspects[0].slots["goal"], random=random, slots={"their": "my"})
        if all(word == size_word for word in _SIZE_PHRASE.findall(text)):
            return text
    return render(book.tasks, random=random, slots={})


class _Writer:
    """Writes one interview's questions and answers, remembering what it has said."""

    def __init__(
        self,
        *,
        book: InterviewBook,
        interview_type: str,
        complexity: str,
        slots: dict[str, Any],
        tools: list[str],
        rng: random_module.Random,
    ) -> None:
        self.interview_type = interview_type
        self.complexity = complexity
        self.slots = slots
        self.rng = rng
        self.random = rng.random
        self.asked: set[str] = set()
        self.said: set[str] = set()
        # Which support templates each bank has used, so none comes back too soon.
        self.used: dict[tuple[str, str], set[int]] = {}
        self.tools = tools
        # What this interviewee's pains are drawn from: usability snags or product aspects.
        self.pool: list[Any] = list(_SNAGS if interview_type == "usability" else book.aspects)
        rng.shuffle(self.pool)
        self.topics: list[dict[str, Any]] = []
        # The pains the interviewee has talked about, in order: wishes and the wrap-up go back
        # to them.
        self.mentioned: list[dict[str, Any]] = []

    def write(self, stages: list[str]) -> list[dict]:
        questions: list[dict] = []
        for stage in ARC:
            count = stages.count(stage)
            if count:
                self._stage(stage, count, questions)
        return questions

    def _stage(self, stage: str, count: int, questions: list[dict]) -> None:
        plan = _PLANS[self.interview_type, stage]
        mains: list[Intent] = []
        follows: list[Intent] = []
        last_main = ""
        is_main = False
        topic = self._topic(0)
        asked_mains = 0
        for _ in range(count):
            intent, is_main = self._next_intent(plan, mains, follows, last_main, is_main)
            if is_main:
                topic = self._stage_topic(stage, index=asked_mains)
                asked_mains += 1
                last_main = intent.name
            slots = {**self.slots, **topic}
            kinds = (_SUPPORT_KINDS if is_main else _FOLLOW_KINDS)[self.complexity]
            questions.append({
                "number": len(questions) + 1,
                "stage": stage,
                "question": self._fresh(intent.ask, slots, self.asked, keep=True),
                "answer": self._answer(intent, plan, stage, kinds, slots),
            })  # fmt: skip

    def _next_intent(
        self,
        plan: StagePlan,
        mains: list[Intent],
        follows: list[Intent],
        last_main: str,
        previous_was_main: bool,
    ) -> tuple[Intent, bool]:
        """The next question of a stage and whether it is a main one (not a follow-up)."""
        if not mains and not follows:
            # At the start of a stage, or once a long interview has asked everything: the
            # sentence memory keeps a question asked again from getting the same answer.
            mains.extend(plan.mains)
            follows.extend(plan.follows)
            self.rng.shuffle(mains)
            self.rng.shuffle(follows)
        fitting = [intent for intent in follows if not intent.after or last_main in intent.after]
        wants_follow = previous_was_main and (not mains or self.random() < _FOLLOW_UP_CHANCE)
        if fitting and wants_follow:
            follows.remove(fitting[0])
            return fitting[0], False
        if mains:
            return mains.pop(), True
        return follows.pop(), False

    def _stage_topic(self, stage: str, *, index: int) -> dict[str, Any]:
        if stage == "pain_points":
            topic = self._topic(len(self.mentioned))
            self.mentioned.append(topic)
            return topic
        if stage == "wishes" and self.mentioned:
            return self.mentioned[index % len(self.mentioned)]
        if stage == "wrap_up" and self.mentioned:
            return self.mentioned[0]
        return self._topic(0)

    def _topic(self, index: int) -> dict[str, Any]:
        """The ``index``-th pain of this interviewee: a usability snag or a product aspect."""
        while len(self.topics) <= index:
            made = self._next_topic()
            if made is None:
                return self.topics[index % len(self.topics)]
            self.topics.append(made)
        return self.topics[index]

    def _next_topic(self) -> dict[str, Any] | None:
        while self.pool:
            candidate = self.pool.pop()
            if isinstance(candidate, dict):
                return candidate
            topic = self._aspect_topic(candidate)
            if topic is not None:
                return topic
        return None

    def _aspect_topic(self, aspect: Aspect) -> dict[str, Any] | None:
        slots = {**aspect.slots, **self.slots}
        topic: dict[str, Any] = {
            key: aspect.slots[key] for key in AGREEMENT["sg"] if key in aspect.slots
        }
        for name in ("the_aspect", "complaint", "suggestion"):
            text = self._own_words(aspect.slots[name], slots)
            if text is None:
                return None
            topic[name] = text
        topic["The_aspect"] = _capital(topic["the_aspect"])
        return topic

    def _own_words(self, node: Alt, slots: dict[str, Any]) -> str | None:
        # Review phrases may name a tool ("the Slack integration"); a persona only names its own.
        for _ in range(_TOOL_TRIES):
            text = render(node, random=self.random, slots=slots)
            if not any(tool in text for tool in TOOL_NAMES if tool not in self.tools):
                return text
        return None

    def _answer(
        self,
        intent: Intent,
        plan: StagePlan,
        stage: str,
        kinds: tuple[str, ...],
        slots: dict[str, Any],
    ) -> str:
        core = intent.plain if self.complexity == "simple" else intent.core
        sentences = [self._fresh(core, slots, self.said, keep=True)]
        for kind in kinds:
            used = self.used.setdefault((stage, kind), set())
            template = _unused(plan.support[kind], used=used, random=self.random)
            sentence = self._fresh(template, slots, self.said, keep=False)
            if sentence:
                sentences.append(sentence)
        return " ".join(sentences)

    def _fresh(self, node: Any, slots: dict[str, Any], seen: set[str], *, keep: bool) -> str:
        """A realisation of ``node`` not yet in ``seen``; if none turns up, the last one when
        ``keep`` (a question or an answer's core), else nothing (a supporting sentence)."""
        text = ""
        for _ in range(_REROLLS):
            text = _capital(render(node, random=self.random, slots=slots))
            if text not in seen:
                seen.add(text)
                return text
        return text if keep else ""


def _unused(bank: Alt, *, used: set[int], random: Random) -> Any:
    """One template of ``bank`` this interview has not used yet; all again once all are used."""
    if len(used) >= len(bank):
        used.clear()
    index = int(random() * len(bank))
    while index in used:
        index = (index + 1) % len(bank)
    used.add(index)
    return bank[index]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
