"""Numerical questions as Moodle's GIFT documents them (`{#…}`): an exact answer, a value
with its tolerance, a range, several answers with weights and feedback, the wrong-answer
feedback `~#…`; graded through a real attempt, exported and read back with the same
scores. And the Moodle sample file with every question ready."""

from decimal import Decimal
from pathlib import Path

import pytest

from assessments.grading import AttemptError
from assessments.interchange import export_gift, export_xlsx, parse_gift, parse_xlsx
from assessments.selectors import attempt_review, bank_for_export
from assessments.services import attempt_start, attempt_submit, bank_import
from tests import factories
from tests.assessments.test_gift_moodle import grade, parse_one, round_trip

MOODLE_SAMPLE = Path(__file__).parent / "fixtures" / "moodle_gift_examples.txt"


def test_an_exact_number():
    q = parse_one("When was Ulysses S. Grant born? {#1822}")
    assert q.qtype == "numerical" and [(c.text, c.weight) for c in q.choices] == [("1822", 100)]
    assert grade(q, {"text": "1822"}) == 1 and grade(q, {"text": "1823"}) == 0
    round_trip(q)


@pytest.mark.parametrize(("given", "right"), [("3,141", True), ("3,142", True), ("3,1415", True),
                                              ("3.1409", False), ("3.1421", False)])  # fmt: skip
def test_a_value_with_its_tolerance(given, right):
    q = parse_one("What is the value of pi (to 3 decimal places)? {#3.1415:0.0005}.")
    assert grade(q, {"text": given}) == (1 if right else 0)
    round_trip(q)


def test_a_range_low_dot_dot_high():
    q = parse_one("What is a number from 1 to 5? {#1..5}")
    assert [grade(q, {"text": t}) for t in ("1", "3.5", "5", "5.01", "0")] == [1, 1, 1, 0, 0]
    round_trip(q)


def test_several_answers_with_weights_and_feedback():
    q = parse_one("::Numerical example::\nWhen was Ulysses S. Grant born? {#\n"
                  "     =1822:0      #Correct! 100% credit\n"
                  "     =%50%1822:2  #He was born in 1822.\n"
                  "                  You get 50% credit for being close.\n"
                  "     ~#Not even close.\n}")  # fmt: skip
    assert [(c.text, c.weight) for c in q.choices] == [("1822:0", 100), ("1822:2", 50), ("*", 0)]
    assert q.choices[1].feedback.startswith("He was born in 1822.")
    assert grade(q, {"text": "1822"}) == 1
    assert grade(q, {"text": "1824"}) == Decimal("0.5")
    assert grade(q, {"text": "1900"}) == 0
    assert "~#Not even close." in export_gift([q])
    round_trip(q)


def test_a_weight_on_the_single_answer_form_and_general_feedback():
    q = parse_one("How many provinces? {#34#After 2025. ####Vietnam merged its provinces.}")
    assert q.choices[0].feedback == "After 2025." and q.general_feedback.startswith("Vietnam")
    round_trip(q)


def test_a_broken_number_is_refused_with_its_line():
    result = parse_gift(b"Q1 {=a ~b}\n\nHow much? {#abc}\n")
    [item] = result.refused
    assert item.line == 3 and item.qtype == "numerical"
    assert "abc" in item.reasons[0]


def test_moodle_sample_file_every_question_ready():
    result = parse_gift(MOODLE_SAMPLE.read_bytes())
    assert result.summary() == "43 ready, 0 refused"
    assert sum(1 for q in result.ready if q.qtype == "numerical") == 8


def test_numerical_through_an_attempt_export_and_reimport_same_scores(db, user_factory):
    source = ("$CATEGORY: Số\n\nWhen was Grant born? {#=1822:0#Right =%50%1822:2#Close ~#No}\n\n"
              "Pi? {#3.1415:0.0005}\n")  # fmt: skip
    first = bank_import(questions=parse_gift(source.encode()).questions)
    scores = _scores(first, user_factory, ["1823", "3,141"])
    assert scores == [Decimal("0.5000"), Decimal("1.0000")]
    exported = bank_for_export()
    again = bank_import(questions=parse_gift(export_gift(exported).encode()).questions)
    assert _scores(again, user_factory, ["1823", "3,141"]) == scores
    workbook = parse_xlsx(export_xlsx(exported))
    assert [q.signature() for q in workbook.questions] == [q.signature() for q in exported]


def _scores(questions, user_factory, answers):
    quiz = factories.quiz(questions=questions, shuffle_questions=False, review_policy="after_each")
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    responses = {str(q.id): {"text": a} for q, a in zip(questions, answers, strict=True)}
    answers = {"version": 1, "responses": responses}
    graded = attempt_submit(attempt=attempt, user=user, answers=answers)
    review = attempt_review(graded)
    assert review[0].feedback and review[0].correct == ["1822"]
    return [r.fraction for r in graded.results.order_by("position")]


def test_a_learner_must_type_a_number(db, user_factory):
    [question] = bank_import(questions=parse_gift(b"Pi? {#3.14:0.01}").questions)
    quiz = factories.quiz(questions=[question])
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    answers = {"version": 1, "responses": {str(question.id): {"text": "ba"}}}
    with pytest.raises(AttemptError) as refused:
        attempt_submit(attempt=attempt, user=user, answers=answers)
    assert "số" in refused.value.message
