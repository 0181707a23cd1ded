from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cms.health import health_report


@never_cache
@require_GET
def healthz(request):
    """200 with each part's state when all are up; 503 naming the failing parts otherwise."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def privacy_notice(request):
    from django.conf import settings
    from django.shortcuts import render

    return render(request, "cms/privacy_notice.html", {"version": settings.PRIVACY_NOTICE_VERSION})
