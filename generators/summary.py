"""What an answer contains: counts per label, the rating histogram and words per text, tallied
as the entries are made. A job's chunks each keep a tally, merged when the file is assembled,
with the digests of their sentences, so the whole file's share of repeated sentences is counted
without reading the file again.

Per kind (the texts are what words and sentences are counted in):
- feedback: `sentiment` and `ratings` counts; texts: each entry's `content`.
- tickets: `sentiment`, `priority` and `category` counts; texts: each ticket's `description`.
- interviews: `stages` (questions per interview stage) and `questions`; texts: each answer.
"""

import bisect
import hashlib
import operator
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

SENTIMENTS = ("positive", "neutral", "negative", "mixed")
RATINGS = ("1", "2", "3", "4", "5")
PRIORITIES = ("low", "medium", "high", "urgent")
STAGES = ("warm_up", "current_workflow", "pain_points", "wishes", "wrap_up")
# Groups whose every value is shown, zeros included; others (category) show what occurred.
KNOWN_VALUES = {
    "sentiment": SENTIMENTS,
    "ratings": RATINGS,
    "priority": PRIORITIES,
    "stages": STAGES,
}
# A sentence ends at a line break, or after one of these followed by a space.
SENTENCE_ENDS = (". ", "! ", "? ", "… ")

# Digests are 8-byte integers; `distinct_digests` counts them this many at a time, about.
DIGEST_LIMIT = 1 << 64
DIGESTS_PER_RANGE = 1 << 16


Grouped = list[tuple[str, list[str]]]


def _feedback(entries: list[dict[str, Any]]) -> tuple[Grouped, list[str]]:
    sentiments = [entry["sentiment"] for entry in entries]
    ratings = [str(entry["rating"]) for entry in entries]
    return [("sentiment", sentiments), ("ratings", ratings)], [e["content"] for e in entries]


def _tickets(entries: list[dict[str, Any]]) -> tuple[Grouped, list[str]]:
    groups = [(group, [entry[group] for entry in entries]) for group in GROUPS["tickets"]]
    return groups, [entry["description"] for entry in entries]


def _interviews(entries: list[dict[str, Any]]) -> tuple[Grouped, list[str]]:
    questions = [question for entry in entries for question in entry["questions"]]
    stages = [question["stage"] for question in questions]
    return [("stages", stages)], [question["answer"] for question in questions]


# Each group's values and the texts of many entries at once, the groups and values in the order
# of the entries' fields, so the counts come out in the order they did one entry at a time.
READERS: dict[str, Callable[[list[dict[str, Any]]], tuple[Grouped, list[str]]]] = {
    "feedback": _feedback,
    "tickets": _tickets,
    "interviews": _interviews,
}
GROUPS = {
    "feedback": ("sentiment", "ratings"),
    "tickets": ("sentiment", "priority", "category"),
    "interviews": ("stages",),
}


# In ASCII text joined by line breaks, what makes `text.count(" ") + 1` differ from the count of
# `text.split()`, besides a text that is empty or begins or ends with a space: white space other
# than single spaces between words. One scan each, the single characters' at memchr's speed.
_NOT_SINGLE_SPACED = ("  ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
_FIRST = operator.itemgetter(slice(None, 1))
_LAST = operator.itemgetter(slice(-1, None))


def word_counts(texts: list[str], joined: str) -> Iterable[int]:
    """`len(text.split())` of each text; `joined` is the ASCII ones among them joined by line
    breaks. Counting the spaces when every word is one space from the next (as the engine writes
    them: the joined text and the texts' ends show it in a few C scans) is three times faster
    than making the words (issue 11). Only the other texts (an emoji's, say) are split, the
    white space of Unicode being more than ASCII's."""
    narrow = sum(map(str.isascii, texts))
    if (
        joined.isascii()
        and joined.count("\n") == narrow - 1
        and all(texts)
        and " " not in "".join(map(_FIRST, texts))
        and " " not in "".join(map(_LAST, texts))
        and not any(map(joined.__contains__, _NOT_SINGLE_SPACED))
    ):
        if narrow == len(texts):
            return [text.count(" ") + 1 for text in texts]
        return [text.count(" ") + 1 if text.isascii() else len(text.split()) for text in texts]
    return map(len, map(str.split, texts))


def sentences_in(texts: Iterable[str], joined: str | None = None) -> list[str]:
    """The texts' sentences, trimmed (`joined`: the texts joined by line breaks, if at hand).
    String methods only: three times faster than a regex."""
    if joined is None:
        joined = "\n".join(texts)
    for end in SENTENCE_ENDS:
        joined = joined.replace(end, end[0] + "\n")
    return [sentence for sentence in map(str.strip, joined.splitlines()) if sentence]


def sentence_digest(sentence: str) -> int:
    return int.from_bytes(hashlib.blake2b(sentence.encode(), digest_size=8).digest(), "little")


@dataclass
class Tally:
    """Counts over some entries of one kind; with `distinct` (a set to fill), also their
    sentences."""

    kind: str
    entries: int = 0
    labels: dict[str, Counter[str]] = field(default_factory=dict)
    words: Counter[int] = field(default_factory=Counter)
    sentences: int = 0
    # The distinct sentences themselves, digested once at the end: tickets and interviews
    # repeat many, so this digests far fewer than it counts.
    distinct: set[str] | None = None

    def add_all(self, entries: Iterable[dict[str, Any]]) -> "Tally":
        """Count `entries` in; gathered first, a group and the texts at a time, and counted in
        bulk, about twice as fast as counting each label and text as it comes."""
        entries = entries if isinstance(entries, list) else list(entries)
        groups, texts = READERS[self.kind](entries)
        self.entries += len(entries)
        for group, values in groups:
            if values:
                self.labels.setdefault(group, Counter()).update(values)
        # One emoji makes a text four bytes a character, and so every text joined to it: the
        # ASCII texts are joined and searched apart from the others (a tenth of the feedback),
        # a quarter the bytes to scan and copy (issue 11).
        wide = [text for text in texts if not text.isascii()]
        narrow = [text for text in texts if text.isascii()] if wide else texts
        joined = "\n".join(narrow)
        self.words.update(word_counts(texts, joined))
        if self.distinct is not None:
            found = sentences_in(narrow, joined)
            if wide:
                found += sentences_in(wide)
            self.sentences += len(found)
            self.distinct.update(found)
        return self

    def merge(self, other: "Tally") -> None:
        self.entries += other.entries
        for group, counts in other.labels.items():
            self.labels.setdefault(group, Counter()).update(counts)
        self.words.update(other.words)
        self.sentences += other.sentences

    def to_json(self) -> dict[str, Any]:
        """What a chunk stores (the digests apart: see `digest_bytes`)."""
        return {
            "entries": self.entries,
            "labels": {group: dict(counts) for group, counts in self.labels.items()},
            "words": {str(words): texts for words, texts in self.words.items()},
            "sentences": self.sentences,
        }

    @classmethod
    def from_json(cls, kind: str, stored: dict[str, Any]) -> "Tally":
        return cls(
            kind=kind,
            entries=stored["entries"],
            labels={group: Counter(counts) for group, counts in stored["labels"].items()},
            words=Counter({int(words): texts for words, texts in stored["words"].items()}),
            sentences=stored["sentences"],
        )

    def digest_bytes(self) -> bytes:
        """The distinct sentences' digests, sorted, as 8-byte integers: `sentence_digest` of
        each, but from a copy of one empty hash and read as an array at once, about 40% faster
        (a chunk digests some 6 sentences per feedback entry)."""
        empty = hashlib.blake2b(digest_size=8)
        digests = []
        for sentence in self.distinct or ():
            digest = empty.copy()
            digest.update(sentence.encode())
            digests.append(digest.digest())
        values = array("Q")
        values.frombytes(b"".join(digests))
        if sys.byteorder != "little":  # the digests are little-endian integers
            values.byteswap()
        return array("Q", sorted(values)).tobytes()

    def summary(self) -> dict[str, Any]:
        """The `summary` of an answer, as the API shows it."""
        shown: dict[str, Any] = {"entries": self.entries}
        if self.kind == "interviews":
            shown["questions"] = self.words.total()
        for group in GROUPS[self.kind]:
            counts = self.labels.get(group, Counter())
            values = KNOWN_VALUES.get(group) or sorted(counts)
            shown[group] = {value: counts[value] for value in values}
        shown["words"] = spread(self.words)
        return shown


def spread(histogram: Counter[int]) -> dict[str, int | float | None]:
    """min, median and max of the values a histogram counts (None for each when empty); the
    median of an even number of values is the mean of the middle two."""
    total = histogram.total()
    if not total:
        return {"min": None, "median": None, "max": None}
    ordered = sorted(histogram)
    middle = [(total - 1) // 2, total // 2]  # positions of the one or two middle values
    found: list[int] = []
    seen = 0
    for value in ordered:
        seen += histogram[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
    low, high = found
    median = (low + high) // 2 if (low + high) % 2 == 0 else (low + high) / 2
    return {"min": ordered[0], "median": median, "max": ordered[-1]}


def distinct_digests(runs: Iterable[bytes]) -> int:
    """How many distinct values are in sorted runs of digests (each from `digest_bytes`).

    The values are counted a range at a time, in a set of each run's slice of the range: about
    DIGESTS_PER_RANGE of them in memory at once (digests are spread evenly over the range),
    and at C speed, nearly three times faster than merging the runs in order (issue 11)."""
    sorted_runs = []
    for run in runs:
        values = array("Q")
        values.frombytes(run)
        sorted_runs.append(values)
    ranges = max(1, sum(map(len, sorted_runs)) // DIGESTS_PER_RANGE)
    starts = [0] * len(sorted_runs)
    distinct = 0
    for part in range(1, ranges + 1):
        bound = DIGEST_LIMIT * part // ranges  # the range's values are below this
        seen: set[int] = set()
        for position, values in enumerate(sorted_runs):
            end = bisect.bisect_left(values, bound, starts[position])
            seen.update(values[starts[position] : end])
            starts[position] = end
        distinct += len(seen)
    return distinct


def job_summary(kind: str, chunks: Iterable[tuple[dict[str, Any], bytes]]) -> dict[str, Any]:
    """A job's summary from its chunks' stored tallies and digests, in any order."""
    total = Tally(kind=kind)
    runs = []
    for stored, digests in chunks:
        total.merge(Tally.from_json(kind, stored))
        runs.append(digests)
    distinct = distinct_digests(runs)
    repeated = (total.sentences - distinct) / total.sentences if total.sentences else 0.0
    return {
        **total.summary(),
        "sentences": {
            "total": total.sentences,
            "distinct": distinct,
            "repeatedShare": round(repeated, 4),
        },
    }
