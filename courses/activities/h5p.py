"""The H5P activity kind: an H5P package inside a lesson; the lesson page's relay script
posts here.

    launch   POST bai/<lesson>/h5p/<block>/bat-dau/                 -> player URL, saved state
    xAPI     POST bai/<lesson>/h5p/<block>/luot/<launch uuid>/xapi/  -> raw statement body
    state    POST bai/<lesson>/h5p/<block>/luot/<launch uuid>/trang-thai/ -> raw state body

Each view checks access once (courses.activities.access: the block, enrolment, locks), then
calls assessments.h5p.services (identity = request.user; the statement's actor is ignored).
A statement is stored and its graded outcome recorded on the lesson in one transaction by
courses.services.activity_outcome_record, against the lesson state the access check
computed: passing a required block completes the lesson. Refusals answer JSON
{ok, error, code} (cms.errors). CSRF applies (the relay sends X-CSRFToken).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from assessments.h5p import services as h5p
from assessments.h5p.serving import player_url
from assessments.h5p.tokens import make_token
from cms.net import client_ip
from courses import services
from courses.activities.access import progress_fields, relay_view
from courses.activities.registry import package_kind


@relay_view("h5p", load_activity=True)
def h5p_launch(request, access, *, lesson_id: int, block_id: str):
    package = access.activity
    key = access.context_key
    launch = h5p.launch_start(user=request.user, package=package, context_key=key)
    args = [lesson_id, block_id, launch.public_id]
    return JsonResponse(
        {
            "launch": str(launch.public_id),
            "player_url": player_url(package, make_token(package.pk)),
            "state": h5p.state_get(user=request.user, package=package, context_key=key),
            "statement_url": reverse("courses:h5p_statement", args=args),
            "state_url": reverse("courses:h5p_state", args=args),
            "pass_percent": access.value.get("pass_percent"),
        }
    )


@relay_view("h5p", h5p.statement_max_bytes, gettext_lazy("The statement is too large."))
def h5p_statement(request, access, *, lesson_id: int, block_id: str, launch_id):
    pass_percent = access.value.get("pass_percent") or 0

    def write():
        outcome = h5p.statement_record(
            user=request.user,
            launch_id=launch_id,
            context_key=access.context_key,
            payload=request.body,
            pass_percent=pass_percent,
            client_address=client_ip(request),
            savepoint=False,  # in activity_outcome_record's transaction
        )
        graded = services.ActivityOutcome(
            graded=outcome.graded, passed=bool(outcome.passed), score_percent=outcome.score_percent
        )
        return outcome, graded

    outcome, progress = services.activity_outcome_record(
        user=request.user, state=access.state, block_id=block_id, write=write
    )
    return JsonResponse(
        {
            "graded": outcome.graded,
            "duplicate": outcome.duplicate,
            "score_percent": outcome.score_percent,
            "passed": outcome.passed,
            "pass_percent": pass_percent,
            **progress_fields(access, user=request.user, progress=progress),
        }
    )


@relay_view("h5p", h5p.state_max_bytes, gettext_lazy("The saved state is too large."))
def h5p_state(request, access, *, lesson_id: int, block_id: str, launch_id):
    h5p.state_save(
        user=request.user,
        launch_id=launch_id,
        context_key=access.context_key,
        data=request.body.decode("utf-8", "replace"),
        client_address=client_ip(request),
    )
    return JsonResponse({"saved": True})


KIND = package_kind(
    "h5p",
    [
        path("bat-dau/", h5p_launch, name="h5p_launch"),
        path("luot/<uuid:launch_id>/xapi/", h5p_statement, name="h5p_statement"),
        path("luot/<uuid:launch_id>/trang-thai/", h5p_state, name="h5p_state"),
    ],
)
