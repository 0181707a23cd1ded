"""The demo courses: real content, media made here, idempotent, light lesson pages; the
SCORM practice and the optional essay of the cashless course."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.urls import reverse

from assessments import demo as quiz_demo
from assessments.h5p import storage
from assessments.models import Question, Quiz
from assessments.scorm import demo as scorm_demo
from assessments.scorm.models import ScormPackage
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


# --- The SCORM practice and the essay (the lower floors' demo activities placed here) -------


def test_demo_scorm_package_is_deterministic_and_passes_package_check(tmp_path):
    from django.core.management import call_command

    data = scorm_demo.build_package()
    assert data == scorm_demo.build_package()
    path = tmp_path / scorm_demo.DEMO_FILENAME
    path.write_bytes(data)
    out = io.StringIO()
    call_command("package_check", str(path), stdout=out)
    assert out.getvalue().strip() == "ok scorm2004 Thực hành: quét mã QR an toàn"


def _load_with_activities(out=None):
    out = out or Out()
    quiz_demo.load(out)
    scorm_demo.load(out)
    demo.load(out)
    return out


@pytest.fixture
def activities_loaded(home_page, settings, tmp_path):
    """The quizzes (with the essay) and the SCORM package through the real services, then
    the courses; package storage in a temporary folder."""
    settings.H5P_STORAGE_ROOT = tmp_path / "private"
    return _load_with_activities()


def _block(lesson, kind) -> dict:
    [block] = [child for child in lesson.body.raw_data if child["type"] == kind]
    return block


def test_demo_scorm_lesson_plays_a_ready_package_and_renders(client, user_factory,
                                                              activities_loaded):  # fmt: skip
    course = CoursePage.objects.get(slug=demo.SCORM_COURSE)
    lessons = list(LessonPage.objects.child_of(course))
    # The practice comes before the final quiz; the optional essay after it.
    assert [x.slug for x in lessons[-3:]] == [
        demo.SCORM_LESSON_SLUG, demo.FINAL_QUIZ_SLUG, demo.ESSAY_LESSON_SLUG,
    ]  # fmt: skip
    lesson = lessons[-3]
    block = _block(lesson, "scorm")
    assert block["value"]["required"] and lesson.completion_mode == "activities"
    package = ScormPackage.objects.get(pk=block["value"]["package"])
    assert package.status == ScormPackage.Status.READY, package.error_messages
    assert (package.version, package.edition) == ("scorm2004", "2004 4th Edition")
    assert [(i["identifier"], i["href"]) for i in package.sco_items] == [("item-qr", "index.html")]
    extracted = storage.content_path(package.archive_sha256)
    assert "API_1484_11" in (extracted / "sco.js").read_text(encoding="utf-8")
    assert 'lang="vi"' in (extracted / "index.html").read_text(encoding="utf-8")

    client.force_login(user_factory())
    client.post(reverse("courses:enrol", args=[course.pk]))
    response = client.get(lesson.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-scorm-activity" in html and "Thực hành: quét mã QR an toàn" in html
    assert "Bắt buộc: hoàn thành hoạt động này để kết thúc bài học." in html
    assert "đọc tình huống, chọn câu trả lời" in html


def test_demo_essay_lesson_is_optional_and_holds_one_essay(client, user_factory,
                                                           activities_loaded):  # fmt: skip
    course = CoursePage.objects.get(slug=demo.ESSAY_COURSE)
    lesson = LessonPage.objects.child_of(course).get(slug=demo.ESSAY_LESSON_SLUG)
    block = _block(lesson, "quiz")
    assert not lesson.required and not block["value"]["required"]
    assert lesson.completion_mode == "read"
    quiz = Quiz.objects.get(pk=block["value"]["quiz"], slug=quiz_demo.ESSAY_QUIZ_SLUG)
    [essay] = Question.objects.filter(category__quiz_slots__quiz=quiz)
    assert (essay.qtype, essay.points, essay.min_words, essay.max_words) == ("essay", 3, 20, 300)
    assert essay.grader_info.startswith("Mỗi điều kiểm tra đúng được 1 điểm")
    client.force_login(user_factory())
    client.post(reverse("courses:enrol", args=[course.pk]))
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert "Bài viết: thanh toán an toàn" in response.content.decode()


def test_demo_activities_load_idempotently(activities_loaded):
    def counts():
        ready = ScormPackage.objects.filter(status="ready").count()
        return (ScormPackage.objects.count(), Quiz.objects.count(), Question.objects.count(),
                LessonPage.objects.count(), ready)  # fmt: skip

    before = counts()
    assert before[0] == before[4] == 1
    package = scorm_demo.demo_package()
    out = _load_with_activities()
    assert counts() == before
    assert any("unchanged" in line for line in out.lines)
    again = scorm_demo.demo_package()
    assert (again.pk, again.archive_sha256, again.updated_at) == (
        package.pk, package.archive_sha256, package.updated_at,
    )  # fmt: skip
