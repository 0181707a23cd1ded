"""Writes of the courses app: enrolment, lesson progress, course completion.

Every function runs in one transaction, validates first and returns the object. Counting
once under retries and races rests on the database: a partial unique index (one active
enrolment per user and course), a unique (user, lesson) progress row, and conditional
UPDATEs (`... WHERE completed_at IS NULL`) whose row count says who won.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.services import attempt_essays_grade
from cms.errors import Refused
from cms.inserts import insert_or_fill, insert_or_lock, update_row
from cms.models import Video
from cms.pages import cached_for_everyone
from cms.prepared import Prepared
from cms.services import moderation_workflow_ensure
from courses.certificates.services import certificate_issue
from courses.models import (
    ACTIVITY_RESULTS_VERSION,
    CompletionRule,
    CourseApprovalTask,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
)
from courses.selectors import LessonState, course_of, lesson_state
from courses.signals import learning_event_send

# A "watched 90%" claim must arrive at least this share of the video's duration after the
# lesson was opened (the server's clock, not the browser's).
VIDEO_WATCH_SHARE = 0.9


class ProgressRefused(Refused):
    """The learner may not record progress here (not enrolled, lesson locked, claim not
    credible). Answered 403 with `message` (user-facing Vietnamese) on the lesson's
    refusal page (cms.errors.refused_response)."""

    template_name = "courses/refused.html"

    def __init__(self, message: str, *, code: str = "refused", status: int = 403, context=None):
        super().__init__(message, code=code, status=status, context=context)


def _course_lessons(course: CoursePage):
    return LessonPage.objects.live().child_of(course)


def _progress_counts(*, user, course: CoursePage) -> tuple[int, int]:
    """(completed live lessons, live lessons) for the percent: two cheap COUNTs."""
    lessons = _course_lessons(course)
    total = lessons.count()
    done = LessonProgress.objects.filter(
        user=user, lesson__in=lessons.values("pk"), completed_at__isnull=False
    ).count()
    return done, total


# --- Enrolment ------------------------------------------------------------------------------

_SOURCE_STRENGTH = {Enrolment.Source.SELF: 0, Enrolment.Source.CAMPAIGN: 1,
                    Enrolment.Source.ASSIGNMENT: 2}  # fmt: skip


def enrolment_create(
    *, user, course: CoursePage, source: str, due_at=None, source_ref: str = ""
) -> Enrolment:
    """Enrol `user` in `course`; idempotent (an active enrolment is returned, not doubled).

    On an existing active enrolment:
    - `source`/`source_ref` are replaced only by a stronger source (assignment > campaign >
      self), so "assigned" shows on My learning even if the learner had self-enrolled;
    - `due_at`: the earliest deadline wins. A re-assignment with an earlier deadline
      tightens it; a later deadline or None never loosens an existing one (to extend a
      deadline, the assigning app sets Enrolment.due_at through its own service).
    A new enrolment counts the learner's existing lesson progress (kept from an earlier
    enrolment) into its counters.
    """
    if source not in Enrolment.Source.values:
        raise ValueError(f"unknown enrolment source {source!r}")
    if not isinstance(course, CoursePage):
        course = course.specific
    with transaction.atomic():
        existing = (
            Enrolment.objects.select_for_update().active().filter(user=user, course=course).first()
        )
        if existing is None:
            done, total = _progress_counts(user=user, course=course)
            enrolment = Enrolment(
                user=user,
                course=course,
                source=source,
                source_ref=source_ref,
                due_at=due_at,
                enrolled_at=timezone.now(),
                lessons_done=done,
                percent=min(100, (done * 100) // total) if total else 0,
            )
            enrolment.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():
                    enrolment.save()
            except IntegrityError:
                # Another request enrolled the same user in the same course first.
                return Enrolment.objects.active().get(user=user, course=course)
            learning_event_send(
                user_id=user.pk, course_id=course.pk, measure="enrolled", when=enrolment.enrolled_at
            )
            return enrolment
        changed = []
        if _SOURCE_STRENGTH[source] > _SOURCE_STRENGTH[existing.source]:
            existing.source, existing.source_ref = source, source_ref
            changed += ["source", "source_ref"]
        if due_at is not None and (existing.due_at is None or due_at < existing.due_at):
            existing.due_at = due_at
            changed.append("due_at")
        if changed:
            existing.save(update_fields=[*changed, "updated_at"])
        return existing


def enrolment_cancel(*, enrolment: Enrolment) -> Enrolment:
    """Unenrol: the row stays (history) with `unenrolled_at` set. Idempotent."""
    with transaction.atomic():
        won = Enrolment.objects.filter(pk=enrolment.pk, unenrolled_at__isnull=True).update(
            unenrolled_at=timezone.now(), updated_at=timezone.now()
        )
        enrolment.refresh_from_db()
        if won and enrolment.completed_at is None:
            # Reports count enrolments still open or completed: take it back from its day.
            learning_event_send(
                user_id=enrolment.user_id, course_id=enrolment.course_id, measure="enrolled",
                when=enrolment.enrolled_at, delta=-1,
            )  # fmt: skip
        return enrolment


# --- Locks ----------------------------------------------------------------------------------


def lesson_lock_reason(*, user, lesson: LessonPage, course: CoursePage | None = None):
    """None when the lesson is open to `user`, else (message, [pages to finish first]).
    Used by the services; the lesson page uses the selector, which computes the same in
    a constant number of queries."""
    state = lesson_state(user=user, lesson=lesson, course=course)
    if state.locked:
        return state.lock_message, state.blockers
    return None


def lesson_refusal(state, *, not_enrolled: str = "") -> ProgressRefused | None:
    """The refusal for a learner's lesson state (a courses.selectors.LessonState): not
    enrolled, or locked (with the lessons or courses to finish first); None when open."""
    if state.enrolment is None:
        message = not_enrolled or _("Enrol in the course to open its lessons.")
        return ProgressRefused(message, code="not_enrolled", context={"course": state.course})
    if state.locked:
        context = {"course": state.course, "blockers": state.blockers}
        return ProgressRefused(state.lock_message, code="locked", context=context)
    return None


def _require_open(*, user, lesson: LessonPage, course: CoursePage, state=None):
    """The learner's lesson state, refused when not enrolled or locked. `state`: the one
    the caller computed (not computed again)."""
    if state is None:
        state = lesson_state(user=user, lesson=lesson, course=course)
    refused = lesson_refusal(state, not_enrolled=_("You are not enrolled in this course."))
    if refused is not None:
        raise refused
    return state


# --- Progress -------------------------------------------------------------------------------


def lesson_open_record(*, user, lesson: LessonPage, course: CoursePage | None = None):
    """Mark the first time the learner opens the lesson (for the 90% video rule).

    One statement whoever else opens it at the same moment (another tab, an offline sync):
    INSERT ... ON CONFLICT (the (user, lesson) constraint keeps one row) DO UPDATE opened_at
    only where still empty, the row returned (cms.inserts.insert_or_fill)."""
    course = course if course is not None else course_of(lesson)
    now = timezone.now()
    row = LessonProgress(user=user, lesson=lesson, course=course, opened_at=now, updated_at=now)
    return insert_or_fill(
        row, unique=("user", "lesson"), fill=("opened_at",), touch=("updated_at",)
    )


def _lesson_done(progress: LessonProgress, lesson: LessonPage) -> str | None:
    """The evidence that completes this lesson now, or None (see LessonPage.completion_mode)."""
    mode = lesson.completion_mode
    if mode == "activities":
        if all(progress.activity_passed(bid) for bid in lesson.required_activity_ids()):
            return LessonProgress.Evidence.ACTIVITY
        return None
    if mode == "video":
        return LessonProgress.Evidence.VIDEO if progress.video_watched else None
    return LessonProgress.Evidence.READ if progress.read_confirmed else None


# The course's live lessons as the completion needs them, in tree order: (id, required,
# the ids of its required activity blocks). The same for every learner.
LessonOutline = tuple[int, bool, tuple[str, ...]]


def course_outline(course: CoursePage) -> list[LessonOutline]:
    """The course's live lessons (LessonOutline each), for the percent and the course rule:
    from the cache under the pages generation (cms.pages.cached_for_everyone: any page
    saved, published, unpublished, moved or deleted forgets it), from the database (one
    query) once per change."""

    def load() -> list[LessonOutline]:
        lessons = _course_lessons(course).only("id", "required", "body").order_by("path")
        return [(x.pk, x.required, tuple(x.required_activity_ids())) for x in lessons]

    return cached_for_everyone(None, f"course-outline:{course.pk}", load)


# UPDATE the active enrolment's counters for one more completed lesson ... RETURNING the
# row: one statement, the row locked until the transaction ends (a concurrent completion
# of another lesson waits, then counts on top). Built once per database vendor.
_COUNT_LESSON_SQL: dict[str, str] = {}


def _count_lesson_sql() -> str:
    sql = _COUNT_LESSON_SQL.get(connection.vendor)
    if sql is None:
        meta, quote = Enrolment._meta, connection.ops.quote_name

        def column(name: str) -> str:
            return quote(meta.get_field(name).column)

        done = column("lessons_done")
        least = "MIN" if connection.vendor == "sqlite" else "LEAST"  # as Django's Least
        columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
        sql = _COUNT_LESSON_SQL[connection.vendor] = (
            f"UPDATE {quote(meta.db_table)} SET {done} = {done} + 1, "  # noqa: S608 -- our names, values as parameters
            f"{column('percent')} = {least}(100, (({done} + 1) * 100) / %s), "
            f"{column('last_lesson')} = %s, {column('last_activity_at')} = %s, "
            f"{column('updated_at')} = %s "
            f"WHERE {column('user')} = %s AND {column('course')} = %s "
            f"AND {column('unenrolled_at')} IS NULL RETURNING {columns}"
        )
    return sql


def _enrolment_count_lesson(*, user_id: int, course, lesson_id: int, total: int, now):
    """The learner's active enrolment in `course` with one more lesson counted (percent of
    `total` lessons), as the UPDATE left it; None when there is none."""
    when = connection.ops.adapt_datetimefield_value(now)
    params = [max(total, 1), lesson_id, when, when, user_id, course.pk]
    enrolment = next(iter(Enrolment.objects.raw(_count_lesson_sql(), params)), None)
    if enrolment is not None:
        enrolment.course = course  # the row in hand (course_complete reads it)
    return enrolment


def _complete_lesson_if_done(
    *, progress: LessonProgress, lesson: LessonPage, course, user, state=None, changed=()
):
    """Save the `changed` fields of `progress` and, when the lesson is done now, its
    completion, in one UPDATE; for the completion, bump the enrolment's counters and check
    the course rule. `progress` is locked by the caller (insert_or_lock, select_for_update)
    until the transaction ends, so its `completed_at` is the row's: the completion is
    written once, by whoever finds it empty. `state` (the caller's LessonState): its
    enrolment is replaced by the one the counters' UPDATE returned."""
    now = timezone.now()
    evidence = _lesson_done(progress, lesson)
    won = evidence is not None and progress.completed_at is None
    fields = list(changed)
    if won:
        progress.completed_at, progress.completed_by = now, evidence
        fields += ["completed_at", "completed_by"]
    if fields:
        update_row(progress, (*fields, "updated_at"))  # the row is locked: no read back
    user_id = getattr(user, "pk", user)
    if evidence is None:
        Enrolment.objects.active().filter(user_id=user_id, course=course).update(
            last_lesson=lesson, last_activity_at=now, updated_at=now
        )
        return progress
    if won:
        outline = course_outline(course)
        enrolment = _enrolment_count_lesson(
            user_id=user_id, course=course, lesson_id=lesson.pk, total=len(outline), now=now
        )
        if enrolment is not None:
            if isinstance(user, Model):
                enrolment.user = user  # the row in hand (the certificate's name)
            _course_complete_if_rule_met(enrolment=enrolment, course=course, outline=outline)
        if state is not None:
            state.enrolment = enrolment
    return progress


def lesson_progress_record(
    *, user, lesson: LessonPage, evidence: str, block_id: str = ""
) -> LessonProgress:
    """Record evidence for a lesson: "read" (the learner confirms reading) or "video" (a
    library video in block `block_id` reports 90% watched). Activities go through
    activity_result_record. Replays and double clicks count once.

    Raises ProgressRefused: not enrolled, lesson locked, wrong evidence for this lesson, a
    video claim sooner than 90% of the video's duration after the lesson was opened.
    """
    course = course_of(lesson)
    with transaction.atomic():
        _require_open(user=user, lesson=lesson, course=course)
        progress = _progress_locked(user=user, lesson=lesson, course=course)
        changed = []  # saved with the completion, in one UPDATE
        if evidence == LessonProgress.Evidence.READ:
            if lesson.completion_mode != "read":
                raise ProgressRefused(
                    _("This lesson is completed by its video or activities, not by reading."),
                    code="wrong_evidence",
                )
            if not progress.read_confirmed:
                progress.read_confirmed = True
                changed.append("read_confirmed")
        elif evidence == LessonProgress.Evidence.VIDEO:
            videos = lesson.video_blocks()
            if block_id not in videos:
                raise ProgressRefused(_("This video is not part of the lesson."), code="bad_block")
            video = Video.objects.filter(pk=videos[block_id]).only("duration_seconds").first()
            if video is None:
                raise ProgressRefused(_("This video is no longer available."), code="bad_block")
            if not progress.video_watched:
                opened = progress.opened_at
                needed = timedelta(seconds=video.duration_seconds * VIDEO_WATCH_SHARE)
                if opened is None or timezone.now() - opened < needed:
                    raise ProgressRefused(
                        _("Please watch the video to the end before continuing."),
                        code="too_soon",
                    )
                progress.video_watched = True
                changed.append("video_watched")
        else:
            raise ProgressRefused(_("Unknown kind of progress."), code="bad_evidence")
        return _complete_lesson_if_done(
            progress=progress, lesson=lesson, course=course, user=user, changed=changed
        )


@dataclass(frozen=True)
class ActivityOutcome:
    """What an activity's own write reports to its lesson: graded now or not (a saved
    answer, a duplicate or an ungraded statement is not), passed, the score (0-100)."""

    graded: bool
    passed: bool = False
    score_percent: float | None = None


def activity_outcome_record(
    *, user, state: LessonState, block_id: str, write, savepoint: bool = True
):
    """Record what a learner did in an activity block, for every kind (quiz, H5P, ...).

    One transaction: `write()` does the activity's own write (submit an attempt, store a
    statement) and returns (result, ActivityOutcome); a graded outcome is recorded on the
    lesson with activity_result_record against `state`, the learner's lesson state the
    caller's access check computed (courses.activities.access), not computed again. If the
    lesson refuses the result (ProgressRefused), the activity's write is undone too.
    Returns (result, LessonProgress or None when nothing was graded). `savepoint` False:
    inside the caller's own transaction, which any exception rolls back whole (a view's
    atomic block), no savepoint of its own.
    """
    with transaction.atomic(savepoint=savepoint):
        result, outcome = write()
        progress = None
        if outcome.graded:
            progress = activity_result_record(
                user=user,
                lesson=state.lesson,
                block_id=block_id,
                passed=bool(outcome.passed),
                score_percent=outcome.score_percent,
                state=state,
            )
    return result, progress


def activity_result_record(
    *,
    user,
    lesson: LessonPage,
    block_id: str,
    passed: bool,
    score_percent: float | None,
    state: LessonState | None = None,
) -> LessonProgress:
    """Record the outcome of one activity block (quiz or H5P) of `lesson`, as graded on the
    server by the assessments floor. Once passed, stays passed; the best score is kept.
    Completes the lesson (and the course) when its rule is met. `state`: the learner's
    lesson state when the caller has it (activity_outcome_record); else computed here.

    Raises ProgressRefused when the user is not enrolled, the lesson is locked, or the
    block is not an activity of this lesson.
    """
    if block_id not in lesson.activity_ids():
        raise ProgressRefused(_("This activity is not part of the lesson."), code="bad_block")
    if score_percent is not None:
        score_percent = max(0.0, min(100.0, float(score_percent)))
    # Refused before anything is written. The writes need no savepoint of their own inside
    # a caller's transaction (activity_outcome_record's, quiz_essays_grade's): nothing in
    # them is caught and carried on from.
    state = _require_open(user=user, lesson=lesson, course=None, state=state)
    with transaction.atomic(savepoint=False):
        course = state.course
        progress = _progress_locked(user=user, lesson=lesson, course=course)
        now = timezone.now().isoformat()
        results = dict(progress.activity_results or {})
        results["version"] = ACTIVITY_RESULTS_VERSION
        blocks = dict(results.get("blocks") or {})
        previous = blocks.get(block_id) or {}
        best = previous.get("best_score_percent")
        if score_percent is not None and (best is None or score_percent > best):
            best = score_percent
        was_passed = bool(previous.get("passed"))
        blocks[block_id] = {
            "passed": was_passed or bool(passed),
            "score_percent": score_percent,
            "best_score_percent": best,
            "attempts": int(previous.get("attempts") or 0) + 1,
            "passed_at": previous.get("passed_at") or (now if passed else None),
            "updated_at": now,
        }
        results["blocks"] = blocks
        progress.activity_results = results
        return _complete_lesson_if_done(
            progress=progress, lesson=lesson, course=course, user=user, state=state,
            changed=["activity_results"],
        )  # fmt: skip


def _progress_locked(*, user, lesson: LessonPage, course: CoursePage) -> LessonProgress:
    """The learner's progress row on `lesson`, locked until the transaction ends: made if
    there is none (the learner never opened the lesson page), whoever else makes or locks
    it at the same moment. One statement (cms.inserts.insert_or_lock: INSERT ... ON
    CONFLICT on the (user, lesson) constraint ... RETURNING the row)."""
    return insert_or_lock(
        LessonProgress(user=user, lesson=lesson, course=course), unique=("user", "lesson")
    )


def quiz_essays_grade(*, attempt_id: int, grader, grades: dict):
    """Grade the essays of a quiz attempt waiting for a grader (assessments'
    attempt_essays_grade: once, whoever else grades at the same moment) and, when the
    attempt was taken in a lesson ("lesson:<id>:<block>"), record its final outcome there
    as for an auto-graded attempt: progress, lesson and course completion, certificate,
    rollups. One transaction. The caller checks the grader's permission and scope.
    Returns (attempt, LessonProgress or None)."""
    with transaction.atomic():
        attempt = attempt_essays_grade(attempt_id=attempt_id, grader=grader, grades=grades)
        place, lesson_id, block_id = (attempt.context_key.split(":", 2) + ["", ""])[:3]
        lesson = (
            LessonPage.objects.filter(pk=lesson_id).first()
            if place == "lesson" and lesson_id.isdigit()
            else None
        )
        progress = None
        # The learner left the course (or the block is gone): the grade stands all the same.
        with suppress(ProgressRefused):
            if lesson is not None:
                progress = activity_result_record(
                    user=attempt.user, lesson=lesson, block_id=block_id,
                    passed=bool(attempt.passed), score_percent=float(attempt.score_percent),
                )  # fmt: skip
    return attempt, progress


# --- Completion -----------------------------------------------------------------------------


# The learner's progress rows on some lessons (the columns the course rule reads), the SQL
# built once per process and number of lessons (cms.prepared).
_PROGRESS_ON: dict[int, Prepared] = {}


def _progress_on(user_id: int, lesson_ids: list[int]) -> dict[int, LessonProgress]:
    if not lesson_ids:
        return {}
    count = len(lesson_ids)
    prepared = _PROGRESS_ON.get(count)
    if prepared is None:
        prepared = _PROGRESS_ON[count] = Prepared(
            f"lesson-progress-on-{count}",
            lambda user_id, *ids: LessonProgress.objects.filter(
                user_id=user_id, lesson_id__in=ids
            ).only("id", "lesson_id", "completed_at", "activity_results"),
            "i" * (count + 1),
        )
    return {p.lesson_id: p for p in prepared.all(user_id, *lesson_ids)}


def course_rule_met(*, user, course: CoursePage, outline=None) -> tuple[bool, int]:
    """(rule met, number of required lessons) for `course`'s completion rule, now.
    `outline`: the course's live lessons (course_outline) when the caller has them; the
    learner's progress is read fresh (one query, on the lessons the rule looks at)."""
    outline = course_outline(course) if outline is None else outline
    required = [pk for pk, is_required, _blocks in outline if is_required]
    user_id = getattr(user, "pk", user)
    if course.completion_rule == CompletionRule.REQUIRED_ACTIVITIES:
        blocks = {pk: ids for pk, _is_required, ids in outline if ids}
        progress = _progress_on(user_id, list(blocks))
        for pk, ids in blocks.items():
            row = progress.get(pk)
            if row is None or not all(row.activity_passed(block_id) for block_id in ids):
                return False, len(required)
        return True, len(required)
    if not required:
        return False, 0
    progress = _progress_on(user_id, required)
    met = all(progress.get(pk) and progress[pk].is_completed for pk in required)
    return met, len(required)


def _course_complete_if_rule_met(*, enrolment: Enrolment, course: CoursePage, outline=None):
    """`enrolment`: the row as the counters' UPDATE returned it (locked until the
    transaction ends)."""
    if enrolment.completed_at is not None:
        return
    met, required = course_rule_met(user=enrolment.user_id, course=course, outline=outline)
    if met:
        _course_complete(enrolment=enrolment, required=required, current=True)


def course_complete(*, enrolment: Enrolment) -> Enrolment:
    """Mark the enrolment's course completed. Idempotent: the first call writes the
    completion (conditional UPDATE), later or concurrent calls change nothing.

    The caller checks the completion rule (course_rule_met); this records the outcome
    and the version completed (the live revision and its number of required lessons).
    """
    return _course_complete(enrolment=enrolment)


def _course_complete(*, enrolment: Enrolment, required: int | None = None, current=False):
    """course_complete; `required`: the course's number of required live lessons when the
    caller counted them; `current`: `enrolment` is the row as it is now, locked (what the
    UPDATE wrote is set on it, not read again). No savepoint of its own inside a caller's
    transaction: nothing in it is caught and carried on from (certificate_issue keeps its
    own for the race it catches)."""
    with transaction.atomic(savepoint=False):
        course = enrolment.course
        if required is None:
            required = _course_lessons(course).filter(required=True).count()
        now = timezone.now()
        values = {
            "completed_at": now,
            "completed_revision_id": course.live_revision_id,
            "completed_required_lessons": required,
            "percent": 100,
            "last_activity_at": now,
            "updated_at": now,
        }
        won = Enrolment.objects.filter(
            pk=enrolment.pk, completed_at__isnull=True, unenrolled_at__isnull=True
        ).update(**values)
        if won:
            learning_event_send(
                user_id=enrolment.user_id, course_id=course.pk, measure="completed", when=now
            )
            certificate_issue(user=enrolment.user, course=course)  # renders after commit
        if won and current:
            for name, value in values.items():
                setattr(enrolment, name, value)
        else:
            enrolment.refresh_from_db()
        return enrolment


def course_lessons_publish(*, course: CoursePage, user=None) -> int:
    """Publish the latest draft of each lesson of `course` that has unpublished changes;
    returns how many. Called when a moderator approves the course (CourseApprovalTask):
    the approval of the course is the approval of its lessons."""
    published = 0
    with transaction.atomic():
        for lesson in LessonPage.objects.child_of(course).filter(has_unpublished_changes=True):
            revision = lesson.get_latest_revision()
            if revision is not None:
                revision.publish(user=user, skip_permission_checks=True)
                published += 1
    return published


COURSE_WORKFLOW_NAME = "Duyệt khoá học"


def course_workflow_ensure(*, index) -> None:
    """Put the catalogue `index` (its courses and lessons) under one course workflow: a
    CourseApprovalTask for the Moderators group. Idempotent (the demo and tests call it)."""
    moderation_workflow_ensure(
        name=COURSE_WORKFLOW_NAME, task_class=CourseApprovalTask, task_name=COURSE_WORKFLOW_NAME,
        pages=[index],
    )  # fmt: skip
