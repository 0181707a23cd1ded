"""Shared set-up of the essay grading tests (service, queue, security, browser): an essay
and a single choice in a quiz required by a lesson, a learner of an agency enrolled in it,
and graders through the "Người chấm bài" group."""

import uuid

from assessments.models import Question, QuestionCategory
from assessments.services import attempt_start, attempt_submit, graders_group_ensure
from courses.services import enrolment_create
from tests import factories
from tests.courses.conftest import lessons_of, text_block

ESSAY_TEXT = "Kể ba cách nhận biết một tin nhắn lừa đảo."
RUBRIC = "Mỗi cách đúng 1 điểm; tối đa 3 điểm."
ANSWER_TEXT = "Số lạ, đường link lạ, hứa trúng thưởng."


def essay_question(category=None, *, points=3, **fields) -> Question:
    category = category or QuestionCategory.objects.create(name=f"Tự luận {uuid.uuid4().hex[:6]}")
    fields.setdefault("grader_info", RUBRIC)
    return Question.objects.create(
        category=category, qtype="essay", text=ESSAY_TEXT, points=points, **fields
    )


def essay_quiz(**fields):
    """A quiz of a single choice (1 point) then an essay (3 points): 80 % to pass."""
    single = factories.question()
    essay = essay_question(single.category)
    fields.setdefault("pass_mark_percent", 80)
    fields.setdefault("shuffle_questions", False)
    fields.setdefault("review_policy", "after_each")
    return factories.quiz(questions=[single, essay], **fields), single, essay


def essay_lesson(quiz):
    """A one-lesson course whose lesson requires `quiz` (completing it completes the course)."""
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                           "id": block_id}]  # fmt: skip
    course = factories.course(lessons=1, bodies=[body])
    return course, lessons_of(course)[0], block_id


def essay_course_set(**quiz_fields):
    """essay_quiz() in essay_lesson(): (quiz, single, essay, course, lesson, block_id)."""
    quiz, single, essay = essay_quiz(**quiz_fields)
    return (quiz, single, essay, *essay_lesson(quiz))


def grader(agency=None, **fields):
    """A manager of `agency` in the graders' group (None: a grader with no agency)."""
    person = factories.manager(agency, **fields) if agency is not None else factories.user(**fields)
    person.groups.add(graders_group_ensure())
    return person


def enrolled_learner(course, agency, **fields):
    person = factories.learner(agency, **fields)
    enrolment_create(user=person, course=course, source="self")
    return person


def answers(attempt, single, essay, *, essay_text=ANSWER_TEXT):
    right = single.choices.get(weight=100).key
    responses = {str(single.pk): {"choice": right}}
    if essay_text:
        responses[str(essay.pk)] = {"text": essay_text}
    return {"version": 1, "responses": responses}


def essay_submitted(learner, quiz, single, essay, lesson, block_id, **answer_fields):
    """`learner` starts the lesson's essay quiz and submits it (`answers`): the attempt, its
    essay waiting for a grader."""
    attempt = attempt_start(user=learner, quiz=quiz, context_key=f"lesson:{lesson.pk}:{block_id}")
    attempt_submit(
        attempt=attempt, user=learner, answers=answers(attempt, single, essay, **answer_fields)
    )
    return attempt


def learner_essay_submitted(course_set, agency, *, essay_text=ANSWER_TEXT, **learner_fields):
    """A learner of `agency`, enrolled in the course of `course_set` (essay_course_set()),
    who submitted the lesson's essay quiz (essay_submitted): the attempt."""
    quiz, single, essay, course, lesson, block_id = course_set
    learner = enrolled_learner(course, agency, **learner_fields)
    return essay_submitted(learner, quiz, single, essay, lesson, block_id, essay_text=essay_text)
