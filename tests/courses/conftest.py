"""Fixtures of the courses tests: a catalogue and a course factory with real Wagtail pages
(tests/factories.py's `catalogue` and `course`), and lesson body blocks."""

import functools
import uuid

import pytest

from tests import factories
from tests.factories import lessons_of, text_block  # noqa: F401 - imported from here by tests


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
    return factories.catalogue(home_page)


@pytest.fixture
def course_factory(catalogue):
    """course_factory(lessons=3, title=None, bodies=None, audiences=("citizens",),
    publish=True, **fields): factories.course in the catalogue."""
    return functools.partial(factories.course, parent=catalogue)


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
