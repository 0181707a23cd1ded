"""A person's SCORM attempts in "My data" (what the courses saved for them), and what
anonymisation keeps of them: the outcome, nothing the person wrote or answered."""

import json

import pytest

from accounts.privacy import personal_data
from assessments import privacy
from assessments.scorm import services
from assessments.scorm.models import ScormAttempt
from tests.assessments.scorm.conftest import scorm_zip

PLACE = "lesson:1:block"


@pytest.fixture
def saved(ready_package, user_factory):
    person = user_factory()
    package = ready_package(scorm_zip(scos=("only",)))
    attempt, _values = services.attempt_start(user=person, package=package, context_key=PLACE)
    envelope = {"session": str(attempt.session), "seq": 1, "finish": True, "values": {
        "cmi.completion_status": "completed", "cmi.success_status": "passed",
        "cmi.score.scaled": "0.8", "cmi.location": "trang-2",
        "cmi.suspend_data": "Tôi là Nguyễn Thị Hoa, 0912 345 678",
        "cmi.comments_from_learner.0.comment": "Nhà tôi ở phường Bến Thành",
        "cmi.interactions.0.id": "q1", "cmi.interactions.0.learner_response": "b",
    }}  # fmt: skip
    services.attempt_commit(user=person, attempt_id=attempt.public_id, context_key=PLACE,
                            payload=json.dumps(envelope))  # fmt: skip
    return person


def test_my_data_lists_the_scorm_attempts_with_what_was_saved(saved):
    (section,) = [s for s in personal_data(saved) if s.key == "scorm_attempts"]
    assert section.title == "Các hoạt động SCORM"
    (row,) = section.rows
    assert row["package__title"] == "Khoá" and row["completed"] is True
    assert row["cmi"]["cmi.suspend_data"].startswith("Tôi là Nguyễn Thị Hoa")
    assert "Dữ liệu đã lưu" in dict(section.columns).values()


def test_anonymisation_keeps_the_outcome_and_nothing_written(saved):
    privacy.anonymise(saved)
    attempt = ScormAttempt.objects.get(user=saved)
    assert attempt.cmi == {"cmi.completion_status": "completed",
                           "cmi.success_status": "passed", "cmi.score.scaled": "0.8"}  # fmt: skip
    assert (attempt.completed, attempt.passed, attempt.scaled) == (True, True, 0.8)
