"""The demo media: real Vietnamese content, made here, loaded idempotently."""

import pytest
from wagtail.images.models import Image

from cms import demo
from cms.models import InfographicPage, NewsPage, Video, VideoPage

pytestmark = pytest.mark.django_db


def media_counts():
    return (
        InfographicPage.objects.live().count(),
        VideoPage.objects.live().count(),
        NewsPage.objects.live().count(),
        Video.objects.count(),
        Image.objects.count(),
    )


def test_demo_media_is_complete_and_idempotent(capsys):
    demo.load(None)
    counts = media_counts()
    assert counts[:4] == (4, 2, 3, 2)
    demo.load(None)
    assert media_counts() == counts
    for page in InfographicPage.objects.all():
        assert page.images.count() == 1 and len(page.images.first().alt_text) > 100
        assert page.get_workflow().name == demo.MEDIA_WORKFLOW_NAME
    for video in Video.objects.all():
        with video.captions.open("rb") as fh:
            vtt = fh.read().decode("utf-8")
        assert vtt.startswith("WEBVTT") and vtt.count("-->") == 3
        assert video.duration_seconds == 6 and video.poster_id
    assert {page.category.slug for page in NewsPage.objects.all()} == {"tin-tuc", "ban-tin"}


def test_demo_infographic_is_a_small_png():
    data = demo.draw_infographic("kich-hoat-vneid-muc-2")
    assert data.startswith(b"\x89PNG") and len(data) < 120_000
