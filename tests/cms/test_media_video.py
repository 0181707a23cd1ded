"""The rendition task: a real ffmpeg run on a tiny generated clip."""

import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cms import media, services
from cms.models import RenditionStatus, Video, VideoRendition
from cms.tasks import video_renditions_make

pytestmark = pytest.mark.django_db


def local_copy(field_file) -> Path:
    tmp = Path(tempfile.mkdtemp()) / Path(field_file.name).name
    with field_file.open("rb") as src:
        tmp.write_bytes(src.read())
    return tmp


def stream_log(path: Path) -> str:
    result = subprocess.run(
        [media.ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, check=False
    )
    return result.stderr.decode()


def test_task_makes_faststart_h264_aac_renditions_and_is_idempotent(
    clip_file, vtt_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        video = services.video_create(title="Thử", file=clip_file, captions=vtt_file)
    assert len(callbacks) == 1  # enqueued once, after commit
    assert video.duration_seconds == 2  # 1.5 s measured by ffmpeg, rounded up
    video.refresh_from_db()
    assert video.rendition_status == RenditionStatus.READY
    assert (video.width, video.height) == (320, 240)
    renditions = {r.quality: r for r in video.renditions.all()}
    assert set(renditions) == {"360p", "720p"}
    original = local_copy(video.file)
    # The source was written without faststart; the renditions have moov before mdat.
    assert not media.is_faststart(original)
    for quality, rendition in renditions.items():
        path = local_copy(rendition.file)
        atoms = media.top_level_atoms(path)
        assert atoms.index("moov") < atoms.index("mdat"), (quality, atoms)
        log = stream_log(path)
        assert "Video: h264" in log and "Audio: aac" in log
        assert rendition.height == 240  # never upscaled above the source
        assert rendition.size_bytes == path.stat().st_size > 0
        assert rendition.source_name == video.file.name

    # Running again (a retry, a duplicate message) changes nothing.
    before = sorted(VideoRendition.objects.values_list("pk", "file"))
    result = video_renditions_make.apply(args=[video.pk]).get()
    assert result == {"video": video.pk, "status": "ready", "made": []}
    assert sorted(VideoRendition.objects.values_list("pk", "file")) == before


def test_renditions_cap_at_their_height(django_capture_on_commit_callbacks):
    from tests.cms.conftest import _clip_bytes

    data = _clip_bytes(1.0, "1280x720", False)  # no audio track: still encodes
    with django_capture_on_commit_callbacks(execute=True):
        video = services.video_create(title="HD", file=ContentFile(data, name="hd.mp4"))
    heights = dict(video.renditions.values_list("quality", "height"))
    assert heights == {"360p": 360, "720p": 720}
    widths = dict(video.renditions.values_list("quality", "width"))
    assert widths == {"360p": 640, "720p": 1280}


def test_replacing_the_original_remakes_renditions_and_removes_old_files(
    clip_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        video = services.video_create(title="Thử", file=clip_file)
    old_files = list(video.renditions.values_list("file", flat=True))
    assert all(default_storage.exists(name) for name in old_files)
    video.file.save("clip-v2.mp4", ContentFile(clip_file.open("rb").read()), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.video_renditions_request(video=video)
    assert set(video.renditions.values_list("source_name", flat=True)) == {video.file.name}
    assert video.renditions.count() == 2
    assert not any(default_storage.exists(name) for name in old_files)


def rendition_files() -> set:
    folder = "videos/renditions"
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def test_unreadable_original_fails_cleanly_and_is_kept(django_capture_on_commit_callbacks):
    # Stored before this check existed (or by a script): an MP4 header, then garbage.
    junk = b"\x00\x00\x00\x18ftypmp42" + b"\x00garbage" * 500
    video = Video.objects.create(
        title="Hỏng", file=ContentFile(junk, name="hong.mp4"), duration_seconds=10
    )
    files_before = rendition_files()
    result = video_renditions_make.apply(args=[video.pk]).get()
    assert result["status"] == "failed"
    video.refresh_from_db()
    assert video.rendition_status == RenditionStatus.FAILED
    assert "Không đọc được video" in video.rendition_error
    assert "bản gốc vẫn được giữ nguyên" in video.rendition_error
    assert VideoRendition.objects.count() == 0
    assert rendition_files() == files_before  # nothing half-stored
    with video.file.open("rb") as fh:
        assert fh.read() == junk  # the original is untouched


def test_encode_failure_is_retried_with_backoff_then_recorded(clip_file, monkeypatch):
    video = Video.objects.create(title="Thử", file=clip_file, duration_seconds=2)
    calls = []

    def broken(source, target, quality):
        calls.append(quality)
        raise media.EncodeFailed(f"{quality}: disk full")

    monkeypatch.setattr(media, "make_rendition", broken)
    countdowns = []
    original_retry = video_renditions_make.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original_retry(*args, **kwargs)

    monkeypatch.setattr(video_renditions_make, "retry", spy)
    # Eager mode runs each retry at once; keep the final failure as the result, not raised.
    monkeypatch.setitem(video_renditions_make.app.conf, "task_eager_propagates", False)
    result = video_renditions_make.apply(args=[video.pk])
    assert result.state == "FAILURE"
    assert isinstance(result.result, media.EncodeFailed)
    # The first try plus max_retries, each after a doubling countdown.
    assert len(calls) == 1 + video_renditions_make.max_retries
    assert countdowns == [30, 60, 120, 240, 480]
    video.refresh_from_db()
    assert video.rendition_status == RenditionStatus.FAILED
    assert "disk full" in video.rendition_error
    assert VideoRendition.objects.count() == 0


def test_task_runs_on_the_media_queue():
    assert video_renditions_make.queue == "media"
    assert video_renditions_make.name == "cms.video_renditions_make"


def test_player_offers_the_small_rendition_first(client, add_video_page, clip_file):
    page = add_video_page()
    video = page.video
    video.file.save("real.mp4", clip_file, save=True)
    video_renditions_make.apply(args=[video.pk]).get()
    html = client.get(page.url).content.decode()
    sources = [line for line in html.splitlines() if "<source " in line]
    assert 'data-quality="360p"' in sources[0]
    assert 'data-quality="720p"' in sources[1]
    assert 'data-quality="original"' in sources[2]
    assert "360p (tiết kiệm dữ liệu)" in html
    assert "Đang chuẩn bị bản nhỏ hơn" not in html
