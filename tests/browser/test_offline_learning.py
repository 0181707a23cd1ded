"""Learning without a signal (issue 21), on a phone in Chromium: download a course, switch
the network off (Playwright's offline mode), open each lesson, watch the video, read to the
end; switch the network on: the progress syncs and the course is completed on the server; a
replay of the sync changes nothing; logging out leaves nothing in the caches. And: manager
pages, the admin, account pages and another person's pages are never in a cache.
Screenshots: /tmp/h-offline-*.png."""

import io
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_started

from courses.models import CoursePage, Enrolment
from courses.offline.models import OfflineEvent
from courses.services import enrolment_create
from tests import factories
from tests.conftest import browser_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hoc-tap-so-2026!"
SHOTS = "/tmp/h-offline-{}.png"


def _pdf() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 700), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def make_course(home_page) -> CoursePage:
    from django.core.files.images import ImageFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    from cms import services
    from tests.cms.conftest import _clip_bytes

    # A transactional test before this one flushed the root collection its migration made.
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")

    image = get_image_model().objects.create(
        title="Các bước nộp hồ sơ", file=ImageFile(io.BytesIO(_png()), name="buoc.png")
    )
    document = get_document_model().objects.create(
        title="Hướng dẫn nộp hồ sơ", file=ContentFile(_pdf(), name="huong-dan.pdf")
    )
    # A real 3-second H.264 clip; its 360p and 720p renditions are made on commit.
    video = services.video_create(
        title="Nộp hồ sơ trên điện thoại",
        file=ContentFile(_clip_bytes(3.0, "320x240", True), name="nop-ho-so.mp4"),
    )
    assert video.renditions.filter(quality="360p").exists()
    block = str(uuid.uuid4())
    bodies = [
        [
            {"type": "text", "id": str(uuid.uuid4()),
             "value": "<p>Tài khoản VNeID mức 2 dùng để nộp hồ sơ trực tuyến.</p>"},
            {"type": "image", "id": str(uuid.uuid4()),
             "value": {"image": image.pk, "alt_text": "Ba bước nộp hồ sơ", "caption": "",
                       "allow_download": False}},
        ],
        [
            {"type": "text", "id": str(uuid.uuid4()), "value": "<p>Xem video ngắn.</p>"},
            {"type": "video", "id": block,
             "value": {"video": video.pk, "embed_url": "", "caption": ""}},
        ],
        [
            {"type": "text", "id": str(uuid.uuid4()),
             "value": "<p>Tra cứu tình trạng hồ sơ bằng mã hồ sơ.</p>"},
            {"type": "document", "id": str(uuid.uuid4()),
             "value": {"document": document.pk, "title": "Hướng dẫn (PDF)"}},
            {"type": "quiz", "id": str(uuid.uuid4()), "value": {"quiz": None, "required": False}},
        ],
    ]  # fmt: skip
    return factories.course(
        title="Dịch vụ công trực tuyến",
        slug="dich-vu-cong-truc-tuyen",
        sequential=True,
        summary="Ba bài ngắn, học được cả khi không có mạng.",
        parent=factories.catalogue(home_page),
        lessons=["Tài khoản định danh điện tử", "Video: nộp hồ sơ", "Theo dõi hồ sơ"],
        bodies=bodies,
        publish_lessons=True,
    )


@pytest.fixture
def offline_world(live_server, settings, home_page, user_factory):
    # /media/ served from the test storage, with byte ranges (video).
    settings.ROOT_URLCONF = "tests.cms.media_urls"
    # The test storage has no files on disk: documents redirect to /media/ (as with S3).
    settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
    port = urlsplit(live_server.url).port
    settings.APP_ORIGIN = f"http://localhost:{port}"
    course = make_course(home_page)
    learner = user_factory(email="mai@example.vn", full_name="Lò Thị Mai", password=PASSWORD)
    enrolment_create(user=learner, course=course, source=Enrolment.Source.SELF)
    return {"app": live_server.url, "course": course, "learner": learner}


def log_in(page, client, user, app):
    """The person's session in the browser, and only theirs (a person switch on one phone)."""
    client.logout()
    page.context.clear_cookies()
    browser_log_in(page, user, app, client=client)


def cache_urls(page) -> dict:
    return page.evaluate(
        """async () => { const out = {};
            for (const name of await caches.keys()) {
              const c = await caches.open(name);
              out[name] = (await c.keys()).map(r => new URL(r.url).pathname); }
            return out; }"""
    )


def download(page, *, with_video=True):
    box = page.get_by_test_id("offline-download")
    button = box.get_by_role("button", name="Tải về để học khi không có mạng")
    button.wait_for()
    if with_video:
        box.get_by_label("Kèm video (360p)", exact=False).check()
    button.click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=offline-download]')"
        ".getAttribute('data-downloaded') === '1'"
    )
    return box


class RequestCounter:
    """Requests that reach the live server (same process) while the phone is offline."""

    def __init__(self):
        self.paths = []

    def __call__(self, environ=None, **kwargs):
        self.paths.append((environ or {}).get("PATH_INFO"))


def test_download_learn_offline_sync_and_log_out(offline_world, phone_page, axe, client):
    page, app, course = phone_page, offline_world["app"], offline_world["course"]
    learner = offline_world["learner"]
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sync_bodies = []
    page.on(
        "request",
        lambda r: (
            sync_bodies.append(r.post_data) if r.url.endswith("/hoc/ngoai-tuyen/dong-bo/") else None
        ),
    )
    log_in(page, client, learner, app)
    page.goto(app + course.url)
    # The service worker controls the pages from here on.
    page.evaluate("async () => { await navigator.serviceWorker.ready; return true; }")

    # The download box: sizes before downloading, the video optional with its size.
    box = page.get_by_test_id("offline-download")
    box.get_by_role("button", name="Tải về để học khi không có mạng").wait_for()
    text = box.inner_text()
    assert "Học khi không có mạng" in text
    assert "Bài học, hình ảnh và tài liệu: khoảng" in text and "Kèm video (360p):" in text
    page.screenshot(path=SHOTS.format("1-course-before"), full_page=True)
    assert axe(page) == []
    download(page, with_video=True)
    assert "Đã tải về ·" in box.get_by_test_id("offline-status").inner_text()
    assert box.get_by_role("button", name="Xoá bản tải về").is_visible()
    page.screenshot(path=SHOTS.format("2-course-downloaded"), full_page=True)
    stored = cache_urls(page)
    lessons = factories.lessons_of(course)
    assert {course.url, *[x.url for x in lessons]} == set(stored["hocso-pages"])
    assert any(u.endswith(".mp4") and "360" in u for u in stored["hocso-media"]), stored
    assert not any("720" in u for u in stored["hocso-media"])

    # "Học tập của tôi" marks the downloaded course and the space it uses.
    page.get_by_role("link", name="Học tập của tôi").click()
    page.get_by_test_id("offline-badge").wait_for()
    assert "Đã tải về" in page.get_by_test_id("offline-badge").inner_text()
    assert "trên máy này" in page.get_by_test_id("offline-space").inner_text()
    page.screenshot(path=SHOTS.format("3-my-learning"), full_page=True)

    # No network from here: not one request reaches the server.
    counter = RequestCounter()
    request_started.connect(counter)
    try:
        page.context.set_offline(True)
        page.goto(app + lessons[0].url)
        assert page.get_by_test_id("lesson-number").inner_text() == "Bài 1/3"
        assert "không có mạng" in page.get_by_test_id("offline-banner").inner_text()
        page.locator("figure.lesson-image img").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => document.querySelector('figure.lesson-image img').naturalWidth > 0"
        )
        page.get_by_role("button", name="Tôi đã đọc xong bài này").click()
        assert "Đã ghi lại trên máy" in page.get_by_test_id("offline-saved").inner_text()
        page.screenshot(path=SHOTS.format("4-offline-lesson-read"), full_page=True)
        assert axe(page) == []

        page.locator(".lesson-nav a[rel=next]").click()
        assert page.get_by_test_id("lesson-number").inner_text() == "Bài 2/3"
        # The stored 360p copy is what plays offline (the player may have chosen 720p).
        page.wait_for_function(
            "() => (document.querySelector('video').getAttribute('src') || '').includes('360p')"
        )
        page.evaluate(
            "() => { const v = document.querySelector('video'); v.muted = true; v.play(); }"
        )
        page.wait_for_function(
            "() => document.querySelector('.lesson-video')"
            ".getAttribute('data-offline-watched') === '1'",
            timeout=20000,
        )
        assert "360" in page.evaluate("() => document.querySelector('video').currentSrc")
        assert page.locator("[data-video-quality]").input_value() == "360p"
        assert "Đã xem xong video" in page.locator(".video-status").inner_text()
        page.screenshot(path=SHOTS.format("5-offline-video"), full_page=True)

        page.locator(".lesson-nav a[rel=next]").click()
        assert page.get_by_test_id("lesson-number").inner_text() == "Bài 3/3"
        assert "cần có mạng" in page.get_by_test_id("needs-network").inner_text()
        page.get_by_role("button", name="Tôi đã đọc xong bài này").click()
        page.get_by_test_id("offline-saved").wait_for()
        page.screenshot(path=SHOTS.format("6-offline-last-lesson"), full_page=True)

        # A page that was not downloaded: the "Ngoại tuyến" page, linking the course.
        page.goto(app + "/tim-kiem/")
        assert page.locator("h1").inner_text() == "Ngoại tuyến"
        page.get_by_test_id("offline-courses").get_by_role("link", name=course.title).wait_for()
        page.screenshot(path=SHOTS.format("7-offline-page"), full_page=True)
        assert axe(page) == []
        page.goto(app + "/quan-ly/")
        assert page.locator("h1").inner_text() == "Ngoại tuyến"
        # Only Chromium's own update checks of the service worker script (made after each
        # navigation by the browser process, which Playwright's offline mode does not cover;
        # without a network they fail and change nothing).
        assert set(counter.paths) <= {"/hoc/ngoai-tuyen/sw.js"}, counter.paths
        assert not OfflineEvent.objects.exists()
    finally:
        request_started.disconnect(counter)
        page.context.set_offline(False)

    # Network back: the course page sends the queue; the course is completed on the server.
    page.goto(app + course.url)
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-offline-synced') === '1'"
    )
    assert "Đã gửi tiến độ học" in page.get_by_test_id("offline-banner").inner_text()
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.completed_at is not None and enrolment.percent == 100
    kinds = sorted(OfflineEvent.objects.filter(user=learner).values_list("kind", "status"))
    assert kinds == sorted([("open", "accepted")] * 3 + [("read", "accepted")] * 2
                           + [("video", "accepted")])  # fmt: skip
    page.reload()
    assert "Bạn đã hoàn thành khoá học này" in page.get_by_test_id("course-completed").inner_text()
    page.screenshot(path=SHOTS.format("8-synced-completed"), full_page=True)

    # Replaying the sync changes nothing.
    body = next(b for b in sync_bodies if b)
    before = (
        Enrolment.objects.filter(pk=enrolment.pk).values().get(),
        OfflineEvent.objects.count(),
    )
    replay = page.evaluate(
        """async (body) => { const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const r = await fetch('/hoc/ngoai-tuyen/dong-bo/', {method: 'POST', body,
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
            return await r.json(); }""",
        body,
    )
    assert all(r["replayed"] for r in replay["results"]) and len(replay["results"]) == 6
    after = (Enrolment.objects.filter(pk=enrolment.pk).values().get(), OfflineEvent.objects.count())
    assert after == before

    # Log out: no cache, no stored course, no queued event, no service worker left.
    page.get_by_role("link", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(app + "/")
    left = page.evaluate(
        """async () => ({caches: await caches.keys(),
            dbs: (await indexedDB.databases()).map(d => d.name),
            workers: (await navigator.serviceWorker.getRegistrations()).length})"""
    )
    assert left == {"caches": [], "dbs": [], "workers": 0}
    assert errors == []


def test_manager_admin_account_and_another_persons_pages_are_never_cached(
    offline_world, browser, client, user_factory
):
    from campaigns import services as campaign_services
    from campaigns.models import Agency
    from tests.conftest import PHONE

    app, course = offline_world["app"], offline_world["course"]
    agency = campaign_services.agency_create(
        name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT
    )
    boss = user_factory(full_name="Lê Văn Quản Lý", is_staff=True, is_superuser=True)
    campaign_services.manager_role_grant(user=boss, agency=agency, granted_by=None)
    enrolment_create(user=boss, course=course, source=Enrolment.Source.SELF)
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    log_in(page, client, boss, app)  # with the second factor's record (tests/conftest.MfaClient)
    try:
        page.goto(app + course.url)
        page.evaluate("async () => { await navigator.serviceWorker.ready; return true; }")
        download(page, with_video=False)
        for path in ("/quan-ly/", "/admin/", "/tai-khoan/ho-so/", "/chung-chi/"):
            response = page.goto(app + path)
            assert response.status == 200, path
        stored = cache_urls(page)
        everything = [u for urls in stored.values() for u in urls]
        for prefix in ("/quan-ly/", "/admin/", "/tai-khoan/", "/chung-chi/"):
            assert not [u for u in everything if u.startswith(prefix)], (prefix, stored)
        lessons = [x.url for x in factories.lessons_of(course)]
        assert set(stored["hocso-pages"]) == {course.url, *lessons}
        # Offline, a manager page is the "Ngoại tuyến" page, never a copy.
        context.set_offline(True)
        page.goto(app + "/quan-ly/")
        assert page.locator("h1").inner_text() == "Ngoại tuyến"
        context.set_offline(False)

        # Another person signs in on the same phone (the first one never logged out):
        # what the first one stored is wiped before anything else happens.
        other = user_factory(full_name="Vàng A Páo")
        enrolment_create(user=other, course=course, source=Enrolment.Source.SELF)
        log_in(page, client, other, app)
        page.goto(app + "/hoc/cua-toi/")
        page.wait_for_function(
            "async () => !(await caches.keys()).includes('hocso-pages')", polling=200
        )
        # The "Ngoại tuyến" page (the same for everyone) was never wiped: a phone that
        # loses its signal right after the switch still has it.
        assert page.evaluate("async () => !!(await caches.match('/hoc/ngoai-tuyen/'))")
        context.set_offline(True)
        page.goto(app + lessons[0])
        assert page.locator("h1").inner_text() == "Ngoại tuyến"
        assert "Chưa tải về khoá học nào" in page.get_by_test_id("offline-courses").inner_text()
        context.set_offline(False)
    finally:
        context.close()
