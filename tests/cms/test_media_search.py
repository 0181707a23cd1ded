"""Site search: courses, infographics, videos and news, ignoring diacritics and case."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def titles(client, query, **params):
    response = client.get(reverse("cms:search"), {"q": query, **params})
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'<a class="card-title" href="[^"]+">([^<]+)</a>', html), html


@pytest.fixture
def content(add_infographic, add_video_page, add_news):
    add_infographic(title="Kỹ năng số cho người cao tuổi", slug="ky-nang-so",
                    description="Dùng điện thoại thông minh an toàn.")  # fmt: skip
    add_video_page(title="Quét mã QR", slug="qr", transcript="Kiểm tra số tiền trước khi trả.")
    add_news(title="Hướng dẫn đăng ký dịch vụ công", slug="dvc",
             body="<p>Đăng ký tài khoản định danh điện tử.</p>")  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kỹ năng số", ["Kỹ năng số cho người cao tuổi"]),
        ("ky nang so", ["Kỹ năng số cho người cao tuổi"]),
        ("KY NANG SO", ["Kỹ năng số cho người cao tuổi"]),
        ("dang ky dich vu cong", ["Hướng dẫn đăng ký dịch vụ công"]),
        ("đăng ký dịch vụ công", ["Hướng dẫn đăng ký dịch vụ công"]),
        ("dinh danh", ["Hướng dẫn đăng ký dịch vụ công"]),  # from the article body
        ("so tien", ["Quét mã QR"]),  # from the video's transcript
        ("dien thoai", ["Kỹ năng số cho người cao tuổi"]),  # from the description
    ],
)
def test_search_ignores_diacritics_and_case(client, content, query, expected):
    found, html = titles(client, query)
    assert found == expected
    assert "kết quả cho" in html


def test_search_can_narrow_to_one_kind(client, content, add_infographic):
    add_infographic(title="Thanh toán QR an toàn", slug="qr-ig", description="Quét mã.")
    both, _ = titles(client, "qr")
    assert sorted(both) == ["Quét mã QR", "Thanh toán QR an toàn"]
    only_videos, _ = titles(client, "qr", loai="video")
    assert only_videos == ["Quét mã QR"]


def test_search_finds_nothing_politely_and_skips_drafts(client, content, add_news):
    draft = add_news(title="Tin nháp về kỹ năng số", slug="nhap")
    draft.unpublish()
    found, html = titles(client, "tin nhap")
    assert found == []
    assert "Không tìm thấy kết quả" in html
    found, html = titles(client, "   ")
    assert found == [] and "Không tìm thấy" not in html


def test_every_media_page_type_has_the_folded_search_field():
    from wagtail.search import index

    from cms.models import InfographicPage, NewsPage, VideoPage

    for model in (InfographicPage, VideoPage, NewsPage):
        names = [
            f.field_name for f in model.get_search_fields() if isinstance(f, index.SearchField)
        ]
        assert "search_folded" in names, model


def test_search_finds_courses_through_their_folded_key(client, home_page, content):
    """Courses are found by the same search: CoursePage indexes its folded `search_key`."""
    courses_models = pytest.importorskip("courses.models")
    index = courses_models.CourseIndexPage(title="Khoá học", slug="khoa-hoc")
    home_page.add_child(instance=index)
    index.save_revision().publish()
    course = courses_models.CoursePage(
        title="Kỹ năng số cơ bản", slug="ky-nang-so-co-ban", topic="smartphone_internet",
        summary="Dùng điện thoại thông minh và Internet an toàn.",
    )  # fmt: skip
    course.audience_links = [courses_models.CourseAudience(audience="citizens")]
    index.add_child(instance=course)
    course.save_revision().publish()
    found, _ = titles(client, "ky nang so")
    assert sorted(found) == ["Kỹ năng số cho người cao tuổi", "Kỹ năng số cơ bản"]
    only_courses, _ = titles(client, "ky nang so", loai="khoa-hoc")
    assert only_courses == ["Kỹ năng số cơ bản"]
