from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from cms.health import health_report, report_for
from cms.net import is_direct_loopback
from cms.text import fold, nfc

# The footer's language switch, without CSRF: public pages carry no token (no csrftoken
# cookie, so nginx's page cache can keep them: cms.frontend_cache), and changing the
# interface language harms no one. Django's view still checks `next` against the allowed
# hosts.
set_language = csrf_exempt(django_set_language)


@never_cache
@require_GET
def healthz(request):
    """200 when every part is up, 503 otherwise. Anyone sees each part's name and up/down;
    the details (backend, host, port, error text) only staff or a request made on this
    machine without a proxy (cms.net.is_direct_loopback: REMOTE_ADDR, never X-Forwarded-For)."""
    healthy, report = health_report()
    body = report_for(report, detailed=is_direct_loopback(request) or _is_staff(request))
    return JsonResponse(body, status=200 if healthy else 503)


def _is_staff(request) -> bool:
    try:
        return request.user.is_authenticated and request.user.is_staff
    except Exception:  # noqa: BLE001 - the database may be the part that is down
        return False


def privacy_notice(request):
    from django.conf import settings
    from django.shortcuts import render

    return render(
        request,
        "cms/privacy_notice.html",
        {"version": settings.PRIVACY_NOTICE_VERSION, "retention": settings.RETENTION_DAYS,
         "request_days": settings.PRIVACY_REQUEST_DAYS},
    )  # fmt: skip


# Site search: the kinds a visitor can narrow to, by (app label, model). Higher floors' page
# types are named here as content types, never imported (cms imports no other app).
SEARCH_KINDS = {
    "khoa-hoc": ("courses", "coursepage"),
    "infographic": ("cms", "infographicpage"),
    "video": ("cms", "videopage"),
    "tin-tuc": ("cms", "newspage"),
}
SEARCH_PER_PAGE = 10


def _search_content_types():
    from django.contrib.contenttypes.models import ContentType

    types = {}
    for key, natural_key in SEARCH_KINDS.items():
        try:
            types[key] = ContentType.objects.get_by_natural_key(*natural_key)
        except ContentType.DoesNotExist:
            continue  # that app has no such page type (yet)
    return types


def search(request):
    """Search courses, infographics, videos and news, ignoring diacritics and case.

    Every page type indexes `search_folded()` (its text through cms.text.fold); the query is
    folded the same way, so "ky nang so" finds "Kỹ năng số" and "dang ky" finds "Đăng ký"
    on SQLite and PostgreSQL alike.
    """
    from urllib.parse import urlencode

    from django.core.paginator import Paginator
    from django.shortcuts import render
    from wagtail.models import Page

    query = nfc(request.GET.get("q", "")).strip()[:200]
    kind = request.GET.get("loai", "")
    types = _search_content_types()
    page_obj = None
    results = []
    if fold(query):
        pages = Page.objects.live().public().filter(content_type__in=list(types.values()))
        if kind in types:
            pages = pages.filter(content_type=types[kind])
        hits = pages.search(fold(query), operator="and", order_by_relevance=True)
        page_obj = Paginator(hits, SEARCH_PER_PAGE).get_page(request.GET.get("trang"))
        ids = [page.pk for page in page_obj.object_list]
        by_id = Page.objects.filter(pk__in=ids).specific().in_bulk()
        kind_of = {ct.pk: key for key, ct in types.items()}
        for pk in ids:
            page = by_id.get(pk)
            if page is None:
                continue
            summary = (
                getattr(page, "description", "")
                or getattr(page, "intro", "")
                or getattr(page, "summary", "")
                or page.search_description
            )
            results.append(
                {"page": page, "kind": kind_of.get(page.content_type_id), "summary": summary}
            )
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "kind": kind,
            "kinds": [key for key in SEARCH_KINDS if key in types],
            "page_obj": page_obj,
            "results": results,
            "extra_query": urlencode({"q": query, "loai": kind} if kind else {"q": query}),
        },
    )
