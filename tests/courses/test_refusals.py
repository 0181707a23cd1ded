"""One refusal type (cms.errors.Refused) answered one way: the courses and H5P refusals are
Refused with the same argument order, as JSON for scripts and as the refusal page otherwise."""

import json

import pytest
from django.http import HttpResponse
from django.urls import reverse

from assessments.h5p.services import H5PRefused
from cms.errors import Refused, answers_refusals, refused_response
from courses.services import ProgressRefused
from tests.courses.conftest import lessons_of

pytestmark = pytest.mark.django_db


def test_app_refusals_share_the_base_and_its_argument_order():
    for cls, status in ((ProgressRefused, 403), (H5PRefused, 400)):
        refused = cls("Không được", code="x")
        assert isinstance(refused, Refused)
        assert (refused.message, refused.code, refused.status) == ("Không được", "x", status)
        assert cls("m", code="c", status=409).status == 409


def test_one_json_shape_and_the_subclass_page(rf):
    request = rf.post("/", HTTP_ACCEPT="application/json")
    response = refused_response(request, H5PRefused("Quá nhiều", code="rate", status=429))
    assert response.status_code == 429
    assert json.loads(response.content) == {"ok": False, "error": "Quá nhiều", "code": "rate"}
    page = refused_response(rf.get("/"), ProgressRefused("Chưa mở", code="locked"))
    assert page.status_code == 403 and page.template_name == "courses/refused.html"


def test_the_decorator_answers_what_the_view_raises(rf):
    @answers_refusals(as_json=True)
    def view(request):
        raise Refused("Không thể", code="nope", status=409)

    response = view(rf.post("/"))
    assert response.status_code == 409 and json.loads(response.content)["code"] == "nope"

    @answers_refusals
    def fine(request):
        return HttpResponse("ok")

    assert fine(rf.get("/")).content == b"ok"
    page = refused_response(rf.get("/"), Refused("Không thể", code="nope"))
    page.render()
    assert page.status_code == 400 and "Không thể" in page.content.decode()


def test_lesson_refusals_read_the_same_as_json_and_page(client, user_factory, course_factory):
    course = course_factory(lessons=1)
    lesson = lessons_of(course)[0]
    client.force_login(user_factory())
    page = client.get(lesson.url)
    assert page.status_code == 403 and f'href="{course.url}"' in page.content.decode()
    answer = client.post(
        reverse("courses:lesson_progress", args=[lesson.pk]),
        {"evidence": "read"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 403
    assert answer.json()["ok"] is False and answer.json()["code"] == "not_enrolled"
