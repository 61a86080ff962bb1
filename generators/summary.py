"""What an answer contains: counts per label, the rating histogram and words per text, tallied
as the entries are made. A job's chunks each keep a tally, merged when the file is assembled,
with the digests of their sentences, so the whole file's share of repeated sentences is counted
without reading the file again.

Per kind (the texts are what words and sentences are counted in):
- feedback: `sentiment` and `ratings` counts; texts: each entry's `content`.
- tickets: `sentiment`, `priority` and `category` counts; texts: each ticket's `description`.
- interviews: `stages` (questions per interview stage) and `questions`; texts: each answer.
"""

import hashlib
import heapq
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

Labels = list[tuple[str, str]]


def _feedback(entry: dict[str, Any]) -> tuple[Labels, list[str]]:
    labels = [("sentiment", entry["sentiment"]), ("ratings", str(entry["rating"]))]
    return labels, [entry["content"]]


def _ticket(entry: dict[str, Any]) -> tuple[Labels, list[str]]:
    labels = [
        ("sentiment", entry["sentiment"]),
        ("priority", entry["priority"]),
        ("category", entry["category"]),
    ]
    return labels, [entry["description"]]


def _interview(entry: dict[str, Any]) -> tuple[Labels, list[str]]:
    questions = entry["questions"]
    labels = [("stages", question["stage"]) for question in questions]
    return labels, [question["answer"] for question in questions]


READERS: dict[str, Callable[[dict[str, Any]], tuple[Labels, list[str]]]] = {
    "feedback": _feedback,
    "tickets": _ticket,
    "interviews": _interview,
}
GROUPS = {
    "feedback": ("sentiment", "ratings"),
    "tickets": ("sentiment", "priority", "category"),
    "interviews": ("stages",),
}


def words_in(text: str) -> int:
    return len(text.split())


def sentences_in(texts: Iterable[str]) -> list[str]:
    """The texts' sentences, trimmed. String methods only: three times faster than a regex."""
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
        """Count `entries` in; gathered first and counted in bulk, about twice as fast as
        counting each label and text as it comes."""
        read = READERS[self.kind]
        labels: Labels = []
        texts: list[str] = []
        for entry in entries:
            entry_labels, entry_texts = read(entry)
            labels += entry_labels
            texts += entry_texts
            self.entries += 1
        for (group, value), times in Counter(labels).items():
            self.labels.setdefault(group, Counter())[value] += times
        self.words.update(map(words_in, texts))
        if self.distinct is not None:
            found = sentences_in(texts)
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
        """The distinct sentences' digests, sorted, as 8-byte integers."""
        return array("Q", sorted(map(sentence_digest, self.distinct or ()))).tobytes()

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
    """How many distinct values are in sorted runs of digests (each from `digest_bytes`)."""
    sorted_runs = []
    for run in runs:
        values = array("Q")
        values.frombytes(run)
        sorted_runs.append(values)
    distinct, previous = 0, None
    for value in heapq.merge(*sorted_runs):
        if value != previous:
            distinct += 1
            previous = value
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
