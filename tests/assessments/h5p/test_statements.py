"""xAPI statements through the lesson's endpoints: identity from the session, only
top-level answered/completed grade, scores checked and pinned, idempotent, rate-limited;
every forged statement is refused without changing stored results."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.h5p import services as h5p_services
from assessments.h5p.models import H5PLaunch, H5PStatement
from assessments.h5p.services import activity_iri
from courses import selectors
from courses.models import LessonProgress
from courses.services import course_outline
from tests.assessments.h5p.conftest import retarget, xapi_statements

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(playable_package, h5p_lesson, enrol, user_factory, client):
    """A learner enrolled in a lesson with TrueFalse (pass 60%), launched."""

    def make(name="H5P.TrueFalse", pass_percent=60):
        package = playable_package(name)
        course, lesson, block_id = h5p_lesson(package, pass_percent=pass_percent)
        learner = user_factory()
        enrol(learner, course)
        client.force_login(learner)
        base = f"/hoc/bai/{lesson.pk}/h5p/{block_id}"
        launch = client.post(f"{base}/bat-dau/", "{}", content_type="application/json")
        assert launch.status_code == 200, launch.content
        data = launch.json()
        return {
            "package": package, "course": course, "lesson": lesson, "block_id": block_id,
            "learner": learner, "launch": data, "base": base, "iri": activity_iri(package),
        }  # fmt: skip

    return make


def post(client, url, statement):
    body = statement if isinstance(statement, (str, bytes)) else json.dumps(statement)
    return client.post(url, body, content_type="application/json")


def answered(iri, raw=1, maximum=1, **score):
    return {
        "actor": {"account": {"name": "someone-else"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": iri, "objectType": "Activity"},
        "result": {"score": {"min": 0, "max": maximum, "raw": raw, **score}, "completion": True},
    }


def snapshot(ctx):
    launch = H5PLaunch.objects.get(public_id=ctx["launch"]["launch"])
    progress = LessonProgress.objects.filter(user=ctx["learner"], lesson=ctx["lesson"]).first()
    return (
        launch.score_raw, launch.score_max, launch.score_scaled, launch.status,
        H5PStatement.objects.filter(launch=launch).count(),
        progress.activity_results if progress else None,
        progress.completed_at if progress else None,
    )  # fmt: skip


def test_launch_gives_a_token_player_url_on_the_content_origin(setup, settings):
    ctx = setup()
    url = ctx["launch"]["player_url"]
    assert url.startswith(settings.CONTENT_ORIGIN + "/c/")
    assert url.endswith("/player.html")
    assert ctx["launch"]["state"] == ""


def test_captured_truefalse_statements_complete_the_lesson(setup, client, fixtures_dir):
    ctx = setup()
    url = ctx["launch"]["statement_url"]
    results = [post(client, url, retarget(s, ctx["iri"])) for s in xapi_statements(fixtures_dir)]
    assert [r.status_code for r in results] == [200, 200, 200]
    assert [r.json()["graded"] for r in results] == [False, False, True]
    final = results[-1].json()
    assert final["passed"] is True and final["score_percent"] == 100.0
    assert final["lesson_completed"] is True
    launch = H5PLaunch.objects.get(public_id=ctx["launch"]["launch"])
    assert (launch.score_raw, launch.score_max, launch.score_scaled) == (1, 1, 1)
    assert launch.status == "completed" and launch.user == ctx["learner"]
    stored = H5PStatement.objects.filter(launch=launch).order_by("pk")
    assert [s.graded for s in stored] == [False, False, True]
    assert stored.last().raw["version"] == 1
    assert stored.last().raw["statement"]["result"]["response"] == "false"
    progress = LessonProgress.objects.get(user=ctx["learner"], lesson=ctx["lesson"])
    assert progress.completed_at is not None
    assert progress.activity_results["blocks"][ctx["block_id"]]["passed"] is True
    assert ctx["package"].__class__.objects.get(pk=ctx["package"].pk).max_score == 1


def test_captured_multichoice_wrong_answer_does_not_pass(setup, client, fixtures_dir):
    ctx = setup("H5P.MultiChoice")
    url = ctx["launch"]["statement_url"]
    for statement in xapi_statements(fixtures_dir, "xapi_multichoice_crossorigin.json"):
        response = post(client, url, retarget(statement, ctx["iri"]))
        assert response.status_code == 200
    assert response.json() | {} == response.json()
    assert response.json()["graded"] is True
    assert response.json()["passed"] is False
    assert response.json()["lesson_completed"] is False
    progress = LessonProgress.objects.get(user=ctx["learner"], lesson=ctx["lesson"])
    assert progress.completed_at is None


def test_actor_in_the_statement_is_ignored(setup, client, user_factory):
    ctx = setup()
    statement = answered(ctx["iri"])
    statement["actor"] = {"mbox": f"mailto:{user_factory().email}"}
    assert post(client, ctx["launch"]["statement_url"], statement).json()["graded"]
    launch = H5PLaunch.objects.get(public_id=ctx["launch"]["launch"])
    assert launch.user == ctx["learner"] and launch.score_raw == 1


@pytest.mark.parametrize(
    ("score", "code"),
    [
        ({"raw": 2, "max": 1}, "score"),  # raw above max
        ({"raw": -1, "max": 1}, "score"),  # negative
        ({"raw": 1, "max": 0}, "score"),
        ({"raw": "1", "max": 1}, "score"),
        ({"raw": True, "max": 1}, "score"),
        ({"raw": 1, "max": 1, "min": -5}, "score"),
        ({"raw": 1e999, "max": 1e999}, "score"),  # json.dumps writes Infinity
    ],
)
def test_forged_scores_are_refused_without_changes(setup, client, score, code):
    ctx = setup()
    before = snapshot(ctx)
    statement = answered(ctx["iri"])
    statement["result"]["score"] = score
    response = post(client, ctx["launch"]["statement_url"], statement)
    assert response.status_code in (400, 403), response.content
    assert response.json()["code"] in (code, "json")
    assert "error" in response.json()
    assert snapshot(ctx) == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(setup, client, literal):
    ctx = setup()
    before = snapshot(ctx)
    body = json.dumps(answered(ctx["iri"])).replace('"raw": 1', f'"raw": {literal}')
    response = post(client, ctx["launch"]["statement_url"], body)
    assert response.status_code == 400
    assert snapshot(ctx) == before


def test_changed_max_is_refused(setup, client):
    ctx = setup()
    url = ctx["launch"]["statement_url"]
    assert post(client, url, answered(ctx["iri"], raw=0, maximum=1)).status_code == 200
    before = snapshot(ctx)
    response = post(client, url, answered(ctx["iri"], raw=5, maximum=5))
    assert response.status_code == 400 and response.json()["code"] == "max"
    assert snapshot(ctx) == before


def test_child_statements_do_not_grade_and_cannot_pose_as_top_level(setup, client):
    ctx = setup()
    url = ctx["launch"]["statement_url"]
    child_iri = ctx["iri"] + "?subContentId=abc-123"
    parent = {"parent": [{"id": ctx["iri"], "objectType": "Activity"}]}
    child = answered(child_iri)
    child["context"] = {"contextActivities": parent}
    response = post(client, url, child)
    assert response.status_code == 200 and response.json()["graded"] is False
    before = snapshot(ctx)
    # A child statement stripped of its parent, posing as top-level:
    posing = answered(child_iri)
    assert post(client, url, posing).json()["code"] == "child"
    # The activity's own IRI but with a parent: inconsistent, refused too.
    odd = answered(ctx["iri"])
    odd["context"] = {"contextActivities": parent}
    assert post(client, url, odd).json()["code"] == "child"
    assert snapshot(ctx) == before
    assert snapshot(ctx)[0] is None  # still ungraded


def test_statement_about_another_activity_is_refused(setup, client):
    ctx = setup()
    before = snapshot(ctx)
    response = post(client, ctx["launch"]["statement_url"], answered("https://evil.example/1"))
    assert response.status_code == 403 and response.json()["code"] == "object"
    assert snapshot(ctx) == before


def test_replay_is_stored_once_and_changes_nothing(setup, client):
    ctx = setup()
    url = ctx["launch"]["statement_url"]
    first = post(client, url, answered(ctx["iri"]))
    before = snapshot(ctx)
    again = post(client, url, answered(ctx["iri"]))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["graded"] is False
    assert first.json()["score_percent"] == again.json()["score_percent"]
    assert snapshot(ctx) == before
    progress = LessonProgress.objects.get(user=ctx["learner"], lesson=ctx["lesson"])
    assert progress.activity_results["blocks"][ctx["block_id"]]["attempts"] == 1


def test_replay_racing_past_the_check_is_a_duplicate(setup, client, monkeypatch):
    """A replay whose "stored before?" check ran before the first copy committed (read
    with the launch's lock, but from the statement's snapshot) is still a duplicate: the
    INSERT ... ON CONFLICT DO NOTHING stores nothing, counts nothing and grades nothing."""
    ctx = setup()
    url = ctx["launch"]["statement_url"]
    post(client, url, answered(ctx["iri"]))
    before = snapshot(ctx)
    original = h5p_services._own_launch

    def unseen(**kwargs):
        launch = original(**kwargs)
        launch.seen = False  # what a check made before the first copy committed reads
        return launch

    monkeypatch.setattr(h5p_services, "_own_launch", unseen)
    again = post(client, url, answered(ctx["iri"]))
    assert again.status_code == 200, again.content
    assert again.json()["duplicate"] is True and again.json()["graded"] is False
    assert snapshot(ctx) == before
    progress = LessonProgress.objects.get(user=ctx["learner"], lesson=ctx["lesson"])
    assert progress.activity_results["blocks"][ctx["block_id"]]["attempts"] == 1


def test_another_users_attempt_is_refused(setup, client, user_factory, enrol):
    ctx = setup()
    before = snapshot(ctx)
    intruder = user_factory()
    enrol(intruder, ctx["course"])
    client.force_login(intruder)
    response = post(client, ctx["launch"]["statement_url"], answered(ctx["iri"]))
    assert response.status_code == 404 and response.json()["code"] == "launch"
    state = client.post(ctx["launch"]["state_url"], '{"x": 1}', content_type="application/json")
    assert state.status_code == 404
    assert snapshot(ctx) == before


def test_not_enrolled_is_refused(setup, client, user_factory):
    ctx = setup()
    before = snapshot(ctx)
    stranger = user_factory()
    client.force_login(stranger)
    launch = client.post(f"{ctx['base']}/bat-dau/", "{}", content_type="application/json")
    assert launch.status_code == 403 and launch.json()["code"] == "not_enrolled"
    response = post(client, ctx["launch"]["statement_url"], answered(ctx["iri"]))
    assert response.status_code == 403
    assert snapshot(ctx) == before


def test_launch_of_another_block_or_lesson_is_refused(setup, client, h5p_lesson, enrol):
    ctx = setup()
    before = snapshot(ctx)
    course2, lesson2, block2 = h5p_lesson(ctx["package"])
    enrol(ctx["learner"], course2)
    url = f"/hoc/bai/{lesson2.pk}/h5p/{block2}/luot/{ctx['launch']['launch']}/xapi/"
    response = post(client, url, answered(ctx["iri"]))
    assert response.status_code == 404
    assert snapshot(ctx) == before


def test_anonymous_and_get_are_refused(setup, client):
    ctx = setup()
    assert client.get(ctx["launch"]["statement_url"]).status_code == 405
    client.logout()
    response = post(client, ctx["launch"]["statement_url"], answered(ctx["iri"]))
    assert response.status_code == 302  # to the login page


def test_oversized_payload_is_refused(setup, client):
    ctx = setup()
    before = snapshot(ctx)
    statement = answered(ctx["iri"])
    statement["result"]["response"] = "x" * 70_000
    response = post(client, ctx["launch"]["statement_url"], statement)
    assert response.status_code == 413
    assert snapshot(ctx) == before


def test_flood_is_rate_limited(setup, client, settings):
    ctx = setup()
    settings.H5P_RATE_PER_MINUTE = 5
    url = ctx["launch"]["statement_url"]
    codes = []
    for i in range(8):
        statement = {"verb": {"id": "http://adlnet.gov/expapi/verbs/interacted"},
                     "object": {"id": ctx["iri"]}, "n": i}  # fmt: skip
        codes.append(post(client, url, statement).status_code)
    assert codes.count(429) >= 3
    launch = H5PLaunch.objects.get(public_id=ctx["launch"]["launch"])
    assert H5PStatement.objects.filter(launch=launch).count() == codes.count(200)


def test_expired_launch_is_refused_and_a_new_attempt_starts(setup, client):
    ctx = setup()
    H5PLaunch.objects.filter(public_id=ctx["launch"]["launch"]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    response = post(client, ctx["launch"]["statement_url"], answered(ctx["iri"]))
    assert response.status_code == 410
    again = client.post(f"{ctx['base']}/bat-dau/", "{}", content_type="application/json").json()
    assert again["launch"] != ctx["launch"]["launch"]
    assert H5PLaunch.objects.get(public_id=again["launch"]).attempt == 2


def test_saved_state_resumes(setup, client):
    ctx = setup()
    state = json.dumps({"answer": True, "lời": "đúng"}, ensure_ascii=False)
    response = client.post(
        ctx["launch"]["state_url"], state.encode(), content_type="application/json"
    )
    assert response.status_code == 200
    again = client.post(f"{ctx['base']}/bat-dau/", "{}", content_type="application/json").json()
    assert again["state"] == state
    assert again["launch"] == ctx["launch"]["launch"]  # the same attempt resumes
    bad = client.post(ctx["launch"]["state_url"], "not json", content_type="application/json")
    assert bad.status_code == 400
    big = client.post(ctx["launch"]["state_url"], "1" * 70_000, content_type="application/json")
    assert big.status_code == 413
    assert (
        client.post(f"{ctx['base']}/bat-dau/", "{}", content_type="application/json").json()[
            "state"
        ]
        == state
    )


def test_best_score_is_kept(setup, client):
    ctx = setup("H5P.TrueFalse", pass_percent=100)
    url = ctx["launch"]["statement_url"]
    first = post(client, url, answered(ctx["iri"], raw=1))
    assert first.json()["passed"] is True
    worse = answered(ctx["iri"], raw=0)
    worse["result"]["duration"] = "PT3S"
    second = post(client, url, worse)
    assert second.json()["graded"] is True
    assert second.json()["score_percent"] == 100.0 and second.json()["passed"] is True


# --- Query counts: access checked and the lesson state computed once per request ------------

# A graded statement that passes the lesson's only block (completes lesson and course).
# 62 before the activity registry (lesson state computed twice), 57 before issue 16's
# first step (session from the cache, no prerequisites query for a course without any),
# 55 before its second (the access check's lighter state, nothing read back after its
# UPDATE; each query named in tests/courses/test_activity_queries.py), 41 before its
# fourth (the lesson from the cache, no savepoint but the outermost, the statement stored
# with ON CONFLICT DO NOTHING, the progress row made or locked in one statement); 34 since:
# the statement's 7 above, then the progress row locked, its UPDATE, the lesson's
# completion (5, as in test_activity_queries.py's H5P_GRADED, plus the course's lessons:
# this course does not open them in order, so the state has no list) and the course's
# (the rest: course_complete, the certificate and its notice); 33 since the user's row
# comes from the cache (accounts.middleware.CachedUserMiddleware); 24 since the
# completion's writes were merged: the progress row's activity results and completion in
# one UPDATE, the course's lessons from the cache (courses.services.course_outline, warmed
# below as any completion leaves it), the enrolment's counters UPDATE ... RETURNING the row
# (not read back), the rule's progress rows, then course_complete without a savepoint of
# its own and without counting the required lessons again (the rule counted them) or
# reading the enrolment back; what is left of the 24 is the course's completion outside
# courses.services: the outermost SAVEPOINT and RELEASE, the access check's enrolment,
# the statement's 3 (the launch locked, INSERT, UPDATE) and the lesson's 4 as in
# tests/courses/test_activity_queries.py's H5P_GRADED, then 1 the UPDATE
# of the course's completion, the learning events' receivers (campaigns: the learner's
# profile for the "completed" rollup; the assignments, the profile again and the course's
# title for "certified" and its notice, 4 reads, and the notice's INSERT), the certificate
# (its existing row, its template: 2, full_clean's user and course checks: 2, SAVEPOINT,
# INSERT, RELEASE).
GRADED_QUERIES = 24
# A statement that grades nothing (a child statement): nothing recorded on the lesson.
# 19 since issue 16's first step: the session comes from the cache (cached_db) and a course
# without prerequisites is not asked for them (courses.selectors.course_of); 12 since its
# second (courses.selectors.activity_lesson_state: one query for the enrolment and course);
# 7 since its fourth; 6 since the user's row comes from the cache (accounts.middleware):
# the enrolment with its course (the lesson from the cache), SAVEPOINT, the launch locked,
# INSERT the statement (ON CONFLICT DO NOTHING), UPDATE the launch, RELEASE.
UNGRADED_QUERIES = 6


def child(iri):
    statement = answered(iri + "?subContentId=1")
    statement["context"] = {"contextActivities": {"parent": [{"id": iri}]}}
    return statement


def test_statement_path_query_counts(setup, client, django_assert_num_queries, monkeypatch):
    ctx = setup()
    url = ctx["launch"]["statement_url"]
    computed = []
    original = selectors.activity_lesson_state

    def counting(**kwargs):
        computed.append(kwargs["lesson"].pk)
        return original(**kwargs)

    # The access check's state (courses.selectors.activity_lesson_state); the full
    # lesson_state must not run at all on this path.
    monkeypatch.setattr("courses.activities.access.activity_lesson_state", counting)
    monkeypatch.setattr("courses.services.lesson_state", None)
    course_outline(ctx["course"])  # the course's lessons as any completion leaves them cached
    with django_assert_num_queries(UNGRADED_QUERIES):
        response = post(client, url, child(ctx["iri"]))
    assert response.status_code == 200 and response.json()["graded"] is False
    with django_assert_num_queries(GRADED_QUERIES):
        response = post(client, url, answered(ctx["iri"]))
    assert response.status_code == 200 and response.json()["lesson_completed"] is True
    assert computed == [ctx["lesson"].pk, ctx["lesson"].pk]  # once per request


# A graded statement that fails (no completion): UNGRADED_QUERIES' 6 (the launch locked
# with `seen` and the learner's first graded maximum in one query), then the progress row
# locked, UPDATE its activity results, UPDATE the enrolment's last lesson.
FAILED_GRADED_QUERIES = UNGRADED_QUERIES + 3


def test_learner_max_read_with_the_launch(
    setup, make_package, admin_user, h5p_lesson, enrol, user_factory, client,
    django_assert_num_queries,
):  # fmt: skip
    """A package without a maximum of its own (each learner's first result pins theirs):
    that maximum comes with the locked launch, no query of its own (it was one more), and
    still pins the learner's maximum."""
    from assessments.h5p.services import package_approve_libraries
    from tests.assessments.h5p.conftest import build_zip, minimal_package

    with_max = setup()
    with django_assert_num_queries(FAILED_GRADED_QUERIES):
        response = post(
            client, with_max["launch"]["statement_url"], answered(with_max["iri"], raw=0)
        )
    assert response.status_code == 200 and response.json()["passed"] is False

    package = make_package(build_zip(minimal_package()), title="Câu hỏi riêng")
    package_approve_libraries(package=package, approved_by=admin_user)
    assert package.max_score is None
    course, lesson, block_id = h5p_lesson(package, pass_percent=60)
    learner = user_factory()
    enrol(learner, course)
    client.force_login(learner)
    launch = client.post(f"/hoc/bai/{lesson.pk}/h5p/{block_id}/bat-dau/", "{}",
                         content_type="application/json").json()  # fmt: skip
    iri, url = activity_iri(package), launch["statement_url"]
    assert post(client, url, answered(iri, raw=0, maximum=4)).json()["graded"] is True
    with django_assert_num_queries(FAILED_GRADED_QUERIES):
        response = post(client, url, answered(iri, raw=1, maximum=4, scaled=0.25))
    assert response.status_code == 200 and response.json()["score_percent"] == 25.0
    refused = post(client, url, answered(iri, raw=1, maximum=2))
    assert refused.status_code == 400 and refused.json()["code"] == "max"
