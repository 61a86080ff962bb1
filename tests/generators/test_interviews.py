"""The interview generator: the arc, the count, and a persona that never contradicts itself."""

import re

import pytest

from generators.catalog import INTERVIEW_TYPES, PRODUCT_TYPES
from generators.interviews import ARC, TOOL_NAMES, arc_stages, generate_interview
from tests.generators.windows import WINDOW

BANDS = {"1-10": (1, 10), "11-50": (11, 50), "51-200": (51, 200), "201-1000": (201, 1000),
         "1000+": (1001, 10**6)}  # fmt: skip


def make(question_count: int = 8, **overrides: object) -> dict:
    options: dict = {"product_type": "saas", "question_count": question_count,
                     "interview_type": "user_research", "complexity": "medium", "seed": 3,
                     "window": WINDOW}  # fmt: skip
    options.update(overrides)
    return generate_interview(**options)


def test_an_interview_carries_its_fields() -> None:
    interview = make()
    assert list(interview) == ["id", "interviewType", "productType", "interviewee",
                               "conductedAt", "questions"]  # fmt: skip
    assert re.fullmatch(r"interview_[0-9a-f]{12}", interview["id"])
    assert set(interview["interviewee"]) == {"name", "role", "company", "companySize",
                                             "persona", "toolsUsed"}  # fmt: skip


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


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
@pytest.mark.parametrize("interview_type", INTERVIEW_TYPES)
def test_answers_never_contradict_the_persona(product_type: str, interview_type: str) -> None:
    interview = make(25, product_type=product_type, interview_type=interview_type)
    person = interview["interviewee"]
    low, high = BANDS[person["companySize"]]
    for question in interview["questions"]:
        answer = question["answer"]
        assert not [tool for tool in TOOL_NAMES if tool in answer and
                    tool not in person["toolsUsed"]]  # fmt: skip
        for number in re.findall(r"(?:team of|about|[Ww]ith) ([\d,]+) people", answer):
            assert low <= int(number.replace(",", "")) <= high
        for role in re.findall(r"(?:^|[.!?] )As an? ([A-Z][A-Za-z ]+?),", answer):
            assert role == person["role"]


def test_a_long_interview_rarely_repeats_a_sentence() -> None:
    for product_type in PRODUCT_TYPES:
        interview = make(25, product_type=product_type, complexity="complex")
        sentences = [sentence for question in interview["questions"]
                     for sentence in re.split(r"(?<=[.!?]) ", question["answer"])]  # fmt: skip
        assert len(set(sentences)) >= 0.9 * len(sentences)


def test_an_interview_of_a_dozen_questions_never_repeats_an_answer_sentence() -> None:
    for seed in range(5):
        interview = make(12, seed=seed)
        sentences = [sentence for question in interview["questions"]
                     for sentence in re.split(r"(?<=[.!?]) ", question["answer"])]  # fmt: skip
        assert len(set(sentences)) == len(sentences)
