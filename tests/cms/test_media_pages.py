"""Each media page type renders in Vietnamese, with its listing, filters and renditions."""

import re

import pytest

from tests.cms.pages import html_of

pytestmark = pytest.mark.django_db


def test_infographic_index_lists_with_webp_srcset_and_topic_filter(client, add_infographic):
    add_infographic(title="5 dấu hiệu cuộc gọi lừa đảo", tags=("Lừa đảo",))
    add_infographic(title="Mật khẩu an toàn", tags=("Mật khẩu",))
    html = html_of(client.get("/infographic/"))
    assert "5 dấu hiệu cuộc gọi lừa đảo" in html and "Mật khẩu an toàn" in html
    # Responsive WebP renditions: 320, 640 and 960 px, the smallest as the fallback src, and
    # a `sizes` that makes a 390 px phone pick a small one (cards are two to a row).
    img = re.search(r"<img [^>]*srcset=\"([^\"]+)\"[^>]*>", html)
    assert img, html
    assert re.findall(r"\.format-webp\.webp (\d+)w", img.group(1)) == ["320", "640", "960"]
    assert re.search(r'src="[^"]+width-320\.format-webp\.webp"', img.group(0))
    assert 'sizes="(min-width: 48rem) 18rem, 45vw"' in img.group(0)
    assert 'alt="Hình 0: 5 dấu hiệu cuộc gọi lừa đảo"' in html
    assert "Tất cả chủ đề" in html  # the topic filter, in Vietnamese
    slug = re.search(r'href="\?chu-de=([^"]+)"[^>]*>Mật khẩu<', html).group(1)
    filtered = html_of(client.get(f"/infographic/?chu-de={slug}"))
    assert "Mật khẩu an toàn" in filtered
    assert "5 dấu hiệu cuộc gọi lừa đảo" not in filtered


def test_infographic_page_has_alt_text_download_and_share_card(client, add_infographic):
    page = add_infographic(images=2)
    html = html_of(client.get(page.url))
    assert html.count('alt="Hình ') == 2
    assert re.search(r'<a class="button" href="/media/original_images/[^"]+\.png" download>', html)
    assert "Tải bản gốc" in html
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert og.startswith("http://testserver/media/images/") and "fill-1200x630" in og
    assert og.endswith(".jpg")  # JPEG: every social network reads it
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:title" content="5 dấu hiệu cuộc gọi lừa đảo">' in html


def test_video_index_and_video_page(client, add_video_page):
    page = add_video_page()
    html = html_of(client.get("/video/"))
    assert "Cúp máy khi nghi lừa đảo" in html and "30 giây" in html
    html = html_of(client.get(page.url))
    video_tag = re.search(r"<video [^>]*>", html).group(0)
    assert f'data-video-id="{page.video_id}"' in video_tag
    assert 'data-duration="30"' in video_tag
    assert 'preload="none"' in video_tag
    assert re.search(
        r'<track kind="captions" src="[^"]+\.vtt" srclang="vi" label="Tiếng Việt"', html
    )
    assert "Bản ghi lời" in html and "Đừng chuyển tiền." in html
    # No rendition yet: only the original is offered, and the page says versions are coming.
    assert "Đang chuẩn bị bản nhỏ hơn" in html


def test_news_index_filters_by_category_and_article_renders(client, add_news):
    add_news(title="Ra quân Bình dân học vụ số", category="tin-tuc")
    evil = '<p>Học <script>alert(1)</script><a href="javascript:x()">x</a></p>'
    bulletin = add_news(title="Bản tin số 1", category="ban-tin", body=evil)
    html = html_of(client.get("/tin-tuc/"))
    assert "Ra quân Bình dân học vụ số" in html and "Bản tin số 1" in html
    filtered = html_of(client.get("/tin-tuc/?loai=ban-tin"))
    assert "Bản tin số 1" in filtered and "Ra quân Bình dân học vụ số" not in filtered
    article = html_of(client.get(bulletin.url))
    assert "Bản tin" in article
    assert "<script>alert" not in article and "javascript:" not in article


def test_home_page_shows_latest_media(client, add_infographic, add_video_page, add_news):
    add_infographic(title="Thanh toán bằng mã QR")
    add_video_page(title="Quét mã QR an toàn")
    add_news(title="Bản tin tuần")
    html = html_of(client.get("/"))
    for text in ("Thanh toán bằng mã QR", "Quét mã QR an toàn", "Bản tin tuần",
                 "Tất cả infographic", "Tất cả video", "Tất cả tin tức"):  # fmt: skip
        assert text in html


def test_home_page_loads_the_campaign_counters_through_their_template_tag(client, home_page):
    from django.template import engines

    libraries = engines["django"].engine.template_libraries
    html = html_of(client.get("/"))
    if "campaign_stats" in libraries:
        assert "Người học" in html and "Đơn vị đạt chỉ tiêu" in html
    else:
        assert "Người học" not in html


def test_cms_imports_no_higher_floor():
    """cms is the ground floor: its Python never imports campaigns, courses or assessments."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "cms"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"^\s*(from|import) (campaigns|courses|assessments)\b", text, re.M):
            offenders.append(str(path))
    assert offenders == []
