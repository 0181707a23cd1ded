"""Offline learning's endpoints, under /hoc/ngoai-tuyen/.

- sw.js: the service worker, served with `Service-Worker-Allowed: /` so its scope covers
  every learner page (course and lesson pages live at Wagtail's addresses), never cached
  by HTTP caches (the browser checks it for updates on each navigation).
- manifest.webmanifest: the installable web app.
- the "Ngoại tuyến" page the service worker shows for an address it has not stored.
- a course's download list (JSON), a lesson's offline copy, and the sync of offline events.
"""

from __future__ import annotations

import json

from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cms.errors import refused_response
from courses.models import CoursePage, LessonPage
from courses.offline import services
from courses.selectors import course_of, lesson_state
from courses.views import lesson_page_response

WORKBOX_MODULES = ("core", "routing", "strategies", "range-requests")
# Never stored, whatever asks: manager pages, the admin, account pages (cms/urls.py).
NEVER_STORED = ("/quan-ly/", "/admin/", "/tai-khoan/", "/django-admin/")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def service_worker(request):
    scripts = [
        staticfiles_storage.url(f"vendor/workbox/workbox-{m}.prod.js") for m in WORKBOX_MODULES
    ]
    scripts.append(staticfiles_storage.url("offline/sw.js"))
    config = {
        "offlineUrl": reverse("courses:offline:page"),
        "shell": [
            reverse("courses:offline:page"),
            staticfiles_storage.url("cms/css/site.css"),
            staticfiles_storage.url("offline/offline.css"),
            staticfiles_storage.url("offline/offline.js"),
            staticfiles_storage.url("cms/favicon.svg"),
        ],
        "neverStored": list(NEVER_STORED),
        "staticUrl": staticfiles_storage.base_url,
    }
    body = (
        "// HọcSố service worker: Workbox's runtime (served from this site) and its routes.\n"
        f"self.HOCSO_OFFLINE = {json.dumps(config)};\n"
        f"importScripts({', '.join(json.dumps(s) for s in scripts)});\n"
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def web_manifest(request):
    icon = staticfiles_storage.url
    data = {
        "name": "HọcSố",
        "short_name": "HọcSố",
        "description": _("Digital skills in short lessons, also without a signal."),
        "lang": "vi",
        "dir": "ltr",
        "start_url": reverse("courses:my_learning"),
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": icon("offline/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("offline/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": icon("offline/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],  # fmt: skip
        "shortcuts": [
            {"name": _("My learning"), "url": reverse("courses:my_learning")},
            {"name": _("Offline"), "url": reverse("courses:offline:page")},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def offline_page(request):
    """The same page for everyone (the service worker keeps one copy): no name, no token;
    the downloaded courses are listed by offline.js from the device's own records."""
    response = TemplateResponse(request, "offline/offline_page.html", {"offline_shell": True})
    response["Cache-Control"] = "no-cache"
    return response


def _refused(message: str, status: int = 403):
    return _no_store(JsonResponse({"ok": False, "error": message}, status=status))


@require_GET
@never_cache
def course_manifest(request, course_id: int):
    if not request.user.is_authenticated:
        return _refused(_("Please log in."))
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    try:
        data = services.course_offline_manifest(user=request.user, course=course, request=request)
    except services.OfflineRefused as refused:
        return _refused(refused.message)
    return JsonResponse(data)


@require_GET
@never_cache
def lesson_copy(request, lesson_id: int):
    """The lesson page as the device stores it: the learner's own copy, served even when the
    sequential order still locks it (the order is checked again when its progress syncs).
    Does not mark the lesson opened: opening it offline does, at the device's time."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    course = course_of(lesson)
    try:
        services.lesson_copy_record(user=request.user, lesson=lesson, course=course)
    except services.OfflineRefused as refused:
        refused.context = {**refused.context, "course": course}
        return refused_response(request, refused, as_json=False)
    state = lesson_state(user=request.user, lesson=lesson, course=course)
    return lesson_page_response(
        request, lesson=lesson, state=state, course=course, offline_copy=True
    )


@require_POST
@never_cache
def sync(request):
    """POST JSON {"sent_at": ms, "events": [...]} with the CSRF token in X-CSRFToken.
    Each event counts once (its id); the answer gives each event's outcome."""
    if not request.user.is_authenticated:
        return _refused(_("Please log in."))
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _refused(_("The progress sent is not in the expected form."), status=400)
    try:
        sent_at, events = services.events_parse(payload)
    except services.OfflineRefused as refused:
        return _refused(refused.message, status=400)
    return JsonResponse({"ok": True, **services.events_sync(user=request.user, sent_at=sent_at,
                                                            events=events)})  # fmt: skip
