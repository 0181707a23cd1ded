"""A phone plays a library video with Vietnamese captions, the small rendition first."""

import pytest
from django.core.files.base import ContentFile

from tests.browser.test_learner_journey import _tap_sizes
from tests.cms.conftest import VTT

TAP_TARGETS = (
    ".filters a, .home-section > p > a, a.card-title, .video-quality, .transcript summary, select,"
    " .infographic-figure a"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def video_page(settings, clip_bytes):
    from cms import services
    from cms.demo import _ensure_index, ensure_home_page
    from cms.models import VideoIndexPage, VideoPage

    settings.ROOT_URLCONF = "tests.cms.media_urls"
    home = ensure_home_page()
    index = _ensure_index(home, VideoIndexPage, "video", "Video ngắn", "")
    # Committed at once (transactional test): the rendition task runs on commit, for real.
    video = services.video_create(
        title="Cúp máy khi nghi lừa đảo",
        file=ContentFile(clip_bytes, name="clip.mp4"),
        captions=ContentFile(VTT.encode("utf-8"), name="clip.vi.vtt"),
        transcript="Xin chào, đây là phụ đề tiếng Việt.",
    )
    assert video.renditions.count() == 2
    page = VideoPage(title=video.title, slug="cup-may", video=video, intro="Ba việc cần làm.")
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def emulate_network(page, *, latency_ms, bytes_per_second):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": bytes_per_second,
         "uploadThroughput": bytes_per_second},
    )  # fmt: skip


def test_phone_plays_the_small_rendition_with_captions(live_server, phone_page, video_page):
    # A weak mobile link (about 400 kbit/s): navigator.connection reports 3g.
    emulate_network(phone_page, latency_ms=300, bytes_per_second=50_000)
    phone_page.goto(live_server.url + video_page.url)
    video = phone_page.locator("video[data-video-id]")
    assert video.get_attribute("data-duration") == "2"
    assert phone_page.locator("[data-video-quality]").input_value() == "360p"
    assert "360p" in video.get_attribute("src")
    # No sideways scrolling on a 390 px phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # Muted, as a page may start playback itself; the viewer's tap needs no such rule.
    phone_page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; }")
    phone_page.evaluate("() => document.querySelector('video').play()")
    # A function, not an expression: Playwright polls an expression with the page's eval,
    # which the CSP refuses.
    phone_page.wait_for_function("() => document.querySelector('video').currentTime > 0.4")
    state = phone_page.evaluate(
        """() => {
            const v = document.querySelector('video');
            const t = v.textTracks[0];
            return {src: v.currentSrc, mode: t.mode, language: t.language,
                    trackReady: v.querySelector('track').readyState,
                    cues: t.cues ? t.cues.length : 0,
                    text: t.cues && t.cues.length ? t.cues[0].text : ''};
        }"""
    )  # fmt: skip
    assert "360p" in state["src"]
    assert state["mode"] == "showing" and state["language"] == "vi"
    assert state["trackReady"] == 2  # HTMLTrackElement.LOADED
    assert state["cues"] == 1 and "phụ đề tiếng Việt" in state["text"]


def test_media_pages_have_no_serious_accessibility_violations(
    live_server, phone_page, video_page, axe
):
    from cms.demo import _ensure_index
    from cms.models import InfographicImage, InfographicIndexPage, InfographicPage
    from tests.cms.conftest import png_bytes

    home = video_page.get_parent().get_parent()
    library = _ensure_index(home, InfographicIndexPage, "infographic", "Infographic", "")
    from cms.demo import _ensure_image

    image = _ensure_image("Mật khẩu", "mk.png", png_bytes(1000, 1250))
    infographic = InfographicPage(title="Mật khẩu an toàn", slug="mat-khau",
                                  description="Sáu thói quen.")  # fmt: skip
    infographic.images = [InfographicImage(image=image, alt_text="Sáu thói quen mật khẩu.")]
    library.add_child(instance=infographic)
    infographic.save_revision().publish()
    measured = {}
    for url in ("/", "/video/", video_page.url, "/infographic/", infographic.url,
                "/tim-kiem/?q=mat+khau"):  # fmt: skip
        phone_page.goto(live_server.url + url)
        assert axe(phone_page) == [], url
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, url
        # Tap targets of at least 44 px (walker finding 12): filters, "all …" links, card
        # titles, the video's quality select and transcript toggle, any select, the
        # infographic's "Tải bản gốc".
        sizes = _tap_sizes(phone_page, TAP_TARGETS)
        measured[url] = len(sizes)
        assert [s for s in sizes if s[2] < 44] == [], url
    phone_page.goto(live_server.url + "/")
    phone_page.keyboard.press("Tab")  # the skip link shows when focused
    assert [s[2] for s in _tap_sizes(phone_page, ".skip-link")][0] >= 44
    # Something was measured: the home page's sections, the video's quality and transcript.
    assert measured["/"] and measured[video_page.url] >= 2 and measured[infographic.url], measured


def test_fast_connection_gets_720p_and_the_viewer_can_switch(live_server, phone_page, video_page):
    emulate_network(phone_page, latency_ms=5, bytes_per_second=3_000_000)
    phone_page.goto(live_server.url + video_page.url)
    select = phone_page.locator("[data-video-quality]")
    assert select.input_value() == "720p"
    select.select_option("360p")
    assert "360p" in phone_page.locator("video").get_attribute("src")
    # The choice is remembered for the next video.
    phone_page.reload()
    assert phone_page.locator("[data-video-quality]").input_value() == "360p"
