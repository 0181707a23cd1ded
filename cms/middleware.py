"""Wagtail's per-request lookups, memoised per process (issue 16).

Wagtail serves a page by finding the request's Site (one query), loading the site's root
page and its specific row (two), then walking the tree one or two queries per level. The
answers are the same for every visitor, so `WagtailRouteMemoMiddleware` keeps them:

- **Site per host and port**: plain values (id, host, port, root page id and url_path...),
  never a shared model instance; each request gets its own `Site` built from them (no
  query). Kept `SITE_MEMO_SECONDS` in a process; a save or delete of a Site clears this
  process's memo at once (sites change a few times in a deployment's life).
- **Route per site and path**: the page id, its specific model and url_path. A hit loads
  that one page (its specific row: one query, or none while no page has changed since it
  was cached, `cms.pages.cached_for_everyone`) and is used only if the page is still live
  and its url_path is still the site root's url_path plus the request's path, which is
  exactly what Wagtail's walk down the slugs would have reached (a page moved, renamed,
  unpublished or deleted fails the check and the walk runs again). Only routes that end
  on the page itself (no arguments, like RoutablePage's sub-routes) are kept.

View restrictions, before_serve_page and on_serve_page hooks still run in Wagtail's
`serve` view: the memo changes how the page is found, never who may see it. The page
found answers Wagtail's view-restriction check from the cached table of restrictions
(`cms.pages.view_restrictions`, no query) instead of its two queries. Nothing here
depends on the user. `memo_clear()` empties both (tests call it between tests, since a
rolled-back transaction sends no signal).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from cms.cache import ProcessMemo
from cms.pages import cached_for_everyone, local_clear, pages_generation, view_restrictions

SITE_MEMO_SECONDS = 60
SITE_MEMO_SIZE = 100
ROUTE_MEMO_SIZE = 5000


@dataclass(frozen=True)
class _SiteValues:
    fields: dict
    root_url_path: str
    expires: float


@dataclass(frozen=True)
class _Route:
    page_id: int
    model: type
    url_path: str


_sites: dict[tuple[str, int], _SiteValues | None] = {}
_routes: dict[tuple[int, str], _Route] = {}
# Wagtail's Site.get_site_root_paths() (its own cache entry, a read per request that links
# to pages: Wagtail's pages, the learner's lists, the attempt page) per pages generation:
# (token, expires, paths). A page change makes a new token; a
# Site saved or deleted clears this process's memo at once (memo_clear) and the others' within
# SITE_MEMO_SECONDS, as the Site memo above.
_root_paths = ProcessMemo(size=4)  # by token: the current one, and a few old ones unread

SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")


def memo_clear(**_kwargs) -> None:
    _sites.clear()
    _routes.clear()
    _root_paths.clear()
    local_clear()


post_save.connect(memo_clear, sender=Site, dispatch_uid="cms.middleware.site_saved")
post_delete.connect(memo_clear, sender=Site, dispatch_uid="cms.middleware.site_deleted")


def _site_key(request) -> tuple[str, int]:
    return (split_domain_port(request._get_raw_host())[0], request.get_port())


def _site_remember(key, site: Site | None) -> None:
    """Keep `site` (Wagtail's answer for `key`, its root page loaded) as plain values."""
    if len(_sites) >= SITE_MEMO_SIZE:  # Host headers are the client's: keep a bound
        _sites.clear()
    _sites[key] = _SiteValues(
        fields={name: getattr(site, name) for name in SITE_FIELDS} if site else {},
        root_url_path=site.root_page.url_path if site else "",
        expires=time.monotonic() + SITE_MEMO_SECONDS,
    )


def _site_remembered(key):
    """(True, a fresh Site or None) from the memo, or (False, None) when it has no answer."""
    values = _sites.get(key)
    if values is None or values.expires < time.monotonic():
        return False, None
    if not values.fields:
        return True, None
    site = Site(**values.fields)
    site._hocso_root_url_path = values.root_url_path
    return True, site


def site_for_request(request) -> Site | None:
    """Wagtail's `Site.find_for_request` answer, from the memo when fresh."""
    key = _site_key(request)
    known, site = _site_remembered(key)
    if not known:
        site = Site._find_for_request(request)  # its root page comes in the same query
        _site_remember(key, site)
    return site


def _root_url_path(site: Site) -> str:
    cached = getattr(site, "_hocso_root_url_path", None)
    return cached if cached is not None else site.root_page.url_path


def _expected_url_path(site: Site, path: str) -> str:
    components = [c for c in path.split("/") if c]
    return _root_url_path(site) + "".join(f"{c}/" for c in components)


def root_paths_for(request) -> list:
    """Wagtail's `Site.get_site_root_paths()`, from the memo when it is of the request's
    pages generation (each call gets its own list of Wagtail's named tuples)."""
    token = pages_generation(request)
    if token is None:
        return Site.get_site_root_paths()
    paths = _root_paths.get(token)
    if paths is None:
        paths = Site.get_site_root_paths()
        _root_paths.put(token, paths, SITE_MEMO_SECONDS)
    return list(paths)


def route_for_request(request, path: str):
    """`Page.route_for_request`, from the route memo when its page still answers there."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    key = (site.pk, path)
    expected = _expected_url_path(site, path)
    memo = _routes.get(key)
    if memo is not None:
        # The page row is the same for everyone: from the cache until a page changes
        # (cms.pages.pages_generation), then from the database again.
        page = cached_for_everyone(
            request,
            f"page:{memo.page_id}",
            lambda: memo.model.objects.filter(pk=memo.page_id).first(),
        )
        if page is not None and page.live and page.url_path == expected:
            # A page links to pages: the paths as a plain list at once (no lazy proxy).
            request._wagtail_cached_site_root_paths = root_paths_for(request)
            return RouteResult(page)
        _routes.pop(key, None)
    result = Page.route_for_request(request, path)
    if result is not None:
        page, args, kwargs = result
        if not args and not kwargs and page.url_path == expected and page.live:
            if len(_routes) >= ROUTE_MEMO_SIZE:
                _routes.clear()
            _routes[key] = _Route(page.pk, type(page), page.url_path)
    return result


class WagtailRouteMemoMiddleware:
    """Puts the memoised Site (when known: page links need it) and, for Wagtail's page view,
    the memoised route on the request where Wagtail looks for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _site_key(request)
        known, site = _site_remembered(key)
        if known:
            request._wagtail_site = site
        # Where Wagtail's page links look for the site root paths first: read only when a
        # link is made (a page, a view with {% pageurl %}), then from the memo.
        request._wagtail_cached_site_root_paths = SimpleLazyObject(partial(root_paths_for, request))
        response = self.get_response(request)
        if not known and hasattr(request, "_wagtail_site"):
            # Wagtail looked the Site up for this request (a page, a page link): keep it. A
            # request that needs no Site (an API, the certificate check) asks for none.
            _site_remember(key, request._wagtail_site)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_serve and not hasattr(request, "_wagtail_route_for_request"):
            path = view_kwargs.get("path", view_args[0] if view_args else "")
            result = route_for_request(request, path)
            if result is not None:
                page = result[0]
                # Read by Wagtail's check_view_restrictions hook (on_serve_page).
                page.get_view_restrictions = partial(view_restrictions, page, request)
            request._wagtail_route_for_request = result
        return None
