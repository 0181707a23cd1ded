"""Bad uploads are refused with a Vietnamese message, and nothing is half-stored."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from cms.models import InfographicImage, InfographicPage, Video

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def admin_client(client, user_factory):
    admin = user_factory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def stored_originals():
    folder = "videos/originals"
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def post_video(admin_client, file_name, data, **extra):
    upload = SimpleUploadedFile(file_name, data, content_type="video/mp4")
    payload = {"title": "Video thử", "captions_language": "vi", "transcript": "", "file": upload}
    return admin_client.post(reverse("wagtailsnippets_cms_video:add"), {**payload, **extra})


def test_admin_upload_of_a_real_clip_measures_duration_and_queues_renditions(
    admin_client, clip_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_video(admin_client, "clip.mp4", clip_bytes)
    assert response.status_code == 302, response.content.decode()[-2000:]
    video = Video.objects.get()
    assert video.duration_seconds == 2 and (video.width, video.height) == (320, 240)
    assert len(callbacks) == 1  # the rendition task, after commit


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.mp4", b"Day la van ban, khong phai video.\n" * 50,
         "Tệp này không phải video"),
        ("broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x01junk" * 400,
         "Không đọc được video"),
        ("virus.exe", b"MZ\x90\x00" * 100, "Tệp này không phải video"),
    ],
)  # fmt: skip
def test_admin_refuses_what_is_not_a_readable_video(admin_client, name, data, message):
    before = stored_originals()
    response = post_video(admin_client, name, data, duration_seconds="30")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Video.objects.count() == 0
    assert stored_originals() == before  # nothing half-stored


def test_admin_refuses_an_oversized_video(admin_client, clip_bytes, settings):
    settings.HOCSO_VIDEO_MAX_UPLOAD_BYTES = 1000
    response = post_video(admin_client, "clip.mp4", clip_bytes)
    assert response.status_code == 200
    assert "Tệp video quá lớn" in response.content.decode()
    assert Video.objects.count() == 0


def test_captions_must_be_webvtt_in_utf8(admin_client, clip_bytes):
    bad = SimpleUploadedFile("sub.vtt", "1\n00:00:00,000 --> 00:00:01,000\nXin chào\n".encode())
    response = post_video(admin_client, "clip.mp4", clip_bytes, captions=bad)
    assert "Phụ đề phải là tệp WebVTT" in response.content.decode()
    latin = SimpleUploadedFile("sub.vtt", "WEBVTT\n\nXin chào".encode("utf-16"))
    response = post_video(admin_client, "clip.mp4", clip_bytes, captions=latin)
    assert "UTF-8" in response.content.decode()
    assert Video.objects.count() == 0


def image_upload(admin_client, name, data):
    from wagtail.images.models import Image

    before = Image.objects.count()
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {"title": "Ảnh", "file": SimpleUploadedFile(name, data)},
    )
    return response, Image.objects.count() - before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.svg", SVG, "Định dạng ảnh không được hỗ trợ"),
        ("anh.png", b"this is not a picture at all" * 20, "ảnh"),
    ],
)
def test_image_uploads_refuse_svg_and_non_images(admin_client, name, data, message):
    response, added = image_upload(admin_client, name, data)
    assert added == 0
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_real_png_is_accepted(admin_client):
    from tests.cms.conftest import png_bytes

    response, added = image_upload(admin_client, "anh.png", png_bytes(40, 40))
    assert added == 1, response.content.decode()[-1500:]


# --- Alt text ---------------------------------------------------------------------------


def test_infographic_image_needs_alt_text(make_image, add_infographic):
    page = add_infographic()
    item = InfographicImage(page=page, image=make_image(), alt_text="   ")
    with pytest.raises(Exception) as excinfo:
        item.full_clean()
    assert "Mỗi ảnh đều phải có mô tả" in str(excinfo.value)


def test_database_refuses_empty_alt_text(make_image, add_infographic):
    page = add_infographic()
    with pytest.raises(IntegrityError):
        InfographicImage.objects.create(page=page, image=make_image(), alt_text="")


def test_admin_page_form_refuses_an_image_without_alt_text(make_image, media_tree):
    image = make_image()
    parent = media_tree["infographics"]
    form_class = InfographicPage.get_edit_handler().get_form_class()
    base = {
        "title": "Mật khẩu an toàn", "slug": "mat-khau", "description": "Sáu thói quen.",
        "audience": "", "tags": "",
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "1", "images-MAX_NUM_FORMS": "1000",
        "images-0-image": str(image.pk), "images-0-caption": "", "images-0-ORDER": "1",
    }  # fmt: skip
    form = form_class(
        data={**base, "images-0-alt_text": ""}, instance=InfographicPage(), parent_page=parent
    )
    assert not form.is_valid()
    assert form.formsets["images"].errors[0]["alt_text"]
    form = form_class(data={**base, "images-0-alt_text": "Sáu thói quen mật khẩu."},
                      instance=InfographicPage(), parent_page=parent)  # fmt: skip
    assert form.is_valid(), form.errors


def test_figure_block_needs_alt_text(make_image):
    from wagtail.blocks.struct_block import StructBlockValidationError

    from cms.blocks import FigureBlock

    block = FigureBlock()
    value = block.to_python({"image": make_image().pk, "alt_text": " ", "caption": ""})
    with pytest.raises(StructBlockValidationError):
        block.clean(value)
    ok = block.to_python({"image": make_image().pk, "alt_text": "Mã QR", "caption": ""})
    assert block.clean(ok)["alt_text"] == "Mã QR"


def test_a_real_video_with_a_wrong_extension_is_refused_by_name(admin_client, clip_bytes):
    response = post_video(admin_client, "clip.exe", clip_bytes)
    assert "Không cho phép tệp có phần mở rộng “exe”" in response.content.decode()
    assert Video.objects.count() == 0
