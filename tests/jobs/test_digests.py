"""A chunk's sentence digests, the count of distinct ones over chunks and the word counts are
the same whether made in bulk or one at a time (chunks built before stay comparable)."""

import heapq
import random
import re
from array import array
from collections import Counter

import pytest

from generators import summary
from generators.summary import Tally, distinct_digests, sentence_digest, word_counts


def test_a_tallys_digests_are_each_sentences_digest_sorted() -> None:
    sentences = {"Great.", "Zoë says “hi”…", "", "日本語のテキスト。", "a" * 300, "x\ty"}
    tally = Tally(kind="feedback", distinct=sentences)
    expected = array("Q", sorted(map(sentence_digest, sentences))).tobytes()
    assert tally.digest_bytes() == expected
    assert Tally(kind="feedback", distinct=set()).digest_bytes() == b""


def merged_count(runs: list[bytes]) -> int:
    """The count as the runs merged in order give it."""
    arrays = []
    for run in runs:
        values = array("Q")
        values.frombytes(run)
        arrays.append(values)
    distinct, previous = 0, None
    for value in heapq.merge(*arrays):
        if value != previous:
            distinct += 1
            previous = value
    return distinct


@pytest.mark.parametrize("per_range", [1, 7, 64, summary.DIGESTS_PER_RANGE])
def test_distinct_digests_counts_each_value_once_however_many_ranges(
    per_range: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary, "DIGESTS_PER_RANGE", per_range)
    rng = random.Random(per_range)
    for _ in range(40):
        pool = [rng.getrandbits(64) for _ in range(rng.choice([1, 20, 2000]))]
        pool += [0, 2**64 - 1]
        runs = [
            array("Q", sorted(set(rng.choices(pool, k=rng.randint(0, 300))))).tobytes()
            for _ in range(rng.randint(0, 8))
        ]
        assert distinct_digests(runs) == merged_count(runs)


def test_word_counts_are_those_of_str_split_whatever_the_white_space() -> None:
    spaces = [chr(code) for code in range(0x110000) if chr(code).isspace()]
    rng = random.Random(11)
    for _ in range(20_000):
        alphabet = spaces + list("ab.é") if rng.random() < 0.3 else list("ab. ")
        texts = [
            "".join(rng.choices(alphabet, k=rng.randint(0, 10))) for _ in range(rng.randint(0, 4))
        ]
        narrow = "\n".join(text for text in texts if text.isascii())
        counts = list(word_counts(texts, narrow))
        assert counts == [len(text.split()) for text in texts], texts


def test_a_tally_counts_the_words_and_sentences_of_texts_wide_and_narrow_alike() -> None:
    # An emoji makes a text (and all joined to it) four bytes a character: such texts are read
    # apart from the ASCII ones, the counts the same as one text at a time.
    rng = random.Random(5)
    alphabet = list("ab .!?") + ["… ", "😀", "é", "\u2009", "\n", "  "]
    for _ in range(2_000):
        texts = [
            "".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(rng.randint(1, 6))
        ]
        entries = [{"sentiment": "mixed", "rating": 3, "content": text} for text in texts]
        tally = Tally(kind="feedback", distinct=set()).add_all(entries)
        one_by_one = Tally(kind="feedback", distinct=set())
        for entry in entries:
            one_by_one.add_all([entry])
        found = [s.strip() for t in texts for s in re.split(r"(?<=[.!?…]) |\n", t) if s.strip()]
        assert tally.words == Counter(len(text.split()) for text in texts), texts
        assert (tally.sentences, tally.distinct) == (len(found), set(found)), texts
        assert (one_by_one.words, one_by_one.distinct) == (tally.words, tally.distinct), texts
