"""Page types served by a view of their app: the models never import views.

Wagtail calls `Page.serve(request)`; a page type whose answer is a view (enrolment forms,
progress, refusals...) says so with `serve = served_by_view` and its app registers the
view once, in `AppConfig.ready()`: `serve_with(CoursePage, views.course_serve)`. Previews
go through `serve` too (Wagtail's `before_serve_page` hook would miss them). The import
contract "models import no views or services" (pyproject.toml) holds.
"""

import contextlib
import pickle

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import post_page_move

from cms.cache import (
    ProcessMemo,
    cache_seconds,
    forget,
    generation,
    generation_forget,
    read_ahead_register,
)

_views: dict[type, object] = {}


def serve_with(model: type, view) -> None:
    """Serve pages of `model` with `view(request, page)` (call from AppConfig.ready)."""
    _views[model] = view


def served_by_view(page, request, *args, **kwargs):
    """`Page.serve` for page types whose app registered a view with `serve_with`."""
    try:
        view = _views[type(page)]
    except KeyError:
        raise ImproperlyConfigured(
            f"No view serves {type(page).__name__} pages: call cms.pages.serve_with in the "
            "app's AppConfig.ready()."
        ) from None
    return view(request, page)


# --- View restrictions from the cache -------------------------------------------------------
# Wagtail asks the database on every page served: the page's ancestors (for aliases), then
# the restrictions on them (two queries), and `.public()` once more. A site has a handful of
# restrictions, so the whole table (each with its page's path) and the paths of alias pages
# are kept in the cache under one key, deleted whenever a restriction, an alias or the
# tree's paths may have changed (at once and again when the transaction commits: a request
# that read the table just before the commit cannot keep its copy for long). The time limit
# bounds the one race left (a read before the commit stored after it) to a minute. With the
# cache down, each call reads the database.

RESTRICTIONS_KEY = "cms:view-restrictions:v1"
RESTRICTIONS_SECONDS = 60


def _restriction_table(request=None) -> tuple[list, frozenset]:
    """The table; with `request`, this process's copy under the request's pages generation
    (any change to a restriction, an alias or a path makes a new one: see below)."""
    token = pages_generation(request) if request is not None else None
    if token is None:
        return _shared_restriction_table()
    local_key = f"cms:everyone:{token}:view-restrictions"
    table = _local.get(local_key)
    if table is None:
        table = _shared_restriction_table()
        _local.put(local_key, table, RESTRICTIONS_SECONDS)
    return table


def _shared_restriction_table() -> tuple[list, frozenset]:
    table = cache.get(RESTRICTIONS_KEY)
    if table is None:
        restrictions = list(PageViewRestriction.objects.annotate(page_path=F("page__path")))
        aliases = frozenset(
            Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True)
        )
        table = ([(r.page_path, r) for r in restrictions], aliases)
        cache.set(RESTRICTIONS_KEY, table, RESTRICTIONS_SECONDS)
    return table


def restrictions_forget(**_kwargs) -> None:
    forget([RESTRICTIONS_KEY])


def view_restrictions(page, request=None) -> list:
    """The PageViewRestrictions on `page` and its ancestors: Wagtail's
    `page.get_view_restrictions()` without its two queries (an alias in the chain, whose
    source's restrictions apply, is left to Wagtail)."""
    restrictions, aliases = _restriction_table(request)
    steplen = page.steplen
    chain = {page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)}
    if aliases and not chain.isdisjoint(aliases):
        return list(Page.get_view_restrictions(page))
    return [r for path, r in restrictions if path in chain]


def public_q() -> Q:
    """Wagtail's `PageQuerySet.public()` condition from the cached table: pages in no
    restricted section (`queryset.filter(public_q())`)."""
    restrictions, _aliases = _restriction_table()
    private = Q()
    for path in {path for path, _r in restrictions}:
        private |= Q(path__startswith=path)
    return ~private if private else Q()


def _page_saved(sender, instance, **kwargs) -> None:
    # A new alias adds a path to the table; other page saves leave it as it is. (A path left
    # in the table after its alias went away only sends that chain to Wagtail's own check.)
    if isinstance(instance, Page) and instance.alias_of_id:
        restrictions_forget()


post_save.connect(restrictions_forget, sender=PageViewRestriction, dispatch_uid="cms.pvr_saved")
post_delete.connect(restrictions_forget, sender=PageViewRestriction, dispatch_uid="cms.pvr_deleted")
post_save.connect(_page_saved, dispatch_uid="cms.page_saved_restrictions")
post_page_move.connect(restrictions_forget, dispatch_uid="cms.page_moved_restrictions")


# --- What every visitor sees of the page tree, from the cache -------------------------------
# Page rows (the route memo's page), a lesson's course, the catalogue's cards: the same for
# every visitor until an editor changes a page. They are cached under a *generation* token
# that any change deletes: a page saved (drafts, publishing, unpublishing), moved or
# deleted, a view restriction saved or deleted, an image saved or deleted, a rendition
# deleted; at once and again when the transaction commits (as the restriction table above).
# The next request makes a new token, so nothing cached before the change is read again.
# Nothing personal is ever cached under it. With a cache shared by the processes (Redis,
# production) a change shows at once everywhere; with a per-process cache (LocMemCache: the
# demo's single process) another process keeps what it cached for at most
# cms.cache.LOCAL_CACHE_SECONDS. With the cache down there is no token and callers read the
# database.

PAGES_GENERATION_KEY = "cms:pages-generation:v1"
PAGES_CACHE_SECONDS = 600


def _generation_key(_user_id) -> str:
    return PAGES_GENERATION_KEY


# Read with the signed-in person's row on their pages, in one round trip (cms.cache).
read_ahead_register(_generation_key)


def pages_cache_seconds() -> int:
    return cache_seconds(PAGES_CACHE_SECONDS)


def pages_generation(request=None) -> str | None:
    """The current generation token (None with the cache down), read once per request."""
    known = getattr(request, "_hocso_pages_generation", None)
    if known is not None:
        return known
    token = generation(PAGES_GENERATION_KEY)
    if request is not None and token is not None:
        request._hocso_pages_generation = token
    return token


def pages_changed(**_kwargs) -> None:
    generation_forget(PAGES_GENERATION_KEY)


def _saved(sender, instance, **kwargs) -> None:
    from wagtail.images.models import AbstractImage

    # A new rendition changes no page already rendered (it is made while rendering one).
    if isinstance(instance, Page | PageViewRestriction | AbstractImage):
        pages_changed()


def _deleted(sender, instance, **kwargs) -> None:
    from wagtail.images.models import AbstractImage, AbstractRendition

    if isinstance(instance, Page | PageViewRestriction | AbstractImage | AbstractRendition):
        pages_changed()


# Each process also keeps, beside the shared cache, the pickled bytes of what it read under
# the current token (`_local`): a request then asks the shared cache only for the token
# itself, not for each entry (a Redis round trip costs about as much CPU as unpickling a
# page). An entry of a token never changes (nothing is ever stored twice under one token, and
# any change makes a new token), so the copy is exactly what the shared cache holds. A copy
# is kept LOCAL_SECONDS at most (it outlives the shared entry by a minute at most), each
# request gets its own objects (the bytes are unpickled per request: pages and lessons are
# annotated by the views), and nothing personal is ever stored here. A new token (any page
# change seen by this process's next request) leaves the old entries unread; they are
# dropped when the memo is full or by `local_clear` (cms.middleware.memo_clear, the tests).
LOCAL_SIZE = 2000
LOCAL_SECONDS = 60
_local = ProcessMemo(size=LOCAL_SIZE, longest=LOCAL_SECONDS, pickled=True)


def local_clear() -> None:
    _local.clear()


def for_everyone_under_token(token: str, key: str, load):
    """`load()` (the same for every visitor, or None) kept under generation `token`: from
    this process's copy, else the shared cache, else `load()` stored in both."""
    full_key = f"cms:everyone:{token}:{key}"
    value = _local.get(full_key)
    if value is not None:
        return value
    seconds = pages_cache_seconds()
    value = cache.get(full_key)
    if value is None:
        value = load()
        if value is None:
            return None
        # Not picklable: served from the database each time.
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            cache.set(full_key, value, seconds)
    _local.put(full_key, value, seconds)
    return value


def cached_for_everyone(request, key: str, load):
    """`load()` (the same answer for every visitor) cached under the pages generation. An
    editor's preview (unsaved content under the live page's id and revision) is loaded and
    never cached: what it reads is not what every visitor sees."""
    if getattr(request, "is_preview", False):
        return load()
    token = pages_generation(request)
    if token is None:
        return load()
    return for_everyone_under_token(token, key, load)


post_save.connect(_saved, dispatch_uid="cms.pages_generation_saved")
post_delete.connect(_deleted, dispatch_uid="cms.pages_generation_deleted")
post_page_move.connect(pages_changed, dispatch_uid="cms.pages_generation_moved")
