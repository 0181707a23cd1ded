"""Answers requests for CONTENT_ORIGIN before any session, CSRF or cookie middleware runs."""

from django.conf import settings
from django.http import Http404, HttpResponseNotFound


class ContentOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_content_host(request):
            from assessments.h5p.serving import serve_content_request

            try:
                return serve_content_request(request)
            except Http404:
                return HttpResponseNotFound(b"", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def content_netloc() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.CONTENT_ORIGIN).netloc.lower()


def is_content_host(request) -> bool:
    host = request.META.get("HTTP_HOST", "").lower()
    return bool(host) and host == content_netloc()
