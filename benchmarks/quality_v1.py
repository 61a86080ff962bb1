"""Issue 3's checks of the frozen 1.0.0 engine (feedback, tickets, interviews).

Issue 9's feedback figures, for 2.0.0 and 1.0.0 alike, are in quality.py.

Run: ``.venv/bin/python benchmarks/quality_v1.py``. The sentiment analyser (vaderSentiment) and the
readability formula (textstat) are independent of the engine and never imported by it.
"""

import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import textstat  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from generators.engine.v1.catalog import (  # noqa: E402
    COMPLEXITY_LEVELS,
    INTERVIEW_TYPES,
    PRODUCT_TYPES,
)
from generators.engine.v1.feedback import generate_feedback  # noqa: E402
from generators.engine.v1.interviews import generate_interview  # noqa: E402
from generators.engine.v1.tickets import generate_tickets  # noqa: E402

SEED = 20240115
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC))
FEEDBACK_N = 2000
TICKETS_N = 1500
INTERVIEWS_N = 300
BATCH = 50
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# The ticket checks use their own keyword lists, written apart from the engine's vocabulary.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "billing": ("charge", "invoice", "refund", "payment", "billed", "bill", "subscription",
                "receipt", "price", "fee", "plan", "renewal", "card"),
    "bug": ("error", "crash", "bug", "broken", "freez", "doesn't work", "not working",
            "fails", "failing", "glitch", "stuck", "blank", "wrong"),
    "account": ("account", "password", "log in", "login", "sign in", "two-factor", "2fa",
                "email address", "username", "locked out", "verification"),
    "how_to": ("how do i", "how can i", "is there a way", "where can i", "how to", "where do i",
               "what's the best way"),
    "feature_request": ("feature", "would be great if", "please add", "suggestion", "could you add",
                        "would love", "option to", "request"),
    "shipping": ("delivery", "package", "parcel", "tracking", "shipped", "courier", "shipping",
                 "arrive", "dispatch"),
    "delivery": ("delivery", "driver", "courier", "arrived", "order", "cold", "late", "missing"),
    "booking": ("booking", "reservation", "flight", "hotel", "itinerary", "check-in", "cancel"),
    "security": ("fraud", "suspicious", "unauthori", "scam", "stolen", "security", "hacked"),
}  # fmt: skip
PRIORITY_MARKERS: dict[str, tuple[str, ...]] = {
    "urgent": ("urgent", "immediately", "right away", "critical", "emergency"),
    "high": ("as soon as possible", "asap", "quite important", "blocking", "high priority"),
    "low": ("no rush", "whenever you get a chance", "low priority", "when you have a moment",
            "not time-sensitive"),
}  # fmt: skip
SIZE_BANDS: dict[str, tuple[int, int]] = {
    "1-10": (1, 10),
    "11-50": (11, 50),
    "51-200": (51, 200),
    "201-1000": (201, 1000),
    "1000+": (1001, 10**7),
}


class Report:
    """Collects figures, prints them as they come, and counts missed targets."""

    def __init__(self) -> None:
        self.missed: list[str] = []

    def figure(self, name: str, value: str, *, target: str = "", met: bool | None = None) -> None:
        status = "" if met is None else ("  MET" if met else "  MISSED")
        suffix = f"   (target {target})" if target else ""
        print(f"  {name:<58} {value}{suffix}{status}")
        if met is False:
            self.missed.append(name)


def main() -> int:
    report = Report()
    analyser = SentimentIntensityAnalyzer()
    entries, calls = _feedback_sample()
    _feedback_labels(report, entries, analyser)
    _feedback_variety(report, entries, calls)
    _feedback_structure(report, entries)
    _ticket_checks(report)
    _interview_checks(report)
    print()
    print("All targets met." if not report.missed else f"Missed: {', '.join(report.missed)}")
    return 1 if report.missed else 0


def _feedback_sample() -> tuple[list[dict], list[list[dict]]]:
    calls: list[list[dict]] = []
    for index in range(FEEDBACK_N // BATCH):
        calls.append(
            generate_feedback(
                product_type=PRODUCT_TYPES[index % len(PRODUCT_TYPES)],
                sentiment_mix="balanced",
                count=BATCH,
                complexity=COMPLEXITY_LEVELS[index % len(COMPLEXITY_LEVELS)],
                seed=SEED + index,
                window=WINDOW,
            )
        )
    for index, call in enumerate(calls):
        for entry in call:
            entry["_complexity"] = COMPLEXITY_LEVELS[index % len(COMPLEXITY_LEVELS)]
    return [entry for call in calls for entry in call], calls


def _feedback_labels(
    report: Report, entries: list[dict], analyser: SentimentIntensityAnalyzer
) -> None:
    print(f"Feedback: N = {len(entries)} entries, balanced mix, {len(entries) // BATCH} calls of "
          f"{BATCH}, all product types and complexities, seed {SEED}")  # fmt: skip
    print(" Label agreement (vaderSentiment compound of content)")
    scores = [analyser.polarity_scores(entry["content"])["compound"] for entry in entries]
    by_label: dict[str, list[float]] = defaultdict(list)
    by_rating: dict[int, list[float]] = defaultdict(list)
    for entry, score in zip(entries, scores, strict=True):
        by_label[entry["sentiment"]].append(score)
        by_rating[entry["rating"]].append(score)
    positive, negative = by_label["positive"], by_label["negative"]
    share_pos = _share(positive, lambda score: score > 0.05)
    share_neg = _share(negative, lambda score: score < -0.05)
    report.figure(f"positive entries scoring > 0.05 (N={len(positive)})", _pct(share_pos),
                  target=">= 95%", met=share_pos >= 0.95)  # fmt: skip
    report.figure(f"negative entries scoring < -0.05 (N={len(negative)})", _pct(share_neg),
                  target=">= 85%", met=share_neg >= 0.85)  # fmt: skip
    means = [sum(by_rating[star]) / max(1, len(by_rating[star])) for star in range(1, 6)]
    shown = ", ".join(f"{star}*: {mean:+.3f} (N={len(by_rating[star])})"
                      for star, mean in zip(range(1, 6), means, strict=True))  # fmt: skip
    rising = all(low < high for low, high in zip(means, means[1:], strict=False))
    report.figure("mean compound by star", shown, target="strictly rising", met=rising)
    consistent = _share(entries, _rating_fits_label)
    report.figure(f"ratings consistent with label (N={len(entries)})", _pct(consistent),
                  target="100%", met=consistent == 1.0)  # fmt: skip
    neutral = [e for e in entries if e["sentiment"] == "neutral" and e["_complexity"] != "simple"]
    both = _share(neutral, lambda entry: _holds_both(entry["content"], analyser))
    report.figure(f"medium/complex neutral with a + and a - sentence (N={len(neutral)})",
                  _pct(both), target=">= 70%", met=both >= 0.70)  # fmt: skip


def _feedback_variety(report: Report, entries: list[dict], calls: list[list[dict]]) -> None:
    print(" Variety")
    tokens = [token for entry in entries for token in WORD.findall(entry["content"].lower())]
    sample = tokens[:25000]
    bigrams = list(zip(sample, sample[1:], strict=False))
    distinct = len(set(bigrams)) / len(bigrams)
    report.figure(f"distinct-2 over the first {len(sample)} tokens", f"{distinct:.3f}",
                  target=">= 0.30", met=distinct >= 0.30)  # fmt: skip
    sentences = [(index, sentence) for index, entry in enumerate(entries)
                 for sentence in _sentences(entry["content"])]  # fmt: skip
    counts = Counter(sentence.lower() for _, sentence in sentences)
    repeated = _share(sentences, lambda pair: counts[pair[1].lower()] > 1)
    long = [pair for pair in sentences if len(pair[1].split()) >= 6]
    repeated_long = _share(long, lambda pair: counts[pair[1].lower()] > 1)
    report.figure(f"sentences repeated in the set (N={len(sentences)})", _pct(repeated),
                  target="<= 10%", met=repeated <= 0.10)  # fmt: skip
    report.figure(f"sentences of 6+ words repeated (N={len(long)})", _pct(repeated_long),
                  target="<= 5%", met=repeated_long <= 0.05)  # fmt: skip
    spread: dict[str, set[int]] = defaultdict(set)
    for index, sentence in sentences:
        spread[sentence.lower()].add(index)
    widest, holders = max(spread.items(), key=lambda item: len(item[1]))
    share = len(holders) / len(entries)
    report.figure("most widespread sentence: share of entries", f"{_pct(share)} ({widest!r})",
                  target="<= 1%", met=share <= 0.01)  # fmt: skip
    near = _near_duplicate_share([entry["content"] for entry in entries])
    report.figure(f"entries with a near-duplicate, 3-shingle Jaccard >= 0.5 (N={len(entries)})",
                  _pct(near), target="<= 1%", met=near <= 0.01)  # fmt: skip
    titles = [entry["title"] for entry in entries]
    distinct_titles = len(set(titles)) / len(titles)
    report.figure(f"distinct titles (N={len(titles)})", _pct(distinct_titles),
                  target=">= 40%", met=distinct_titles >= 0.40)  # fmt: skip
    clashes = sum(len(call) - len({entry["title"] for entry in call}) for call in calls)
    report.figure(f"duplicate titles within one call ({len(calls)} calls)", str(clashes),
                  target="0", met=clashes == 0)  # fmt: skip


def _feedback_structure(report: Report, entries: list[dict]) -> None:
    print(" Structure")
    grades: dict[str, float] = {}
    for complexity, (low, high) in zip(COMPLEXITY_LEVELS, ((8, 30), (30, 70), (70, 160)),
                                       strict=True):  # fmt: skip
        group = [entry["content"] for entry in entries if entry["_complexity"] == complexity]
        words = [len(text.split()) for text in group]
        grades[complexity] = sum(textstat.flesch_kincaid_grade(text) for text in group) / len(group)
        inside = _share(words, lambda count, low=low, high=high: low <= count <= high)
        report.figure(f"{complexity}: words per entry min/mean/max (N={len(group)})",
                      f"{min(words)}/{sum(words) / len(words):.1f}/{max(words)}, "
                      f"{_pct(inside)} within {low}-{high}",
                      target=f"roughly {low}-{high}", met=inside >= 0.95)  # fmt: skip
        report.figure(f"{complexity}: mean Flesch-Kincaid grade", f"{grades[complexity]:.2f}")
    gap = grades["complex"] - grades["simple"]
    report.figure("FK grade complex minus simple", f"{gap:+.2f}", target=">= +2", met=gap >= 2)


def _ticket_checks(report: Report) -> None:
    tickets = []
    for index in range(TICKETS_N // BATCH):
        tickets += generate_tickets(
            product_type=PRODUCT_TYPES[index % len(PRODUCT_TYPES)],
            count=BATCH,
            complexity=COMPLEXITY_LEVELS[index % len(COMPLEXITY_LEVELS)],
            seed=SEED + index,
            window=WINDOW,
        )
    print(f"Tickets: N = {len(tickets)}, all product types and complexities, seed {SEED}")
    category = _share(tickets, _category_agrees)
    report.figure("category is the best keyword match of subject+description", _pct(category),
                  target=">= 95%", met=category >= 0.95)  # fmt: skip
    priority = _share(tickets, _priority_agrees)
    report.figure("priority wording agrees with the priority", _pct(priority),
                  target=">= 95%", met=priority >= 0.95)  # fmt: skip
    threads = [ticket for ticket in tickets if "thread" in ticket]
    ordered = _share(threads, _thread_is_ordered)
    report.figure(f"threads of 3-5 messages after createdAt (N={len(threads)})", _pct(ordered),
                  target="100%", met=ordered == 1.0)  # fmt: skip
    subjects = len({ticket["subject"] for ticket in tickets}) / len(tickets)
    report.figure("distinct subjects", _pct(subjects))


def _interview_checks(report: Report) -> None:
    interviews = [
        generate_interview(
            product_type=PRODUCT_TYPES[index % len(PRODUCT_TYPES)],
            question_count=1 + index % 25,
            interview_type=INTERVIEW_TYPES[index % len(INTERVIEW_TYPES)],
            complexity=COMPLEXITY_LEVELS[index % len(COMPLEXITY_LEVELS)],
            seed=SEED + index,
            window=WINDOW,
        )
        for index in range(INTERVIEWS_N)
    ]
    answers = sum(len(interview["questions"]) for interview in interviews)
    print(f"Interviews: N = {len(interviews)} interviews, {answers} answers, seed {SEED}")
    counts = _share(interviews, lambda interview: _arc_is_ordered(interview["questions"]))
    report.figure("questions follow the arc in order", _pct(counts), target="100%",
                  met=counts == 1.0)  # fmt: skip
    contradictions = sum(_persona_contradictions(interview) for interview in interviews)
    report.figure("answers contradicting persona facts (tools, size, role)", str(contradictions),
                  target="0", met=contradictions == 0)  # fmt: skip
    pairs = [(question, interview) for interview in interviews
             for question in interview["questions"]]  # fmt: skip
    covered = [(question, interview) for question, interview in pairs
               if _fit_rule(question["question"]) is not None]  # fmt: skip
    report.figure("questions with a fit rule (FIT_RULES)", _pct(len(covered) / len(pairs)))
    fit = _share(covered, lambda pair: _answer_fits(*pair))
    report.figure(f"answers that fit their question (N={len(covered)})", _pct(fit),
                  target=">= 98%", met=fit >= 0.98)  # fmt: skip
    repeats = _share(interviews, _repeats_a_sentence)
    report.figure("interviews repeating an answer sentence", _pct(repeats), target="0%",
                  met=repeats == 0)  # fmt: skip
    churn = [interview for interview in interviews if interview["interviewType"] == "churn"]
    leaving = _share(churn, _talks_about_leaving)
    report.figure(f"churn interviews that talk about leaving (N={len(churn)})", _pct(leaving),
                  target="100%", met=leaving == 1.0)  # fmt: skip


def _category_agrees(ticket: dict) -> bool:
    text = f"{ticket['subject']} {ticket['description']}".lower()
    scores = {name: sum(text.count(word) for word in words)
              for name, words in CATEGORY_KEYWORDS.items()}  # fmt: skip
    own = scores.get(ticket["category"], 0)
    return own > 0 and own >= max(scores.values())


def _priority_agrees(ticket: dict) -> bool:
    text = f"{ticket['subject']} {ticket['description']}".lower()
    found = {level for level, markers in PRIORITY_MARKERS.items()
             if any(marker in text for marker in markers)}  # fmt: skip
    if ticket["priority"] == "medium":
        return not found
    return found == {ticket["priority"]}


def _thread_is_ordered(ticket: dict) -> bool:
    times = [ticket["createdAt"]] + [message["sentAt"] for message in ticket["thread"]]
    return 3 <= len(ticket["thread"]) <= 5 and times == sorted(times)


ARC = ("warm_up", "current_workflow", "pain_points", "wishes", "wrap_up")
# Question/answer fit, our own keyword check written apart from the engine's vocabulary: a
# question matching the left pattern is answered when the answer matches the right one
# ("TOOLS" stands for the interviewee's tools).
FIT_RULES: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(asked, re.IGNORECASE), expected)
    for asked, expected in (
        (r"come across|find out about|originally sign up|sign up in the first place",
         r"colleague|friend|search|comparison|review|podcast|newsletter|\bad\b|signed up|to "),
        (r"how long were you|how long have you|how long have you been",
         r"\bmonths?\b|\byears?\b"),
        (r"your role|yourself", r"\b(I'm|I am|I work|title is|I've been) "),
        (r"work with most|team look like", r"people|we're|work"),
        (r"typical week look like|goals|get done this year",
         r"week|monday|to \w+|mostly|busy|full"),
        (r"familiar", r"familiar|used it|been on it|know"),
        (r"device you normally use|usually use it on", r"phone|laptop|tablet|PC"),
        (r"mostly use it for", r"\bto \w+"),
        (r"made you try it|convinced you to give", r"fed up|frustration|needed|had enough"),
        (r"other tools|besides|tools or workarounds|walk me through how|walk me through your|"
         r"handle this today|deal with this right now", "TOOLS"),
        (r"when did you last", r"yesterday|this morning|today|last|ago|on \w+day|start of the"),
        (r"how much time|how long does that|how long would that", r"\bhours?\b|minutes?"),
        (r"how often", r"week|month|\bday|now and then|sometimes|often|every"),
        (r"why do you think", r"think|suspect|guess|because|not sure"),
        (r"why does that matter|why that|why would that help|why is that",
         r"because|since|where I|why I|habit|always done"),
        (r"affect the rest of your week|what did that cost you", r"behind|cost|day|hours|wait"),
        (r"who else|who owns", r"anyone|everyone|mostly me|I do|people"),
        (r"before you left|typical week back then", r"used it|I'd|mostly"),
        (r"hesitate|confusing|unclear|slowed you down|get stuck|show me what you mean",
         r"screen|button|form|icon|menu|page|results|arrow|pop-up|step"),
        (r"example|walk me through the last|walk me through a",
         r"last|when|here|sure|right|most weeks|on a normal|straw|worst|yesterday|morning|"
         r"every|ago"),
        (r"frustrating|let you down|lose the most time|almost made you stop|hardest part|"
         r"main reason|decide to cancel|decided to leave|get wrong|done differently|cost you",
         "PAIN"),
        (r"already tried|tried so far", r"tried|a checklist|a (few|couple of) things"),
        (r"change one thing|magic wand|pay more|indispensable|ideal solution|worth buying|"
         r"switch from|only one thing|convinced you to stay|bring you back|fix first|redesign|"
         r"made the task easier|expected instead|wish list|second thing",
         r"\bI'd\b|\bI would\b|would have|\bwish\b|ideal|\bif\b|seeing you"),
        (r"what would good look like|know it was (fixed|working)|must-have|non-negotiable",
         r"I'd|would|working|just|every time"),
        (r"rate that task", r"\b(two|three|four)\b"),
        (r"recommend", r"yes|probably|most likely|I would"),
        (r"coming back", r"maybe|possibly|consider|rule it out|come back"),
        (r"using instead|move to", r"moved|switched|plus|for now|mostly"),
        (r"early version", r"yes|sure|happily|happy"),
        (r"doesn't match|doesn't work", r"by hand|fix|fall back|go back"),
        (r"expecting on that screen|expect to happen|hoping to find|looking for at that",
         r"expect|thought I'd see|really|so I'd know"),
        (r"make you feel", r"silly|stupid|doubt|second-guess"),
        (r"first impression|notice first", r"busy|crowded|see"),
        (r"get past it", r"guess|tried|trial"),
        (r"go there first|try that", r"looked|seemed|obvious|habit"),
        (r"would you do next", r"try|I'd"),
        (r"did you do next|then what did you do", r"\bI\b|support"),
        (r"discount", r"\bnot?\b|price"),
        (r"miss anything", r"little|some|miss|quicker"),
        (r"how soon", r"months?|year|within"),
        (r"sign off", r"I would|me|manager|finance"),
        (r"contact support|tell us about it", r"yes|twice|three|once"),
        (r"use it normally|run into that before", r"yes|sometimes|now and then"),
        (r"fit in your routine|fit into your day", r"every|most days|week|routine|first stop|"
                                                   r"whenever"),
        (r"how would you normally", r"\bon\b|usually|normally"),
        (r"think aloud", r"okay|right|I'd|I'll|try"),
        (r"do well for you", r"quick|easy|when it worked"),
        (r"switching over|hard was it to move", r"weeks?|annoying|tedious"),
        (r"impressions", r"apart from|mostly|easy|fine|overall"),
        (r"anything else|anything we didn't cover|want the team to hear|like us to know|"
         r"say more", r"."),
    )
)  # fmt: skip
ROLE_CLAIM = re.compile(r"(?:As|I'm|I work as|I've been) an? ([A-Z][A-Za-z ]+?)(?:,| at| for|\.)")
LEAVING = re.compile(r"\b(left|leave|leaving|cancel\w*|moved to|moving to|switch\w*|stay\w*|"
                     r"come back|went back)\b", re.IGNORECASE)  # fmt: skip


def _arc_is_ordered(questions: Sequence[dict]) -> bool:
    stages = [ARC.index(question["stage"]) for question in questions]
    numbers = [question["number"] for question in questions]
    return stages == sorted(stages) and numbers == list(range(1, len(questions) + 1))


def _persona_contradictions(interview: dict) -> int:
    person = interview["interviewee"]
    tools = {tool.lower() for tool in person["toolsUsed"]}
    low, high = SIZE_BANDS[person["companySize"]]
    problems = 0
    for question in interview["questions"]:
        answer = question["answer"]
        lowered = answer.lower()
        problems += sum(1 for tool in _ALL_TOOLS if _mentions(lowered, tool) and tool not in tools)
        for number in re.findall(
            r"(?:team of|about|[Ww]ith) (\d[\d,]*) (?:people|employees|staff)", answer
        ):
            problems += not low <= int(number.replace(",", "")) <= high
        for role in re.findall(ROLE_CLAIM, answer):
            problems += role.lower() != person["role"].lower()
    return problems


def _fit_rule(question: str) -> str | None:
    return next((expected for asked, expected in FIT_RULES if asked.search(question)), None)


def _answer_fits(question: dict, interview: dict) -> bool:
    expected = _fit_rule(question["question"])
    if expected is None:
        return False
    if expected == "TOOLS":
        expected = "|".join(re.escape(tool) for tool in interview["interviewee"]["toolsUsed"])
    elif expected == "PAIN":
        # A pain answer names what hurts: one of the product's aspects or a screen's element.
        expected = "|".join(re.escape(word) for word in _pain_words(interview["productType"]))
    return re.search(expected, question["answer"], re.IGNORECASE) is not None


@cache
def _pain_words(product_type: str) -> tuple[str, ...]:
    vocab = Path(__file__).resolve().parent.parent / "generators" / "engine" / "v1" / "vocab"
    feedback = json.loads((vocab / "feedback" / f"{product_type}.json").read_text("utf-8"))
    nouns = [noun for aspect in feedback["aspects"].values() for noun in aspect["nouns"]]
    common = json.loads((vocab / "interviews" / "common.json").read_text("utf-8"))
    return tuple(nouns + [snag["where"] for snag in common["snags"]])


def _talks_about_leaving(interview: dict) -> bool:
    return any(LEAVING.search(question["answer"]) for question in interview["questions"])


def _repeats_a_sentence(interview: dict) -> bool:
    said = [sentence for question in interview["questions"]
            for sentence in _sentences(question["answer"])]  # fmt: skip
    return len(set(said)) < len(said)


def _mentions(text: str, tool: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(tool)}(?![a-z])", text) is not None


def _all_tools() -> list[str]:
    from generators.engine.v1.interviews import TOOL_NAMES

    return sorted({tool.lower() for tool in TOOL_NAMES})


_ALL_TOOLS = _all_tools()


def _rating_fits_label(entry: dict) -> bool:
    allowed = {"positive": (4, 5), "negative": (1, 2), "neutral": (3,), "mixed": (2, 3, 4)}
    return entry["rating"] in allowed[entry["sentiment"]]


def _holds_both(content: str, analyser: SentimentIntensityAnalyzer) -> bool:
    scores = [analyser.polarity_scores(sentence)["compound"] for sentence in _sentences(content)]
    return any(score > 0.05 for score in scores) and any(score < -0.05 for score in scores)


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in SENTENCE_END.split(text) if sentence.strip()]


def _near_duplicate_share(texts: list[str]) -> float:
    # Prefix filtering (exact for Jaccard >= t): two sets that reach t share at least one of the
    # rarest |A| - ceil(t|A|) + 1 shingles of each, so only those need an index.
    threshold = 0.5
    shingles = [_shingles(text) for text in texts]
    frequency = Counter(shingle for group in shingles for shingle in group)
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    flagged: set[int] = set()
    for position, group in enumerate(shingles):
        ordered = sorted(group, key=lambda shingle: (frequency[shingle], shingle))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        candidates = {other for shingle in prefix for other in index[shingle]}
        for other in candidates:
            union = len(group | shingles[other])
            if union and len(group & shingles[other]) / union >= threshold:
                flagged.update((position, other))
        for shingle in prefix:
            index[shingle].append(position)
    return len(flagged) / len(texts)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[index : index + 3]) for index in range(len(words) - 2)}


def _share(items: Iterable, test: Callable) -> float:
    items = list(items)
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


if __name__ == "__main__":
    sys.exit(main())
