"""Catalogue search ignores diacritics and case; filters by audience, topic and level."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from courses.models import CoursePage

pytestmark = pytest.mark.django_db


def titles(client, catalogue, **params):
    response = client.get(catalogue.url, params)
    assert response.status_code == 200
    return {c.title for c in response.context["courses"]}


@pytest.fixture
def courses(course_factory):
    return {
        "ky": course_factory(
            lessons=0, title="Kỹ năng số cho mọi người", audiences=("citizens", "pupils"),
            topic="smartphone_internet", level="basic",
        ),
        "dvc": course_factory(
            lessons=0, title="Đăng ký dịch vụ công trực tuyến", audiences=("civil_servants",),
            topic="public_services", level="intermediate",
        ),
        "scam": course_factory(
            lessons=0, title="Nhận biết lừa đảo qua điện thoại", audiences=("citizens",),
            topic="online_safety", level="basic", summary="Bảo vệ dữ liệu cá nhân.",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ky nang so", {"Kỹ năng số cho mọi người"}),
        ("KỸ NĂNG SỐ", {"Kỹ năng số cho mọi người"}),
        ("dang ky dich vu cong", {"Đăng ký dịch vụ công trực tuyến"}),
        ("ĐĂNG KÝ", {"Đăng ký dịch vụ công trực tuyến"}),
        ("du lieu ca nhan", {"Nhận biết lừa đảo qua điện thoại"}),  # matches the summary
        ("lua dao", {"Nhận biết lừa đảo qua điện thoại"}),
        ("khong co khoa nay", set()),
    ],
)
def test_search_ignores_diacritics_and_case(client, catalogue, courses, query, expected):
    assert titles(client, catalogue, q=query) == expected


def test_filters(client, catalogue, courses):
    assert titles(client, catalogue, audience="citizens") == {
        "Kỹ năng số cho mọi người", "Nhận biết lừa đảo qua điện thoại"}  # fmt: skip
    assert titles(client, catalogue, topic="public_services") == {"Đăng ký dịch vụ công trực tuyến"}
    assert titles(client, catalogue, level="basic", audience="pupils") == {
        "Kỹ năng số cho mọi người"
    }
    # Unknown filter values are ignored, not errors.
    assert len(titles(client, catalogue, level="<script>", audience="x")) == 3


def test_catalogue_url_redirects_to_the_catalogue_page(client, catalogue, courses):
    response = client.get(reverse("courses:catalogue"), {"q": "ky nang"})
    assert response.status_code == 302 and response["Location"].startswith(catalogue.url)
    assert "q=ky+nang" in response["Location"]


def test_search_key_is_rebuilt_when_an_editor_renames_a_course(client, catalogue, courses):
    course = CoursePage.objects.get(pk=courses["ky"].pk)
    course.title = "Làm quen điện thoại thông minh"
    course.save_revision().publish()
    assert titles(client, catalogue, q="dien thoai thong minh") == {
        "Làm quen điện thoại thông minh"
    }


def test_featured_courses_tag(courses):
    CoursePage.objects.filter(pk=courses["scam"].pk).update(featured=True)
    out = Template(
        "{% load courses_tags %}{% featured_courses 2 as items %}"
        "{% for c in items %}[{{ c.title }}]{% endfor %}"
    ).render(Context({}))
    assert out.startswith("[Nhận biết lừa đảo qua điện thoại]") and out.count("[") == 2
