"""The essay grading queue in the Wagtail admin (issue 18): attempts waiting for a grader,
and the grading form of one attempt.

Graders hold the "chấm bài" permission (`assessments.grade_essay`, given by a Wagtail
group such as "Người chấm bài"); each sees only the learners of their agencies
(`selectors.attempts_gradable_by`, built on the scoping chokepoint), a superuser every
learner. Saving goes through `services.quiz_essays_grade_scoped`: graded once, the
outcome recorded on the lesson, a notice to the learner, an audit entry. The views live on
this floor because the scope does; the grading itself is the assessments floor's.
Registered by campaigns.wagtail_hooks (importing this module).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from assessments.selectors import attempt_essays
from campaigns import selectors, services
from cms.errors import Refused

MAX_FEEDBACK = 5000


def _grader(request):
    if not selectors.may_grade(request.user):
        raise PermissionDenied
    return request.user


def grading_queue_view(request):
    _grader(request)
    attempts = list(selectors.grading_queue_of(request.user)[:200])
    for attempt in attempts:
        profile = getattr(attempt.user, "learner_profile", None)
        attempt.agency_name = profile.agency.name if profile and profile.agency_id else ""
    return TemplateResponse(
        request,
        "campaigns/grading/queue.html",
        {"attempts": attempts, "title": _("Essays to grade")},
    )


def _grades_from_post(post, essays) -> tuple[dict, dict]:
    """({question id: (score text, feedback)}, {question id: the typed values}) from the form."""
    grades, typed = {}, {}
    for essay in essays:
        score = post.get(f"score-{essay.question_id}", "").strip()
        feedback = post.get(f"feedback-{essay.question_id}", "")[:MAX_FEEDBACK]
        grades[essay.question_id] = (score, feedback)
        typed[essay.question_id] = {"score": score, "feedback": feedback}
    return grades, typed


def grade_attempt_view(request, attempt_id: int):
    grader = _grader(request)
    attempt = (
        selectors.attempts_gradable_by(grader)
        .select_related("quiz", "user")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:  # another agency's learner, or no such attempt: not confirmed
        raise Http404
    essays = attempt_essays(attempt, for_grader=True)
    error, typed = "", {}
    if request.method == "POST":
        grades, typed = _grades_from_post(request.POST, essays)
        try:
            services.quiz_essays_grade_scoped(
                grader=grader, attempt_id=attempt.pk, grades=grades, request=request
            )
        except Refused as exc:
            if exc.code == "already_graded":
                messages.error(request, _("This attempt has already been graded."))
                return redirect("campaigns_grading:queue")
            if exc.code == "not_found":
                raise Http404 from None
            error = exc.message
        else:
            messages.success(
                request,
                _("Graded. %(learner)s has been told.") % {"learner": attempt.user.get_full_name()
                                                          or attempt.user.email},
            )  # fmt: skip
            return redirect("campaigns_grading:queue")
    for essay in essays:
        essay.typed = typed.get(essay.question_id, {})
    context = {
        "attempt": attempt,
        "essays": essays,
        "error": error,
        "title": _("Grade: %(quiz)s") % {"quiz": attempt.quiz.title},
        "already_graded": attempt.state != "pending",
    }
    return TemplateResponse(
        request, "campaigns/grading/grade.html", context, status=400 if error else 200
    )


urlpatterns = [
    path("", grading_queue_view, name="queue"),
    path("<int:attempt_id>/", grade_attempt_view, name="grade"),
]


class GradingMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_grade(request.user)


@hooks.register("register_admin_urls")
def register_grading_urls():
    return [path("cham-bai/", include((urlpatterns, "campaigns_grading")))]


@hooks.register("register_admin_menu_item")
def register_grading_menu_item():
    return GradingMenuItem(
        gettext_lazy("Essays to grade"), reverse("campaigns_grading:queue"),
        name="essays-to-grade", icon_name="edit", order=460,
    )  # fmt: skip
