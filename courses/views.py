"""Thin views of the courses app: pages read through selectors, writes through services."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from hashlib import sha256

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.images import get_image_model

from cms.errors import refused_response, wants_json
from cms.pages import cached_for_everyone, public_q
from cms.text import fold
from courses import services
from courses.activities.registry import block_types as activity_block_types
from courses.certificates.selectors import certificates_by_course
from courses.models import (
    Audience,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    Level,
    Topic,
)
from courses.selectors import (
    LESSON_PAGE_COURSE_FIELDS,
    active_enrolments_by_course,
    course_lessons,
    course_of,
    lesson_state,
    my_learning,
    prerequisites_status,
)

CATALOGUE_PAGE_SIZE = 24
COVER_FILTER = "fill-480x270|format-webp"


# --- Catalogue ------------------------------------------------------------------------------


@require_GET
def catalogue(request):
    """/hoc/ -> the catalogue page (a Wagtail page editors can move and rename)."""
    index = CourseIndexPage.objects.live().first()
    if index is None:
        raise Http404(_("The course catalogue has not been published yet."))
    target = index.get_url(request)
    if request.GET:
        target += "?" + request.GET.urlencode()
    return redirect(target)


def catalogue_courses(*, index: CourseIndexPage, query: str = "", audience="", topic="", level=""):
    """Live courses under the catalogue matching a query (diacritics and case ignored: the
    query is folded like CoursePage.search_key, each word must start a word of the key) and
    the filters. Same SQL on SQLite and PostgreSQL (LIKE on an ASCII, lower-case key)."""
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=COVER_FILTER)
    qs = (
        CoursePage.objects.live()
        .filter(public_q())  # .public() without its query (cms.pages: restrictions cached)
        .child_of(index)
        # The cover in the courses' own query, its card rendition in one more (what
        # image_model.prefetch_renditions would do in two).
        .select_related("cover_image")
        .prefetch_related(
            "audience_links",
            Prefetch(
                "cover_image__renditions", queryset=renditions, to_attr="prefetched_renditions"
            ),
        )
        .order_by("-featured", "title")
    )
    for word in fold(query).split()[:8]:
        qs = qs.filter(search_key__contains=f" {word}")
    if audience in Audience.values:
        qs = qs.filter(audience_links__audience=audience)
    if topic in Topic.values:
        qs = qs.filter(topic=topic)
    if level in Level.values:
        qs = qs.filter(level=level)
    return qs


@dataclass
class CatalogueCard:
    """One course of the catalogue as every visitor sees it (cached: `catalogue_listing`);
    `my_enrolment` is set per request, never cached."""

    id: int
    title: str
    html: str  # cover, linked title and summary
    meta: str  # level · minutes
    my_enrolment: Enrolment | None = None


def catalogue_listing(request, *, index, query, audience, topic, level, page) -> dict:
    """One page of the catalogue's courses, rendered, and its paging: the same for everyone
    with the same filters (cms.pages.cached_for_everyone keeps it until a page changes)."""
    qs = catalogue_courses(index=index, query=query, audience=audience, topic=topic, level=level)
    page_obj = Paginator(qs, CATALOGUE_PAGE_SIZE).get_page(page)
    cards = [
        CatalogueCard(
            id=course.pk,
            title=course.title,
            html=render_to_string(
                "courses/includes/catalogue_card.html", {"course": course}, request=request
            ),
            meta=format_html(
                "{} · {}",
                course.get_level_display(),
                _("%(minutes)s min") % {"minutes": course.estimated_minutes},
            ),
        )
        for course in page_obj.object_list
    ]
    paging = {
        "count": page_obj.paginator.count,
        "num_pages": page_obj.paginator.num_pages,
        "number": page_obj.number,
        "has_other_pages": page_obj.has_other_pages(),
        "previous": page_obj.previous_page_number() if page_obj.has_previous() else None,
        "next": page_obj.next_page_number() if page_obj.has_next() else None,
    }
    return {"cards": cards, "paging": paging}


def catalogue_serve(request, index: CourseIndexPage):
    q = request.GET.get("q", "")[:100]
    # Only known values filter (or are shown selected): any other is no filter.
    audience = request.GET.get("audience", "")
    audience = audience if audience in Audience.values else ""
    topic = request.GET.get("topic", "")
    topic = topic if topic in Topic.values else ""
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    page = request.GET.get("page")

    def load():
        return catalogue_listing(
            request, index=index, query=q, audience=audience, topic=topic, level=level, page=page
        )

    # A search is the visitor's own words (keys without end): not cached. Filters (only
    # known values count) and page numbers are few.
    if q or (page is not None and not (page.isdigit() and len(page) <= 4)):
        listing = load()
    else:
        digest = sha256(json.dumps([request.get_host(), audience, topic, level, page]).encode())
        digest = digest.hexdigest()
        listing = cached_for_everyone(
            request, f"catalogue:{index.pk}:{get_language()}:{digest[:32]}", load
        )
    # The cached cards are shared: each request gets its own with the learner's progress.
    cards = [replace(card) for card in listing["cards"]]
    if request.user.is_authenticated and cards:
        enrolled = active_enrolments_by_course(
            user=request.user, course_ids=[card.id for card in cards]
        )
        for card in cards:
            card.my_enrolment = enrolled.get(card.id)
    params = request.GET.copy()
    params.pop("page", None)
    return TemplateResponse(
        request,
        "courses/course_index_page.html",
        {
            "page": index,
            "self": index,
            "courses": cards,
            "paging": listing["paging"],
            "q": q,
            "audience": audience,
            "topic": topic,
            "level": level,
            "audiences": Audience.choices,
            "topics": Topic.choices,
            "levels": Level.choices,
            "querystring": params.urlencode(),
        },
    )


# --- Course and lesson pages ----------------------------------------------------------------


def course_serve(request, course: CoursePage):
    lessons = list(course_lessons(course))
    enrolment = None
    done_ids = set()
    started = False
    certificate = None
    if request.user.is_authenticated:
        enrolment = Enrolment.objects.active().filter(user=request.user, course=course).first()
        rows = list(
            course.lesson_progress.filter(user=request.user).values_list(
                "lesson_id", "completed_at"
            )
        )
        done_ids = {lesson_id for lesson_id, completed_at in rows if completed_at}
        # Started: a lesson opened or done. Otherwise the button says "Start", not "Continue".
        started = bool(rows) or bool(enrolment and enrolment.lessons_done)
        if enrolment is not None and enrolment.completed_at:
            certificate = certificates_by_course(user=request.user, course_ids=[course.pk]).get(
                course.pk
            )
    prerequisites = prerequisites_status(user=request.user, course=course)
    sections: list[tuple[str, list]] = []
    for lesson in lessons:
        lesson.done = lesson.pk in done_ids
        if sections and sections[-1][0] == lesson.section:
            sections[-1][1].append(lesson)
        else:
            sections.append((lesson.section, [lesson]))
    next_lesson = next((x for x in lessons if not x.done), None)
    return TemplateResponse(
        request,
        "courses/course_page.html",
        {
            "page": course,
            "self": course,
            "lessons": lessons,
            "sections": sections,
            "enrolment": enrolment,
            "prerequisites": prerequisites,
            "prerequisites_missing": [c for c in prerequisites if not c.done],
            "next_lesson": next_lesson,
            "started": started,
            "certificate": certificate,
        },
    )


def lesson_serve(request, lesson: LessonPage):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # The course row and its lessons (list columns, tree order), the same for every learner,
    # from the cache until a page changes (one entry per course: one read); Wagtail's walk
    # (CoursePage.route) leaves the course on the lesson without has_prerequisites. The
    # enrolment and progress rows, the learner's own, are read per request by lesson_state.
    course, lessons = cached_for_everyone(
        request,
        f"course-and-lessons:{lesson.path[: -LessonPage.steplen]}",
        lambda: _course_of(lesson),
    )
    state = lesson_state(user=request.user, lesson=lesson, course=course, lessons=lessons)
    refused = services.lesson_refusal(state)
    if refused is not None:
        return refused_response(request, refused)
    if state.progress is None or state.progress.opened_at is None:
        state.progress = services.lesson_open_record(
            user=request.user, lesson=lesson, course=state.course
        )
    return lesson_page_response(request, lesson=lesson, state=state, course=state.course)


def _course_of(lesson: LessonPage) -> tuple[CoursePage, list[LessonPage]]:
    course = course_of(lesson, fields=LESSON_PAGE_COURSE_FIELDS)
    return course, list(course_lessons(course))


def lesson_page_response(request, *, lesson: LessonPage, state, course, **extra):
    """The lesson page of `lesson` in `course` for `state` (selectors.lesson_state): served
    at its address (lesson_serve) and as the device's offline copy (offline.views), which
    adds `offline_copy`."""
    context = {
        "page": lesson,
        "self": lesson,
        "state": state,
        "course": course,
        "body_items": lesson_body_items(request, lesson),
        **extra,
    }
    return TemplateResponse(request, "courses/lesson_page.html", context)


def lesson_body_items(request, lesson: LessonPage) -> list[dict]:
    """[{"html": cached markup} or {"block": bound activity block}] in body order.

    Content blocks do not depend on the learner, so their HTML is rendered once per lesson
    version and language and kept for everyone under the pages generation (one entry for the
    lesson; cms.pages.cached_for_everyone: any page, image or rendition change makes a new
    one); activity blocks are rendered in the template with the learner's state. Only a miss
    touches the StreamField's values (and their image/video queries). A preview (an editor's
    unsaved body under the live page's id and revision) is rendered and never cached."""
    raw = lesson.body.raw_data
    activity_types = activity_block_types()

    def render_block(index: int) -> str:
        context = {"page": lesson, "self": lesson, "request": request,
                   "block_id": raw[index]["id"]}  # fmt: skip
        return str(lesson.body[index].render(context=context))

    def render_content() -> dict[str, str]:
        return {
            child["id"]: render_block(index)
            for index, child in enumerate(raw)
            if child["type"] not in activity_types
        }

    published = lesson.last_published_at.timestamp() if lesson.last_published_at else 0
    version = f"{lesson.pk}:{lesson.latest_revision_id}:{published:.0f}"
    rendered = cached_for_everyone(
        request, f"lesson-body:{version}:{get_language()}", render_content
    )
    items = []
    for index, child in enumerate(raw):
        if child["type"] in activity_types:
            items.append({"block": lesson.body[index]})
            continue
        html = rendered.get(child["id"])
        if html is None:  # not in a copy made from another body: rendered here
            html = render_block(index)
        items.append({"html": mark_safe(html)})  # noqa: S308 - the blocks' own output
    return items


# --- Writes ---------------------------------------------------------------------------------


@login_required
@require_POST
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    services.enrolment_create(user=request.user, course=course, source=Enrolment.Source.SELF)
    messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.get_url(request))


@login_required
@require_POST
def unenrol(request, course_id: int):
    enrolment = get_object_or_404(
        Enrolment.objects.active().select_related("course"), user=request.user, course_id=course_id
    )
    services.enrolment_cancel(enrolment=enrolment)
    messages.success(request, _("You have left the course. Your progress is kept."))
    return redirect(enrolment.course.get_url(request))


@require_POST
def lesson_progress(request, lesson_id: int):
    """POST evidence=read|video (block_id for a video). JSON for fetch(), else a redirect
    to the next lesson. Refusals: 403 with a message; nothing changes."""
    if not request.user.is_authenticated:
        if wants_json(request):
            refused = services.ProgressRefused(_("Please log in."), code="login")
            return refused_response(request, refused, as_json=True)
        return redirect_to_login(request.get_full_path())
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    evidence = request.POST.get("evidence", "")
    block_id = request.POST.get("block_id", "")[:64]
    try:
        progress = services.lesson_progress_record(
            user=request.user, lesson=lesson, evidence=evidence, block_id=block_id
        )
    except services.ProgressRefused as refused:
        return refused_response(request, refused)
    enrolment = (
        Enrolment.objects.filter(user=request.user, course_id=progress.course_id)
        .order_by("-pk")
        .first()
    )
    if wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "lesson_completed": progress.completed_at is not None,
                "course_completed": bool(enrolment and enrolment.completed_at),
                "percent": enrolment.percent if enrolment else 0,
            }
        )
    state = lesson_state(user=request.user, lesson=lesson)
    if enrolment and enrolment.completed_at:
        messages.success(request, _("Congratulations! You have completed this course."))
        return redirect(state.course.get_url(request))
    if progress.completed_at is not None:
        messages.success(request, _("Lesson completed."))
    if state.next_lesson is not None:
        return redirect(state.next_lesson.get_url(request))
    return redirect(state.course.get_url(request))


@login_required
@require_GET
def my_learning_view(request):
    data = my_learning(user=request.user)
    certificates = certificates_by_course(
        user=request.user, course_ids=[e.course_id for e in data.completed]
    )
    for enrolment in data.completed:
        enrolment.certificate = certificates.get(enrolment.course_id)
    return TemplateResponse(request, "courses/my_learning.html", {"data": data})
