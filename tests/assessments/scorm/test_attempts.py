"""The SCORM run-time on the server: an attempt per SCO, resumed with its checked values;
commits checked against the data model (forged ones refused, nothing stored); the package's
outcome rolled up over its SCOs in the manifest's order."""

import json

import pytest

from assessments.scorm import services
from assessments.scorm.cmi import ScormRefused
from assessments.scorm.models import ScormAttempt, ScormPackage
from tests.assessments.scorm.conftest import scorm_zip

PLACE = "lesson:1:block"


@pytest.fixture
def ready(ready_package):
    return ready_package


@pytest.fixture
def learner(user_factory):
    return user_factory(full_name="Nguyễn Thị Hoa")


def commit(attempt, values, *, user=None, place=PLACE, finish=False):
    """One commit as the lesson page's relay sends it: the attempt's open session, the next
    sequence number."""
    attempt.refresh_from_db(fields=["session", "session_seq"])
    envelope = {"session": str(attempt.session), "seq": attempt.session_seq + 1,
                "values": values, "finish": finish}  # fmt: skip
    return services.attempt_commit(
        user=user or attempt.user, attempt_id=attempt.public_id, context_key=place,
        payload=json.dumps(envelope),
    )  # fmt: skip


def test_suspend_and_resume_in_2004(ready, learner):
    package = ready(scorm_zip())
    attempt, values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    assert values["cmi.entry"] == "ab-initio"
    assert values["cmi.learner_id"] == str(learner.pk)
    assert values["cmi.learner_name"] == "Nguyễn Thị Hoa"
    commit(attempt, {
        "cmi.location": "trang-3", "cmi.suspend_data": '{"a":[1,2]}', "cmi.exit": "suspend",
        "cmi.completion_status": "incomplete", "cmi.session_time": "PT2M",
        "cmi.learner_id": str(learner.pk), "cmi.total_time": "PT99H",  # echoed, dropped
    })  # fmt: skip
    again, values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    assert again.pk == attempt.pk
    assert values["cmi.entry"] == "resume"
    assert values["cmi.location"] == "trang-3"
    assert values["cmi.suspend_data"] == '{"a":[1,2]}'
    assert "cmi.total_time" not in again.cmi


def test_multi_sco_rolls_up_in_manifest_order(ready, learner):
    package = ready(scorm_zip())
    first, _values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    assert first.sco == "item_sco1"
    result = commit(first, {"cmi.completion_status": "completed", "cmi.success_status": "passed",
                            "cmi.score.scaled": "0.9"})  # fmt: skip
    assert result.activity_outcome == (False, False, 90.0)  # the second SCO is not done
    second, _values = services.attempt_start(
        user=learner, package=package, context_key=PLACE, sco="item_sco2"
    )
    result = commit(second, {"cmi.completion_status": "completed", "cmi.success_status": "passed",
                             "cmi.score.scaled": "0.7"})  # fmt: skip
    graded, passed, percent = result.activity_outcome
    assert (graded, passed) == (True, True)
    assert percent == pytest.approx(80.0)


def test_scorm_12_fixture_passes_on_its_status_and_score(ready, learner, fixtures_dir):
    package = ready((fixtures_dir / "scorm" / "singlescobasic.zip").read_bytes())
    attempt, values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    assert values["cmi.core.student_id"] == str(learner.pk)
    result = commit(attempt, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "80",
                              "cmi.core.score.max": "100", "cmi.core.score.min": "0",
                              "cmi.core.session_time": "0000:05:00"})  # fmt: skip
    assert result.activity_outcome == (True, True, 80.0)


@pytest.mark.parametrize(
    "forged",
    [
        {"cmi.learner_id": "999999"},  # someone else's identity
        {"cmi.credit": "no-credit"},
        {"cmi.entry": "resume"},
        {"cmi.score.scaled": "2"},
        {"cmi.completion_status": "completed", "cmi.success_status": "yes"},
        {"cmi.completion_status": "completed", "cmi.interactions.7.id": "skip"},
    ],
)
def test_forged_commits_are_refused_and_never_complete(ready, learner, forged):
    package = ready(scorm_zip(scos=("only",)))
    attempt, _values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    with pytest.raises(ScormRefused):
        commit(attempt, forged)
    attempt.refresh_from_db()
    assert (attempt.cmi, attempt.commits, attempt.completed) == ({}, 0, False)


def test_another_learners_attempt_or_place_is_not_found(ready, learner, user_factory):
    package = ready(scorm_zip())
    attempt, _values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    for kwargs in ({"user": user_factory()}, {"place": "lesson:2:x"}):
        with pytest.raises(ScormRefused) as caught:
            commit(attempt, {"cmi.completion_status": "completed"}, **kwargs)
        assert caught.value.status == 404
    with pytest.raises(ScormRefused):
        services.attempt_commit(user=learner, attempt_id="not-a-uuid", context_key=PLACE,
                                payload="{}")  # fmt: skip
    assert not ScormAttempt.objects.filter(completed=True).exists()


def test_bad_payloads_and_unready_packages_are_refused(ready, learner):
    package = ready(scorm_zip())
    attempt, _values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    for payload in ("[1, 2]", "not json", b"\xff\xfe", "x" * (services.COMMIT_MAX_BYTES + 1)):
        with pytest.raises(ScormRefused):
            services.attempt_commit(user=learner, attempt_id=attempt.public_id,
                                    context_key=PLACE, payload=payload)  # fmt: skip
    package.status = ScormPackage.Status.PENDING
    package.save()
    with pytest.raises(ScormRefused) as caught:
        services.attempt_start(user=learner, package=package, context_key=PLACE)
    assert caught.value.code == "unavailable"


def test_a_12_sco_that_never_set_its_status_is_completed_by_lmsfinish(ready, learner):
    """SCORM 1.2 RTE 3.4.4: LMSFinish completes a SCO whose lesson_status is still "not
    attempted"; one that set "incomplete" stays so; 2004 has no such rule."""
    package = ready(scorm_zip(scos=("a", "b"), schemaversion="1.2"))
    first, _values = services.attempt_start(user=learner, package=package, context_key=PLACE)
    assert not commit(first, {"cmi.core.session_time": "00:00:05"}).attempt.completed
    result = commit(first, {}, finish=True)
    assert result.attempt.cmi["cmi.core.lesson_status"] == "completed"
    assert result.attempt.completed
    second, _values = services.attempt_start(
        user=learner, package=package, context_key=PLACE, sco="item_b"
    )
    result = commit(second, {"cmi.core.lesson_status": "incomplete"}, finish=True)
    assert not result.attempt.completed and result.activity_outcome[0] is False
    later = ready(scorm_zip(scos=("only",)))
    attempt, _values = services.attempt_start(user=learner, package=later, context_key=PLACE)
    assert not commit(attempt, {}, finish=True).attempt.completed
