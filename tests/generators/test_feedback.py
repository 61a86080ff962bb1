"""The feedback generator: fields, mixes, coherence and product vocabulary."""

import re
from collections import Counter

import pytest

from generators.engine.v1.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES
from generators.engine.v1.feedback import WORD_RANGES, generate_feedback
from tests.generators.windows import WINDOW

DOCUMENTED = ["id", "rating", "title", "content", "sentiment", "timestamp"]
PRAISE = re.compile(
    "("
    + "|".join(
        [
            "love",
            "great",
            "excellent",
            "happy",
            "glad",
            "impressed",
            "perfect",
            "brilliant",
            "fantastic",
            "recommend",
            "good",
            "nice",
            "appreciate",
            "best",
            "pleased",
            "delighted",
            "fine",
            "decent",
            "okay",
            "helpful",
            "like",
            "credit",
            "positives",
            "plus",
            "fair",
            "worth",
            "awesome",
            "reliable",
            "beautiful",
            "dependable",
            "smooth",
            "relief",
            "impress\\w*",
            "polished",
            "flawless",
            "stable",
            "fast",
            "quick",
            "easy",
            "enjoy\\w*",
            "grateful",
            "superb",
            "wonderful",
            "lovely",
            "solid",
            "pleasant",
            "accurate",
            "generous",
            "clear",
            "snappy",
            "instant\\w*",
            "kindly",
            "clearly",
            "painless\\w*",
            "thoughtful",
            "honest",
            "intuitive",
            "responsive",
            "stunning",
            "gorgeous",
            "delicious",
            "useful",
            "reassur\\w*",
            "precise",
            "rewarding",
            "steady",
            "seamless",
            "thrilled",
            "outstanding",
            "terrific",
            "nicest",
        ]
    )
    + ")",
    re.I,
)
COMPLAINT = re.compile(
    "("
    + "|".join(
        [
            "hate",
            "terrible",
            "awful",
            "frustrat\\w*",
            "annoy\\w*",
            "disappoint\\w*",
            "worst",
            "avoid",
            "waste",
            "bad",
            "poor",
            "broken",
            "useless",
            "unacceptable",
            "horrible",
            "regret",
            "irritating",
            "infuriating",
            "maddening",
            "complaint",
            "downside",
            "mess",
            "worse",
            "crash\\w*",
            "fail\\w*",
            "slow",
            "lost",
            "loses",
            "freez\\w*",
            "downhill",
            "rip-off",
            "ignored",
            "rude",
            "problem\\w*",
            "nightmare",
            "stutter\\w*",
            "laggy",
            "spam",
            "confusing",
            "cluttered",
            "dated",
            "lag\\w*",
            "stuck",
            "unusable",
            "ugly",
            "awkward",
            "lukewarm",
            "cold",
            "soggy",
            "refus\\w*",
            "overwrit\\w*",
            "vanish\\w*",
            "forgets",
            "wrong",
            "late",
            "sore",
            "blurry",
            "muddy",
            "ridiculous",
            "joke",
            "dreadful",
            "shocking",
            "letdown",
            "aggravat\\w*",
            "exasperat\\w*",
            "tiresome",
            "hurt\\w*",
            "shame",
            "pity",
        ]
    )
    + ")",
    re.I,
)


def make(**overrides: object) -> list[dict]:
    options: dict = {"product_type": "mobile_app", "sentiment_mix": "balanced", "count": 30,
                     "complexity": "medium", "seed": 7, "window": WINDOW}  # fmt: skip
    options.update(overrides)
    return generate_feedback(**options)


def test_an_entry_carries_the_documented_fields_first_in_order() -> None:
    for entry in make(count=5):
        assert list(entry)[:6] == DOCUMENTED
        assert re.fullmatch(r"feedback_[0-9a-f]{12}", entry["id"])
        assert entry["rating"] in (1, 2, 3, 4, 5)
        assert entry["sentiment"] in ("positive", "neutral", "negative", "mixed")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["timestamp"])


def test_an_app_review_carries_platform_and_version_extras() -> None:
    entry = make(count=1)[0]
    assert list(entry)[6:] == ["author", "verifiedPurchase", "helpfulVotes", "aspects",
                               "platform", "appVersion"]  # fmt: skip
    assert entry["platform"] in ("iOS", "Android")


def test_a_store_review_has_no_app_version() -> None:
    assert "appVersion" not in make(product_type="ecommerce", count=1)[0]


def test_balanced_mix_gives_equal_shares() -> None:
    for count in (3, 30, 31, 50):
        shares = Counter(entry["sentiment"] for entry in make(count=count))
        assert set(shares) <= {"positive", "neutral", "negative"}
        assert max(shares.values()) - min(shares[label] for label in
                                          ("positive", "neutral", "negative")) <= 1  # fmt: skip


def test_positive_and_negative_mixes_give_only_that_label() -> None:
    assert {entry["sentiment"] for entry in make(sentiment_mix="positive")} == {"positive"}
    assert {entry["sentiment"] for entry in make(sentiment_mix="negative")} == {"negative"}


def test_mixed_mix_is_mostly_positive_with_mixed_entries_and_a_negative_tail() -> None:
    shares = Counter(entry["sentiment"] for entry in make(sentiment_mix="mixed", count=50))
    assert shares["positive"] > 50 // 2
    assert shares["mixed"] > 0 and shares["negative"] > 0 and shares["neutral"] > 0


def test_the_rating_fits_the_label() -> None:
    allowed = {"positive": {4, 5}, "negative": {1, 2}, "neutral": {3}, "mixed": {2, 3, 4}}
    for entry in make(sentiment_mix="mixed", count=200, complexity="complex"):
        assert entry["rating"] in allowed[entry["sentiment"]]


NEGATORS = set(
    [
        "never",
        "no",
        "not",
        "without",
        "fixed",
        "solved",
        "hasn't",
        "isn't",
        "doesn't",
        "don't",
        "won't",
        "can't",
        "cannot",
        "wouldn't",
    ]
)
REQUEST = re.compile(
    r"(if i could ask|it would|please|my only wish|one suggestion|fix the basics|until you|"
    r"the developers|if you|i'd suggest)",
    re.I,
)
IDIOMS = re.compile(
    r"don't bother|stay away|can't recommend|cannot recommend|too many|let down", re.I
)


def tone(sentence: str) -> int:
    """Our own check, not an analyser's: +1 praise, -1 complaint, 0 both or neither."""
    words = [word.strip(".,:;!?") for word in sentence.lower().split()]
    praise = complaint = False
    for index, word in enumerate(words):
        after = words[index + 1 : index + 2]
        # "without a problem" is praise, "without signal loses" is not.
        article = index > 0 and words[index - 1] in ("a", "any")
        before = set(words[max(0, index - 2) : index]) - ({"without"} if not article else set())
        before |= set(words[index - 1 : index])
        negated = bool(NEGATORS & before) or bool(
            {"doesn't", "don't", "won't", "isn't"} & set(after)
        )
        if PRAISE.fullmatch(word):
            complaint, praise = (True, praise) if negated else (complaint, True)
        elif COMPLAINT.fullmatch(word):
            praise, complaint = (True, complaint) if negated else (praise, True)
    if IDIOMS.search(sentence):
        complaint = True
    if REQUEST.match(sentence):
        return 0  # a request or suggestion is not a judgement either way
    return (praise and not complaint) - (complaint and not praise)


def tones(content: str) -> list[int]:
    return [tone(sentence) for sentence in re.split(r"(?<=[.!?])\s+", content)]


@pytest.mark.parametrize("complexity", COMPLEXITY_LEVELS)
def test_the_text_agrees_with_the_label(complexity: str) -> None:
    for entry in make(count=150, complexity=complexity, seed=11):
        found = tones(entry["content"])
        if entry["rating"] == 5:
            assert 1 in found and -1 not in found, entry["content"]
        elif entry["rating"] == 1:
            assert -1 in found and 1 not in found, entry["content"]
        elif entry["sentiment"] == "mixed":
            assert 1 in found and -1 in found, entry["content"]


def test_a_neutral_entry_weighs_a_plus_against_a_minus() -> None:
    for complexity in ("medium", "complex"):
        for entry in make(count=90, complexity=complexity):
            if entry["sentiment"] == "neutral":
                found = tones(entry["content"])
                assert 1 in found and -1 in found, entry["content"]


@pytest.mark.parametrize("complexity", COMPLEXITY_LEVELS)
def test_complexity_sets_the_length(complexity: str) -> None:
    low, high = WORD_RANGES[complexity]
    words = [len(entry["content"].split()) for entry in make(count=50, complexity=complexity)]
    assert sum(low <= count <= high for count in words) >= 48


def test_titles_do_not_repeat_within_a_call() -> None:
    titles = [entry["title"] for entry in make(count=50, complexity="simple")]
    assert len(set(titles)) == 50


def test_ecommerce_reviews_talk_about_orders_and_delivery() -> None:
    text = " ".join(entry["content"] for entry in make(product_type="ecommerce", count=50)).lower()
    assert "deliver" in text and ("order" in text or "parcel" in text or "shipping" in text)


def test_fintech_reviews_never_mention_shipping() -> None:
    for complexity in COMPLEXITY_LEVELS:
        for entry in make(product_type="fintech", count=50, complexity=complexity):
            assert not re.search(r"shipping|parcel|courier|packag", entry["content"].lower())


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
def test_every_product_type_generates(product_type: str) -> None:
    entries = make(product_type=product_type, count=10, complexity="complex")
    assert len(entries) == 10 and all(entry["aspects"] for entry in entries)


def test_an_unknown_product_type_is_refused() -> None:
    with pytest.raises(ValueError, match="product_type"):
        make(product_type="spaceships")


def test_counts_beyond_the_api_range_still_work() -> None:
    assert len(make(count=1)) == 1
    assert len(make(count=120)) == 120


def _raw_aspects() -> list[tuple[str, str, dict]]:
    from generators.engine.v1.phrasebook import read_vocab

    books = {product: read_vocab(f"feedback/{product}.json") for product in PRODUCT_TYPES}
    return [(product, slug, aspect) for product, book in books.items()
            for slug, aspect in book["aspects"].items()]  # fmt: skip


def test_every_aspect_noun_has_the_number_its_aspect_declares() -> None:
    # Our own rough rule: an English noun phrase whose last word ends in a single "s" is plural.
    singular_in_s = {"syncing between devices": False, "the range of cuisines": False,
                     "analytics": False}  # fmt: skip
    for product, slug, aspect in _raw_aspects():
        for noun in aspect["nouns"] + aspect["title"]:
            last = noun.split()[-1]
            plural = singular_in_s.get(noun, last.endswith("s") and not last.endswith("ss"))
            assert plural == (aspect["number"] == "pl"), (product, slug, noun)


def test_verbs_agree_with_the_aspect_they_follow() -> None:
    singular_verbs = r"is|was|has|deserves|works|makes|keeps"
    plural_verbs = r"are|were|have|deserve|work"
    nouns = {noun.lower(): aspect["number"] for _, _, aspect in _raw_aspects()
             for noun in aspect["nouns"]}  # fmt: skip
    for product in PRODUCT_TYPES:
        for complexity in COMPLEXITY_LEVELS:
            for entry in make(product_type=product, count=60, complexity=complexity):
                text = entry["content"].lower()
                for noun, number in nouns.items():
                    wrong = singular_verbs if number == "pl" else plural_verbs
                    assert not re.search(rf"(?<![\w-]){re.escape(noun)} ({wrong}) ", text), (
                        noun, entry["content"])  # fmt: skip


def test_an_entry_states_one_usage_duration() -> None:
    tenure = re.compile(
        r"(?:using|had|used|on|with|for|after|over|about|nearly|roughly|just over|a little over)"
        r" (\d+|a) (week|month|year)s?\b(?! ?-)"
    )
    for product in PRODUCT_TYPES:
        for entry in make(product_type=product, count=60, complexity="complex"):
            spans = set(tenure.findall(entry["content"]))
            spans |= set(re.findall(r"(\d+|a) (week|month|year)s? (?:in|ago|on)\b",
                                    entry["content"]))  # fmt: skip
            assert len(spans) <= 1, (spans, entry["content"])


def test_a_phrase_with_its_own_specifics_takes_no_extra_detail() -> None:
    for complexity in ("medium", "complex"):
        fintech = " ".join(e["content"] for e in make(product_type="fintech", count=150,
                                                      complexity=complexity))  # fmt: skip
        assert not re.search(r"arrived in \d+ days (?:at|on|for|in) ", fintech)
        apps = " ".join(e["content"] for e in make(count=150, complexity=complexity))
        assert "subway on my daily subway" not in apps


def test_a_reviewer_who_addresses_the_reader_says_your_not_their() -> None:
    for complexity in COMPLEXITY_LEVELS:
        for entry in make(product_type="fintech", count=100, complexity=complexity):
            assert not re.search(r"\b(?:if you|you) [^.]*\btheir\b", entry["content"])
