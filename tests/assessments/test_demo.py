"""The demo quizzes: real Vietnamese content, several types, loaded idempotently, and each
one can be passed by a learner who knows the answers."""

import io

from assessments import demo
from assessments.models import Question, Quiz
from assessments.services import attempt_start, attempt_submit
from tests.assessments.conftest import right_responses


def test_demo_quizzes_load_once_and_can_be_passed(db, user_factory):
    demo.load(io.StringIO())
    counts = (Quiz.objects.count(), Question.objects.count())
    demo.load(io.StringIO())  # idempotent
    assert (Quiz.objects.count(), Question.objects.count()) == counts == (5, 41)  # + the essay
    assert set(Quiz.objects.values_list("slug", flat=True)) == {
        *demo.QUIZ_SLUGS.values(), demo.ESSAY_QUIZ_SLUG,
    }  # fmt: skip
    for slug in demo.QUIZ_SLUGS.values():
        quiz = Quiz.objects.get(slug=slug)
        types = set(
            Question.objects.filter(category__quiz_slots__quiz=quiz).values_list("qtype", flat=True)
        )
        assert len(types) >= 5, (slug, types)
        user = user_factory()
        attempt = attempt_start(user=user, quiz=quiz)
        assert 8 <= len(attempt.frozen["questions"]) <= 15
        graded = attempt_submit(attempt=attempt, user=user, answers=right_responses(attempt))
        assert graded.score_percent == 100 and graded.passed
