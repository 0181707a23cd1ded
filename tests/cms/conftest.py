"""Fixtures of the media-library tests: a tiny real video, small images, the page tree."""

import functools
import io
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile


@functools.lru_cache(maxsize=4)
def _clip_bytes(seconds: float, size: str, audio: bool) -> bytes:
    """A real H.264/AAC MP4 made by the bundled ffmpeg (test pattern and a sine tone),
    written WITHOUT faststart (moov after mdat), like many phone and editor exports."""
    import tempfile
    from pathlib import Path

    from cms.media import ffmpeg_exe

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clip.mp4"
        argv = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size={size}:rate=10:duration={seconds}",
        ]
        if audio:
            argv += [
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={seconds}",
                "-c:a",
                "aac",
                "-b:a",
                "32k",
            ]
        argv += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                 "-t", str(seconds), str(out)]  # fmt: skip
        subprocess.run(argv, check=True, capture_output=True, timeout=60)
        return out.read_bytes()


@pytest.fixture
def clip_bytes():
    return _clip_bytes(1.5, "320x240", True)


@pytest.fixture
def clip_file(clip_bytes):
    return ContentFile(clip_bytes, name="clip.mp4")


VTT = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nXin chào, đây là phụ đề tiếng Việt.\n"


@pytest.fixture
def vtt_file():
    return ContentFile(VTT.encode("utf-8"), name="clip.vi.vtt")


def png_bytes(width=800, height=1000, colour=(11, 92, 173)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def make_image(db):
    from wagtail.images.models import Image

    def make(title="Ảnh thử", width=1200, height=1500):
        return Image.objects.create(
            title=title, file=ImageFile(io.BytesIO(png_bytes(width, height)), name="anh.png")
        )

    return make


@pytest.fixture
def media_tree(home_page):
    """The three library index pages under the home page, with the moderation workflow."""
    from cms.demo import _ensure_index, ensure_media_workflow
    from cms.models import InfographicIndexPage, NewsIndexPage, VideoIndexPage

    tree = {
        "home": home_page,
        "infographics": _ensure_index(home_page, InfographicIndexPage, "infographic",
                                      "Infographic kỹ năng số", "Mỗi hình một kỹ năng."),
        "videos": _ensure_index(home_page, VideoIndexPage, "video", "Video ngắn", ""),
        "news": _ensure_index(home_page, NewsIndexPage, "tin-tuc", "Tin tức", ""),
    }  # fmt: skip
    ensure_media_workflow([tree["infographics"], tree["videos"], tree["news"]])
    return tree


@pytest.fixture
def add_infographic(media_tree, make_image):
    from cms.models import InfographicImage, InfographicPage

    def add(
        title="5 dấu hiệu cuộc gọi lừa đảo",
        slug=None,
        tags=("Lừa đảo",),
        images=1,
        description="Nhận biết kẻ gian giả danh công an.",
        audience="",
    ):
        page = InfographicPage(
            title=title,
            slug=slug or f"ig-{InfographicPage.objects.count()}",
            description=description,
            audience=audience,
        )
        page.images = [
            InfographicImage(image=make_image(f"{title} {i}"), alt_text=f"Hình {i}: {title}")
            for i in range(images)
        ]
        page.tags.add(*tags)
        media_tree["infographics"].add_child(instance=page)
        page.save_revision().publish()
        return page

    return add  # fmt: skip


@pytest.fixture
def add_video_page(media_tree, make_image):
    from cms.models import Video, VideoPage

    def add(title="Cúp máy khi nghi lừa đảo", slug=None, transcript="Đừng chuyển tiền."):
        video = Video.objects.create(
            title=title,
            file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="v.mp4"),
            duration_seconds=30,
            transcript=transcript,
            poster=make_image(f"Bìa {title}"),
            captions=ContentFile(VTT.encode(), name="v.vtt"),
        )
        page = VideoPage(
            title=title,
            slug=slug or f"video-{VideoPage.objects.count()}",
            video=video,
            intro="Ba việc cần làm ngay.",
        )
        page.tags.add("Lừa đảo")
        media_tree["videos"].add_child(instance=page)
        page.save_revision().publish()
        return page

    return add  # fmt: skip


@pytest.fixture
def add_news(media_tree):
    from wagtail.rich_text import RichText

    from cms.models import NewsCategory, NewsPage

    def add(
        title="Ra quân Bình dân học vụ số",
        slug=None,
        category="tin-tuc",
        body="<p>Đăng ký dịch vụ công trực tuyến.</p>",
    ):
        cat, _ = NewsCategory.objects.get_or_create(
            slug=category, defaults={"name": "Tin tức" if category == "tin-tuc" else "Bản tin"}
        )
        page = NewsPage(
            title=title,
            slug=slug or f"tin-{NewsPage.objects.count()}",
            intro="Tin vắn.",
            category=cat,
            body=[("paragraph", RichText(body))],
        )
        media_tree["news"].add_child(instance=page)
        page.save_revision().publish()
        return page

    return add  # fmt: skip
