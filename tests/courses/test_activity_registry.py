"""The activity registry: a kind is one module and one registration. This module is such a
module: it registers a "checklist" kind on the lesson's callout block, and a callout then
counts as an activity of the lesson, its access is checked and its outcome recorded through
the one service, completing the lesson and the course."""

import json
import uuid

import pytest
from django.http import JsonResponse
from django.urls import reverse

from cms.errors import answers_refusals
from courses import selectors, services
from courses.activities import registry
from courses.activities.access import activity_access
from courses.activities.registry import ActivityKind, register
from courses.models import Enrolment, LessonProgress
from tests.courses.conftest import lessons_of, text_block

pytestmark = pytest.mark.django_db


# --- The dummy kind: one module, one registration ------------------------------------------


@answers_refusals(as_json=True)
def checklist_done(request, lesson_id: int, block_id: str):
    access = activity_access(CHECKLIST, user=request.user, lesson_id=lesson_id, block_id=block_id)
    done = request.POST.get("done") == "all"
    outcome = services.ActivityOutcome(graded=True, passed=done, score_percent=100 if done else 0)
    result, progress = services.activity_outcome_record(
        user=request.user, state=access.state, block_id=block_id, write=lambda: (done, outcome)
    )
    return JsonResponse({"done": result, "lesson_completed": bool(progress.completed_at)})


def make_checklist_kind():
    return ActivityKind(
        block_type="callout",
        url_segment="danh-sach",
        activity_field="kind",
        missing="Không có danh sách này.",
        urlpatterns=[],
    )


CHECKLIST = make_checklist_kind()


@pytest.fixture
def checklist_kind():
    register(CHECKLIST)
    yield CHECKLIST
    registry.unregister(CHECKLIST.block_type)


def callout_block(block_id=None):
    value = {"kind": "tip", "title": "Việc cần làm", "text": "<p>Đặt mật khẩu mạnh.</p>"}
    return {"type": "callout", "value": value, "id": block_id or str(uuid.uuid4())}


# --- Tests ---------------------------------------------------------------------------------


def test_quiz_and_h5p_are_registered_with_one_context_key():
    assert {"quiz", "h5p"} <= registry.block_types()
    quiz, h5p = registry.kind("quiz"), registry.kind("h5p")
    assert quiz.context_key(7, "b1") == h5p.context_key(7, "b1") == "lesson:7:b1"
    assert reverse("courses:quiz_start", args=[7, "b1"]) == "/hoc/bai/7/kiem-tra/b1/bat-dau/"
    assert reverse("courses:h5p_launch", args=[7, "b1"]) == "/hoc/bai/7/h5p/b1/bat-dau/"
    with pytest.raises(ValueError):  # one kind per block type
        register(ActivityKind(block_type="quiz", url_segment="x", activity_field="quiz",
                              missing="x"))  # fmt: skip


def test_a_registered_kind_is_checked_and_its_outcome_recorded(
    checklist_kind, rf, user_factory, course_factory
):
    block = callout_block()
    course = course_factory(lessons=1, bodies=[[text_block(), block]])
    lesson = lessons_of(course)[0]
    user = user_factory()
    assert lesson.activity_ids() == [block["id"]] and lesson.completion_mode == "activities"

    def post(done, block_id=block["id"]):
        request = rf.post("/", {"done": done})
        request.user = user
        return checklist_done(request, lesson_id=lesson.pk, block_id=block_id)

    refused = post("all")  # not enrolled: the lesson's refusal, nothing recorded
    assert refused.status_code == 403
    assert json.loads(refused.content)["code"] == "not_enrolled"
    services.enrolment_create(user=user, course=course, source="self")
    assert json.loads(post("all", block_id="no-such-block").content)["code"] == "bad_block"
    assert json.loads(post("some").content) == {"done": False, "lesson_completed": False}
    assert json.loads(post("all").content) == {"done": True, "lesson_completed": True}
    progress = LessonProgress.objects.get(user=user, lesson=lesson)
    result = progress.activity_results["blocks"][block["id"]]
    assert (result["passed"], result["attempts"], progress.completed_by) == (True, 2, "activity")
    assert Enrolment.objects.get(user=user, course=course).completed_at is not None


def test_unregistered_the_block_is_content_again(user_factory, course_factory):
    course = course_factory(lessons=1, bodies=[[text_block(), callout_block()]])
    lesson = lessons_of(course)[0]
    assert lesson.activity_ids() == [] and lesson.completion_mode == "read"


def test_a_refused_outcome_undoes_the_activitys_write(user_factory, course_factory):
    """One transaction: the lesson refuses (not enrolled), the activity's own write is undone."""
    course = course_factory(lessons=1, bodies=[[text_block()]])
    lesson = lessons_of(course)[0]
    user = user_factory()
    state = selectors.lesson_state(user=user, lesson=lesson)

    def write():
        LessonProgress.objects.create(user=user, lesson=lesson, course=course)
        return None, services.ActivityOutcome(graded=True, passed=True, score_percent=100)

    with pytest.raises(services.ProgressRefused):
        services.activity_outcome_record(user=user, state=state, block_id="b", write=write)
    assert not LessonProgress.objects.filter(user=user).exists()
