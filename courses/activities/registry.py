"""The activity registry: every kind of activity a lesson can hold (quiz, H5P, SCORM).

A kind is one module in courses/activities/ that ends with one registration:

    KIND = register(ActivityKind(
        block_type="quiz",            # its block's name in LessonBodyBlock (courses.blocks)
        url_segment="kiem-tra",       # bai/<lesson id>/<url_segment>/<block id>/...
        activity_field="quiz",        # the block value's key holding the activity
        missing=_("This quiz is not part of the lesson."),
        urlpatterns=urlpatterns,      # the kind's views
    ))

(a kind whose block holds an uploaded package, as H5P and SCORM, registers with
`KIND = package_kind("h5p", urlpatterns)`) and may give its own `context_key` (default
"lesson:<lesson id>:<block id>", the place its attempts are counted in) and `access_check`
(default courses.activities.access.lesson_access: a live lesson holding this block, the
learner enrolled, the lesson not locked). Its views
check access with courses.activities.access.activity_access and record what the learner did
with courses.services.activity_outcome_record (one transaction, the lesson state computed
once). CoursesConfig.ready() imports every module of this package (`autodiscover`), so the
lesson's activity blocks (LessonPage.activity_ids), the lesson page and the URLs
(`activity_urlpatterns`, included by courses/urls.py) know every registered kind.

This module imports nothing of ours, so models may read it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import include, path
from django.utils.translation import gettext_lazy


def lesson_context_key(lesson_id: int, block_id: str) -> str:
    """Where an activity's attempts are counted: one place per lesson and block."""
    return f"lesson:{lesson_id}:{block_id}"


@dataclass(frozen=True)
class ActivityKind:
    block_type: str
    url_segment: str
    activity_field: str
    missing: str
    urlpatterns: list = field(default_factory=list, compare=False)
    context_key: Callable[[int, str], str] = lesson_context_key
    # (kind, *, user, lesson_id, block_id, load_activity) -> courses.activities.access.Access;
    # None: the default lesson_access.
    access_check: Callable | None = None

    def activity(self, value):
        """The activity a block value of this kind holds (a quiz, a package), or None."""
        return (value or {}).get(self.activity_field)


def package_kind(block_type: str, urlpatterns: list) -> ActivityKind:
    """Register a kind whose block holds an uploaded package (H5P, SCORM): the block type is
    its URL segment and the block value's "package" key holds the activity."""
    return register(
        ActivityKind(
            block_type=block_type,
            url_segment=block_type,
            activity_field="package",
            missing=gettext_lazy("This activity is not part of the lesson."),
            urlpatterns=urlpatterns,
        )
    )


_KINDS: dict[str, ActivityKind] = {}
_discovered = False


def register(kind: ActivityKind) -> ActivityKind:
    registered = _KINDS.get(kind.block_type)
    if registered is not None and registered is not kind:
        raise ValueError(f"activity kind {kind.block_type!r} is already registered")
    _KINDS[kind.block_type] = kind
    return kind


def unregister(block_type: str) -> None:
    _KINDS.pop(block_type, None)


def autodiscover() -> None:
    """Import every module of courses.activities once (each kind registers itself)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module("courses.activities")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"courses.activities.{module.name}")


def kinds() -> tuple[ActivityKind, ...]:
    autodiscover()
    return tuple(_KINDS.values())


def kind(block_type: str) -> ActivityKind | None:
    autodiscover()
    return _KINDS.get(block_type)


def block_types() -> frozenset[str]:
    """The block types of all registered activity kinds (their results complete lessons)."""
    autodiscover()
    return frozenset(_KINDS)


def activity_urlpatterns() -> list:
    """One include per kind: bai/<lesson id>/<url segment>/<block id>/ -> the kind's views."""
    return [
        path(f"bai/<int:lesson_id>/{k.url_segment}/<str:block_id>/", include(k.urlpatterns))
        for k in kinds()
    ]
