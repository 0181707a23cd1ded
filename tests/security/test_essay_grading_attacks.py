"""Issue 18, attacks on essay grading: a grader of another agency, a user without the
"chấm bài" permission, guessed attempt ids, grading twice, and a learner posting a score
of their own, all refused without changing anything; the learner's answer is escaped on
the grader's page and the rubric never reaches the learner."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from assessments.models import Attempt, AttemptState, QuestionResult
from assessments.services import attempt_start
from campaigns.models import Notice
from tests import factories
from tests.assessments.essay_setup import (
    RUBRIC,
    enrolled_learner,
    essay_course_set,
    grader,
    learner_essay_submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return factories.agency_tree()


@pytest.fixture
def setup(tree):
    quiz, single, essay, course, lesson, block_id = course_set = essay_course_set()
    attempt = learner_essay_submitted(course_set, tree["unit"], name="Trần Thị Ánh",
                                      essay_text='<img src=x onerror="alert(1)"> ba ý')  # fmt: skip
    return {"attempt": attempt, "essay": essay, "single": single, "learner": attempt.user,
            "lesson": lesson, "block_id": block_id, "quiz": quiz}  # fmt: skip


def grade_url(attempt_id):
    return reverse("campaigns_grading:grade", args=[attempt_id])


def untouched(setup):
    attempt = Attempt.objects.get(pk=setup["attempt"].pk)
    result = QuestionResult.objects.get(attempt=attempt, question=setup["essay"])
    return (
        attempt.state == AttemptState.PENDING
        and result.needs_grading
        and result.graded_by is None
        and not Notice.objects.filter(user=setup["learner"]).exists()
    )


def test_a_grader_of_another_agency_gets_404_and_changes_nothing(client, tree, setup):
    client.force_login(grader(tree["syt"]))
    assert client.get(grade_url(setup["attempt"].pk)).status_code == 404
    posted = client.post(grade_url(setup["attempt"].pk), {f"score-{setup['essay'].pk}": "3"})
    assert posted.status_code == 404 and untouched(setup)
    queue = client.get(reverse("campaigns_grading:queue")).content.decode()
    assert "Trần Thị Ánh" not in queue


def test_a_manager_without_the_permission_is_refused(client, tree, setup):
    manager = factories.manager(tree["snv"])
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(manager)
    for response in (client.get(reverse("campaigns_grading:queue")),
                     client.get(grade_url(setup["attempt"].pk)),
                     client.post(grade_url(setup["attempt"].pk),
                                 {f"score-{setup['essay'].pk}": "3"})):  # fmt: skip
        assert response.status_code in (302, 403)
        assert "Trần Thị Ánh" not in response.content.decode()
    assert untouched(setup)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("campaigns_grading:queue") not in home


def test_a_learner_or_anonymous_visitor_cannot_reach_the_grading_pages(client, setup):
    for who in (None, setup["learner"]):
        client.logout()
        if who is not None:
            client.force_login(who)
        posted = client.post(grade_url(setup["attempt"].pk), {f"score-{setup['essay'].pk}": "3"})
        assert posted.status_code in (302, 403)
        assert untouched(setup)


@pytest.mark.parametrize("guess", ["missing", "in_progress", "other_quiz_graded"])
def test_guessed_attempt_ids_answer_404(client, tree, setup, guess):
    snv_grader = grader(tree["snv"])
    if guess == "missing":
        attempt_id = Attempt.objects.order_by("-pk").first().pk + 1000
    elif guess == "in_progress":  # a learner of the grader's agency, still answering
        other = enrolled_learner(factories.course(lessons=1), tree["unit"])
        attempt_id = attempt_start(user=other, quiz=setup["quiz"]).pk
    else:  # an attempt of another agency's learner
        far = factories.learner(tree["ward"])
        attempt_id = attempt_start(user=far, quiz=setup["quiz"]).pk
    client.force_login(snv_grader)
    assert client.get(grade_url(attempt_id)).status_code == 404
    assert (
        client.post(grade_url(attempt_id), {f"score-{setup['essay'].pk}": "3"}).status_code == 404
    )
    assert untouched(setup)


def test_grading_twice_is_refused_the_second_time(client, tree, setup):
    client.force_login(grader(tree["snv"]))
    field = f"score-{setup['essay'].pk}"
    assert client.post(grade_url(setup["attempt"].pk), {field: "3"}).status_code == 302
    again = client.post(grade_url(setup["attempt"].pk), {field: "0"}, follow=True)
    assert "Bài làm này đã được chấm." in again.content.decode()
    result = QuestionResult.objects.get(attempt=setup["attempt"], question=setup["essay"])
    graded = Notice.objects.filter(user=setup["learner"], message__contains="đã được chấm")
    assert result.points == 3 and graded.count() == 1


@pytest.mark.parametrize("score", ["4", "-1", "1e9", "nan", "3; DROP TABLE", ""])
def test_a_score_outside_0_to_max_is_refused(client, tree, setup, score):
    client.force_login(grader(tree["snv"]))
    response = client.post(grade_url(setup["attempt"].pk), {f"score-{setup['essay'].pk}": score})
    assert response.status_code == 400 and untouched(setup)


def test_a_learner_posting_a_score_with_their_answers_gets_no_grade(client, setup):
    """The learner sends score and feedback fields with a new attempt: ignored, it waits."""
    client.force_login(setup["learner"])
    lesson, block_id, essay = setup["lesson"], setup["block_id"], setup["essay"]
    start = client.post(reverse("courses:quiz_start", args=[lesson.pk, block_id]))
    attempt = Attempt.objects.filter(user=setup["learner"]).latest("pk")
    client.post(start.url, {
        f"q-{essay.pk}": "Bài của tôi", f"score-{essay.pk}": "3", "score": "100",
        "points": "4", "passed": "1", f"feedback-{essay.pk}": "Tự khen", "action": "submit_anyway",
    })  # fmt: skip
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.PENDING and attempt.score_percent is None
    result = QuestionResult.objects.get(attempt=attempt, question=essay)
    assert result.needs_grading and result.points == 0 and result.feedback == ""


def test_the_answer_is_escaped_for_the_grader_and_the_rubric_never_reaches_the_learner(
    client, tree, setup
):
    client.force_login(grader(tree["snv"]))
    html = client.get(grade_url(setup["attempt"].pk)).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html and RUBRIC in html
    client.force_login(setup["learner"])
    lesson, block_id = setup["lesson"], setup["block_id"]
    for url in (reverse("courses:quiz_result", args=[lesson.pk, block_id, setup["attempt"].pk]),
                lesson.url):  # fmt: skip
        page = client.get(url).content.decode()
        assert RUBRIC not in page and '<img src=x onerror="alert(1)">' not in page
