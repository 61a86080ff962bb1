"""The interview generator: the arc, answers that fit their questions, one consistent persona."""

import json
import re
from pathlib import Path

import pytest

from generators.engine.v1.catalog import COMPLEXITY_LEVELS, INTERVIEW_TYPES, PRODUCT_TYPES
from generators.engine.v1.interviews import ARC, TOOL_NAMES, arc_stages, generate_interview
from tests.generators.windows import WINDOW

VOCAB = Path(__file__).resolve().parents[2] / "generators" / "engine" / "v1" / "vocab"
BANDS = {"1-10": (1, 10), "11-50": (11, 50), "51-200": (51, 200), "201-1000": (201, 1000),
         "1000+": (1001, 10**6)}  # fmt: skip
SIZE_WORDS = {"1-10": "tiny", "11-50": "small", "51-200": "mid-sized", "201-1000": "large",
              "1000+": "very large"}  # fmt: skip
# What an answer must hold to answer its question: our own keyword check, written apart from
# the vocabulary.
FIT: tuple[tuple[str, str], ...] = (
    (r"first come across|find out about", r"colleague|friend|search|comparison|review|podcast|"
                                          r"newsletter|\bad\b"),
    (r"change one thing|magic wand|pay more|indispensable|ideal solution|worth buying|switch from"
     r"|only one thing|convinced you to stay|bring you back|fix first|redesign|made the task"
     r" easier|expected instead", r"\bI'd\b|\bI would\b|would have|\bwish\b|[Ii]deally|\b[Ii]f\b"),
    (r"How long were you", r"\bmonths?\b|\byears?\b"),
    (r"other tools|besides|tools or workarounds", r"TOOLS"),
    (r"How much time|How long does that", r"\bhours?\b|\bminutes?\b"),
    (r"How often", r"week|month|\bday|now and then|[Ss]ometimes|[Oo]ften|[Ee]very"),
    (r"Why do you think", r"think|suspect|guess|because|[Bb]ecause|not sure"),
    (r"rate that task", r"\b(two|three|four)\b"),
    (r"recommend", r"[Yy]es|[Pp]robably|[Mm]ost likely|I would"),
    (r"device you normally use|usually use it on", r"phone|laptop|tablet|PC"),
    (r"main reason you cancelled|decide to cancel|decided to leave",
     r"left|leave|moving to|moved to|patience|staying|cancel|let me down"),
)  # fmt: skip
WISH_QUESTION = re.compile(FIT[1][0])
LEAVING = re.compile(r"\b(left|leave|leaving|cancel\w*|moved to|moving to|switch\w*|stay\w*|"
                     r"come back|coming back|went back)\b", re.IGNORECASE)  # fmt: skip
# A comparison or a before/after, as a complex answer holds.
COMPARISON = re.compile(r"\b(than|[Bb]efore|[Cc]ompared|used to|[Uu]nlike|[Nn]ext to|[Ss]ince|"
                        r"different from|either|never (?:managed|offered)|[Ii]n (?:a|an|the|my)"
                        r"|by comparison|apart from|[Nn]ow|[Ii]nstead|last job|does it|pace from"
                        r"|[Ww]ith (?:a|an|the|my)|when it doesn't)\b")  # fmt: skip
LEFT = re.compile(r"before I left|why I left|I've (?:moved|switched) to")
STUCK = re.compile(r"hesitate|confusing|unclear|slowed|stuck")


def make(question_count: int = 8, **overrides: object) -> dict:
    options: dict = {"product_type": "saas", "question_count": question_count,
                     "interview_type": "user_research", "complexity": "medium", "seed": 3,
                     "window": WINDOW}  # fmt: skip
    options.update(overrides)
    return generate_interview(**options)


def every_kind(question_count: int = 25, seeds: range = range(3)) -> list[dict]:
    return [make(question_count, product_type=product, interview_type=kind, complexity=level,
                 seed=seed)
            for product in PRODUCT_TYPES for kind in INTERVIEW_TYPES
            for level in COMPLEXITY_LEVELS for seed in seeds]  # fmt: skip


def sentences(answer: str) -> list[str]:
    return re.split(r"(?<=[.!?]) ", answer)


def pain_words(product_type: str, interview_type: str) -> list[str]:
    """The words naming what an interviewee can complain about, read from the vocabulary."""
    if interview_type == "usability":
        common = json.loads((VOCAB / "interviews" / "common.json").read_text(encoding="utf-8"))
        return [snag["where"] for snag in common["snags"]]
    feedback = json.loads((VOCAB / "feedback" / f"{product_type}.json").read_text("utf-8"))
    return [noun for aspect in feedback["aspects"].values() for noun in aspect["nouns"]]


def mentioned(text: str, words: list[str]) -> set[str]:
    lowered = text.lower()
    return {word.lower() for word in words if word.lower() in lowered}


def test_an_interview_carries_its_fields() -> None:
    interview = make()
    assert list(interview) == ["id", "interviewType", "productType", "interviewee",
                               "conductedAt", "questions"]  # fmt: skip
    assert re.fullmatch(r"interview_[0-9a-f]{12}", interview["id"])
    assert set(interview["interviewee"]) == {"name", "role", "company", "companySize",
                                             "persona", "toolsUsed"}  # fmt: skip
    assert set(interview["questions"][0]) == {"number", "stage", "question", "answer"}


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 12, 25])
def test_there_are_exactly_question_count_pairs_in_arc_order(count: int) -> None:
    questions = make(count)["questions"]
    assert [question["number"] for question in questions] == list(range(1, count + 1))
    stages = [ARC.index(question["stage"]) for question in questions]
    assert stages == sorted(stages)


def test_a_full_interview_visits_every_stage() -> None:
    assert set(arc_stages(question_count=5)) == set(ARC)


def test_a_one_question_interview_asks_about_pain_points() -> None:
    assert arc_stages(question_count=1) == ["pain_points"]


def test_every_answer_fits_its_question() -> None:
    misfits = []
    for interview in every_kind(seeds=range(2)):
        tools = "|".join(re.escape(tool) for tool in interview["interviewee"]["toolsUsed"])
        for question in interview["questions"]:
            for asked, expected in FIT:
                if re.search(asked, question["question"]) and not re.search(
                    expected.replace("TOOLS", tools), question["answer"]
                ):
                    misfits.append((question["question"], question["answer"]))
    assert misfits == []


def test_how_they_came_across_the_product_names_a_discovery_channel() -> None:
    answers = [question["answer"] for seed in range(40)
               for question in make(3, interview_type="user_research", seed=seed)["questions"]
               if re.search(FIT[0][0], question["question"])]  # fmt: skip
    assert answers
    assert all(re.search(FIT[0][1], answer) for answer in answers)


def test_wish_questions_get_wishes() -> None:
    wishes = [question for interview in every_kind(12, seeds=range(2))
              for question in interview["questions"] if question["stage"] == "wishes"
              and WISH_QUESTION.search(question["question"])]  # fmt: skip
    assert len(wishes) > 100
    assert all(re.search(FIT[1][1], question["answer"]) for question in wishes)


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
@pytest.mark.parametrize("interview_type", INTERVIEW_TYPES)
def test_answers_never_contradict_the_persona(product_type: str, interview_type: str) -> None:
    for complexity in COMPLEXITY_LEVELS:
        interview = make(25, product_type=product_type, interview_type=interview_type,
                         complexity=complexity)  # fmt: skip
        person = interview["interviewee"]
        low, high = BANDS[person["companySize"]]
        for answer in [question["answer"] for question in interview["questions"]]:
            assert not [tool for tool in TOOL_NAMES if tool in answer and
                        tool not in person["toolsUsed"]]  # fmt: skip
            for number in re.findall(r"(?:team of|about|[Ww]ith) ([\d,]+) people", answer):
                assert low <= int(number.replace(",", "")) <= high
            for size in re.findall(r"\b((?:very )?large|tiny|small|mid-sized) (?:company|business)",
                                   answer):  # fmt: skip
                assert size == SIZE_WORDS[person["companySize"]]
            for role in re.findall(r"(?:As|I'm|I work as|I've been) an? ([A-Z][A-Za-z ]+?)"
                                   r"(?:,| at| for|\.)", answer):  # fmt: skip
                assert role == person["role"]


def test_a_wish_goes_back_to_a_pain_mentioned_earlier() -> None:
    checked = 0
    for interview in every_kind(12, seeds=range(3)):
        words = pain_words(interview["productType"], interview["interviewType"])
        pains: set[str] = set()
        for question in interview["questions"]:
            if question["stage"] == "pain_points":
                pains |= mentioned(question["answer"], words)
            elif question["stage"] == "wishes" and WISH_QUESTION.search(question["question"]):
                checked += 1
                assert mentioned(question["answer"], words) & pains, question
    assert checked > 200


def test_the_wrap_up_comes_back_to_the_first_pain() -> None:
    checked = 0
    for interview in every_kind(6, seeds=range(2)):
        words = pain_words(interview["productType"], interview["interviewType"])
        first_pain = next(question for question in interview["questions"]
                          if question["stage"] == "pain_points")  # fmt: skip
        wrap_up = interview["questions"][-1]
        assert wrap_up["stage"] == "wrap_up"
        wrapped = mentioned(wrap_up["answer"], words)
        if wrapped:
            checked += 1
            assert wrapped & mentioned(first_pain["answer"], words), (first_pain, wrap_up)
    assert checked > 100


def test_follow_ups_answer_the_answer_before_them() -> None:
    follow_ups = ("Why do you think that is?", "Can you give me an example?",
                  "Why does that matter so much to you?")  # fmt: skip
    checked = 0
    for interview in every_kind(25, seeds=range(2)):
        words = pain_words(interview["productType"], interview["interviewType"])
        topic: set[str] = set()
        for question in interview["questions"]:
            cited = mentioned(question["answer"], words)
            if question["question"] in follow_ups and cited and topic:
                checked += 1
                assert cited & topic, question
            # What the interviewer follows up on is the last thing the interviewee named.
            topic = cited or topic
    assert checked > 100


def test_complexity_changes_length_and_structure() -> None:
    by_level = {level: [question["answer"] for product in PRODUCT_TYPES
                        for kind in INTERVIEW_TYPES
                        for question in make(12, product_type=product, interview_type=kind,
                                             complexity=level)["questions"]]
                for level in COMPLEXITY_LEVELS}  # fmt: skip
    words = {level: sum(len(answer.split()) for answer in answers) / len(answers)
             for level, answers in by_level.items()}  # fmt: skip
    assert words["simple"] * 2 < words["medium"] < words["complex"] / 1.4
    assert all(len(sentences(answer)) <= 2 for answer in by_level["simple"])
    complex_shape = [len(sentences(answer)) >= 3 and COMPARISON.search(answer) is not None
                     for answer in by_level["complex"]]  # fmt: skip
    assert sum(complex_shape) >= 0.95 * len(complex_shape)


def test_a_long_interview_never_repeats_a_sentence() -> None:
    for interview in every_kind(25, seeds=range(2)):
        said = [sentence for question in interview["questions"]
                for sentence in sentences(question["answer"])]  # fmt: skip
        assert len(set(said)) == len(said), interview["interviewType"]


def test_a_long_interview_rarely_repeats_a_question() -> None:
    for interview in every_kind(25, seeds=range(1)):
        asked = [question["question"] for question in interview["questions"]]
        assert len(set(asked)) >= len(asked) - 1


def test_churn_interviews_talk_about_leaving() -> None:
    for interview in every_kind(8, seeds=range(2)):
        answers = [question["answer"] for question in interview["questions"]]
        if interview["interviewType"] == "churn":
            assert sum(1 for answer in answers if LEAVING.search(answer)) >= 2
            assert not [answer for answer in answers if re.search(r"\bI use it\b", answer)]
        else:
            assert not [answer for answer in answers if LEFT.search(answer)]


def test_customer_discovery_answers_talk_about_the_problem_not_a_product() -> None:
    feedback = json.loads((VOCAB / "feedback" / "saas.json").read_text(encoding="utf-8"))
    for seed in range(20):
        interview = make(12, interview_type="customer_discovery", seed=seed, complexity="complex")
        for question in interview["questions"]:
            assert not [name for name in feedback["product"] if name in question["answer"]]


def test_usability_answers_talk_about_tasks_and_where_people_got_stuck() -> None:
    wheres = pain_words("saas", "usability")
    for seed in range(20):
        interview = make(8, interview_type="usability", seed=seed)
        pains = [question["answer"] for question in interview["questions"]
                 if STUCK.search(question["question"])]  # fmt: skip
        assert pains
        assert all(mentioned(answer, wheres) for answer in pains)
