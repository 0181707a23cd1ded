"""Issue 19: a SCO's commits are checked on the server against the SCORM data model. Each
forged or out-of-range value below is refused (and nothing of its commit is kept); the
outcome (completion, success, score.scaled) is computed on the server and bounded."""

import pytest

from assessments.scorm.cmi import (
    MAX_ARRAY,
    ScoOutcome,
    ScormRefused,
    cmi_commit,
    rollup,
    sco_outcome,
)
from assessments.scorm.validation import SCORM12, SCORM2004

EDITIONS = {SCORM12: "1.2", SCORM2004: "2004 4th Edition"}


def commit(version, values, *, stored=None, edition=None):
    return cmi_commit(
        version=version,
        edition=edition or EDITIONS[version],
        stored=stored or {},
        values=values,
    )


def refused(version, values, reason, **kwargs):
    stored = dict(kwargs.pop("stored", {}) or {})
    before = dict(stored)
    with pytest.raises(ScormRefused) as caught:
        commit(version, values, stored=stored, **kwargs)
    assert caught.value.message.startswith("Khoá học gửi một giá trị chuẩn SCORM không cho phép")
    assert reason in caught.value.message, caught.value.message
    assert stored == before  # nothing of a refused commit is kept
    return caught.value


def test_a_real_12_commit_is_accepted():
    values = {
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.lesson_location": "Playing/Par.html",
        "cmi.core.score.raw": "80",
        "cmi.core.score.min": "0",
        "cmi.core.score.max": "100",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": "0000:01:30.5",
        "cmi.suspend_data": "x" * 4096,
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.type": "choice",
        "cmi.interactions.0.result": "wrong",
        "cmi.interactions.1.id": "q2",
        "cmi.interactions.1.result": "0.5",
        "cmi.objectives.0.id": "obj_playing",
        "cmi.objectives.0.status": "passed",
    }
    assert commit(SCORM12, values) == values


def test_a_real_2004_commit_is_accepted_and_merged():
    first = commit(SCORM2004, {"cmi.location": "p2", "cmi.completion_status": "incomplete"})
    merged = commit(
        SCORM2004,
        {
            "cmi.completion_status": "completed",
            "cmi.success_status": "passed",
            "cmi.score.scaled": "0.85",
            "cmi.score.raw": "85",
            "cmi.score.min": "0",
            "cmi.score.max": "100",
            "cmi.progress_measure": "1",
            "cmi.session_time": "PT1H30M5.25S",
            "cmi.exit": "normal",
            "cmi.suspend_data": "y" * 64000,
            "cmi.interactions.0.id": "urn:q1",
            "cmi.interactions.0.type": "long-fill-in",
            "cmi.interactions.0.timestamp": "2026-12-05T16:30:00.5+07:00",
            "cmi.comments_from_learner.0.comment": "Hay",
            "adl.nav.request": "{target=sco2}choice",
        },
        stored=first,
    )
    assert merged["cmi.location"] == "p2"
    assert merged["cmi.completion_status"] == "completed"


@pytest.mark.parametrize(
    "name",
    [
        "cmi.core.student_id",
        "cmi.core.student_name",
        "cmi.core.credit",
        "cmi.core.entry",
        "cmi.core.total_time",
        "cmi.core.lesson_mode",
        "cmi.launch_data",
        "cmi.student_data.mastery_score",
        "cmi.core._children",
        "cmi.objectives._count",
        "cmi.completion_status",  # a 2004 element in a 1.2 SCO
        "cmi.core.hacked",
    ],
)
def test_read_only_and_unknown_12_elements_are_refused(name):
    refused(SCORM12, {name: "passed"}, name)


@pytest.mark.parametrize(
    "name",
    [
        "cmi.learner_id",
        "cmi.learner_name",
        "cmi.credit",
        "cmi.entry",
        "cmi.mode",
        "cmi.total_time",
        "cmi.launch_data",
        "cmi.completion_threshold",
        "cmi.scaled_passing_score",
        "cmi.max_time_allowed",
        "cmi._version",
        "cmi.interactions._count",
        "cmi.comments_from_lms.0.comment",
        "cmi.core.lesson_status",  # a 1.2 element in a 2004 SCO
    ],
)
def test_read_only_and_unknown_2004_elements_are_refused(name):
    refused(SCORM2004, {name: "completed"}, name)


@pytest.mark.parametrize(
    ("version", "name", "value", "reason"),
    [
        (SCORM12, "cmi.core.lesson_status", "perfect", "không phải một trong"),
        (SCORM12, "cmi.core.score.raw", "101", "nằm ngoài khoảng 0 đến 100"),
        (SCORM12, "cmi.core.score.raw", "-1", "nằm ngoài khoảng"),
        (SCORM12, "cmi.core.score.raw", "1e3", "không phải là số"),
        (SCORM12, "cmi.core.score.raw", "NaN", "không phải là số"),
        (SCORM12, "cmi.core.exit", "normal", "không phải một trong"),  # 2004's word
        (SCORM12, "cmi.core.session_time", "99:99", "định dạng"),
        (SCORM12, "cmi.core.lesson_location", "x" * 256, "tối đa 255"),
        (SCORM12, "cmi.suspend_data", "x" * 4097, "tối đa 4096"),
        (SCORM12, "cmi.interactions.0.type", "essay", "không phải một trong"),
        (SCORM12, "cmi.interactions.0.result", "incorrect", "không phải một trong"),
        (SCORM2004, "cmi.completion_status", "done", "không phải một trong"),
        (SCORM2004, "cmi.success_status", "PASSED", "không phải một trong"),
        (SCORM2004, "cmi.score.scaled", "1.5", "nằm ngoài khoảng -1 đến 1"),
        (SCORM2004, "cmi.score.scaled", "-2", "nằm ngoài khoảng"),
        (SCORM2004, "cmi.score.scaled", "Infinity", "không phải là số"),
        (SCORM2004, "cmi.progress_measure", "1.01", "nằm ngoài khoảng 0 đến 1"),
        (SCORM2004, "cmi.session_time", "1 hour", "định dạng"),
        (SCORM2004, "cmi.session_time", "PT", "định dạng"),
        (SCORM2004, "cmi.suspend_data", "y" * 64001, "tối đa 64000"),
        (SCORM2004, "cmi.interactions.0.timestamp", "yesterday", "định dạng"),
        (SCORM2004, "adl.nav.request", "javascript:alert(1)", "định dạng"),
    ],
)
def test_out_of_vocabulary_range_format_or_length_is_refused(version, name, value, reason):
    refused(version, {name: value}, reason)


def test_suspend_data_limit_follows_the_2004_edition():
    refused(SCORM2004, {"cmi.suspend_data": "z" * 4001}, "tối đa 4000", edition="2004 3rd Edition")
    assert commit(SCORM2004, {"cmi.suspend_data": "z" * 4000}, edition="CAM 1.3")


def test_raw_score_outside_its_own_min_and_max_is_refused():
    refused(SCORM2004, {"cmi.score.raw": "90", "cmi.score.max": "80"}, "cmi.score.raw")
    refused(SCORM12, {"cmi.core.score.raw": "5"}, "cmi.core.score.raw", stored={
        "cmi.core.score.min": "10"
    })  # fmt: skip


def test_array_indexes_cannot_skip_or_overflow():
    refused(SCORM12, {"cmi.objectives.5.id": "o"}, "cmi.objectives.5.id")
    stored = commit(SCORM12, {"cmi.objectives.0.id": "a", "cmi.objectives.1.id": "b"})
    assert commit(SCORM12, {"cmi.objectives.2.id": "c"}, stored=stored)
    big = {f"cmi.interactions.{i}.id": f"q{i}" for i in range(MAX_ARRAY)}
    stored = commit(SCORM2004, big)
    refused(SCORM2004, {f"cmi.interactions.{MAX_ARRAY}.id": "x"}, "tối đa 250 mục", stored=stored)


def test_a_commit_that_is_not_name_value_text_is_refused():
    with pytest.raises(ScormRefused):
        commit(SCORM12, ["cmi.core.lesson_status", "passed"])
    refused(SCORM12, {"cmi.core.score.raw": {"$gt": 0}}, "cmi.core.score.raw")
    refused(SCORM2004, {"cmi.score.scaled": float("inf")}, "cmi.score.scaled")


# --- outcomes ------------------------------------------------------------------------------


def test_12_outcome_uses_the_manifest_mastery_score_not_the_scos_word():
    forged = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "50"}
    assert sco_outcome(SCORM12, forged, mastery_score=80).passed is False
    assert sco_outcome(SCORM12, forged).passed is True
    outcome = sco_outcome(SCORM12, {"cmi.core.lesson_status": "incomplete"})
    assert outcome == ScoOutcome(completed=False, passed=None, scaled=None)
    scored = sco_outcome(SCORM12, {"cmi.core.score.raw": "40", "cmi.core.score.max": "50"})
    assert scored.scaled == pytest.approx(0.8)


def test_2004_outcome_and_rollup_in_manifest_order():
    first = sco_outcome(
        SCORM2004,
        {"cmi.completion_status": "completed", "cmi.success_status": "passed",
         "cmi.score.scaled": "1"},
    )  # fmt: skip
    second = sco_outcome(SCORM2004, {"cmi.completion_status": "incomplete"})
    assert rollup([first, second]) == ScoOutcome(completed=False, passed=True, scaled=1.0)
    third = sco_outcome(
        SCORM2004,
        {"cmi.completion_status": "completed", "cmi.success_status": "failed",
         "cmi.score.scaled": "0.5"},
    )  # fmt: skip
    assert rollup([first, third]) == ScoOutcome(completed=True, passed=False, scaled=0.75)
    assert rollup([]) == ScoOutcome(completed=False, passed=None, scaled=None)
