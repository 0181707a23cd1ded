"""The SCORM activity kind: a SCORM 1.2 or 2004 package inside a lesson; the lesson page's
relay script (assessments/scorm/static/scorm/scorm-relay.js) posts here.

    launch   POST bai/<lesson>/scorm/<block>/bat-dau/                    {"sco": ""}
             -> the player URL on CONTENT_ORIGIN, the SCO's launch href, the attempt, its
                new session and the values the runtime starts with (resume)
    commit   POST bai/<lesson>/scorm/<block>/luot/<attempt uuid>/luu/
             {"session", "seq", "values", "finish"} -> the outcome rolled up

Each view checks access once (courses.activities.access: the block, enrolment, locks), then
calls assessments.scorm.services (identity = request.user). A commit is checked against the
SCORM data model, stored, and the package's outcome (completion, success, score.scaled over
its SCOs in the manifest's order) recorded on the lesson in one transaction by
courses.services.activity_outcome_record: a required block complete (and passed, when the
package judges success) completes the lesson. Refusals answer JSON {ok, error, code}.
"""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy

from assessments.scorm import services as scorm
from assessments.scorm.cmi import ScormRefused
from assessments.scorm.selectors import sco_completion
from assessments.scorm.serving import player_url
from cms.net import client_ip
from courses import services
from courses.activities.access import progress_fields, relay_view
from courses.activities.registry import package_kind


def _launch_request(request) -> str:
    """The SCO the page asks for ("" = the first not yet complete), from a small JSON body."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    sco = body.get("sco", "") if isinstance(body, dict) else None
    if not isinstance(sco, str) or len(sco) > 255:
        raise ScormRefused(gettext("This part of the course was not found."), code="sco")
    return sco


@relay_view("scorm", lambda: 4096, gettext_lazy("The request is too large."), load_activity=True)
def scorm_launch(request, access, *, lesson_id: int, block_id: str):
    package, key = access.activity, access.context_key
    done = sco_completion(user=request.user, package=package, context_key=key)
    sco = _launch_request(request) or next(
        (i["identifier"] for i in package.sco_items if not done.get(i["identifier"])), ""
    )
    attempt, values = scorm.attempt_start(
        user=request.user, package=package, context_key=key, sco=sco
    )
    item = next(i for i in package.sco_items if i["identifier"] == attempt.sco)
    return JsonResponse(
        {
            "attempt": str(attempt.public_id),
            "session": str(attempt.session),
            "sco": attempt.sco,
            "title": item.get("title") or package.title,
            "href": item["href"],
            "player_url": player_url(package),
            "cmi": values,
            "commit_url": reverse(
                "courses:scorm_commit", args=[lesson_id, block_id, attempt.public_id]
            ),
            "scos": [
                {
                    "identifier": i["identifier"],
                    "title": i.get("title") or "",
                    "completed": bool(done.get(i["identifier"])),
                }
                for i in package.sco_items
            ],  # fmt: skip
        }
    )


@relay_view("scorm", lambda: scorm.COMMIT_MAX_BYTES, gettext_lazy("The saved data is too large."))
def scorm_commit(request, access, *, lesson_id: int, block_id: str, attempt_id):
    def write():
        result = scorm.attempt_commit(
            user=request.user,
            attempt_id=attempt_id,
            context_key=access.context_key,
            payload=request.body,
            client_address=client_ip(request),
        )
        graded, passed, percent = result.activity_outcome
        outcome = services.ActivityOutcome(graded=graded, passed=passed, score_percent=percent)
        return result, outcome

    result, progress = services.activity_outcome_record(
        user=request.user, state=access.state, block_id=block_id, write=write
    )
    graded, passed, percent = result.activity_outcome
    return JsonResponse(
        {
            "saved": True,
            "sco_completed": result.attempt.completed,
            "graded": graded,
            "passed": passed,
            "score_percent": percent,
            "session_open": result.attempt.session is not None,
            **progress_fields(access, user=request.user, progress=progress),
        }
    )


KIND = package_kind(
    "scorm",
    [
        path("bat-dau/", scorm_launch, name="scorm_launch"),
        path("luot/<uuid:attempt_id>/luu/", scorm_commit, name="scorm_commit"),
    ],
)
