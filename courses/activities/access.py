"""Who may play an activity block of a lesson: the access check every kind runs first.

`activity_access(kind, user=..., lesson_id=..., block_id=...)` runs the kind's
`access_check` (default `lesson_access`) and returns an `Access`: the lesson, the block's
stored value and its activity, the learner's lesson state (computed here, once, by
courses.selectors.activity_lesson_state, and handed on to
courses.services.activity_outcome_record), and the context key of the kind. Refusals are
cms.errors.Refused: the block is not this kind's activity in the live lesson (404,
"bad_block"), not enrolled or locked (courses.services.lesson_refusal, 403).

The block is found in the lesson's stored JSON; its activity (a Quiz, a package: one
query) is loaded only by the views that start something (`load_activity=True`: quiz start,
H5P and SCORM launch), before the lesson state as always. The other views reach it through
the learner's attempt or launch, which the activity's rows protect from deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_POST
from wagtail.blocks import ChooserBlock

from cms.errors import Refused, answers_refusals
from cms.pages import cached_for_everyone
from cms.prepared import Prepared
from courses.activities.registry import ActivityKind, kind
from courses.models import CoursePage, LessonPage
from courses.selectors import (
    ACTIVITY_COURSE_FIELDS,
    ACTIVITY_LESSON_FIELDS,
    LessonState,
    activity_lesson_state,
    course_of,
)
from courses.services import lesson_refusal


@dataclass(frozen=True)
class Access:
    kind: ActivityKind
    lesson: LessonPage
    block_id: str
    value: dict  # the block's stored value (JSON), e.g. {"quiz": 7, "required": true}
    state: LessonState

    @cached_property
    def activity(self):
        """The block's activity (a Quiz, a package), loaded on first use (one query); None
        when it is gone."""
        return _activity_of(self.kind, self.lesson, self.value)

    @property
    def context_key(self) -> str:
        return self.kind.context_key(self.lesson.pk, self.block_id)


# An activity (a Quiz, a package) by its primary key, per model: the SQL built once per
# process (cms.prepared).
_BY_PK: dict[type, Prepared] = {}


def _by_pk(model) -> Prepared:
    found = _BY_PK.get(model)
    if found is None:
        found = _BY_PK[model] = Prepared(
            f"{model._meta.label}-by-pk", lambda pk: model.objects.filter(pk=pk), "i"
        )
    return found


def _activity_of(kind: ActivityKind, lesson: LessonPage, value: dict):
    """The block's activity as its chooser block gives it (`objects.get(pk)`, None when it
    is gone), read through a query built once per process."""
    block = lesson.body.stream_block.child_blocks[kind.block_type]
    chooser = block.child_blocks.get(kind.activity_field)
    pk = kind.activity(value)
    if isinstance(chooser, ChooserBlock) and type(pk) is int:
        return _by_pk(chooser.model_class).first(pk)
    return kind.activity(block.to_python(value))


def _lesson_and_course(lesson_id: int):
    lesson = LessonPage.objects.only(*ACTIVITY_LESSON_FIELDS).filter(pk=lesson_id).first()
    if lesson is None:
        return None
    return lesson, course_of(lesson, fields=ACTIVITY_COURSE_FIELDS)


def activity_lesson_course(lesson_id: int) -> tuple[LessonPage, CoursePage]:
    """The live lesson `lesson_id` with its list columns and body (ACTIVITY_LESSON_FIELDS),
    and its course (ACTIVITY_COURSE_FIELDS, `has_prerequisites`): the same for every
    learner, so from the cache under the pages generation (cms.pages.cached_for_everyone:
    any page saved, published, unpublished, moved or deleted forgets them) and from the
    database (two queries) once per change. Http404 when it is missing or not live."""
    found = cached_for_everyone(
        None, f"activity-lesson:{int(lesson_id)}", lambda: _lesson_and_course(lesson_id)
    )
    if found is None or not found[0].live:
        raise Http404("No lesson matches the given query.")
    return found


def activity_lesson(lesson_id: int) -> LessonPage:
    """The lesson of activity_lesson_course."""
    return activity_lesson_course(lesson_id)[0]


def lesson_access(
    kind: ActivityKind, *, user, lesson_id: int, block_id: str, load_activity: bool = False
) -> Access:
    """The default check: a live lesson with this kind's block (holding its activity), the
    learner enrolled in its course and the lesson open to them."""
    lesson, course = activity_lesson_course(lesson_id)
    raw = next(
        (
            b
            for b in lesson.body.raw_data
            if b.get("type") == kind.block_type and str(b.get("id")) == block_id
        ),
        None,
    )
    if raw is None or kind.activity(raw.get("value")) is None:
        raise Refused(kind.missing, code="bad_block", status=404)
    activity = _activity_of(kind, lesson, raw["value"]) if load_activity else None
    if load_activity and activity is None:
        raise Refused(kind.missing, code="bad_block", status=404)
    state = activity_lesson_state(user=user, lesson=lesson, course=course)
    refused = lesson_refusal(state)
    if refused is not None:
        raise refused
    access = Access(kind=kind, lesson=lesson, block_id=block_id, value=raw["value"], state=state)
    if load_activity:
        access.__dict__["activity"] = activity  # the cached_property's place
    return access


def activity_access(
    kind: ActivityKind, *, user, lesson_id: int, block_id: str, load_activity: bool = False
) -> Access:
    """`load_activity`: the view uses access.activity (it starts something): a block whose
    activity is gone is refused (404) before the learner's standing is looked at."""
    check = kind.access_check or lesson_access
    return check(
        kind, user=user, lesson_id=lesson_id, block_id=block_id, load_activity=load_activity
    )


def progress_fields(access: Access, *, user, progress) -> dict:
    """What an activity's answer tells the lesson page after a recorded outcome (`progress`:
    the LessonProgress courses.services.activity_outcome_record returned, or None): the
    lesson completed, and the course's progress so the page's bar moves without a reload.
    The enrolment is the state's: read by the access check, and read again by
    courses.services._complete_lesson_if_done when a completion changed its counters (no
    query here)."""
    enrolment = access.state.enrolment
    return {
        "lesson_completed": bool(progress and progress.completed_at),
        "course_percent": enrolment.percent if enrolment else None,
        "course_completed": bool(enrolment and enrolment.completed_at),
    }


def relay_view(block_type: str, max_bytes=None, too_large: str = "", load_activity=False):
    """The views a lesson page's relay script posts to (H5P, SCORM): signed in, POST only,
    refusals as JSON, the body at most `max_bytes()` long, and the learner's access to the
    block of the kind registered as `block_type` checked once (the view gets it as
    `access`; `load_activity`: see activity_access). CSRF applies (the relay sends X-CSRFToken)."""

    def decorate(view):
        @login_required
        @require_POST
        @answers_refusals(as_json=True)
        @wraps(view)
        def wrapper(request, lesson_id: int, block_id: str, **kwargs):
            if max_bytes and int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes():
                raise Refused(too_large, code="size", status=413)
            access = activity_access(
                kind(block_type), user=request.user, lesson_id=lesson_id, block_id=block_id,
                load_activity=load_activity,
            )  # fmt: skip
            return view(request, access, lesson_id=lesson_id, block_id=block_id, **kwargs)

        return wrapper

    return decorate
