"""Answers requests for CONTENT_ORIGIN before any session, CSRF or cookie middleware runs:
/s/... is a SCORM package's (assessments.scorm.serving), the rest H5P's."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseNotFound

from assessments.h5p.serving import serve_content_request
from assessments.scorm.serving import SCORM_PREFIX, serve_scorm_request


class ContentOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_content_host(request):
            serve = serve_scorm_request if request.path.startswith(SCORM_PREFIX) else None
            try:
                return (serve or serve_content_request)(request)
            except Http404:
                return HttpResponseNotFound(b"", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def content_netloc() -> str:
    return urlsplit(settings.CONTENT_ORIGIN).netloc.lower()


def is_content_host(request) -> bool:
    host = request.META.get("HTTP_HOST", "").lower()
    return bool(host) and host == content_netloc()
