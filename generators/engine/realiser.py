"""The words: compositional sentences with agreement slots, and a memory against repeats.

The realiser renders each ``microplan.Message`` with the document kind's grammar. A sentence is
composed (connective x subject x evaluation x context), each part optional and each with many
forms; verbs and pronouns agree with the subject's number through slots (``<is>``, ``<has>``,
``<s>``, ``<it>``: see ``products.AGREEMENT``), counts agree with their unit through the
grammar (``<#2-5 day>``), and "a"/"an" is settled by the next word.

``Memory`` is the per-call and per-entry memory: a choice used earlier in the same entry, or
in one of the last entries of the same call, is refused and redrawn (a few times, then
accepted), so no frame, predicate or opening repeats in one entry or close by in a call. One
``Memory`` lives for one call; nothing is kept between calls. Tickets and interviews create
their own ``Memory`` and call ``Memory.choose`` with their own banks.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from generators.engine.content import Content
from generators.engine.grammar import (
    Alt,
    compile_bank,
    link,
    link_banks,
    pick,
    render,
    settle_articles,
)
from generators.engine.lexicon import vary
from generators.engine.microplan import POLARITY, Message
from generators.engine.products import Kind, Phrase, Product, agreement
from generators.engine.surface import TAIL_ADVERBS
from generators.engine.vocabulary import read
from generators.engine.writers import Writer

Random = Callable[[], float]

# What ``Memory`` holds for a choice never used: older than any entry it refuses.
NEVER: Final = -1_000_000


class Memory:
    """What was said recently: within the entry being written, and in the call's last entries."""

    __slots__ = ("clock", "floor", "recent", "window")

    def __init__(self, *, window: int = 10) -> None:
        self.clock = 0
        self.window = window
        # The oldest entry whose choices are still refused: ``clock - window``, kept up to date
        # so the hot path of ``choose`` does not work it out on every call.
        self.floor = -window
        # id of the bank -> for each index of its choices, the entry that last used it (or
        # NEVER). Looked up once per call, then indexed: cheaper than a flat dict keyed by
        # ``id << 8 | index``, and the same history. A bank that is gone may leave its id to
        # a new one, which then shares its history by index, as the flat dict's keys did; the
        # list grows if the new bank is longer.
        self.recent: dict[int, list[int]] = {}

    def next_entry(self) -> None:
        """Start remembering a new entry."""
        self.clock += 1
        self.floor = self.clock - self.window

    def _history(self, options: tuple[Any, ...], count: int) -> list[int]:
        """What ``recent`` holds for the bank ``options`` of ``count`` choices (at least one
        slot, so an empty bank fails on ``options[0]`` as it always did)."""
        bank = id(options)
        history = self.recent.get(bank)
        if history is None:
            history = [NEVER] * (count or 1)
            self.recent[bank] = history
        elif len(history) < count:
            history.extend([NEVER] * (count - len(history)))
        return history

    def fresh(self, options: tuple[Any, ...], random: Random) -> Any:
        """One of ``options`` not yet used in this entry, or None when all of them are."""
        count = len(options)
        history, clock = self._history(options, count), self.clock
        unused = [index for index in range(count) if history[index] != clock]
        if not unused:
            return None
        index = unused[int(random() * len(unused))]
        history[index] = clock
        return options[index]

    def choose(self, options: tuple[Any, ...], random: Random) -> Any:
        """One of ``options``, refusing one used in this entry or in the last few entries.
        Banks are tuples (``Alt`` is one): compiled, their length and items are read directly."""
        count = len(options)
        # Most first draws are fresh: take them without entering the redraw loop.
        index = int(random() * count)
        history = self._history(options, count)
        used = history[index]
        if used < self.floor:
            history[index] = self.clock
            return options[index]
        clock = self.clock
        if count == 1:
            # A single choice is taken all the same, after the redraws every bank takes.
            random(), random(), random()
            history[0] = clock
            return options[0]
        # Redraw up to three times (written out: small banks come here often).
        floor = self.floor
        fallback = index if used != clock else -1
        index = int(random() * count)
        used = history[index]
        if used >= floor:
            if used != clock:
                fallback = index
            index = int(random() * count)
            used = history[index]
            if used >= floor:
                if used != clock:
                    fallback = index
                index = int(random() * count)
                used = history[index]
                if used >= floor:
                    if used != clock:
                        fallback = index
                    # Everything drawn was used lately: one not yet used in this entry will do.
                    if fallback >= 0:
                        index = fallback
                    else:
                        unused = [i for i in range(count) if history[i] != clock]
                        if unused:
                            index = unused[int(random() * len(unused))]
        history[index] = clock
        return options[index]


def _tree(raw: Any, banks: Mapping[str, Any]) -> Any:
    if isinstance(raw, dict):
        return {key: _tree(value, banks) for key, value in raw.items()}
    return link(compile_bank([vary(text) for text in raw]), banks=banks)


@dataclass(frozen=True, slots=True)
class Grammar:
    """A document kind's compiled grammar: its named groups of frames and banks."""

    banks: dict[str, Any]
    groups: dict[str, Any]

    @classmethod
    def load(cls, relative: str) -> "Grammar":
        """Compile ``vocab/<relative>``: a ``banks`` mapping plus any nested groups of frames."""
        raw = read(relative)
        banks = link_banks(raw.get("banks", {}))
        groups = {name: _tree(value, banks) for name, value in raw.items() if name != "banks"}
        return cls(banks=banks, groups=groups)


FEEDBACK: Final = Grammar.load("feedback.json")
_G: Final = FEEDBACK.groups
_ADJECTIVES: Final[dict[str, Alt]] = _G["adjectives"]
_FRAME_GROUP: Final = {
    "great": "good",
    "good": "good",
    "plus": "plus",
    "fine": "fine",
    "niggle": "niggle",
    "poor": "poor",
    "awful": "poor",
    "minus": "minus",
}
# A point's frames by its degree, looked up once.
_POINT_FRAMES: Final = {degree: _G["points"][group] for degree, group in _FRAME_GROUP.items()}
_PAIR_GROUP: Final = {"good": "good", "fine": "fine", "poor": "poor"}
_TONE: Final = {
    "great": "good",
    "good": "good",
    "fine": "fine",
    "niggle": "fine",
    "poor": "poor",
    "awful": "poor",
    "mixed": "fine",
}
_ADJECTIVE_OF: Final = {"plus": "good", "minus": "poor", "mixed": "fine"}
# The adjectives of each degree, a plus or a minus by those of good or poor, looked up once.
_ADJECTIVE_FOR: Final = {
    degree: _ADJECTIVES[_ADJECTIVE_OF.get(degree, degree)]
    for degree in (*_ADJECTIVES, *_ADJECTIVE_OF)
    if _ADJECTIVE_OF.get(degree, degree) in _ADJECTIVES
}
_PRONOUNS: Final = {"sg": ("it", "it"), "pl": ("they", "them")}
_PRODUCT_AGREEMENT: Final = {number: agreement(number, "p_") for number in ("sg", "pl")}
_AGREEMENT: Final = {number: agreement(number) for number in ("sg", "pl")}
_ITEM_AGREEMENT: Final = {number: agreement(number, "i_") for number in ("sg", "pl")}
_TERMINAL: Final = frozenset(".!?:")
_ANCHORS: Final = {True: _G["anchors"], False: _G["brand_anchors"]}


def entry_slots(*, writer: Writer, product: Product) -> dict[str, Any]:
    """The slots every sentence of one entry can use: product, kind, writer and locale."""
    slots = _kind_base(product.kind).copy()
    slots.update(product.slots)
    slots.update(writer.persona.slots)
    slots["currency"] = writer.locale.currency
    slots["price"] = f"{writer.locale.currency}{product.price}"
    slots["company"] = writer.persona.slots.get("company", "work")
    slots["role"] = writer.persona.slots.get("role", "person in charge")
    slots["audience"] = writer.persona.audience
    slots["product_type"] = product.product_type
    slots["owned"] = False
    return slots


def rating_slots(slots: dict[str, Any], *, rating: int) -> None:
    """The rating as people write it ("2 stars", "one star"), for verdicts and titles."""
    words = ("", "one", "two", "three", "four", "five")[rating]
    unit = "star" if rating == 1 else "stars"
    slots["stars"] = slots["Stars"] = f"{rating} {unit}" if rating % 2 else f"{words} {unit}"


_BASES: Final[dict[int, dict[str, Any]]] = {}


def _kind_base(kind: Kind) -> dict[str, Any]:
    # The slots that never change for a kind, merged once (the kind lives as long as the process).
    base = _BASES.get(id(kind))
    if base is None:
        base = _BASES[id(kind)] = {
            **FEEDBACK.banks,
            **kind.slots,
            **_PRODUCT_AGREEMENT[kind.number],
        }
    return base


def draw_item(*, product: Product, slots: dict[str, Any], random: Random) -> None:
    """Pick what was ordered (for kinds that sell items) and fill its slots."""
    items = product.kind.items
    if items:
        full, short, number = items[int(random() * len(items))]
        slots.update(
            item=render(full, random=random, slots=slots),
            the_item=render(short, random=random, slots=slots),
            i_number=number,
            **_ITEM_AGREEMENT[number],
        )


def realise_messages(
    *,
    messages: list[Message],
    content: Content,
    product: Product,
    slots: dict[str, Any],
    register: str,
    random: Random,
    memory: Memory,
) -> list[tuple[str, int]]:
    """The sentences of one entry, each with its polarity (+1, 0, -1) for the surface stage."""
    kind = product.kind
    full = render(kind.full, random=random, slots=slots)
    sentences: list[tuple[str, int]] = []
    last: Phrase | None = None
    negative = content.rating <= 2
    connectives = _G["connectives"]
    hedges = (_G["hedges_negative"] if negative else _G["hedges"])[register]
    join = _JOINS.get(register, 0.2) * (2.0 if len(messages) > 8 else 1.2)
    slots["short_text"] = len(messages) <= 2
    # "My only gripe" in an entry with one complaint; with more, it is the main one.
    slots["only"] = _ONLY[sum(POLARITY.get(message.degree, 0) < 0 for message in messages) > 1]
    pending: tuple[str, int, str] | None = None  # text, polarity, move of the last sentence
    # ``memory.choose`` is called as a method, not bound to a local: compiled, that is a
    # direct call.
    short, joins = kind.short, content.label != "mixed"
    # A mixed entry, or one of a sentence or two, states a strong opinion in so many words.
    outright = content.label == "mixed" or len(messages) <= 2
    for position, message in enumerate(messages):
        move = message.move
        # Later mentions of the product are its short forms, drawn when a frame names one.
        slots["P"] = slots["short"] = short if message.mentioned else full
        lead = memory.choose(connectives[message.connective], random)
        if message.hedge and not lead:
            lead = memory.choose(hedges, random)
        slots["anchored"] = False
        if not lead and position == 0 and move == "point" and random() < 0.5:
            # "With the Q3, ..." for a model; a shop or a tool goes by its brand alone. The
            # sentence then names its aspect plainly, not by the brand again ("Veltra's ...").
            lead = memory.choose(_ANCHORS[bool(product.model)], random)
            slots["anchored"] = slots["owned"] = True
        # A point may run on from the one before ("..., and ..."), its additive lead dropped;
        # a mixed entry keeps its praise and its complaint in sentences of their own.
        # Both sentences must be points with a polarity, the first not a question.
        joining = (
            joins
            and pending is not None
            and message.connective in ("none", "add")
            and pending[2] in ("point", "more")
            and move in ("point", "more")
            and pending[0][-1:] not in "?!:"
            and pending[1] != 0
            and random() < join
        )
        slots["pre"] = "" if joining else lead
        if move == "point" or move == "more":
            text, last = _point(message, slots, last, random, memory, move == "point" and outright)
        elif move == "pair":
            text, last = _pair(message, slots=slots, random=random, memory=memory), None
        else:
            frame = _frame_for(message, content=content, slots=slots, random=random, memory=memory)
            if frame is None:
                continue
            text, last = render(frame, random=random, slots=slots), None
        if not text:
            continue
        if text.startswith("But ") and _has_but(text, 4):
            # One "but" to a sentence: "But X, but that's minor" drops its lead.
            text = text[4].upper() + text[5:]
        polarity = POLARITY.get(message.degree, 0)
        if joining and pending is not None and _opens_plainly(text):
            buts = _has_but(pending[0]) + _has_but(text)
            if polarity == pending[1]:
                glue = ", and "
            elif buts == 1:
                # Never "..., but it's minor, but ...": another way to turn to the contrast,
                # picked by length rather than drawn, so the draws after it do not shift.
                glue = _CONTRASTS[len(text) % len(_CONTRASTS)]
            else:
                glue = ", but "
            if buts < 2:
                pending = (pending[0].rstrip(".") + glue + _lower_first(text), polarity, "joined")
                continue
            # Both have their "but": two sentences, the second as closed to joins as a joined
            # one, so no join is drawn for the next point that would not have been.
            sentences.append((_finish(pending[0]), pending[1]))
            pending = (text, polarity, "joined")
            continue
        if pending is not None:
            sentences.append((_finish(pending[0]), pending[1]))
        pending = (text, polarity, message.move)
    if pending is not None:
        sentences.append((_finish(pending[0]), pending[1]))
    return sentences


# How often a register runs two points into one sentence ("..., and ..." / "..., but ...").
_JOINS: Final = {
    "terse": 0.1,
    "chatty": 0.35,
    "formal": 0.2,
    "ranting": 0.3,
    "storyteller": 0.35,
    "lister": 0.05,
    "second_language": 0.15,
}


_ONLY: Final = {False: compile_bank(["only", "one"]), True: compile_bank(["main", "biggest"])}


def _one_tail(text: str) -> str:
    # Two tail adverbs in a row ("..., seriously, really.") keep the first.
    if ", " not in text:
        return text  # what rpartition would leave: no comma, the text as it was
    head, comma, last = text.rpartition(", ")
    word = last.rstrip(".!?")
    if comma and word in TAIL_ADVERBS and head.rpartition(", ")[2] in TAIL_ADVERBS:
        return head + last[len(word) :]
    return text


_BUT = re.compile(r"\bbut\b", re.IGNORECASE)


def _has_but(text: str, start: int = 0) -> bool:
    # Whether ``text`` has the word "but" from ``start`` on. Only "b", "u", "t" and their
    # capitals match the letters case-blind, and each lowercases to its own, so the search
    # can find nothing where the lowercased text has no "but": that test is far cheaper.
    return "but" in text[start:].lower() and _BUT.search(text, start) is not None


# The other ways to turn to a contrast, for a sentence that already has its "but".
_CONTRASTS = (", though ", "; ", " - ", ", while ")


def _opens_plainly(text: str) -> bool:
    # A sentence with its own lead-in ("Being picky, ...", "Worth saying: ...") stands alone.
    # (A word of the first three ends in "," or ":" where the three, spaced, hold ", " or ": ".)
    head = " ".join(text.split(" ", 3)[:3]) + " "
    return ", " not in head and ": " not in head


def _lower_first(text: str) -> str:
    if text.startswith(("I ", "I'")):
        return text
    return text[0].lower() + text[1:]


def _point(
    message: Message,
    slots: dict[str, Any],
    last: Phrase | None,
    random: Random,
    memory: Memory,
    strong: bool = False,
) -> tuple[str, Phrase | None]:
    # Positional: this runs for most sentences of every entry.
    aspect = message.points[0].aspect
    degree = message.degree
    subject: Any
    obj: Any
    if message.pronoun and last is not None:
        name = last
        subject, obj = _PRONOUNS[last.number]
    else:
        name = memory.choose(aspect.names, random)
        if name.owned:
            # "Veltra's battery life" once an entry; later aspects go by their own names.
            if slots.get("owned"):
                name = aspect.names[int(random() * (len(aspect.names) - len(aspect.titles)))]
            slots["owned"] = True
        if name.number == "item":
            name = Phrase(node=name.node, number=slots["i_number"])
        subject = obj = name.node
    titles = aspect.titles
    # _fill_subject for the first subject, written out: this runs for most sentences.
    aspect_title = titles[int(random() * len(titles))]
    slots["subj"] = slots["Subj"] = subject
    slots["obj"] = obj
    slots["title"] = slots["Title"] = aspect_title.node
    slots["t_is"] = "are" if aspect_title.number == "pl" else "is"
    slots["adj"] = slots["Adj"] = _ADJECTIVE_FOR[degree]
    _agree(slots, name.number)
    slots["ctx"] = aspect.contexts
    more = message.move == "more"
    clauses = aspect.clauses.get(degree)
    predicates = aspect.degrees.get(degree)
    if clauses is not None and (
        predicates is None or random() < len(clauses) / (len(clauses) + len(predicates))
    ):
        # Saying more about a point must say something new, or nothing.
        clause = memory.fresh(clauses, random) if more else memory.choose(clauses, random)
        if clause is None:
            return "", last
        slots["clause"] = clause
        frame = memory.choose(_G["clauses"][_FRAME_GROUP[degree]], random)
        return render(frame, random=random, slots=slots), None
    if predicates is None:
        return "", last
    predicate = memory.fresh(predicates, random) if more else memory.choose(predicates, random)
    if predicate is None:
        return "", last
    slots["pred"] = slots["fact"] = predicate
    if strong and degree in ("great", "awful"):
        frame = memory.choose(_G["strong"]["good" if degree == "great" else "poor"], random)
    else:
        frame = memory.choose(_POINT_FRAMES[degree], random)
    if slots["anchored"] and not _opens_with_subject(frame):
        slots["pre"] = ""  # "On the Q3, " leads only into a sentence that names its subject
    return render(frame, random=random, slots=slots), name


def _opens_with_subject(frame: Any) -> bool:
    return (
        type(frame) is tuple
        and len(frame) > 1
        and frame[0] == "pre"
        and frame[1] in ("Subj", "subj")
    )


def _fill_subject(
    slots: dict[str, Any],
    *,
    aspect_title: Phrase,
    number: str,
    subject: Any,
    obj: Any,
    degree: str,
    suffix: str = "",
) -> None:
    # Nodes, not strings: a frame renders only the parts it names.
    subj, cap_subj, obj_name, title, cap_title, t_is, adj, cap_adj = _SUBJECT_SLOTS[suffix]
    slots[subj] = slots[cap_subj] = subject
    slots[obj_name] = obj
    slots[title] = slots[cap_title] = aspect_title.node
    slots[t_is] = "are" if aspect_title.number == "pl" else "is"
    slots[adj] = slots[cap_adj] = _ADJECTIVES[_ADJECTIVE_OF.get(degree, degree)]
    if not suffix:
        _agree(slots, number)


# The number whose agreement words (``<is>``, ``<it>``...) the slots hold, once a subject set
# them: the words are set only when the number changes, most subjects being singular. Only
# ``_agree`` writes those words, and an entry's slots start without this key.
_AGREED: Final = "\x00agreed"


def _agree(slots: dict[str, Any], number: str) -> None:
    if slots.get(_AGREED) != number:
        slots.update(_AGREEMENT[number])
        slots[_AGREED] = number


# The slot names _fill_subject writes, for the first subject ("") and the second ("2").
_SUBJECT_SLOTS: Final = {
    suffix: tuple(
        name + suffix for name in ("subj", "Subj", "obj", "title", "Title", "t_is", "adj", "Adj")
    )
    for suffix in ("", "2")
}


def _pair(message: Message, *, slots: dict[str, Any], random: Random, memory: Memory) -> str:
    for suffix, point in zip(("", "2"), message.points, strict=True):
        name = memory.choose(point.aspect.names, random)
        _fill_subject(
            slots,
            aspect_title=pick(point.aspect.titles, random=random),
            number="pl",
            subject=name.node,
            obj=name.node,
            degree=message.degree,
            suffix=suffix,
        )
    frame = memory.choose(_G["pairs"][_PAIR_GROUP[message.degree]], random)
    return render(frame, random=random, slots=slots)


def _frame_for(
    message: Message, *, content: Content, slots: dict[str, Any], random: Random, memory: Memory
) -> Any:
    move, tone = message.move, _TONE.get(content.verdict, "fine")
    incident = content.incident
    if move == "verdict":
        return memory.choose(_G["verdicts"][content.verdict], random)
    own = world_groups(content_kind_type(slots))
    if move == "context":
        return memory.choose(own.get("openings") or _G["openings"][slots["audience"]], random)
    if move == "comparison":
        return memory.choose(_G["comparisons"][tone], random)
    if move == "recommend":
        return memory.choose(
            (own.get("recommends") or _G["recommends"])[_recommend_tone(content.rating)], random
        )
    if move == "tip":
        slots["tip"] = slots.get("tips", "")
        return memory.choose(_G["tips"], random)
    if move in ("question", "suggest"):
        fixes = _fixes(content)
        if not fixes:
            return None
        slots["fix"] = fixes[int(random() * len(fixes))]
        return memory.choose(_G["questions" if move == "question" else "suggests"], random)
    if move == "proscons":
        return _proscons(message, slots=slots, random=random, memory=memory)
    if incident is None:
        return None
    if move == "step":
        return incident.steps[message.step]
    closing = _G["stories"]["close_good" if content.outcome == "good" else "close_bad"]
    if move == "ending":
        lead = render(memory.choose(closing, random), random=random, slots=slots)
        ending = render(incident.endings[content.outcome], random=random, slots=slots)
        return lead + (_lower_first(ending) if lead else ending)
    slots["outcome"] = render(incident.endings[content.outcome], random=random, slots=slots)
    return memory.choose(_G["edits"]["good" if content.outcome == "good" else "poor"], random)


def content_kind_type(slots: dict[str, Any]) -> str:
    """The product type an entry's slots were built for."""
    return slots["product_type"]


@cache
def world_groups(product_type: str) -> dict[str, Any]:
    """A product type's own groups of frames ("groups" in its file), replacing the common ones."""
    raw = read(f"products/{product_type}.json").get("groups", {})
    return {name: _tree(value, FEEDBACK.banks) for name, value in raw.items()}


def _recommend_tone(rating: int) -> str:
    return "good" if rating >= 4 else "fine" if rating == 3 else "poor"


def _fixes(content: Content) -> list[Any]:
    # A suggestion answers a complaint the entry makes; an entry without one asks for nothing.
    return [point.aspect.fixes for point in content.points if POLARITY[point.degree] < 0]


def _proscons(message: Message, *, slots: dict[str, Any], random: Random, memory: Memory) -> str:
    groups: dict[int, list[str]] = {1: [], -1: []}
    for point in message.points:
        polarity = POLARITY[point.degree]
        if polarity == 0:
            continue
        title = render(memory.choose(point.aspect.titles, random).node, random=random, slots=slots)
        adjective = render(
            memory.choose(_ADJECTIVES[point.degree], random), random=random, slots={}
        )
        groups[polarity].append(f"{adjective} {title}")
    parts = []
    for polarity, label, empty in ((1, "pros", "none_pros"), (-1, "cons", "none_cons")):
        items = groups[polarity] or [render(_G["proscons"][empty], random=random, slots=slots)]
        parts.append(render(_G["proscons"][label], random=random, slots={}) + ", ".join(items))
    # A mixed entry lists its praise and its complaint as sentences of their own.
    join = (
        ". "
        if message.degree == "mixed"
        else render(_G["proscons"]["joins"], random=random, slots={})
    )
    return join.join(parts)


def tidy(text: str) -> str:
    """Spacing left by empty alternatives and slots, closed up ("Brand :" becomes "Brand:")."""
    if "  " in text:
        text = " ".join(text.split())
    return text.replace(" :", ":").replace(" ,", ",").replace(" .", ".").strip()


def _finish(text: str) -> str:
    text = settle_articles(text) if "\x01" in text else text
    text = _one_tail(tidy(text))
    if not text:
        return text
    if text[-1] not in _TERMINAL:
        text += "."
    return text[0].upper() + text[1:]
