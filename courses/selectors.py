"""Reads of the courses app that cross relations, each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cms.prepared import Prepared
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress

LESSON_LIST_FIELDS = (
    "id", "title", "slug", "url_path", "path", "depth", "live", "section", "required",
    "estimated_minutes", "content_type_id", "locale_id",
)  # fmt: skip


# What the lesson page reads of its course (title and link, lock rule): building the SQL of
# the whole course row costs more CPU than the database does to answer it.
LESSON_PAGE_COURSE_FIELDS = (
    "id", "title", "slug", "url_path", "path", "depth", "live", "sequential",
    "content_type_id", "locale_id",
)  # fmt: skip


# What an activity's request reads of its lesson (courses.activities.access): the list
# columns and the body (its blocks, how it completes). Building the SQL of the whole page
# row costs more CPU than the database does to answer it.
ACTIVITY_LESSON_FIELDS = (*LESSON_LIST_FIELDS, "body")
# ... and of its course, beside the enrolment (activity_lesson_state): the lesson page's
# columns, its completion rule and the live revision (recorded when it is completed).
ACTIVITY_COURSE_FIELDS = (*LESSON_PAGE_COURSE_FIELDS, "completion_rule", "live_revision_id")


def course_of(lesson: LessonPage, *, fields: tuple[str, ...] = ()) -> CoursePage:
    """The lesson's course in one query (its parent by tree path), with `has_prerequisites`
    (lesson_state skips the prerequisites query for a course that has none); only `fields`
    when given (any other field read later costs a query)."""
    parent_path = lesson.path[: -LessonPage.steplen]
    required = CoursePage.prerequisites.through.objects.filter(from_coursepage=OuterRef("pk"))
    courses = CoursePage.objects.annotate(has_prerequisites=Exists(required))
    return (courses.only(*fields) if fields else courses).get(path=parent_path)


def course_lessons(course: CoursePage):
    """Live lessons of a course in tree order, only the columns a lesson list needs."""
    return LessonPage.objects.live().child_of(course).only(*LESSON_LIST_FIELDS).order_by("path")


@dataclass
class LessonState:
    """What the lesson page and the progress services need to know about one learner and
    one lesson. Built by lesson_state() in at most 5 queries whatever the course's size."""

    course: CoursePage
    lesson: LessonPage
    enrolment: Enrolment | None = None
    progress: LessonProgress | None = None
    lessons: list = field(default_factory=list)
    progress_by_lesson: dict = field(default_factory=dict)
    prerequisites: list = field(default_factory=list)
    locked: bool = False
    lock_message: str = ""
    blockers: list = field(default_factory=list)
    previous_lesson: LessonPage | None = None
    next_lesson: LessonPage | None = None

    @property
    def activity_results(self) -> dict:
        """block id -> result dict (see LessonProgress.activity_results)."""
        if self.progress is None:
            return {}
        return (self.progress.activity_results or {}).get("blocks", {})

    @property
    def number(self) -> int | None:
        """The lesson's place in its course (1-based), for "Lesson 3/7"."""
        return next((i for i, x in enumerate(self.lessons, 1) if x.pk == self.lesson.pk), None)

    @property
    def lesson_count(self) -> int:
        return len(self.lessons)

    @property
    def is_completed(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    def lesson_done(self, lesson_id: int) -> bool:
        row = self.progress_by_lesson.get(lesson_id)
        return bool(row and row.completed_at)

    @property
    def sections(self) -> list[tuple[str, list]]:
        """[(section title, [lessons])], consecutive lessons sharing a title grouped."""
        groups: list[tuple[str, list]] = []
        for lesson in self.lessons:
            if groups and groups[-1][0] == lesson.section:
                groups[-1][1].append(lesson)
            else:
                groups.append((lesson.section, [lesson]))
        return groups


def prerequisites_status(*, user, course: CoursePage) -> list[CoursePage]:
    """The course's prerequisites, each annotated `done` for `user` (one query)."""
    qs = CoursePage.objects.filter(required_by=course).only(
        "id", "title", "slug", "url_path", "path", "depth", "live"
    )
    # Before building the subquery: filtering on an anonymous user raises a TypeError (a
    # visitor's course page was a 500).
    if user is None or not user.is_authenticated:
        return [setattr(c, "done", False) or c for c in qs]
    completed = Enrolment.objects.filter(
        course=OuterRef("pk"), user=user, completed_at__isnull=False
    )
    return list(qs.annotate(done=Exists(completed)).order_by("path"))


# The learner's rows on every lesson page, their SQL built once per process (cms.prepared):
# building it cost several times what the database takes to answer. At most one active
# enrolment per user and course (enrolment_one_active_per_user_course): no ORDER BY.
# `ACTIVE_ENROLMENT.first(user_id, course_id)` serves any caller reading that enrolment.
ACTIVE_ENROLMENT = Prepared(
    "active-enrolment",
    lambda user_id, course_id: Enrolment.objects.active().filter(
        user_id=user_id, course_id=course_id
    )[:1],
    "ii",
)
_COURSE_PROGRESS = Prepared(
    "course-progress",
    lambda user_id, course_id: LessonProgress.objects.filter(user_id=user_id, course_id=course_id),
    "ii",
)


# The catalogue's marks on the cards ("40% done", "completed"): the learner's active
# enrolments, matched to the page's cards in Python. A learner has at most one per course,
# so at most as many rows as there are courses; the SQL of `course_id IN (the cards)`, a list
# of varying length, was built per request by the ORM.
ACTIVE_ENROLMENTS_OF = Prepared(
    "active-enrolments-of",
    lambda user_id: (
        Enrolment.objects.active()
        .filter(user_id=user_id)
        .only("id", "user_id", "course_id", "percent", "completed_at")
    ),
    "i",
)


def active_enrolments_by_course(*, user, course_ids) -> dict:
    """{course id: the user's active enrolment} among `course_ids` (one query)."""
    wanted = set(course_ids)
    return {e.course_id: e for e in ACTIVE_ENROLMENTS_OF.all(user.pk) if e.course_id in wanted}


def lesson_state(
    *, user, lesson: LessonPage, course: CoursePage | None = None, lessons: list | None = None
) -> LessonState:
    """Enrolment, progress, lock state and activity results of `user` on `lesson`.

    Queries (authenticated): course by path (skipped when `course` is given), active
    enrolment, the course's lessons (skipped when `lessons`, list(course_lessons(course)),
    is given: the same for everyone, the lesson page has it from the cache), the user's
    progress rows in the course, prerequisites with their done flag (skipped when course_of
    found none): 5 at most, whatever the number of lessons.
    """
    course = course if course is not None else course_of(lesson)
    state = LessonState(course=course, lesson=lesson)
    state.lessons = list(lessons) if lessons is not None else list(course_lessons(course))
    index = next((i for i, x in enumerate(state.lessons) if x.pk == lesson.pk), None)
    if index is not None:
        state.previous_lesson = state.lessons[index - 1] if index > 0 else None
        state.next_lesson = state.lessons[index + 1] if index + 1 < len(state.lessons) else None
    authenticated = user is not None and user.is_authenticated
    if authenticated:
        state.enrolment = ACTIVE_ENROLMENT.first(user.pk, course.pk)
        state.progress_by_lesson = {
            p.lesson_id: p for p in _COURSE_PROGRESS.all(user.pk, course.pk)
        }
        state.progress = state.progress_by_lesson.get(lesson.pk)
    if getattr(course, "has_prerequisites", True):  # unknown unless course_of loaded it
        state.prerequisites = prerequisites_status(user=user, course=course)

    return _locks_applied(state, index, state.lesson_done)


def _locks_applied(state: LessonState, index: int | None, done) -> LessonState:
    """Lock `state` (the lesson at `index` of state.lessons) when a prerequisite course is
    not completed or, in a course that opens its lessons in order, an earlier required
    lesson is not done (`done(lesson_id)`)."""
    missing = [c for c in state.prerequisites if not c.done]
    if missing:
        state.locked = True
        state.blockers = missing
        state.lock_message = _("Finish these courses first:")
        return state
    if state.course.sequential and index is not None:
        earlier = [x for x in state.lessons[:index] if x.required and not done(x.pk)]
        if earlier:
            state.locked = True
            state.blockers = earlier[:1]
            state.lock_message = _("Lessons open in order. Finish this lesson first:")
    return state


def _enrolment_fields() -> list[str]:
    return [f.name for f in Enrolment._meta.concrete_fields]


def activity_lesson_state(
    *, user, lesson: LessonPage, course: CoursePage | None = None
) -> LessonState:
    """The learner's standing on `lesson` for a request to one of its activities (quiz,
    H5P, SCORM: courses.activities.access), in 1 to 3 queries: the active enrolment with
    its course (one query, `course.has_prerequisites` annotated), the course's lessons each
    with `done` (only for a course that opens its lessons in order), its prerequisites
    (only when it has any). Locked and refused exactly as lesson_state() says.

    Lighter than lesson_state(): no progress rows (`progress` None, `progress_by_lesson`
    empty; courses.services.activity_result_record locks the lesson's row itself), no
    previous/next lesson, `lessons` only for an in-order course. Not enrolled: the full
    lesson_state() (its refusal's context), as the lesson page gives it. `course`: the
    lesson's course when the caller has it (ACTIVITY_COURSE_FIELDS and `has_prerequisites`,
    as course_of gives it: the access check's, from the cache); the enrolment alone is read.
    """
    if user is None or not user.is_authenticated:
        return lesson_state(user=user, lesson=lesson, course=course)
    if course is not None:
        # One active enrolment per user and course (a constraint), by SQL built once per
        # process (the ORM's build cost several times the database's answer).
        enrolment = ACTIVE_ENROLMENT.first(user.pk, course.pk)
        if enrolment is None:
            return lesson_state(user=user, lesson=lesson, course=course)
        enrolment.course = course
    else:
        required = CoursePage.prerequisites.through.objects.filter(
            from_coursepage=OuterRef("course_id")
        )
        enrolment = (
            Enrolment.objects.active()
            .filter(user=user, course__path=lesson.path[: -LessonPage.steplen])
            .select_related("course")
            .only(*_enrolment_fields(), *(f"course__{name}" for name in ACTIVITY_COURSE_FIELDS))
            .annotate(course_has_prerequisites=Exists(required))
            .first()
        )
        if enrolment is None:
            return lesson_state(user=user, lesson=lesson)
        course = enrolment.course
        course.has_prerequisites = enrolment.course_has_prerequisites
    state = LessonState(course=course, lesson=lesson, enrolment=enrolment)
    index = None
    if course.sequential:
        completed = LessonProgress.objects.filter(
            user=user, course=course, lesson=OuterRef("pk"), completed_at__isnull=False
        )
        state.lessons = list(course_lessons(course).annotate(done=Exists(completed)))
        index = next((i for i, x in enumerate(state.lessons) if x.pk == lesson.pk), None)
    if course.has_prerequisites:
        state.prerequisites = prerequisites_status(user=user, course=course)
    done = {x.pk for x in state.lessons if x.done}
    return _locks_applied(state, index, done.__contains__)


@dataclass
class MyLearning:
    in_progress: list
    completed: list
    assigned: list


def my_learning(*, user) -> MyLearning:
    """The learner's active enrolments (and completed ones, even after unenrolling), each
    with `next_lesson` (the first lesson not yet done), `lesson_count` and `started` set.
    Three queries: enrolments with their course, the lessons of those courses, the
    learner's progress rows in them."""
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .filter(Q(unenrolled_at__isnull=True) | Q(completed_at__isnull=False))
        .select_related("course")
        .order_by("-last_activity_at", "-enrolled_at")
    )
    courses = {e.course_id: e.course for e in enrolments}
    lessons_by_course: dict[int, list] = {cid: [] for cid in courses}
    if courses:
        prefix = Q()
        for course in courses.values():
            prefix |= Q(path__startswith=course.path, depth=course.depth + 1)
        path_to_course = {c.path: cid for cid, c in courses.items()}
        for lesson in (
            LessonPage.objects.live().filter(prefix).only(*LESSON_LIST_FIELDS).order_by("path")
        ):
            cid = path_to_course.get(lesson.path[: -LessonPage.steplen])
            if cid is not None:
                lessons_by_course[cid].append(lesson)
        rows = list(
            LessonProgress.objects.filter(user=user, course_id__in=list(courses)).values_list(
                "course_id", "lesson_id", "completed_at"
            )
        )
        done_ids = {lesson_id for _c, lesson_id, completed_at in rows if completed_at}
        opened_courses = {course_id for course_id, _l, _d in rows}
    else:
        done_ids, opened_courses = set(), set()
    seen_completed = set()
    result = MyLearning(in_progress=[], completed=[], assigned=[])
    for enrolment in enrolments:
        lessons = lessons_by_course.get(enrolment.course_id, [])
        enrolment.next_lesson = next((x for x in lessons if x.pk not in done_ids), None)
        enrolment.lesson_count = len(lessons)
        # Started: a lesson opened or done ("Continue"); otherwise the button says "Start".
        enrolment.started = bool(enrolment.lessons_done) or enrolment.course_id in opened_courses
        if enrolment.completed_at:
            if enrolment.course_id not in seen_completed:
                seen_completed.add(enrolment.course_id)
                result.completed.append(enrolment)
            continue
        if enrolment.source != Enrolment.Source.SELF or enrolment.due_at:
            result.assigned.append(enrolment)
        else:
            result.in_progress.append(enrolment)
    result.assigned.sort(key=lambda e: (e.due_at is None, e.due_at or e.enrolled_at))
    return result
