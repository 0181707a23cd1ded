"""The essay grading queue (campaigns.grading): graders with "chấm bài" see the attempts
of their agencies' learners waiting for a grade; grading records the score once, completes
the lesson and the course, notifies the learner and writes the audit log."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from assessments.models import Attempt, AttemptState, QuestionResult
from campaigns import selectors, services
from campaigns.models import Notice
from cms import audit
from courses.models import Enrolment
from tests import factories
from tests.assessments.essay_setup import (
    ANSWER_TEXT,
    RUBRIC,
    essay_course_set,
    grader,
    learner_essay_submitted,
)
from tests.conftest import require

pytestmark = pytest.mark.django_db


def submitted(course_set, agency, **learner_fields):
    """A learner of `agency` who submitted the essay quiz in the lesson: (attempt, essay)."""
    attempt = learner_essay_submitted(course_set, agency, **learner_fields)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.PENDING
    return attempt, course_set[2]


@pytest.fixture
def course_set(db):
    return essay_course_set()


def test_the_queue_is_scoped_to_the_graders_agencies(tree, course_set):
    in_unit, _e = submitted(course_set, tree["unit"])
    in_snv, _e = submitted(course_set, tree["snv"])
    in_syt, _e = submitted(course_set, tree["syt"])
    snv_grader = grader(tree["snv"])
    assert set(selectors.grading_queue_of(snv_grader)) == {in_unit, in_snv}
    assert set(selectors.grading_queue_of(grader(tree["syt"]))) == {in_syt}
    # A manager without the permission, and a grader with no agency, see nothing.
    assert not selectors.grading_queue_of(factories.manager(tree["province"])).exists()
    assert not selectors.grading_queue_of(grader()).exists()
    everyone = factories.user(is_superuser=True, is_staff=True)
    assert set(selectors.grading_queue_of(everyone)) == {in_unit, in_snv, in_syt}


def test_grading_from_the_queue_completes_notifies_and_audits(client, tree, course_set):
    attempt, essay = submitted(course_set, tree["unit"], name="Trần Thị Học")
    course = course_set[3]
    snv_grader = grader(tree["snv"], name="Lê Văn Chấm")
    client.force_login(snv_grader)
    queue = client.get(reverse("campaigns_grading:queue"))
    html = queue.content.decode()
    assert queue.status_code == 200 and "Trần Thị Học" in html and "Phòng Tổ chức biên chế" in html
    assert "Chấm bài tự luận" in html  # the menu item and the title, in Vietnamese
    form = client.get(reverse("campaigns_grading:grade", args=[attempt.pk])).content.decode()
    assert RUBRIC in form and ANSWER_TEXT in form
    assert f'name="score-{essay.pk}"' in form and 'max="3"' in form
    saved = client.post(reverse("campaigns_grading:grade", args=[attempt.pk]),
                        {f"score-{essay.pk}": "3", f"feedback-{essay.pk}": "Đủ ba ý."})  # fmt: skip
    assert saved.status_code == 302 and saved.url == reverse("campaigns_grading:queue")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED and attempt.passed and attempt.score_percent == 100
    assert Enrolment.objects.get(user=attempt.user, course=course).completed_at is not None
    notice = Notice.objects.get(user=attempt.user, message__contains="đã được chấm")
    assert "100%" in notice.message and notice.url.endswith(f"/{attempt.pk}/ket-qua/")
    entry = audit.audit_entries().filter(action="hocso.essay_graded").get()
    assert entry.user == snv_grader and entry.data["person"] == attempt.user_id
    assert entry.data["agency"] == tree["unit"].pk
    assert not client.get(reverse("campaigns_grading:queue")).context["attempts"]
    # The learner sees the grade and the feedback on the result page.
    client.force_login(attempt.user)
    page = client.get(notice.url).content.decode()
    assert "Đủ ba ý." in page and "100%" in page and "Đang chờ chấm bài" not in page


def test_a_bad_score_shows_the_form_again_with_what_was_typed(client, tree, course_set):
    attempt, essay = submitted(course_set, tree["unit"])
    client.force_login(grader(tree["snv"]))
    url = reverse("campaigns_grading:grade", args=[attempt.pk])
    page = client.post(url, {f"score-{essay.pk}": "7", f"feedback-{essay.pk}": "Giữ lại"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "từ 0 đến 3" in html and "Giữ lại" in html
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.PENDING


def test_the_second_grader_is_told_it_is_graded(client, tree, course_set):
    attempt, essay = submitted(course_set, tree["unit"])
    first, second = grader(tree["snv"]), grader(tree["province"])
    services.quiz_essays_grade_scoped(grader=first, attempt_id=attempt.pk,
                                      grades={essay.pk: ("2", "")})  # fmt: skip
    client.force_login(second)
    late = client.post(reverse("campaigns_grading:grade", args=[attempt.pk]),
                       {f"score-{essay.pk}": "0"}, follow=True)  # fmt: skip
    assert "Bài làm này đã được chấm." in late.content.decode()
    assert QuestionResult.objects.get(attempt=attempt, question=essay).graded_by == first
    assert Notice.objects.filter(user=attempt.user).count() == 1


def test_two_graders_at_the_same_moment_grade_once_on_postgresql(transactional_db, tree):
    """Two graders save at once (threads, a connection each): one grade, one notice."""
    require(connection.vendor == "postgresql", "concurrency tests need PostgreSQL (DATABASE_URL)")
    attempt, essay = submitted(essay_course_set(), tree["unit"])
    graders = [grader(tree["snv"]), grader(tree["province"])]
    barrier = threading.Barrier(2)
    outcomes = []

    def grade(i):
        try:
            barrier.wait(timeout=10)
            services.quiz_essays_grade_scoped(grader=graders[i], attempt_id=attempt.pk,
                                              grades={essay.pk: (str(i + 1), f"G{i}")})  # fmt: skip
            outcomes.append("graded")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grade, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["already_graded", "graded"]
    result = QuestionResult.objects.get(attempt=attempt, question=essay)
    assert result.feedback in {"G0", "G1"} and not result.needs_grading
    assert Notice.objects.filter(user=attempt.user).count() == 1
    assert audit.audit_entries().filter(action="hocso.essay_graded").count() == 1


def test_the_graders_group_and_its_permission_show_in_wagtails_group_editor(client):
    from django.contrib.auth.models import Group

    from assessments.models import GRADERS_GROUP
    from assessments.services import graders_group_ensure

    graders_group_ensure()  # (migration 0006 made it; a transactional test may have flushed it)
    group = Group.objects.get(name=GRADERS_GROUP)
    assert {"grade_essay", "access_admin"} <= {p.codename for p in group.permissions.all()}
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    page = client.get(reverse("wagtailusers_groups:edit", args=[group.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Chấm bài tự luận" in html
