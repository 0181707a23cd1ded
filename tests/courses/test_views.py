"""Course pages over real HTTP: catalogue, course, lesson, enrol, progress, My learning."""

import pytest
from django.urls import reverse

from courses.models import Enrolment, LessonProgress
from tests.courses.conftest import lessons_of, text_block

pytestmark = pytest.mark.django_db


def test_enrol_learn_and_complete_over_http(client, learner, course_factory):
    course = course_factory(lessons=2)
    first, second = lessons_of(course)
    assert client.get(course.url).status_code == 200
    assert client.get(first.url).status_code == 403  # not enrolled yet: friendly page
    response = client.post(reverse("courses:enrol", args=[course.pk]))
    assert response.status_code == 302
    page = client.get(first.url)
    assert page.status_code == 200 and "confirm-read" in page.content.decode()
    response = client.post(
        reverse("courses:lesson_progress", args=[first.pk]), {"evidence": "read"}
    )
    assert response.status_code == 302 and response["Location"].endswith(second.url)
    client.post(reverse("courses:lesson_progress", args=[second.pk]), {"evidence": "read"})
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.completed_at is not None
    mine = client.get(reverse("courses:my_learning")).content.decode()
    assert course.title in mine


def test_progress_for_unenrolled_course_is_403_and_changes_nothing(client, learner, course_factory):
    course = course_factory(lessons=1)
    lesson = lessons_of(course)[0]
    url = reverse("courses:lesson_progress", args=[lesson.pk])
    response = client.post(url, {"evidence": "read"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and response.json()["ok"] is False
    assert not LessonProgress.objects.exists()


def test_rich_text_is_sanitised_on_the_page(client, learner, course_factory):
    evil = (
        '<p>An toàn<script>alert(1)</script><a href="javascript:alert(2)">bấm</a>'
        '<img src="x" onerror="alert(3)"></p>'
    )
    course = course_factory(lessons=1, bodies=[[text_block(evil)]])
    client.post(reverse("courses:enrol", args=[course.pk]))
    html = client.get(lessons_of(course)[0].url).content.decode()
    assert "An toàn" in html
    assert "<script>alert" not in html and "javascript:" not in html and "onerror" not in html


def test_lesson_page_is_vietnamese_and_shows_a_new_version_at_once(client, learner, course_factory):
    course = course_factory(lessons=1, bodies=[[text_block("<p>Phiên bản một.</p>")]])
    lesson = lessons_of(course)[0]
    client.post(reverse("courses:enrol", args=[course.pk]))
    html = client.get(lesson.url).content.decode()
    assert "Phiên bản một." in html and "Tôi đã đọc xong bài này" in html
    lesson.body = [text_block("<p>Phiên bản hai.</p>")]
    lesson.save_revision().publish()
    html = client.get(lesson.url).content.decode()
    assert "Phiên bản hai." in html and "Phiên bản một." not in html
