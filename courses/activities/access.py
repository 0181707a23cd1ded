"""Who may play an activity block of a lesson: the access check every kind runs first.

`activity_access(kind, user=..., lesson_id=..., block_id=...)` runs the kind's
`access_check` (default `lesson_access`) and returns an `Access`: the lesson, the block's
value and activity, the learner's lesson state (computed here, once, and handed on to
courses.services.activity_outcome_record), and the context key of the kind. Refusals are
cms.errors.Refused: the block is not this kind's activity in the live lesson (404,
"bad_block"), not enrolled or locked (courses.services.lesson_refusal, 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from cms.errors import Refused, answers_refusals
from courses.activities.registry import ActivityKind, kind
from courses.models import Enrolment, LessonPage
from courses.selectors import LessonState, lesson_state
from courses.services import lesson_refusal


@dataclass(frozen=True)
class Access:
    kind: ActivityKind
    lesson: LessonPage
    block_id: str
    value: dict
    state: LessonState

    @property
    def activity(self):
        return self.kind.activity(self.value)

    @property
    def context_key(self) -> str:
        return self.kind.context_key(self.lesson.pk, self.block_id)


def lesson_access(kind: ActivityKind, *, user, lesson_id: int, block_id: str) -> Access:
    """The default check: a live lesson with this kind's block (holding its activity), the
    learner enrolled in its course and the lesson open to them."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    block = next(
        (b for b in lesson.body if b.block_type == kind.block_type and str(b.id) == block_id),
        None,
    )
    if block is None or kind.activity(block.value) is None:
        raise Refused(kind.missing, code="bad_block", status=404)
    state = lesson_state(user=user, lesson=lesson)
    refused = lesson_refusal(state)
    if refused is not None:
        raise refused
    return Access(kind=kind, lesson=lesson, block_id=block_id, value=block.value, state=state)


def activity_access(kind: ActivityKind, *, user, lesson_id: int, block_id: str) -> Access:
    check = kind.access_check or lesson_access
    return check(kind, user=user, lesson_id=lesson_id, block_id=block_id)


def progress_fields(access: Access, *, user, progress) -> dict:
    """What an activity's answer tells the lesson page after a recorded outcome (`progress`:
    the LessonProgress courses.services.activity_outcome_record returned, or None): the
    lesson completed, and the course's progress so the page's bar moves without a reload."""
    enrolment = Enrolment.objects.active().filter(user=user, course=access.state.course).first()
    return {
        "lesson_completed": bool(progress and progress.completed_at),
        "course_percent": enrolment.percent if enrolment else None,
        "course_completed": bool(enrolment and enrolment.completed_at),
    }


def relay_view(block_type: str, max_bytes=None, too_large: str = ""):
    """The views a lesson page's relay script posts to (H5P, SCORM): signed in, POST only,
    refusals as JSON, the body at most `max_bytes()` long, and the learner's access to the
    block of the kind registered as `block_type` checked once (the view gets it as
    `access`). CSRF applies (the relay sends X-CSRFToken)."""

    def decorate(view):
        @login_required
        @require_POST
        @answers_refusals(as_json=True)
        @wraps(view)
        def wrapper(request, lesson_id: int, block_id: str, **kwargs):
            if max_bytes and int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes():
                raise Refused(too_large, code="size", status=413)
            access = activity_access(
                kind(block_type), user=request.user, lesson_id=lesson_id, block_id=block_id
            )
            return view(request, access, lesson_id=lesson_id, block_id=block_id, **kwargs)

        return wrapper

    return decorate
