"""The attempt engine: freezing, grading every type, limits, refusals, idempotence."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import Attempt, Question, QuestionCategory, QuestionResult, QuizSlot
from assessments.selectors import attempt_questions, quiz_state, review_allowed
from assessments.services import (
    GRACE_SECONDS,
    AttemptError,
    attempt_close_overdue,
    attempt_save,
    attempt_start,
    attempt_submit,
)
from cms.errors import Refused
from tests.assessments.conftest import make_question, right_responses


def snapshot(user):
    """Everything stored about a user's attempts: a refusal must leave it identical."""
    return [
        (a.pk, a.state, a.answers, a.saved_at, a.score_percent, a.submitted_at)
        for a in Attempt.objects.filter(user=user).order_by("pk")
    ] + [tuple(QuestionResult.objects.filter(attempt__user=user).values_list("pk"))]


def test_start_freezes_questions_and_choice_order_and_resumes(quiz, user_factory, bank):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    frozen = attempt.frozen
    assert frozen["version"] == 1
    assert {q["id"] for q in frozen["questions"]} == {q.id for q in bank.values()}
    ordering = next(q for q in frozen["questions"] if q["type"] == "ordering")
    right = list(bank["ordering"].choices.order_by("sort_order").values_list("key", flat=True))
    assert sorted(ordering["choices"]) == sorted(right)
    assert ordering["choices"] != right  # never served in the right order
    # Editing the bank afterwards does not change what this attempt serves.
    bank["single"].choices.update(sort_order=9)
    again = attempt_start(user=user, quiz=quiz)
    assert again.pk == attempt.pk and again.frozen == frozen
    assert attempt.number == 1 and attempt.max_points == 6


def test_all_right_scores_100_and_passes(quiz, user_factory):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    graded = attempt_submit(attempt=attempt, user=user, answers=right_responses(attempt))
    assert graded.state == "graded" and graded.just_graded
    assert graded.score_percent == Decimal("100.00") and graded.passed
    assert QuestionResult.objects.filter(attempt=graded).count() == 6


def test_wrong_answers_score_zero_and_partial_credit(quiz, user_factory, bank):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    answers = right_responses(attempt, wrong={"single", "true_false", "short_answer",
                                              "ordering", "matching", "multiple"})  # fmt: skip
    graded = attempt_submit(attempt=attempt, user=user, answers=answers)
    assert graded.score_percent == 0 and graded.passed is False
    # Partial credit: one of two right choices in the multiple question = half its mark.
    attempt2 = attempt_start(user=user, quiz=quiz)
    half = right_responses(attempt2, wrong={"single", "true_false", "short_answer",
                                            "ordering", "matching"})  # fmt: skip
    key = [c.key for c in bank["multiple"].choices.all() if c.weight == 50][0]
    half["responses"][str(bank["multiple"].id)] = {"choices": [key]}
    graded2 = attempt_submit(attempt=attempt2, user=user, answers=half)
    assert graded2.points == Decimal("0.50")
    assert graded2.score_percent == Decimal("8.33")


@pytest.mark.parametrize(
    ("given", "ignore", "score"),
    [("  vneid ", False, 100), ("VNEID", False, 100), ("Định  danh ĐIỆN tử", False, 100),
     ("Dinh danh dien tu", True, 100), ("Dinh danh dien tu", False, 0),
     # NFD input (a phone keyboard may send decomposed letters) equals NFC.
     ("Đ\u0323inh danh", False, 0), ("Định danh điện tử".replace("ị", "i\u0323"), False, 100)],
)  # fmt: skip
def test_short_answer_folding(db, user_factory, quiz_factory, given, ignore, score):
    cat = QuestionCategory.objects.create(name="Trả lời ngắn")
    q = make_question(cat, "short_answer", "Tên ứng dụng?", [("VNeID", 100),
                      ("Định danh điện tử", 100)], ignore_diacritics=ignore)  # fmt: skip
    quiz = quiz_factory(questions=[q])
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    graded = attempt_submit(
        attempt=attempt,
        user=user,
        answers={"version": 1, "responses": {str(q.id): {"text": given}}},
    )
    assert graded.score_percent == score


def test_refusals_leave_attempts_exactly_as_they_were(quiz, user_factory, bank):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_save(attempt=attempt, user=user, answers=right_responses(attempt))
    before = snapshot(user)
    other_q = make_question(bank["single"].category, "single", "Câu ngoài", [("A", 100)])
    foreign_key = bank["matching"].choices.first().key
    bad_inputs = {
        "unknown_question": {"version": 1, "responses": {str(other_q.id): {"choice": "x"}}},
        "foreign_choice": {"version": 1,
                           "responses": {str(bank["single"].id): {"choice": foreign_key}}},
        "bad_answer": {"version": 2, "responses": {}},
    }  # fmt: skip
    for code, answers in bad_inputs.items():
        for service in (attempt_save, attempt_submit):
            with pytest.raises(AttemptError) as exc:
                service(attempt=attempt, user=user, answers=answers)
            assert exc.value.code == code
            assert exc.value.message  # Vietnamese, for the learner
    intruder = user_factory()
    with pytest.raises(AttemptError) as exc:
        attempt_submit(attempt=attempt, user=intruder, answers=right_responses(attempt))
    assert exc.value.code == "not_owner"
    assert "người khác" in exc.value.message
    assert snapshot(user) == before
    # The one refusal type (cms.errors.Refused): its argument order, status and JSON.
    assert isinstance(exc.value, Refused) and exc.value.status == 400
    assert exc.value.as_json() == {"ok": False, "error": exc.value.message, "code": "not_owner"}


def test_time_limit_with_grace(quiz_factory, user_factory):
    quiz = quiz_factory(time_limit_minutes=10)
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    assert attempt.deadline_at is not None
    attempt_save(attempt=attempt, user=user, answers=right_responses(attempt))
    # Inside the grace: still accepted.
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=GRACE_SECONDS - 5)
    )
    late_but_ok = attempt_submit(attempt=attempt, user=user)
    assert late_but_ok.state == "graded" and late_but_ok.passed

    second = attempt_start(user=user, quiz=quiz)
    attempt_save(attempt=second, user=user, answers=right_responses(second, wrong={"single"}))
    Attempt.objects.filter(pk=second.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=GRACE_SECONDS + 5)
    )
    before = snapshot(user)
    with pytest.raises(AttemptError) as exc:
        attempt_submit(attempt=second, user=user, answers=right_responses(second))
    assert exc.value.code == "time_over"
    with pytest.raises(AttemptError):
        attempt_save(attempt=second, user=user, answers=right_responses(second))
    assert snapshot(user) == before
    # The tab was closed: the answers saved before the deadline are graded, once.
    closed = attempt_close_overdue(attempt=second)
    assert closed.state == "graded" and closed.auto_submitted
    assert closed.score_percent == Decimal("83.33")


def test_attempt_limit(quiz, user_factory):
    user = user_factory()
    for _ in range(2):
        attempt = attempt_start(user=user, quiz=quiz)
        attempt_submit(attempt=attempt, user=user, answers={"version": 1, "responses": {}})
    before = snapshot(user)
    with pytest.raises(AttemptError) as exc:
        attempt_start(user=user, quiz=quiz)
    assert exc.value.code == "no_attempts_left"
    assert "2" in exc.value.message
    assert snapshot(user) == before
    state = quiz_state(user=user, quiz=quiz)
    assert state.attempts_used == 2 and not state.can_start and state.reason


def test_contexts_count_attempts_separately(quiz, user_factory):
    user = user_factory()
    a = attempt_start(user=user, quiz=quiz, context_key="lesson:1:b1")
    b = attempt_start(user=user, quiz=quiz, context_key="lesson:2:b2")
    assert a.pk != b.pk and a.number == b.number == 1


def test_double_submit_returns_the_first_result(quiz, user_factory):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    first = attempt_submit(attempt=attempt, user=user, answers=right_responses(attempt))
    again = attempt_submit(attempt=attempt, user=user, answers={"version": 1, "responses": {}})
    assert again.just_graded is False
    assert again.score_percent == first.score_percent == 100
    assert again.submitted_at == first.submitted_at
    assert QuestionResult.objects.filter(attempt=attempt).count() == 6


def test_random_draw_from_categories(db, user_factory, quiz_factory):
    cat = QuestionCategory.objects.create(name="Ngân hàng lớn")
    for i in range(10):
        make_question(cat, "single", f"Câu {i}", [("Đúng", 100), ("Sai", 0)])
    quiz = quiz_factory(questions=[])
    QuizSlot.objects.create(quiz=quiz, category=cat, draw_count=4)
    drawn = set()
    for _ in range(6):
        user = user_factory()
        attempt = attempt_start(user=user, quiz=quiz)
        ids = [q["id"] for q in attempt.frozen["questions"]]
        assert len(ids) == len(set(ids)) == 4
        drawn |= set(ids)
    assert len(drawn) > 4  # different learners get different questions
    assert drawn <= set(Question.objects.filter(category=cat).values_list("id", flat=True))


def test_open_and_close_dates(quiz_factory, user_factory):
    now = timezone.now()
    later = quiz_factory(open_at=now + timedelta(days=1))
    closed = quiz_factory(open_at=now - timedelta(days=2), close_at=now - timedelta(days=1))
    user = user_factory()
    for quiz, code in ((later, "not_open"), (closed, "closed")):
        with pytest.raises(AttemptError) as exc:
            attempt_start(user=user, quiz=quiz)
        assert exc.value.code == code
    assert not Attempt.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("policy", "passed", "closed", "allowed"),
    [("never", True, True, False), ("after_each", False, False, True),
     ("after_pass", False, False, False), ("after_pass", True, False, True),
     ("after_close", True, False, False), ("after_close", True, True, True)],
)  # fmt: skip
def test_review_policy(quiz_factory, user_factory, policy, passed, closed, allowed):
    now = timezone.now()
    quiz = quiz_factory(review_policy=policy)
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    assert not review_allowed(quiz=quiz, attempt=attempt, passed_quiz=True)  # never while open
    attempt = attempt_submit(attempt=attempt, user=user)
    if closed:
        quiz.close_at = now - timedelta(minutes=1)
    assert review_allowed(quiz=quiz, attempt=attempt, passed_quiz=passed) is allowed


def test_grading_method_highest_or_last(quiz_factory, user_factory):
    for method, expected in (("highest", 100), ("last", 0)):
        quiz = quiz_factory(grading_method=method)
        user = user_factory()
        a = attempt_start(user=user, quiz=quiz)
        attempt_submit(attempt=a, user=user, answers=right_responses(a))
        b = attempt_start(user=user, quiz=quiz)
        attempt_submit(attempt=b, user=user, answers={"version": 1, "responses": {}})
        state = quiz_state(user=user, quiz=quiz)
        assert state.grade_percent == expected
        assert state.passed is (expected == 100)


def test_served_questions_carry_no_answers(quiz, user_factory):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    served = attempt_questions(attempt)
    assert len(served) == 6
    for question in served:
        for choice in question.choices:
            # The learner's own saved choice at most (none yet): no weight, no feedback.
            assert set(vars(choice)) == {"key", "text", "checked"} and choice.checked is False


def test_the_attempt_writes_build_no_sql_per_call(quiz, user_factory, monkeypatch):
    """Start's INSERT, autosave's and submit's UPDATE and the question results' INSERT are
    SQL built once per process (cms.inserts.update_row, insert_rows): the ORM's
    compilers, which cost more CPU than the writes themselves (issue 16), are not called.
    What they write is what the ORM wrote: the rows read back."""
    from django.db.models.sql import compiler

    warm = attempt_start(user=user_factory(), quiz=quiz)  # the quiz's plan and questions
    attempt_submit(attempt=warm, user=warm.user, answers=right_responses(warm))
    user = user_factory()

    def refused(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__} compiled a write")

    monkeypatch.setattr(compiler.SQLInsertCompiler, "as_sql", refused)
    monkeypatch.setattr(compiler.SQLUpdateCompiler, "as_sql", refused)
    attempt = attempt_start(user=user, quiz=quiz)
    assert attempt.pk and Attempt.objects.get(pk=attempt.pk).frozen == attempt.frozen
    answers = right_responses(attempt)
    saved = attempt_save(attempt=attempt, user=user, answers=answers)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.answers == saved.answers and stored.saved_at == saved.saved_at
    graded = attempt_submit(attempt=attempt, user=user, answers=answers)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert graded.just_graded and stored.state == "graded" and stored.passed
    assert stored.points == graded.points == stored.max_points
    assert stored.score_percent == graded.score_percent == Decimal(100)
    results = list(QuestionResult.objects.filter(attempt=stored).order_by("position"))
    assert [r.question_id for r in results] == [e["id"] for e in stored.frozen["questions"]]
    assert all(r.fraction == 1 and r.points == r.max_points and not r.needs_grading
               and r.feedback == "" and r.graded_by_id is None for r in results)  # fmt: skip
    assert [r.response for r in results] == [
        stored.answers["responses"].get(str(r.question_id)) for r in results
    ]
    # Submitting again changes nothing (the UPDATE is conditional on the attempt open).
    again = attempt_submit(attempt=attempt, user=user, answers=answers)
    assert not again.just_graded and QuestionResult.objects.filter(attempt=stored).count() == len(
        results
    )
