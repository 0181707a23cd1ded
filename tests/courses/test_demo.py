"""The demo courses: real content, media made here, idempotent, light lesson pages."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.urls import reverse

from cms.models import Video
from courses import demo
from courses.models import CoursePage, LessonPage

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 150 * 1024  # bytes transferred for a lesson page, video excepted


class Out:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)


@pytest.fixture
def demo_loaded(home_page):
    demo.load(Out())
    return CoursePage.objects.live().order_by("path")


def test_demo_is_idempotent_and_complete(demo_loaded):
    counts = (CoursePage.objects.count(), LessonPage.objects.count(), Video.objects.count())
    out = Out()
    demo.load(out)
    assert (CoursePage.objects.count(), LessonPage.objects.count(), Video.objects.count()) == counts
    assert "0 created" in out.lines[-1]
    assert len(demo_loaded) >= 4
    for course in demo_loaded:
        lessons = list(LessonPage.objects.child_of(course).live())
        assert 4 <= len(lessons) <= 8, course.title
        kinds = {child["type"] for lesson in lessons for child in lesson.body.raw_data}
        assert {"text", "image", "video"} <= kinds, course.title
        assert course.search_key.strip() and course.audience_codes
    video = Video.objects.first()
    with video.captions.open("rb") as f:
        assert f.read(6) == b"WEBVTT"
    with video.file.open("rb") as f:
        head = f.read(12)
    assert head[4:8] == b"ftyp"
    assert video.file.size < 200 * 1024 and video.poster_id


def test_demo_search_without_diacritics(client, demo_loaded):
    catalogue = demo_loaded[0].get_parent()
    response = client.get(catalogue.url, {"q": "dich vu cong"})
    assert [c.title for c in response.context["courses"]] == ["VNeID và dịch vụ công trực tuyến"]


def transferred_size(html: str) -> int:
    """HTML + stylesheets + scripts + images the page loads (video and poster excepted)."""
    total = len(html.encode())
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    urls += re.findall(r'<script src="([^"]+)"', html)
    urls += re.findall(r'<img src="([^"]+)"', html)
    for url in urls:
        if url.startswith("/static/"):
            total += Path(finders.find(url.removeprefix("/static/"))).stat().st_size
        elif url.startswith("/media/"):
            total += default_storage.size(url.removeprefix("/media/"))
        else:
            raise AssertionError(f"unexpected asset {url}")
    return total


def test_demo_lesson_pages_stay_under_150_kb(client, user_factory, demo_loaded):
    client.force_login(user_factory())
    biggest = 0
    for course in demo_loaded:
        client.post(reverse("courses:enrol", args=[course.pk]))
        for lesson in LessonPage.objects.child_of(course).live():
            if course.sequential:
                continue  # later lessons are locked; the first ones are measured
            response = client.get(lesson.url)
            assert response.status_code == 200
            biggest = max(biggest, transferred_size(response.content.decode()))
    print(f"largest demo lesson page without its video: {biggest} bytes")
    assert 0 < biggest < PAGE_BUDGET
