"""Titles, derived from the entry's main point in many shapes ("DO NOT BUY", "Works, mostly").

A title speaks of the verdict and the first point (or the incident, for a story with a bad
ending), with the writer's casing. ``title_for`` refuses a title already given in the same
call and redraws; tickets' subjects can reuse it with their own groups.
"""

from collections.abc import Callable
from typing import Any, Final

from generators.engine.content import Content
from generators.engine.grammar import render
from generators.engine.realiser import FEEDBACK, Memory, tidy
from generators.engine.writers import Writer

Random = Callable[[], float]
_TITLES: Final = FEEDBACK.groups["titles"]
_ADJECTIVES: Final = FEEDBACK.groups["adjectives"]
_TAILS: Final = FEEDBACK.groups["title_tails"]
_REDRAWS: Final = 12


def title_for(
    *,
    content: Content,
    writer: Writer,
    slots: dict[str, Any],
    random: Random,
    memory: Memory,
    given: set[str],
    told: bool,
) -> str:
    """A title for ``content`` not in ``given`` (the call's titles so far), then remembered;
    ``told`` says whether the entry tells its incident, which a title may then name."""
    points = content.points
    _fill(slots, points[0].aspect.titles, points[0].degree, "", random, memory)
    second = points[1] if len(points) > 1 else points[0]
    _fill(slots, second.aspect.titles, second.degree, "2", random, memory)
    title = ""
    for _ in range(_REDRAWS):
        title = _draw(content, slots=slots, random=random, memory=memory, told=told)
        if writer.habits.lowercase:
            title = title.lower()
        elif writer.register == "ranting" and random() < 0.2:
            title = title.upper()
        if title not in given:
            break
    given.add(title)
    return title


def _draw(
    content: Content, *, slots: dict[str, Any], random: Random, memory: Memory, told: bool
) -> str:
    incident = content.incident
    node: Any
    if incident is not None and told and content.outcome == "bad" and random() < 0.35:
        node = incident.titles
    else:
        node = memory.choose(_TITLES[content.verdict], random)
    text = tidy(render(node, random=random, slots=slots))
    if not _names_the_product(text, slots) and random() < 0.6:
        # Most people name what they reviewed somewhere in the title.
        text += render(memory.choose(_TAILS, random), random=random, slots=slots)
    return text[0].upper() + text[1:] if text else text


def _names_the_product(text: str, slots: dict[str, Any]) -> bool:
    return slots["brand"] in text or bool(slots["model"]) and slots["model"] in text


def _fill(
    slots: dict[str, Any], titles: tuple, degree: str, suffix: str, random: Random, memory: Memory
) -> None:
    title, cap_title, t_is, adj, cap_adj = _SLOT_NAMES[suffix]
    phrase = memory.choose(titles, random)
    slots[title] = slots[cap_title] = render(phrase.node, random=random, slots=slots)
    slots[t_is] = "are" if phrase.number == "pl" else "is"
    slots[adj] = slots[cap_adj] = memory.choose(_ADJECTIVES[degree], random)


# The slot names _fill writes, for the first point ("") and the second ("2"), joined once.
_SLOT_NAMES: Final = {
    suffix: tuple(name + suffix for name in ("title", "Title", "t_is", "adj", "Adj"))
    for suffix in ("", "2")
}
