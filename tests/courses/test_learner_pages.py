"""Issue 22, learner (phone): what the course, lesson, quiz-result and My learning pages say
to a learner, read as the Vietnamese text of the page."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt
from courses.certificates.models import Certificate
from courses.models import Enrolment
from courses.services import enrolment_create, lesson_progress_record
from courses.templatetags.courses_tags import deadline_of
from tests.assessments.conftest import bank, quiz_factory, right_responses  # noqa: F401 - fixtures
from tests.assessments.test_views import form_data
from tests.courses.conftest import lessons_of, text_block


def _assigned(user, course, *, days):
    due = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(23, 59, 59))
    )
    return enrolment_create(
        user=user, course=course, source=Enrolment.Source.CAMPAIGN, due_at=due,
        source_ref="campaign:1",
    )  # fmt: skip


def test_an_unstarted_assigned_course_says_start_then_continue(client, learner, course_factory):
    course = course_factory(lessons=3)
    _assigned(learner, course, days=5)
    page = client.get(course.url).content.decode()
    assert ">Bắt đầu</a>" in page and "Tiếp tục" not in page
    mine = client.get(reverse("courses:my_learning")).content.decode()
    assert "Bắt đầu: Bài 1" in mine and "Tiếp tục" not in mine
    # Opening the first lesson starts the course.
    client.get(lessons_of(course)[0].url)
    assert ">Tiếp tục</a>" in client.get(course.url).content.decode()
    assert "Tiếp tục: Bài 1" in client.get(reverse("courses:my_learning")).content.decode()


@pytest.mark.parametrize(
    ("days", "text"),
    [(5, "Còn 5 ngày"), (1, "Còn 1 ngày"), (0, "Hôm nay là hạn cuối"), (-3, "Quá hạn 3 ngày")],
)
def test_days_left_before_the_deadline(client, learner, course_factory, days, text):
    course = course_factory(lessons=2)
    _assigned(learner, course, days=days)
    for url in (course.url, reverse("courses:my_learning")):
        html = client.get(url).content.decode()
        assert text in html, url
        assert 'data-testid="deadline"' in html


def test_deadline_counts_local_calendar_days():
    today = dt.date(2026, 12, 5)
    late_evening = timezone.make_aware(dt.datetime(2026, 12, 5, 23, 59, 59))
    assert deadline_of(late_evening, today=today).state == "today"
    assert deadline_of(dt.date(2026, 12, 8), today=today).days == 3
    assert deadline_of(None) is None


def test_a_lesson_says_its_number(client, learner, course_factory):
    course = course_factory(lessons=7)
    enrolment_create(user=learner, course=course, source="self")
    html = client.get(lessons_of(course)[2].url).content.decode()
    assert "Bài 3/7" in html


@pytest.fixture
def final_quiz_course(course_factory, quiz_factory):  # noqa: F811 - imported fixture
    quiz = quiz_factory(max_attempts=3)
    block_id = str(uuid.uuid4())
    body = [{"type": "quiz", "value": {"quiz": quiz.pk, "required": True}, "id": block_id}]
    course = course_factory(lessons=2, bodies=[[text_block()], body])
    return course, lessons_of(course), block_id


def test_after_passing_every_page_links_to_the_certificate(client, learner, final_quiz_course):
    course, lessons, block_id = final_quiz_course
    enrolment_create(user=learner, course=course, source="self")
    lesson_progress_record(user=learner, lesson=lessons[0], evidence="read")
    quiz_lesson = lessons[1]
    client.post(reverse("courses:quiz_start", args=[quiz_lesson.pk, block_id]))
    attempt = Attempt.objects.get(user=learner)
    submitted = client.post(
        reverse("courses:quiz_attempt", args=[quiz_lesson.pk, block_id, attempt.pk]),
        {**form_data(attempt, right_responses(attempt)), "action": "submit"},
    )
    certificate = Certificate.objects.get(user=learner, course=course)
    link = f"{reverse('certificates:mine')}#cert-{certificate.code}"
    result = client.get(submitted.url).content.decode()
    assert "Xem chứng chỉ" in result and link in result
    assert "đã học 100% khoá học" in result  # the course's progress after this result
    assert link in client.get(course.url).content.decode()
    mine = client.get(reverse("courses:my_learning")).content.decode()
    completed = mine.split('data-testid="completed"')[1]
    assert link in completed and "Xem chứng chỉ" in completed
    # The link lands on the certificate itself.
    assert (
        f'id="cert-{certificate.code}"' in client.get(reverse("certificates:mine")).content.decode()
    )


def test_no_certificate_link_before_completion(client, learner, final_quiz_course):
    course, _lessons, _block_id = final_quiz_course
    enrolment_create(user=learner, course=course, source="self")
    assert "Xem chứng chỉ" not in client.get(course.url).content.decode()
    assert "Xem chứng chỉ" not in client.get(reverse("courses:my_learning")).content.decode()
