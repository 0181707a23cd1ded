"""Refusals: one exception for "you may not do this", and one way every view answers it.

A service raises `Refused(message, *, code, status)` or its app's subclass
(courses.services.ProgressRefused, assessments.h5p.services.H5PRefused,
assessments.grading.AttemptError). `message` is for the person (gettext: Vietnamese),
`code` is stable for scripts and tests, `status` is the HTTP status of the answer, and
`context` is optional extra context for the refusal page (a lesson's blockers, its course).
Services refuse before writing or inside their transaction: nothing is half-written.

Views answer a refusal with `refused_response`, or wrap themselves in `answers_refusals`,
which catches any Refused the view raises:
- for scripts (`as_json=True`, or a request with Accept: application/json):
  JSON {"ok": false, "error": message, "code": code};
- for pages: the refusal's `template_name` ("cms/refused.html" unless the subclass names its
  own) with `message`, `code` and its `context`.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse


class Refused(Exception):
    template_name = "cms/refused.html"

    def __init__(self, message: str, *, code: str, status: int = 400, context=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.context = dict(context or {})

    def as_json(self) -> dict:
        return {"ok": False, "error": str(self.message), "code": self.code}


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def refused_response(request, refused: Refused, *, as_json: bool | None = None) -> HttpResponse:
    """The one answer to a refusal: JSON for scripts, the refusal page otherwise."""
    if as_json if as_json is not None else wants_json(request):
        return JsonResponse(refused.as_json(), status=refused.status)
    context = {"message": refused.message, "code": refused.code, **refused.context}
    return TemplateResponse(request, refused.template_name, context, status=refused.status)


def answers_refusals(view=None, *, as_json: bool | None = None):
    """Decorator: a Refused raised by the view is answered with `refused_response`.
    `@answers_refusals` (JSON when the request asks for it) or `@answers_refusals(as_json=True)`
    for endpoints only scripts call."""

    def decorate(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            try:
                return func(request, *args, **kwargs)
            except Refused as refused:
                return refused_response(request, refused, as_json=as_json)

        return wrapper

    return decorate(view) if view is not None else decorate
