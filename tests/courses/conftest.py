"""Fixtures of the courses tests: a catalogue and a course factory with real Wagtail pages."""

import uuid

import pytest

from courses.models import CourseAudience, CourseIndexPage, CoursePage, LessonPage


def text_block(html="<p>Nội dung bài học.</p>"):
    return {"type": "text", "value": html, "id": str(uuid.uuid4())}


def activity_block(kind="quiz", required=True, block_id=None):
    value = {"quiz": None, "required": required} if kind == "quiz" else {
        "package": None, "pass_percent": 60, "required": required}  # fmt: skip
    return {"type": kind, "value": value, "id": block_id or str(uuid.uuid4())}


def video_block(video, block_id=None):
    return {
        "type": "video",
        "value": {"video": video.pk, "embed_url": "", "caption": "Video minh hoạ"},
        "id": block_id or str(uuid.uuid4()),
    }


@pytest.fixture
def catalogue(home_page):
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(title="Khoá học", slug="khoa-hoc")
        home_page.add_child(instance=index)
        index.save_revision().publish()
    return index


@pytest.fixture
def course_factory(catalogue):
    counter = iter(range(1, 10**6))

    def make(*, lessons=3, title=None, bodies=None, audiences=("citizens",), publish=True,
             **fields) -> CoursePage:  # fmt: skip
        n = next(counter)
        course = CoursePage(
            title=title or f"Khoá học thử {n}",
            slug=f"khoa-hoc-thu-{n}-{uuid.uuid4().hex[:4]}",
            summary=fields.pop("summary", "Tóm tắt khoá học."),
            topic=fields.pop("topic", "smartphone_internet"),
            **fields,
        )
        course.audience_links = [CourseAudience(audience=a) for a in audiences]
        catalogue.add_child(instance=course)
        if publish:
            course.save_revision().publish()
        for i in range(lessons):
            body = bodies[i] if bodies and i < len(bodies) else [text_block()]
            lesson = LessonPage(title=f"Bài {i + 1}", slug=f"bai-{i + 1}", body=body)
            course.add_child(instance=lesson)  # live=True by default: no revision needed
        return course

    return make


def lessons_of(course):
    return list(LessonPage.objects.child_of(course).order_by("path"))


def make_image(title="Ảnh minh hoạ", size=(64, 36), color=(30, 90, 160)):
    """A real (tiny) PNG as a Wagtail image."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{uuid.uuid4().hex[:8]}.png")
    )


def image_block(image, alt="Sơ đồ các bước"):
    return {
        "type": "image",
        "value": {
            "image": image.pk,
            "alt_text": alt,
            "caption": "Chú thích",
            "allow_download": True,
        },
        "id": str(uuid.uuid4()),
    }
