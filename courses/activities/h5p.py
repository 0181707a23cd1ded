"""An H5P activity inside a lesson: the lesson page's relay script posts here.

    launch   POST bai/<lesson>/h5p/<block>/bat-dau/                 -> player URL, saved state
    xAPI     POST bai/<lesson>/h5p/<block>/luot/<launch uuid>/xapi/  -> raw statement body
    state    POST bai/<lesson>/h5p/<block>/luot/<launch uuid>/trang-thai/ -> raw state body

Each view checks enrolment and locks through courses.selectors.lesson_state, then calls
assessments.h5p.services (identity = request.user; the statement's actor is ignored). A
graded top-level statement is reported to courses.services.activity_result_record with the
block's pass_percent; passing a required block completes the lesson. Launches are scoped
with context_key "lesson:<lesson id>:<block id>". CSRF applies (the relay sends
X-CSRFToken). Included from courses/urls.py under bai/<lesson_id>/h5p/<block_id>/.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.h5p import services as h5p
from assessments.h5p.serving import player_url
from assessments.h5p.tokens import make_token
from courses import services
from courses.models import LessonPage
from courses.selectors import lesson_state


def context_key(lesson_id: int, block_id: str) -> str:
    return f"lesson:{lesson_id}:{block_id}"


class _Refused(Exception):
    def __init__(self, message: str, status: int = 403, code: str = "refused"):
        self.response = JsonResponse({"error": message, "code": code}, status=status)


def _lesson_block(request, lesson_id: int, block_id: str):
    """(lesson, block value, lesson state) when the user may play this lesson's activity."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    block = next((b for b in lesson.body if b.block_type == "h5p" and str(b.id) == block_id), None)
    if block is None or block.value.get("package") is None:
        raise _Refused(_("This activity is not part of the lesson."), 404, "bad_block")
    state = lesson_state(user=request.user, lesson=lesson)
    if state.enrolment is None:
        raise _Refused(_("Enrol in the course to open its lessons."), 403, "not_enrolled")
    if state.locked:
        raise _Refused(state.lock_message, 403, "locked")
    return lesson, block.value, state


def _refusal(exc: h5p.H5PRefused) -> JsonResponse:
    return JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)


@login_required
@require_POST
def h5p_launch(request, lesson_id: int, block_id: str):
    try:
        lesson, value, _state = _lesson_block(request, lesson_id, block_id)
        package = value["package"]
        key = context_key(lesson.pk, block_id)
        launch = h5p.launch_start(user=request.user, package=package, context_key=key)
    except _Refused as refused:
        return refused.response
    except h5p.H5PRefused as exc:
        return _refusal(exc)
    args = [lesson.pk, block_id, launch.public_id]
    return JsonResponse(
        {
            "launch": str(launch.public_id),
            "player_url": player_url(package, make_token(package.pk)),
            "state": h5p.state_get(user=request.user, package=package, context_key=key),
            "statement_url": reverse("courses:h5p_statement", args=args),
            "state_url": reverse("courses:h5p_state", args=args),
            "pass_percent": value.get("pass_percent"),
        }
    )


@login_required
@require_POST
def h5p_statement(request, lesson_id: int, block_id: str, launch_id):
    if int(request.META.get("CONTENT_LENGTH") or 0) > h5p.statement_max_bytes():
        return JsonResponse({"error": _("The statement is too large."), "code": "size"}, status=413)
    try:
        lesson, value, _state = _lesson_block(request, lesson_id, block_id)
        pass_percent = value.get("pass_percent") or 0
        # One transaction: if the lesson refuses the result, the statement is not kept.
        with transaction.atomic():
            outcome = h5p.statement_record(
                user=request.user,
                launch_id=launch_id,
                context_key=context_key(lesson.pk, block_id),
                payload=request.body,
                pass_percent=pass_percent,
            )
            progress = None
            if outcome.graded:
                progress = services.activity_result_record(
                    user=request.user,
                    lesson=lesson,
                    block_id=block_id,
                    passed=bool(outcome.passed),
                    score_percent=outcome.score_percent,
                )
    except _Refused as refused:
        return refused.response
    except h5p.H5PRefused as exc:
        return _refusal(exc)
    except services.ProgressRefused as exc:
        return JsonResponse({"error": exc.message, "code": exc.code}, status=403)
    return JsonResponse(
        {
            "graded": outcome.graded,
            "duplicate": outcome.duplicate,
            "score_percent": outcome.score_percent,
            "passed": outcome.passed,
            "pass_percent": pass_percent,
            "lesson_completed": bool(progress and progress.completed_at),
        }
    )


@login_required
@require_POST
def h5p_state(request, lesson_id: int, block_id: str, launch_id):
    if int(request.META.get("CONTENT_LENGTH") or 0) > h5p.state_max_bytes():
        return JsonResponse(
            {"error": _("The saved state is too large."), "code": "size"}, status=413
        )
    try:
        lesson, _value, _state = _lesson_block(request, lesson_id, block_id)
        h5p.state_save(
            user=request.user,
            launch_id=launch_id,
            context_key=context_key(lesson.pk, block_id),
            data=request.body.decode("utf-8", "replace"),
        )
    except _Refused as refused:
        return refused.response
    except h5p.H5PRefused as exc:
        return _refusal(exc)
    return JsonResponse({"saved": True})


urlpatterns = [
    path("bat-dau/", h5p_launch, name="h5p_launch"),
    path("luot/<uuid:launch_id>/xapi/", h5p_statement, name="h5p_statement"),
    path("luot/<uuid:launch_id>/trang-thai/", h5p_state, name="h5p_state"),
]
