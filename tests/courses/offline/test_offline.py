"""Offline learning on the server (issue 21): the service worker and manifest as a browser
needs them, a course's download list with its sizes, lesson copies, and the sync of events
recorded offline (in order, each once, the courses app's rules still applied)."""

import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, LessonProgress
from courses.offline.models import OfflineCopy, OfflineEvent
from tests.courses.offline.conftest import event, fetch_copies, lessons_of, send

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_for_the_whole_site_and_never_cached(client):
    response = client.get(reverse("courses:offline:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    # Served under /hoc/ngoai-tuyen/, it may control every page (course and lesson pages
    # live at Wagtail's addresses).
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    for module in ("core", "routing", "strategies", "range-requests"):
        assert f"/static/vendor/workbox/workbox-{module}.prod.js" in body
    assert "/static/offline/sw.js" in body
    config = json.loads(body.split("self.HOCSO_OFFLINE = ", 1)[1].split(";\n", 1)[0])
    assert {"/quan-ly/", "/admin/"} <= set(config["neverStored"])
    assert config["offlineUrl"] == reverse("courses:offline:page")


def test_web_manifest_is_vietnamese_with_icons_and_my_learning_as_start(client):
    response = client.get(reverse("courses:offline:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["lang"] == "vi" and data["display"] == "standalone"
    assert data["start_url"] == reverse("courses:my_learning")
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    assert [s["name"] for s in data["shortcuts"]] == ["Học tập của tôi", "Ngoại tuyến"]


def test_pages_link_the_manifest_and_name_the_person_only_by_an_opaque_key(client, learner):
    html = client.get(reverse("courses:my_learning")).content.decode()
    assert 'rel="manifest"' in html and "offline/offline.js" in html
    assert f'data-user="{learner.pk}"' not in html
    key = html.split('data-user="', 1)[1].split('"', 1)[0]
    assert len(key) == 20


def test_offline_page_is_the_same_for_everyone(client, learner):
    html = client.get(reverse("courses:offline:page")).content.decode()
    assert "Ngoại tuyến" in html
    assert learner.full_name not in html and "csrfmiddlewaretoken" not in html
    assert 'data-user=""' in html


def test_course_page_offers_the_download_only_to_an_enrolled_learner(
    client, learner, offline_course, user_factory
):
    html = client.get(offline_course.url).content.decode()
    assert "Tải về để học khi không có mạng" in html and 'data-testid="offline-download"' in html
    client.force_login(user_factory())
    html = client.get(offline_course.url).content.decode()
    assert 'data-testid="offline-download"' not in html


def test_download_list_gives_pages_phone_images_360p_video_and_sizes(
    client, learner, offline_course, video
):
    response = client.get(reverse("courses:offline:course_manifest", args=[offline_course.pk]))
    assert response.status_code == 200
    data = response.json()
    lessons = lessons_of(offline_course)
    assert [p["url"] for p in data["pages"]] == [offline_course.url] + [x.url for x in lessons]
    assert data["pages"][1]["source"] == reverse(
        "courses:offline:lesson_copy", args=[lessons[0].pk]
    )
    image_urls = [f["url"] for f in data["files"]]
    assert len([u for u in image_urls if u.endswith(".webp")]) == 2  # 400 and 800 px wide
    low = video.renditions.get(quality="360p")
    assert data["videos"] == [
        {"url": low.file.url, "size": 3000, "lesson": lessons[1].pk, "title": video.title}
    ]
    assert data["size"]["video"] == 3000
    assert data["size"]["with_video"] == data["size"]["without_video"] + 3000
    # Only the 360p rendition: nothing of the 720p one (the sizes above leave out its bytes).
    # Not "720" anywhere: a page's revision id may be 720 (it was, once, in CI).
    high = video.renditions.get(quality="720p")
    text = json.dumps(data)
    assert "vneid-720" not in text and high.file.url not in text


def test_lesson_copy_opens_a_locked_lesson_without_marking_it_opened(
    client, learner, offline_course
):
    second = lessons_of(offline_course)[1]
    assert client.get(second.url).status_code == 403  # locked in order online
    response = client.get(reverse("courses:offline:lesson_copy", args=[second.pk]))
    assert response.status_code == 200
    assert 'data-offline-copy="1"' in response.content.decode()
    assert OfflineCopy.objects.filter(user=learner, lesson=second).exists()
    assert not LessonProgress.objects.filter(user=learner, lesson=second).exists()


def test_offline_events_sync_in_order_complete_the_course_and_a_replay_changes_nothing(
    client, learner, offline_course
):
    fetch_copies(client, offline_course)
    first, second, third = lessons_of(offline_course)
    block = offline_course.video_block_id
    start = time.time()
    # Sent out of order: the server applies them in the order they happened.
    events = [
        event("read", third, at=start + 200),
        event("open", first, at=start + 1),
        event("read", first, at=start + 2),
        event("open", second, at=start + 3),
        event("video", second, at=start + 3 + 91, block_id=block),
        event("open", third, at=start + 150),
    ]
    response = send(client, events, sent_at=start + 300)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 6, results
    enrolment = Enrolment.objects.get(user=learner, course=offline_course)
    assert enrolment.completed_at is not None and enrolment.percent == 100
    assert response.json()["courses"] == {
        str(offline_course.pk): {"percent": 100, "completed": True}
    }
    # The opening is placed at the device's time on the server's clock (sent 300 s after
    # start, received now): about now - 297 s.
    opened = LessonProgress.objects.get(user=learner, lesson=second).opened_at
    assert abs((timezone.now() - opened).total_seconds() - 297) < 5

    before = (
        list(LessonProgress.objects.order_by("pk").values()),
        list(Enrolment.objects.order_by("pk").values()),
        OfflineEvent.objects.count(),
    )
    replay = send(client, events, sent_at=start + 300)
    assert [r.get("replayed") for r in replay.json()["results"]] == [True] * 6
    after = (
        list(LessonProgress.objects.order_by("pk").values()),
        list(Enrolment.objects.order_by("pk").values()),
        OfflineEvent.objects.count(),
    )
    assert after == before


def test_sequential_order_holds_offline_a_later_lesson_first_is_refused(
    client, learner, offline_course
):
    fetch_copies(client, offline_course)
    first, _second, third = lessons_of(offline_course)
    now = time.time()
    results = send(client, [event("read", third, at=now - 5), event("read", first, at=now - 1)])
    statuses = [r["status"] for r in results.json()["results"]]
    assert statuses == ["refused", "accepted"]
    assert "thứ tự" in results.json()["results"][0]["message"]  # "Các bài học mở theo thứ tự"
    assert not LessonProgress.objects.filter(lesson=third, completed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "open_at, watched_at, reason",
    [
        (-600, -570, "too soon"),  # 30 s of a 100-s video
        (-600, 60, "after it was sent"),  # a minute after the device sent it
        (-3 * 3600, -3 * 3600 + 95, "before the download"),  # before the copy was fetched
    ],
)
def test_video_watch_time_rule_with_device_timestamps(
    client, learner, offline_course, open_at, watched_at, reason
):
    fetch_copies(client, offline_course)  # an hour ago
    first, second, _third = lessons_of(offline_course)
    now = time.time()
    events = [
        event("read", first, at=now - 1800),
        event("open", second, at=now + open_at),
        event("video", second, at=now + watched_at, block_id=offline_course.video_block_id),
    ]
    results = send(client, events, sent_at=now).json()["results"]
    assert results[0]["status"] == "accepted"
    assert results[2]["status"] == "refused", (reason, results)
    assert not LessonProgress.objects.filter(
        user=learner, lesson=second, video_watched=True
    ).exists()
    # Watched 95 s of 100 s after opening: counted.
    events = [
        event("open", second, at=now - 600),
        event("video", second, at=now - 505, block_id=offline_course.video_block_id),
    ]
    assert [r["status"] for r in send(client, events).json()["results"]] == ["accepted"] * 2
    assert LessonProgress.objects.get(user=learner, lesson=second).completed_at is not None


def test_bad_payloads_answer_400_in_vietnamese(client, learner):
    response = client.post(
        reverse("courses:offline:sync"), "not json", content_type="application/json"
    )
    assert response.status_code == 400 and "không đúng dạng" in response.json()["error"]
    response = send(client, [{"id": "x", "kind": "read", "lesson": 1, "at": 0}])
    assert response.status_code == 400 and "Sự kiện 1" in response.json()["error"]
    response = send(client, [event("read", type("L", (), {"pk": 1})())] * 201)
    assert response.status_code == 400


def test_an_old_offline_copy_cannot_date_an_event_before_it_was_fetched(
    client, learner, offline_course
):
    first = lessons_of(offline_course)[0]
    fetch_copies(client, offline_course, hours_ago=90 * 24)
    now = time.time()
    results = send(client, [event("read", first, at=now - 70 * 86400)]).json()["results"]
    assert results[0]["status"] == "refused"


def test_a_video_without_renditions_yet_is_downloaded_as_its_original(
    client, learner, offline_course, video
):
    """The player plays the original until the renditions are made: that is what is stored."""
    video.renditions.all().delete()
    data = client.get(reverse("courses:offline:course_manifest", args=[offline_course.pk])).json()
    assert [v["url"] for v in data["videos"]] == [video.file.url]
    assert data["size"]["video"] == video.file.size
