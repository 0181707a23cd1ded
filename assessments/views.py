"""Learner views of a standalone quiz under /kiem-tra/ (namespace "assessments").

Thin: they call assessments.services and selectors. The lesson wiring in courses reuses
the includes in templates/assessments/includes/.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.forms import answers_from_post
from assessments.models import Quiz
from assessments.services import AttemptError


def _attempt_or_404(request, attempt_id, context_key=""):
    attempt = selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
    if attempt is None or attempt.context_key != context_key:
        raise Http404(_("No such attempt."))
    return attempt


def result_context(*, user, attempt, context_key=""):
    """What attempt_review.html needs: the grade, and the review only if allowed."""
    state = selectors.quiz_state(user=user, quiz=attempt.quiz, context_key=context_key)
    allowed = selectors.review_allowed(quiz=attempt.quiz, attempt=attempt, passed_quiz=state.passed)
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "state": state,
        "review_allowed": allowed,
        "review": selectors.attempt_review(attempt) if allowed else None,
    }


def attempt_context(*, attempt, form_action, save_url, error=""):
    """What attempt_form.html needs."""
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": selectors.attempt_questions(attempt),
        "seconds_left": selectors.seconds_left(attempt),
        "form_action": form_action,
        "save_url": save_url,
        "error": error,
    }


@login_required
def quiz_detail(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug)
    state = selectors.quiz_state(user=request.user, quiz=quiz)
    if state.open_attempt and selectors.seconds_left(state.open_attempt) == 0:
        services.attempt_close_overdue(attempt=state.open_attempt)
        state = selectors.quiz_state(user=request.user, quiz=quiz)
    return render(
        request,
        "assessments/quiz_detail.html",
        {
            "quiz": quiz,
            "state": state,
            "start_url": reverse("assessments:start", args=[slug]),
            "past": [(a, reverse("assessments:result", args=[a.pk])) for a in state.graded],
        },
    )


@login_required
@require_POST
def quiz_start(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except AttemptError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:quiz", slug=slug)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


@login_required
def attempt_take(request, attempt_id):
    attempt = _attempt_or_404(request, attempt_id)
    if not attempt.is_open:
        return redirect("assessments:result", attempt_id=attempt.pk)
    error = ""
    if request.method == "POST":
        try:
            answers = answers_from_post(attempt.frozen, request.POST)
            if request.POST.get("action") == "save":
                attempt = services.attempt_save(attempt=attempt, user=request.user, answers=answers)
                messages.success(request, _("Your answers are saved."))
                return redirect("assessments:attempt", attempt_id=attempt.pk)
            services.attempt_submit(attempt=attempt, user=request.user, answers=answers)
            return redirect("assessments:result", attempt_id=attempt.pk)
        except AttemptError as exc:
            if exc.code == "time_over":
                services.attempt_close_overdue(attempt=attempt)
                messages.error(request, exc.message)
                return redirect("assessments:result", attempt_id=attempt.pk)
            error = exc.message
    context = attempt_context(
        attempt=attempt,
        form_action=reverse("assessments:attempt", args=[attempt.pk]),
        save_url=reverse("assessments:autosave", args=[attempt.pk]),
        error=error,
    )
    return render(request, "assessments/attempt.html", context, status=400 if error else 200)


@login_required
@require_POST
def attempt_autosave(request, attempt_id):
    """Autosave from the page's script: answers in progress, never any grading data."""
    attempt = _attempt_or_404(request, attempt_id)
    return autosave_response(request, attempt)


def autosave_response(request, attempt):
    try:
        answers = answers_from_post(attempt.frozen, request.POST)
        attempt = services.attempt_save(attempt=attempt, user=request.user, answers=answers)
    except AttemptError as exc:
        return JsonResponse({"saved": False, "code": exc.code, "message": exc.message}, status=400)
    return JsonResponse({"saved": True, "saved_at": attempt.saved_at.isoformat()})


@login_required
def attempt_result(request, attempt_id):
    attempt = _attempt_or_404(request, attempt_id)
    if attempt.is_open:
        if selectors.seconds_left(attempt) == 0:
            attempt = services.attempt_close_overdue(attempt=attempt)
        if attempt.is_open:
            return redirect("assessments:attempt", attempt_id=attempt.pk)
    context = result_context(user=request.user, attempt=attempt)
    context["back_url"] = reverse("assessments:quiz", args=[attempt.quiz.slug])
    return render(request, "assessments/attempt_result.html", context)
