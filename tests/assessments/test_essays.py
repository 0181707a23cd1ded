"""Essay questions graded by a person (issue 18): the type, the files (GIFT and Moodle XML
round trips with grading), the waiting state, grading once, the lesson and course waiting
for the grade, and anonymisation blanking the essays."""

import pytest
from django.urls import reverse

from assessments import question_types
from assessments.grading import AttemptError
from assessments.interchange import export_gift, parse_gift
from assessments.models import Attempt, AttemptState, QuestionResult
from assessments.moodlexml import export_moodlexml, parse_moodlexml
from assessments.privacy import BLANKED, anonymise
from assessments.selectors import attempt_essays, bank_for_export, quiz_state
from assessments.services import attempt_essays_grade, attempt_start, attempt_submit, bank_import
from courses.models import Enrolment, LessonProgress
from courses.services import quiz_essays_grade
from tests import factories
from tests.assessments.essay_setup import (
    RUBRIC,
    answers,
    enrolled_learner,
    essay_lesson,
    essay_quiz,
)

pytestmark = pytest.mark.django_db

GIFT = """$CATEGORY: Tự luận

// [hocso:rubric=Ba ý đúng%0AMỗi ý 1 điểm] [hocso:min-words=10] [hocso:max-words=200]
// [hocso:points=3]
::Lừa đảo::[html]Kể <b>ba</b> dấu hiệu của tin nhắn lừa đảo. {
\t####Xem lại bài 2.
}

Số khẩn cấp gọi công an? {=113 ~114 ~115}
"""


def _submit(questions, user, essay_text="Một hai ba bốn năm sáu bảy tám chín mười."):
    quiz = factories.quiz(questions=questions, shuffle_questions=False, pass_mark_percent=50)
    attempt = attempt_start(user=user, quiz=quiz)
    responses = {}
    for q in questions:
        if q.qtype == "essay":
            responses[str(q.pk)] = {"text": essay_text}
        else:
            responses[str(q.pk)] = {"choice": q.choices.get(weight=100).key}
    return attempt_submit(attempt=attempt, user=user, answers={"version": 1,
                                                               "responses": responses})  # fmt: skip


def _grade_all(attempt, grader, points="2", feedback="Thiếu một ý."):
    essays = {r.question_id: (points, feedback) for r in attempt.results.filter(needs_grading=True)}
    graded = attempt_essays_grade(attempt_id=attempt.pk, grader=grader, grades=essays)
    return [str(r.fraction) for r in graded.results.order_by("position")], graded.score_percent


# --- The type and its files ---------------------------------------------------------------


def test_the_essay_type_is_registered_graded_by_a_person():
    kind = question_types.get("essay")
    assert kind.manual_grading and kind.graded and str(kind.label)
    assert kind.validate({}, {"text": "  Bài viết  "}) == {"text": "Bài viết"}
    assert kind.validate({}, {"text": "   "}) is None
    with pytest.raises(AttemptError):
        kind.validate({}, {"text": "x" * 20_001})


def test_gift_essay_import_grade_export_import_same_question_and_score(user_factory):
    first = parse_gift(GIFT.encode())
    assert first.problems == [] and [q.qtype for q in first.questions] == ["essay", "single"]
    essay = first.questions[0]
    assert essay.grader_info == "Ba ý đúng\nMỗi ý 1 điểm" and essay.points == 3
    assert (essay.min_words, essay.max_words) == (10, 200)
    assert essay.general_feedback == "Xem lại bài 2."
    created = bank_import(questions=first.ready)
    exported = bank_for_export()
    again = parse_gift(export_gift(exported).encode())
    assert again.problems == []
    assert [q.signature() for q in again.questions] == [q.signature() for q in exported]
    assert [q.signature() for q in exported] == [q.signature() for q in first.questions]
    recreated = bank_import(questions=again.ready, default_category="Lần hai")
    grader = user_factory()
    scores = [
        _grade_all(_submit(questions, user_factory()), grader) for questions in (created, recreated)
    ]
    assert scores[0] == scores[1] == (["0.6667", "1.0000"], 75)


def test_moodle_xml_essay_import_grade_export_import_same_question_and_score(user_factory):
    first = parse_gift(GIFT.encode())
    created = bank_import(questions=first.ready)
    xml = export_moodlexml(bank_for_export())
    assert '<question type="essay">' in xml and "<graderinfo" in xml
    again = parse_moodlexml(xml.encode())
    assert again.problems == []
    assert [q.signature() for q in again.questions] == [q.signature() for q in bank_for_export()]
    recreated = bank_import(questions=again.ready, default_category="Lần hai")
    grader = user_factory()
    first_score = _grade_all(_submit(created, user_factory()), grader)
    second_score = _grade_all(_submit(recreated, user_factory()), grader)
    assert first_score == second_score


# --- Waiting for grading -------------------------------------------------------------------


def test_an_attempt_with_an_essay_waits_for_grading_with_no_score(user_factory):
    quiz, single, essay = essay_quiz()
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    submitted = attempt_submit(attempt=attempt, user=user, answers=answers(attempt, single, essay))
    assert submitted.state == AttemptState.PENDING and not submitted.just_graded
    assert submitted.score_percent is None and submitted.passed is None
    assert submitted.submitted_at is not None and submitted.points == 1
    waiting = QuestionResult.objects.get(attempt=submitted, question=essay)
    assert waiting.needs_grading and waiting.points == 0
    state = quiz_state(user=user, quiz=quiz)
    assert state.awaiting_grading and state.grade_percent is None and not state.passed
    assert state.last_submitted == submitted and state.open_attempt is None
    # Submitting again changes nothing; saving is refused.
    again = attempt_submit(attempt=submitted, user=user)
    assert again.state == AttemptState.PENDING and not again.just_graded


def test_an_essay_left_empty_is_graded_at_once(user_factory):
    quiz, single, essay = essay_quiz(pass_mark_percent=20)
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    submitted = attempt_submit(
        attempt=attempt, user=user, answers=answers(attempt, single, essay, essay_text="")
    )
    assert submitted.state == AttemptState.GRADED and submitted.just_graded
    assert submitted.score_percent == 25 and submitted.passed


def test_grading_finalises_the_score_once(user_factory):
    quiz, single, essay = essay_quiz()
    user, grader = user_factory(), user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_submit(attempt=attempt, user=user, answers=answers(attempt, single, essay))
    graded = attempt_essays_grade(
        attempt_id=attempt.pk, grader=grader, grades={essay.pk: ("2,5", "Tốt, thiếu một ý.")}
    )
    assert graded.state == AttemptState.GRADED and graded.just_graded
    assert graded.points == 3.5 and graded.score_percent == 87.5 and graded.passed
    result = QuestionResult.objects.get(attempt=attempt, question=essay)
    assert not result.needs_grading and str(result.fraction) == "0.8333"
    assert (
        result.graded_by == grader and result.graded_at and result.feedback == "Tốt, thiếu một ý."
    )
    # A second grader (or the same one twice) is refused and changes nothing.
    with pytest.raises(AttemptError) as refused:
        attempt_essays_grade(attempt_id=attempt.pk, grader=user_factory(),
                             grades={essay.pk: ("0", "Sai")})  # fmt: skip
    assert refused.value.code == "already_graded"
    assert "đã được chấm" in refused.value.message
    result.refresh_from_db()
    assert result.feedback == "Tốt, thiếu một ý." and result.graded_by == grader
    [shown] = attempt_essays(graded)
    assert shown.points == 2.5 and shown.grader_info == ""  # the learner never gets the rubric
    assert attempt_essays(graded, for_grader=True)[0].grader_info == RUBRIC


def test_a_grader_who_loaded_the_page_before_another_graded_is_told_it_is_graded(user_factory):
    """Two graders open the same attempt; the first saves; the second's save comes after
    (two transactions one after the other: the conditional update refuses it)."""
    quiz, single, essay = essay_quiz()
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_submit(attempt=attempt, user=user, answers=answers(attempt, single, essay))
    first, second = user_factory(), user_factory()
    seen_by_second = Attempt.objects.get(pk=attempt.pk)
    assert seen_by_second.state == AttemptState.PENDING
    attempt_essays_grade(attempt_id=attempt.pk, grader=first, grades={essay.pk: ("3", "")})
    with pytest.raises(AttemptError, match="đã được chấm"):
        attempt_essays_grade(
            attempt_id=seen_by_second.pk, grader=second, grades={essay.pk: ("1", "")}
        )
    assert QuestionResult.objects.get(attempt=attempt, question=essay).graded_by == first


@pytest.mark.parametrize("score", ["-1", "3.5", "abc", "", "NaN", "Infinity", None])
def test_a_score_outside_the_question_points_is_refused(user_factory, score):
    quiz, single, essay = essay_quiz()
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_submit(attempt=attempt, user=user, answers=answers(attempt, single, essay))
    with pytest.raises(AttemptError) as refused:
        attempt_essays_grade(attempt_id=attempt.pk, grader=user, grades={essay.pk: (score, "")})
    assert refused.value.code == "bad_score" and "0" in refused.value.message
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.PENDING


# --- The lesson and the course wait --------------------------------------------------------


def test_the_lesson_and_course_wait_for_the_grade_then_complete(client, user_factory):
    from campaigns.models import Agency  # noqa: F401 - the learner's agency (factories)

    quiz, single, essay = essay_quiz()
    course, lesson, block_id = essay_lesson(quiz)
    user = enrolled_learner(course, factories.agency())
    client.force_login(user)
    start = client.post(reverse("courses:quiz_start", args=[lesson.pk, block_id]))
    attempt = Attempt.objects.get(user=user)
    data = {
        f"q-{single.pk}": single.choices.get(weight=100).key,
        f"q-{essay.pk}": "<script>alert(1)</script> ba dấu hiệu",
        "action": "submit",
    }
    result = client.post(start.url, data)
    page = client.get(result.url).content.decode()
    assert "Đang chờ chấm bài" in page and 'data-testid="quiz-score"' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    assert progress is None or progress.completed_at is None
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is None
    lesson_page = client.get(lesson.url).content.decode()
    assert "Đang chờ chấm bài" in lesson_page
    assert reverse("courses:quiz_result", args=[lesson.pk, block_id, attempt.pk]) in lesson_page

    graded, progress = quiz_essays_grade(
        attempt_id=attempt.pk, grader=user_factory(), grades={essay.pk: ("3", "Rất tốt.")}
    )
    assert graded.passed and graded.score_percent == 100
    assert progress is not None and progress.completed_at is not None
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    page = client.get(result.url).content.decode()
    assert "Đang chờ chấm bài" not in page and "Rất tốt." in page
    assert 'data-testid="quiz-score"' in page and "100%" in page


def test_a_failing_grade_records_the_attempt_but_does_not_complete(user_factory):
    quiz, single, essay = essay_quiz()
    course, lesson, block_id = essay_lesson(quiz)
    user = enrolled_learner(course, factories.agency())
    attempt = attempt_start(user=user, quiz=quiz, context_key=f"lesson:{lesson.pk}:{block_id}")
    attempt_submit(attempt=attempt, user=user, answers=answers(attempt, single, essay))
    graded, progress = quiz_essays_grade(
        attempt_id=attempt.pk, grader=user_factory(), grades={essay.pk: ("1", "")}
    )
    assert not graded.passed and graded.score_percent == 50
    assert progress.completed_at is None
    assert progress.activity_results["blocks"][block_id]["passed"] is False


# --- Anonymisation ---------------------------------------------------------------------------


def test_anonymising_blanks_the_essay_answers_and_feedback_and_keeps_the_marks(user_factory):
    quiz, single, essay = essay_quiz()
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_submit(
        attempt=attempt,
        user=user,
        answers=answers(attempt, single, essay, essay_text="Tôi là Nguyễn Văn A"),
    )
    attempt_essays_grade(attempt_id=attempt.pk, grader=user, grades={essay.pk: ("2", "Anh A ơi")})
    anonymise(user)
    attempt.refresh_from_db()
    assert attempt.answers["responses"][str(essay.pk)] == {"text": BLANKED}
    assert attempt.answers["responses"][str(single.pk)]["choice"]  # other answers stay
    result = QuestionResult.objects.get(attempt=attempt, question=essay)
    assert result.response == {"text": BLANKED} and result.feedback == "" and result.points == 2
    assert "Nguyễn Văn A" not in str(attempt.answers) and attempt.score_percent is not None
