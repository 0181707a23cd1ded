"""Page helpers for taking a quiz, used by the one place learners take quizzes: the quiz
block of a lesson (courses.activities.quiz, which applies enrolment, locks and the lesson's
attempt budget). There is no learner page of a quiz on its own: a standalone /kiem-tra/
page skipped enrolment, kept its own attempt budget and showed the answers (issue 13).
Editors preview a quiz in the admin (admin_views.quiz_preview_view), which records nothing.
Not views (the app has none for learners): the contexts and the autosave answer that the
quiz activity's views build on, so no other app imports assessments' views.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from assessments import question_types, selectors, services
from assessments.forms import answers_from_post
from assessments.services import AttemptError


def result_context(*, user, attempt, context_key=""):
    """What attempt_review.html needs: the grade, and the review only if allowed."""
    state = selectors.quiz_state(user=user, quiz=attempt.quiz, context_key=context_key)
    allowed = selectors.review_allowed(
        quiz=attempt.quiz,
        attempt=attempt,
        passed_quiz=state.passed,
        can_retake=state.can_start or state.open_attempt is not None,
    )
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "state": state,
        "review_allowed": allowed,
        "review": selectors.attempt_review(attempt) if allowed else None,
        # The learner's own written answers, their marks and the grader's feedback: shown
        # whatever the review policy (they hold no right answer).
        "essays": selectors.attempt_essays(attempt),
    }


def readable_answers(attempt, post) -> tuple[dict, list]:
    """The posted answers that can be kept, and the typed ones set aside (SetAside list):
    a mistyped number is named on the page, the other answers are saved."""
    return question_types.set_aside_unreadable(
        attempt.frozen, answers_from_post(attempt.frozen, post)
    )


def set_aside_message(aside) -> str:
    return " ".join(
        _("Question %(number)s: %(message)s") % {"number": a.number, "message": a.message}
        for a in aside
    )


def attempt_context(*, attempt, form_action, save_url, error="", aside=()):
    """What attempt_form.html needs; `aside` (SetAside) keeps what was typed in those
    fields, with the message next to the question."""
    questions = selectors.attempt_questions(attempt)
    by_id = {a.question_id: a for a in aside}
    for q in questions:
        if str(q.id) in by_id:
            q.response = {"text": by_id[str(q.id)].text}
            q.error = by_id[str(q.id)].message
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": questions,
        "seconds_left": selectors.seconds_left(attempt),
        "form_action": form_action,
        "save_url": save_url,
        "error": error,
    }


def autosave_response(request, attempt, *, locked: bool = False):
    """Autosave from the page's script: answers in progress, never any grading data. A
    mistyped number is not saved (the others are) and is named in `message`. `locked`: the
    attempt is the row the caller's transaction locked (services.attempt_locked)."""
    try:
        answers, aside = readable_answers(attempt, request.POST)
        attempt = services.attempt_save(
            attempt=attempt, user=request.user, answers=answers, locked=locked
        )
    except AttemptError as exc:
        return JsonResponse(
            {"saved": False, "code": exc.code, "message": exc.message}, status=exc.status
        )
    body = {"saved": True, "saved_at": attempt.saved_at.isoformat()}
    if aside:
        body["message"] = set_aside_message(aside)
    return JsonResponse(body)
