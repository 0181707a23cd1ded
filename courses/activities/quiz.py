"""A quiz inside a lesson: start, save and submit an attempt in the lesson's context, then
report the outcome to courses.services.activity_result_record (passing completes the
lesson when the quiz block is required).

Attempts are scoped with context_key "lesson:<lesson id>:<block id>", so the same quiz in
two lessons counts its attempts separately. Enrolment and lock checks come from
courses.selectors.lesson_state; refusals answer 403 with the courses refusal page.
Included from courses/urls.py under bai/<lesson_id>/kiem-tra/<block_id>/.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors as quiz_selectors
from assessments import services as quiz_services
from assessments.forms import answers_from_post
from assessments.services import AttemptError
from assessments.views import attempt_context, autosave_response, result_context
from courses import services
from courses.models import LessonPage
from courses.selectors import lesson_state


def context_key(lesson_id: int, block_id: str) -> str:
    return f"lesson:{lesson_id}:{block_id}"


def _refused(request, message, *, state=None, status=403):
    return TemplateResponse(
        request,
        "courses/refused.html",
        {
            "message": message,
            "blockers": state.blockers if state else (),
            "course": state.course if state else None,
        },
        status=status,
    )


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


def _lesson_quiz(request, lesson_id: int, block_id: str):
    """(lesson, quiz, lesson state) when the user may take this lesson's quiz."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    block = next((b for b in lesson.body if b.block_type == "quiz" and str(b.id) == block_id), None)
    if block is None or block.value.get("quiz") is None:
        raise Http404(_("This quiz is not part of the lesson."))
    state = lesson_state(user=request.user, lesson=lesson)
    if state.enrolment is None:
        raise _Refused(
            _refused(request, _("Enrol in the course to open its lessons."), state=state)
        )
    if state.locked:
        raise _Refused(_refused(request, state.lock_message, state=state))
    return lesson, block.value["quiz"], state


def _record(request, *, lesson, block_id, attempt):
    """Report a freshly graded attempt to the lesson (once: only the grading call)."""
    if not getattr(attempt, "just_graded", False):
        return
    services.activity_result_record(
        user=request.user,
        lesson=lesson,
        block_id=block_id,
        passed=bool(attempt.passed),
        score_percent=float(attempt.score_percent),
    )


def _attempt(request, lesson_id, block_id, attempt_id):
    attempt = quiz_selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
    if attempt is None or attempt.context_key != context_key(lesson_id, block_id):
        raise Http404(_("This quiz is not part of the lesson."))
    return attempt


def _close_if_overdue(request, *, lesson, block_id, attempt):
    if attempt.is_open and quiz_selectors.seconds_left(attempt) == 0:
        with transaction.atomic():
            attempt = quiz_services.attempt_close_overdue(attempt=attempt)
            _record(request, lesson=lesson, block_id=block_id, attempt=attempt)
    return attempt


def _urls(lesson_id, block_id, attempt_id):
    args = [lesson_id, block_id, attempt_id]
    return {
        "form_action": reverse("courses:quiz_attempt", args=args),
        "save_url": reverse("courses:quiz_autosave", args=args),
    }


@login_required
@require_POST
def quiz_start(request, lesson_id: int, block_id: str):
    try:
        lesson, quiz, _state = _lesson_quiz(request, lesson_id, block_id)
    except _Refused as refused:
        return refused.response
    key = context_key(lesson.pk, block_id)
    open_state = quiz_selectors.quiz_state(user=request.user, quiz=quiz, context_key=key)
    if open_state.open_attempt:
        _close_if_overdue(
            request, lesson=lesson, block_id=block_id, attempt=open_state.open_attempt
        )
    try:
        attempt = quiz_services.attempt_start(user=request.user, quiz=quiz, context_key=key)
    except AttemptError as exc:
        messages.error(request, exc.message)
        return redirect(lesson.get_url(request) + f"#quiz-{block_id}")
    return redirect("courses:quiz_attempt", lesson_id=lesson.pk, block_id=block_id,
                    attempt_id=attempt.pk)  # fmt: skip


@login_required
def quiz_attempt(request, lesson_id: int, block_id: str, attempt_id: int):
    try:
        lesson, quiz, state = _lesson_quiz(request, lesson_id, block_id)
    except _Refused as refused:
        return refused.response
    attempt = _attempt(request, lesson_id, block_id, attempt_id)
    attempt = _close_if_overdue(request, lesson=lesson, block_id=block_id, attempt=attempt)
    result_url = reverse("courses:quiz_result", args=[lesson_id, block_id, attempt.pk])
    if not attempt.is_open:
        return redirect(result_url)
    error = ""
    if request.method == "POST":
        try:
            answers = answers_from_post(attempt.frozen, request.POST)
            if request.POST.get("action") == "save":
                quiz_services.attempt_save(attempt=attempt, user=request.user, answers=answers)
                messages.success(request, _("Your answers are saved."))
                return redirect(request.path)
            # One transaction: if the lesson refuses the result, the attempt stays open.
            with transaction.atomic():
                graded = quiz_services.attempt_submit(
                    attempt=attempt, user=request.user, answers=answers
                )
                _record(request, lesson=lesson, block_id=block_id, attempt=graded)
            return redirect(result_url)
        except AttemptError as exc:
            if exc.code == "time_over":
                _close_if_overdue(request, lesson=lesson, block_id=block_id, attempt=attempt)
                messages.error(request, exc.message)
                return redirect(result_url)
            error = exc.message
        except services.ProgressRefused as refused:
            return _refused(request, refused.message, state=state)
    context = attempt_context(
        error=error, attempt=attempt, **_urls(lesson_id, block_id, attempt.pk)
    )
    context.update(
        {"lesson": lesson, "course": state.course, "lesson_url": lesson.get_url(request)}
    )
    return TemplateResponse(
        request, "courses/activities/quiz_attempt.html", context, status=400 if error else 200
    )


@login_required
@require_POST
def quiz_autosave(request, lesson_id: int, block_id: str, attempt_id: int):
    try:
        _lesson_quiz(request, lesson_id, block_id)
    except _Refused as refused:
        return refused.response
    return autosave_response(request, _attempt(request, lesson_id, block_id, attempt_id))


@login_required
def quiz_result(request, lesson_id: int, block_id: str, attempt_id: int):
    try:
        lesson, quiz, state = _lesson_quiz(request, lesson_id, block_id)
    except _Refused as refused:
        return refused.response
    attempt = _attempt(request, lesson_id, block_id, attempt_id)
    attempt = _close_if_overdue(request, lesson=lesson, block_id=block_id, attempt=attempt)
    if attempt.is_open:
        return redirect("courses:quiz_attempt", lesson_id=lesson_id, block_id=block_id,
                        attempt_id=attempt.pk)  # fmt: skip
    context = result_context(
        user=request.user, attempt=attempt, context_key=context_key(lesson_id, block_id)
    )
    # The lesson's standing after this result (completed or not), fresh from the selector.
    fresh = lesson_state(user=request.user, lesson=lesson, course=state.course)
    context.update(
        {
            "lesson": lesson,
            "course": state.course,
            "lesson_state": fresh,
            "lesson_url": lesson.get_url(request),
            "back_url": lesson.get_url(request) + f"#quiz-{block_id}",
        }
    )
    return TemplateResponse(request, "courses/activities/quiz_result.html", context)


urlpatterns = [
    path("bat-dau/", quiz_start, name="quiz_start"),
    path("bai-lam/<int:attempt_id>/", quiz_attempt, name="quiz_attempt"),
    path("bai-lam/<int:attempt_id>/luu/", quiz_autosave, name="quiz_autosave"),
    path("bai-lam/<int:attempt_id>/ket-qua/", quiz_result, name="quiz_result"),
]
