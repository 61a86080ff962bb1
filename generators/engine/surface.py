"""The writer's surface habits, applied to realised sentences: case, punctuation, typos, emoji.

Each habit is a trait of the writer (``writers.Habits``) applied with the entry's seeded
random: contractions ("it's", "don't") or, for formal writers, none ("it is", "do not");
all lowercase, no final full stop, "!" and "!!", "...", a word in CAPS, a trailing
filler ("tbh", "imo"), an emoji where the product type allows one, dropped articles for some
second-language writers, and a small rate of real typo kinds (a swapped pair of letters, a
dropped or doubled letter, a common misspelling). Typos never touch capitalised words (names
of products and brands) or words of under four letters. Tickets and interviews call
``apply_habits`` on their own sentences.
"""

import re
from collections.abc import Callable, Iterable
from typing import Final

from generators.engine.vocabulary import read
from generators.engine.writers import Habits

Random = Callable[[], float]

_RAW: Final = read("writers.json")["surface"]
_TAIL_FILLERS: Final[dict[bool, tuple[str, ...]]] = {
    False: tuple(_RAW["tail_fillers"]),
    True: tuple(_RAW["tail_fillers_negative"]),
}
# Adverbs a frame may end a sentence on ("..., sadly."): that sentence has its tail.
TAIL_ADVERBS: Final = frozenset(
    ("seriously", "honestly", "really", "genuinely", "truly", "frankly", "sadly")
)
# A sentence already ending in one of these has its tail ("..., sadly.", "..., ugh.").
_TAILS: Final = TAIL_ADVERBS | frozenset(
    ["unfortunately"]
    + [filler.split()[-1].lower() for fillers in _TAIL_FILLERS.values() for filler in fillers]
)
_EMOJI: Final[dict[int, tuple[str, ...]]] = {
    int(key): tuple(value) for key, value in _RAW["emoji"].items()
}


def _any_of(words: Iterable[str], tail: str = "") -> re.Pattern[str]:
    # Whole words or phrases. Every one starts with a word character, so "not after a word
    # character" is the same test as a word boundary, and the regex engine rejects most
    # positions sooner.
    words = tuple(words)
    odd = [word for word in words if not re.match(r"\w", word)]
    if odd:
        raise ValueError(f"surface words must start with a letter or digit: {odd}")
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")\b" + tail)


_CAPS: Final = _any_of(_RAW["caps_words"])
_MISSPELT: Final[dict[str, str]] = dict(_RAW["misspellings"])
_MISSPELLING: Final = _any_of(_MISSPELT)
_WORD: Final = re.compile(r"(?<!\w)[a-z]{4,}\b")
_CONTRACTED: Final[dict[str, str]] = {full: short for full, short in _RAW["contractions"]}
_EXPANDED: Final[dict[str, str]] = {short: full for full, short in _RAW["contractions"]}
_CONTRACT: Final = _any_of(_CONTRACTED)
# "it's been" is "it has been": only expand a contraction that cannot stand for "has".
_EXPAND: Final = _any_of(_EXPANDED, r"(?! been| got)")
# The regexes are slow on sentences they cannot change, and they can only change one that
# holds one of their phrases: substring tests skip the rest. The phrases go by a part every
# one of a group holds (a contractible phrase's last word, " is" or " not"; a contraction's
# ending, "'s" or "n't"), so most sentences are searched for a few parts, not every phrase.
Groups = tuple[tuple[str, tuple[str, ...]], ...]


def _grouped(phrases: Iterable[str], part: Callable[[str], str]) -> Groups:
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(part(phrase), []).append(phrase)
    if any(key not in phrase for key, members in groups.items() for phrase in members):
        raise ValueError("a group's part must be in each of its phrases")
    return tuple((key, tuple(members)) for key, members in groups.items())


def _holds_any(text: str, groups: Groups) -> bool:
    for part, phrases in groups:
        if part in text:
            for phrase in phrases:
                if phrase in text:
                    return True
    return False


_CONTRACT_GROUPS: Final = _grouped(
    _CONTRACTED, lambda full: " " + full.rsplit(" ", 1)[-1] if " " in full else full
)
_EXPAND_GROUPS: Final = _grouped(_EXPANDED, lambda short: short[short.index("'") :])
_ARTICLE: Final = re.compile(r"(?<!\w)the (?=[a-z])")


def apply_habits(sentences: list[tuple[str, int]], *, habits: Habits, random: Random) -> str:
    """The finished text of one entry: its sentences with the writer's habits applied."""
    out = []
    for text, polarity in sentences:
        out.append(_sentence(text, polarity=polarity, habits=habits, random=random))
    text = " ".join(out)
    if habits.emoji and random() < habits.emoji * 2:
        polarity = sentences[-1][1] if sentences else 0
        options = _EMOJI[polarity]
        text = text.rstrip(".!") + " " + options[int(random() * len(options))]
    if habits.no_final_stop and text.endswith(".") and not text.endswith("..."):
        text = text[:-1]
    if habits.lowercase:
        text = text.lower()
    return text


def _sentence(text: str, *, polarity: int, habits: Habits, random: Random) -> str:
    if habits.contract and random() < habits.contract:
        if _holds_any(text, _CONTRACT_GROUPS):
            text = _CONTRACT.sub(_contracted, text)
    elif habits.expand and _holds_any(text, _EXPAND_GROUPS):
        text = _EXPAND.sub(lambda match: _EXPANDED[match.group(0)], text)
    if habits.drop_article and random() < habits.drop_article:
        text = _ARTICLE.sub("", text, count=1)
    if habits.typo:
        text = _typos(text, rate=habits.typo, random=random)
    if habits.caps_word and polarity and random() < habits.caps_word:
        text = _CAPS.sub(lambda match: match.group(0).upper(), text, count=1)
    if habits.filler and random() < habits.filler * 0.4 and text.endswith("."):
        fillers = _TAIL_FILLERS[polarity < 0]
        filler = fillers[int(random() * len(fillers))]
        # One tail to a sentence: not "sadly sigh" or "ugh seriously" after a tail of its own.
        if text[:-1].rsplit(" ", 1)[-1].lower().strip(",") not in _TAILS:
            text = text[:-1] + filler + "."
    if text.endswith(".") and not text.endswith("..."):
        if polarity and habits.exclaim and random() < habits.exclaim:
            text = text[:-1] + ("!!" if random() < 0.3 else "!")
        elif habits.ellipsis and random() < habits.ellipsis:
            text = text[:-1] + "..."
    return text


def _contracted(match: re.Match[str]) -> str:
    return _CONTRACTED[match.group(0)]


def _typos(text: str, *, rate: float, random: Random) -> str:
    if random() < rate * 4:
        text = _MISSPELLING.sub(lambda match: _MISSPELT[match.group(0)], text, count=1)
    if _WORD.search(text) is None:
        return text
    draw = random()
    # Words of four letters or more, a character apart, number at most (length + 1) // 5: when
    # even that many would not make a typo, the draw settles it without listing the words.
    if draw >= rate * ((len(text) + 1) // 5):
        return text
    words = _WORD.findall(text)
    if draw >= rate * len(words):
        return text
    word = words[int(random() * len(words))]
    return text.replace(word, _misspell(word, random), 1)


def _misspell(word: str, random: Random) -> str:
    position = 1 + int(random() * (len(word) - 2))
    kind = random()
    if kind < 0.4:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind < 0.7:
        return word[:position] + word[position + 1 :]
    return word[:position] + word[position] + word[position:]
