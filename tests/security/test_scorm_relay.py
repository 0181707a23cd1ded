"""Issue 19, the SCORM relay attacked through its HTTP entry points (courses.activities.scorm)
and the content origin (assessments.scorm.serving). Each attack is refused, stores nothing
and never completes the lesson:

- a learner commits to another learner's attempt (its id and session copied): 404;
- a forged, expired or H5P token on the content origin: 404 (player, runtime and SCO files);
- a commit from the wrong origin (a script on the content origin, another site): CSRF 403;
- a commit replayed after the SCO finished and completed, or an older one replayed in an
  open session: 409;
- out-of-range scores (2004 score.scaled, 1.2 score.raw, raw above max) and a read-only
  element changed: 400;
- a flood of commits: 429 (cms.ratelimit).
"""

import json
import time
import uuid

import pytest
from django.test import Client

from assessments.h5p.tokens import SALT, SCORM_SALT, make_token
from assessments.scorm.models import ScormAttempt
from courses.models import LessonProgress
from tests import factories
from tests.assessments.scorm.conftest import SCO_2004, scorm_zip

pytestmark = pytest.mark.django_db

CONTENT_HOST = "content.hocso.test"


@pytest.fixture
def origins(settings):
    settings.APP_ORIGIN = "http://testserver"
    settings.CONTENT_ORIGIN = f"http://{CONTENT_HOST}"
    settings.CSRF_TRUSTED_ORIGINS = ["http://testserver"]


@pytest.fixture
def scorm_block(home_page, origins, ready_package, user_factory):
    """A lesson with one required SCORM block holding a 2004 package (one SCO); people(n)
    enrols n learners and gives each a launch: [(user, client, launch JSON)]."""
    from courses.services import enrolment_create

    package = ready_package(scorm_zip(scos=("only",)))
    block_id = str(uuid.uuid4())
    body = [{"type": "scorm", "id": block_id, "value": {"package": package.pk, "required": True}}]
    course = factories.course(lessons=["Bài SCORM"], bodies=[body],
                              parent=factories.catalogue(home_page))  # fmt: skip
    lesson = factories.lessons_of(course)[0]
    launch_url = f"/hoc/bai/{lesson.pk}/scorm/{block_id}/bat-dau/"

    def people(n=1):
        out = []
        for _ in range(n):
            user = user_factory()
            enrolment_create(user=user, course=course, source="self")
            client = Client()
            client.force_login(user)
            launch = client.post(launch_url, "{}", content_type="application/json")
            assert launch.status_code == 200, launch.content
            out.append((user, client, launch.json()))
        return out

    return {"package": package, "lesson": lesson, "people": people, "launch_url": launch_url}


def commit(client, launch, values, *, seq=1, finish=False, session=None, url=None, **extra):
    body = {"session": session or launch["session"], "seq": seq, "values": values,
            "finish": finish}  # fmt: skip
    return client.post(url or launch["commit_url"], json.dumps(body),
                       content_type="application/json", **extra)  # fmt: skip


DONE = {"cmi.completion_status": "completed", "cmi.success_status": "passed",
        "cmi.score.scaled": "0.9"}  # fmt: skip


def lesson_done(user, lesson) -> bool:
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    return bool(progress and progress.completed_at)


def test_an_honest_commit_completes_the_lesson(scorm_block):
    [(user, client, launch)] = scorm_block["people"]()
    response = commit(client, launch, DONE, finish=True)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["graded"], data["passed"], data["lesson_completed"]) == (True, True, True)
    assert data["score_percent"] == pytest.approx(90.0)
    assert lesson_done(user, scorm_block["lesson"])


def test_a_commit_to_another_learners_attempt_is_not_found(scorm_block):
    (victim, _client, theirs), (attacker, client, _mine) = scorm_block["people"](2)
    response = commit(client, theirs, DONE, finish=True)  # their attempt id and session
    assert response.status_code == 404 and response.json()["code"] == "attempt"
    attempt = ScormAttempt.objects.get(user=victim)
    assert (attempt.cmi, attempt.commits, attempt.completed) == ({}, 0, False)
    assert not lesson_done(victim, scorm_block["lesson"])
    assert not lesson_done(attacker, scorm_block["lesson"])


def test_forged_expired_and_h5p_tokens_open_nothing_on_the_content_origin(scorm_block, client):
    package = scorm_block["package"]
    good = make_token(package.pk, salt=SCORM_SALT)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    expired = make_token(package.pk, salt=SCORM_SALT, now=time.time() - 10_000, lifetime=60)
    h5p_kind = make_token(package.pk, salt=SALT)
    other = make_token(package.pk + 1000, salt=SCORM_SALT)
    paths = ["player.html", "player/scorm2004.min.js", "player/hocso-scorm-player.js",
             "content/only/index.html", "content/imsmanifest.xml"]  # fmt: skip
    for path in paths:
        assert client.get(f"/s/{good}/{path}", HTTP_HOST=CONTENT_HOST).status_code == 200, path
        for token in (forged, expired, h5p_kind, other, "1.2.x"):
            response = client.get(f"/s/{token}/{path}", HTTP_HOST=CONTENT_HOST)
            assert response.status_code == 404, (token, path)
    # The other version's runtime and anything outside the package are not served either.
    for path in ("player/scorm12.min.js", "player/../content/only/index.html", "other.html"):
        assert client.get(f"/s/{good}/{path}", HTTP_HOST=CONTENT_HOST).status_code == 404


def test_the_player_page_runs_only_its_own_scripts_and_only_the_app_frames_it(scorm_block):
    token = make_token(scorm_block["package"].pk, salt=SCORM_SALT)
    response = Client().get(f"/s/{token}/player.html", HTTP_HOST=CONTENT_HOST)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'self' http://testserver" in policy
    assert "Set-Cookie" not in response and response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert 'data-app-origin="http://testserver"' in html and 'data-version="scorm2004"' in html


def test_a_commit_from_the_wrong_origin_is_refused_by_csrf(scorm_block):
    [(user, client, launch)] = scorm_block["people"]()
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(user)
    checked.get(scorm_block["lesson"].url)  # the lesson page sets the CSRF cookie
    token = checked.cookies["csrftoken"].value
    for origin in (f"http://{CONTENT_HOST}", "http://evil.example", "null"):
        response = commit(checked, launch, DONE, finish=True, HTTP_ORIGIN=origin,
                          HTTP_X_CSRFTOKEN=token)  # fmt: skip
        assert response.status_code == 403, origin
    assert not ScormAttempt.objects.filter(user=user, commits__gt=0).exists()
    # Without the token, from the right origin: refused as well. With both: taken.
    assert commit(checked, launch, DONE, HTTP_ORIGIN="http://testserver").status_code == 403
    ok = commit(checked, launch, DONE, HTTP_ORIGIN="http://testserver", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200, ok.content


def test_replays_are_refused_after_completion_and_out_of_order(scorm_block):
    [(user, client, launch)] = scorm_block["people"]()
    first = {"cmi.completion_status": "incomplete", "cmi.location": "p1"}
    assert commit(client, launch, first, seq=1).status_code == 200
    assert commit(client, launch, {"cmi.location": "p2"}, seq=2).status_code == 200
    older = commit(client, launch, first, seq=2)  # an older commit sent again
    assert older.status_code == 409 and older.json()["code"] == "replay"
    assert commit(client, launch, DONE, seq=3, finish=True).status_code == 200
    assert lesson_done(user, scorm_block["lesson"])
    attempt = ScormAttempt.objects.get(user=user)
    before = (attempt.cmi, attempt.commits, attempt.session)
    for seq, values in ((3, DONE), (4, DONE), (4, first), (9, {"cmi.score.scaled": "-1"})):
        replay = commit(client, launch, values, seq=seq, finish=True)
        assert replay.status_code == 409 and replay.json()["code"] == "session", seq
    attempt.refresh_from_db()
    assert (attempt.cmi, attempt.commits, attempt.session) == before
    assert attempt.cmi["cmi.location"] == "p2" and attempt.completed
    # A forged session id is refused the same way; a new launch opens a new session.
    forged = commit(client, launch, first, seq=10, session=str(uuid.uuid4()))
    assert forged.status_code == 409
    again = client.post(scorm_block["launch_url"], "{}", content_type="application/json")
    assert again.json()["session"] != launch["session"]
    assert again.json()["cmi"]["cmi.location"] == "p2"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"cmi.score.scaled": "1.5"}, "1.5"),
        ({"cmi.score.scaled": "-1.01"}, "-1.01"),
        ({"cmi.progress_measure": "2"}, "2"),
        ({"cmi.score.min": "0", "cmi.score.max": "10", "cmi.score.raw": "11"}, "11"),
        ({"cmi.objectives.0.id": "o", "cmi.objectives.0.score.scaled": "7"}, "7"),
        ({"cmi.score.scaled": "NaN"}, "NaN"),
        ({"cmi.score.scaled": "1e3"}, "1e3"),
        ({"cmi.learner_id": "someone-else"}, "cmi.learner_id"),
        ({"cmi.total_time": "PT1H", "cmi.completion_status": "done"}, "done"),
    ],
)
def test_out_of_range_and_forged_values_are_refused_and_never_complete(scorm_block, values, reason):
    [(user, client, launch)] = scorm_block["people"]()
    response = commit(client, launch, {**DONE, **values}, finish=True)
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    attempt = ScormAttempt.objects.get(user=user)
    assert (attempt.cmi, attempt.commits, attempt.completed) == ({}, 0, False)
    assert attempt.session is not None  # a refused finish closes nothing
    assert not lesson_done(user, scorm_block["lesson"])


def test_scorm12_scores_above_100_are_refused(scorm_block, ready_package, home_page):
    package = ready_package(scorm_zip(scos=("only",), schemaversion="1.2"))
    block_id = str(uuid.uuid4())
    body = [{"type": "scorm", "id": block_id, "value": {"package": package.pk, "required": True}}]
    course = factories.course(lessons=["Bài 1.2"], bodies=[body],
                              parent=factories.catalogue(home_page))  # fmt: skip
    lesson = factories.lessons_of(course)[0]
    [(user, client, _launch)] = scorm_block["people"]()
    from courses.services import enrolment_create

    enrolment_create(user=user, course=course, source="self")
    launch = client.post(f"/hoc/bai/{lesson.pk}/scorm/{block_id}/bat-dau/", "{}",
                         content_type="application/json").json()  # fmt: skip
    assert launch["cmi"]["cmi.core.student_id"] == str(user.pk)
    response = commit(client, launch, {"cmi.core.lesson_status": "passed",
                                       "cmi.core.score.raw": "150"}, finish=True)  # fmt: skip
    assert response.status_code == 400 and "150" in response.json()["error"]
    assert not lesson_done(user, lesson)


def test_a_flood_of_commits_is_rate_limited(scorm_block, settings):
    settings.SCORM_COMMITS_PER_MINUTE = 5
    [(user, client, launch)] = scorm_block["people"]()
    if time.time() % 60 > 45:  # the limit counts in whole minutes: all 8 in the same one
        time.sleep(61 - time.time() % 60)
    codes = [commit(client, launch, {"cmi.location": f"p{i}"}, seq=i).status_code
             for i in range(1, 9)]  # fmt: skip
    assert codes[:5] == [200] * 5 and codes[5:] == [429] * 3
    assert ScormAttempt.objects.get(user=user).commits == 5


def test_a_learner_not_enrolled_cannot_launch_or_commit(scorm_block, user_factory):
    [(_user, _client, launch)] = scorm_block["people"]()
    stranger = Client()
    stranger.force_login(user_factory())
    assert stranger.post(scorm_block["launch_url"], "{}",
                         content_type="application/json").status_code == 403  # fmt: skip
    assert commit(stranger, launch, DONE, finish=True).status_code == 403
    anonymous = commit(Client(), launch, DONE, finish=True)
    assert anonymous.status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lesson_page_hears_only_the_player_it_framed(scorm_lesson, ready_package):
    """In Chromium: commit messages forged in the lesson page (another origin, or the content
    origin but not the framed player) and one posted by the SCO's own window past its player
    are ignored: nothing reaches the server. The player's own commit does."""
    package = ready_package(scorm_zip({"sco1/index.html": SCO_2004}, scos=("sco1",)))
    ctx = scorm_lesson(package)
    page, learner = ctx["page"], ctx["learner"]
    page.goto(ctx["url"])
    sco_locator = page.frame_locator(".activity-scorm iframe").frame_locator("#sco")
    sco_locator.get_by_role("heading", name="An toàn khi dùng mạng").wait_for()
    forged = {"type": "hocso-scorm-commit", "values": DONE, "finish": True}
    page.evaluate(
        """([message, contentOrigin]) => {
            for (const origin of ["http://evil.example", contentOrigin]) {
                const forged = {data: message, origin, source: window};
                window.dispatchEvent(new MessageEvent("message", forged));
            }
        }""",
        [forged, ctx["content_origin"]],
    )
    sco = next(f for f in page.frames if "/content/sco1/" in f.url)
    sco.evaluate("(message) => window.top.postMessage(message, '*')", forged)
    page.wait_for_timeout(1500)
    attempt = ScormAttempt.objects.get(user=learner)
    assert not attempt.completed and "cmi.success_status" not in attempt.cmi
    assert not lesson_done(learner, ctx["lesson"])
    sco_locator.get_by_label("Có", exact=True).check()  # the SCO's own commit, through its player
    for _ in range(40):
        if ScormAttempt.objects.get(user=learner).cmi.get("cmi.suspend_data") == "co":
            break
        page.wait_for_timeout(250)
    attempt = ScormAttempt.objects.get(user=learner)
    assert attempt.cmi["cmi.suspend_data"] == "co" and attempt.commits >= 1
    assert not attempt.completed and "cmi.success_status" not in attempt.cmi
