"""The quiz activity kind: start, save and submit an attempt in the lesson's context; the
graded outcome is recorded on the lesson by courses.services.activity_outcome_record in the
same transaction (passing completes the lesson when the quiz block is required).

Attempts are scoped with the kind's context key "lesson:<lesson id>:<block id>", so the same
quiz in two lessons counts its attempts separately. Access (the block, enrolment, locks) is
checked once per request by courses.activities.access; refusals answer with the refusal page
(cms.errors). Included from courses/urls.py under bai/<lesson_id>/kiem-tra/<block_id>/.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import selectors as quiz_selectors
from assessments import services as quiz_services
from assessments.attempt_pages import (
    attempt_context,
    autosave_response,
    readable_answers,
    result_context,
    set_aside_message,
)
from assessments.services import AttemptError
from cms.errors import answers_refusals
from courses import services
from courses.activities.access import Access, activity_access
from courses.activities.registry import ActivityKind, register
from courses.certificates.selectors import certificates_by_course
from courses.selectors import lesson_state


def _access(request, lesson_id: int, block_id: str, *, load_activity=False) -> Access:
    return activity_access(KIND, user=request.user, lesson_id=lesson_id, block_id=block_id,
                           load_activity=load_activity)  # fmt: skip


def _graded(attempt):
    """(attempt, outcome): graded only by the call that graded it (reported once)."""
    outcome = services.ActivityOutcome(
        graded=bool(getattr(attempt, "just_graded", False)),
        passed=bool(attempt.passed),
        score_percent=float(attempt.score_percent) if attempt.score_percent is not None else None,
    )
    return attempt, outcome


def _record(request, access: Access, write, *, savepoint: bool = True):
    attempt, _progress = services.activity_outcome_record(
        user=request.user, state=access.state, block_id=access.block_id, write=write,
        savepoint=savepoint,
    )  # fmt: skip
    return attempt


def _attempt(request, lesson_id, block_id, attempt_id, *, lock: bool = False):
    """The learner's attempt in this lesson's block (404 otherwise); `lock`: locked until
    the view's transaction ends (quiz_services.attempt_locked)."""
    if lock:
        attempt = quiz_services.attempt_locked(user=request.user, attempt_id=attempt_id)
    else:
        attempt = quiz_selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
    if attempt is None or attempt.context_key != KIND.context_key(lesson_id, block_id):
        raise Http404(_("This quiz is not part of the lesson."))
    return attempt


def _close_if_overdue(request, access: Access, attempt):
    if attempt.is_open and quiz_selectors.seconds_left(attempt) == 0:
        attempt = _record(
            request, access, lambda: _graded(quiz_services.attempt_close_overdue(attempt=attempt))
        )
    return attempt


def _urls(lesson_id, block_id, attempt_id):
    args = [lesson_id, block_id, attempt_id]
    return {
        "form_action": reverse("courses:quiz_attempt", args=args),
        "save_url": reverse("courses:quiz_autosave", args=args),
    }


@login_required
@require_POST
@answers_refusals
def quiz_start(request, lesson_id: int, block_id: str):
    access = _access(request, lesson_id, block_id, load_activity=True)
    quiz, key = access.activity, access.context_key

    def close_overdue(stale):
        # An open attempt past its time is graded, and its outcome recorded on the lesson.
        _record(
            request, access, lambda: _graded(quiz_services.attempt_close_overdue(attempt=stale))
        )

    try:
        attempt = quiz_services.attempt_start(
            user=request.user, quiz=quiz, context_key=key, close_overdue=close_overdue
        )
    except AttemptError as exc:
        messages.error(request, exc.message)
        return redirect(access.lesson.get_url(request) + f"#quiz-{block_id}")
    return redirect("courses:quiz_attempt", lesson_id=lesson_id, block_id=block_id,
                    attempt_id=attempt.pk)  # fmt: skip


@login_required
@answers_refusals
def quiz_attempt(request, lesson_id: int, block_id: str, attempt_id: int):
    access = _access(request, lesson_id, block_id)
    result_url = reverse("courses:quiz_result", args=[lesson_id, block_id, attempt_id])
    if request.method == "POST":
        return _attempt_post(request, access, attempt_id, result_url)
    attempt = _attempt(request, lesson_id, block_id, attempt_id)
    attempt = _close_if_overdue(request, access, attempt)
    if not attempt.is_open:
        return redirect(result_url)
    return _attempt_page(request, access, attempt)


def _attempt_post(request, access: Access, attempt_id: int, result_url: str):
    """Save or submit, in one transaction from the attempt's locked read to the lesson's
    outcome: the attempt is read once (locked), and a refusal rolls it all back."""
    attempt = None
    try:
        with transaction.atomic():
            attempt = _attempt(request, access.lesson.pk, access.block_id, attempt_id, lock=True)
            attempt = _close_if_overdue(request, access, attempt)
            if not attempt.is_open:
                return redirect(result_url)
            return _answers_post(request, access, attempt, result_url)
    except AttemptError as exc:
        if exc.code == "time_over":
            _close_if_overdue(request, access, attempt)
            messages.error(request, exc.message)
            return redirect(result_url)
        return _attempt_page(request, access, attempt, error=exc.message)


def _answers_post(request, access: Access, attempt, result_url: str):
    """The posted answers of a locked open attempt: kept, or submitted and graded."""
    answers, aside = readable_answers(attempt, request.POST)
    action = request.POST.get("action")
    if aside:  # a mistyped number: keep the rest, show what was typed and where
        attempt = quiz_services.attempt_save(
            attempt=attempt, user=request.user, answers=answers, locked=True
        )
        return _attempt_page(request, access, attempt, error=set_aside_message(aside), aside=aside)
    if action == "save":
        quiz_services.attempt_save(attempt=attempt, user=request.user, answers=answers, locked=True)
        messages.success(request, _("Your answers are saved."))
        return redirect(request.path)
    # Questions left empty: keep the answers and ask first ("submit_anyway" is the
    # confirmation). When time is up there is nothing left to ask: grade now.
    unanswered = quiz_selectors.unanswered_numbers(attempt, answers)
    if action != "submit_anyway" and unanswered and quiz_selectors.seconds_left(attempt) != 0:
        attempt = quiz_services.attempt_save(
            attempt=attempt, user=request.user, answers=answers, locked=True
        )
        return _attempt_page(request, access, attempt, unanswered=unanswered)
    # In the view's transaction: if the lesson refuses the result, the attempt stays open.
    _record(
        request,
        access,
        lambda: _graded(
            quiz_services.attempt_submit(
                attempt=attempt, user=request.user, answers=answers, locked=True
            )
        ),
        savepoint=False,
    )
    return redirect(result_url)


def _attempt_page(request, access: Access, attempt, *, error="", unanswered=(), aside=()):
    lesson = access.lesson
    context = attempt_context(
        error=error, attempt=attempt, aside=aside, **_urls(lesson.pk, access.block_id, attempt.pk)
    )
    context.update(
        {
            "lesson": lesson,
            "course": access.state.course,
            "lesson_url": lesson.get_url(request),
            "unanswered": list(unanswered),
            "lesson_state": access.state,
        }
    )
    return TemplateResponse(
        request, "courses/activities/quiz_attempt.html", context, status=400 if error else 200
    )


@login_required
@require_POST
@answers_refusals
def quiz_autosave(request, lesson_id: int, block_id: str, attempt_id: int):
    _access(request, lesson_id, block_id)
    with transaction.atomic():  # the attempt read once, locked, and saved
        attempt = _attempt(request, lesson_id, block_id, attempt_id, lock=True)
        return autosave_response(request, attempt, locked=True)


@login_required
@answers_refusals
def quiz_result(request, lesson_id: int, block_id: str, attempt_id: int):
    access = _access(request, lesson_id, block_id)
    lesson, course = access.lesson, access.state.course
    attempt = _attempt(request, lesson_id, block_id, attempt_id)
    attempt = _close_if_overdue(request, access, attempt)
    if attempt.is_open:
        return redirect("courses:quiz_attempt", lesson_id=lesson_id, block_id=block_id,
                        attempt_id=attempt.pk)  # fmt: skip
    context = result_context(user=request.user, attempt=attempt, context_key=access.context_key)
    # The lesson's standing after this result (completed or not), fresh from the selector.
    fresh = lesson_state(user=request.user, lesson=lesson, course=course)
    enrolment = fresh.enrolment
    certificate = None
    if enrolment is not None and enrolment.completed_at:
        certificate = certificates_by_course(user=request.user, course_ids=[course.pk]).get(
            course.pk
        )
    context.update(
        {
            "lesson": lesson,
            "course": course,
            "lesson_state": fresh,
            "enrolment": enrolment,
            "certificate": certificate,
            "lesson_url": lesson.get_url(request),
            "back_url": lesson.get_url(request) + f"#quiz-{block_id}",
            "retake_url": reverse("courses:quiz_start", args=[lesson_id, block_id]),
        }
    )
    return TemplateResponse(request, "courses/activities/quiz_result.html", context)


urlpatterns = [
    path("bat-dau/", quiz_start, name="quiz_start"),
    path("bai-lam/<int:attempt_id>/", quiz_attempt, name="quiz_attempt"),
    path("bai-lam/<int:attempt_id>/luu/", quiz_autosave, name="quiz_autosave"),
    path("bai-lam/<int:attempt_id>/ket-qua/", quiz_result, name="quiz_result"),
]

KIND = register(
    ActivityKind(
        block_type="quiz",
        url_segment="kiem-tra",
        activity_field="quiz",
        missing=gettext_lazy("This quiz is not part of the lesson."),
        urlpatterns=urlpatterns,
    )
)
