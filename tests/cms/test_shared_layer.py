"""The shared layer on the cms floor: one definition of each basic thing, used by every app."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models

from cms.models import TimestampedModel

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = ("cms", "accounts", "courses", "certificates", "offline", "assessments", "h5p",
            "campaigns")  # fmt: skip


def _sources():
    """The project's Python modules (no tests, migrations, virtualenv or node modules)."""
    skip = {".venv", "node_modules", "tests", ".git", "build", "var", "hocso.egg-info"}
    for top in sorted(ROOT.iterdir()):
        if top.is_dir() and top.name not in skip:
            for path in top.rglob("*.py"):
                if "migrations" not in path.parts:
                    yield path


def test_one_timestamp_base_class():
    pattern = re.compile(r"^class \w*Time[sS]tamped\w*\(", re.MULTILINE)
    defined = [str(p.relative_to(ROOT)) for p in _sources() if pattern.search(p.read_text())]
    assert defined == ["cms/models.py"]


def test_every_timestamped_model_uses_it():
    def auto(model, name, flag):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return False
        return isinstance(field, models.DateTimeField) and getattr(field, flag)

    timestamped = [
        model
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and auto(model, "created_at", "auto_now_add")
        and auto(model, "updated_at", "auto_now")
    ]
    assert len(timestamped) >= 10
    assert [m.__name__ for m in timestamped if not issubclass(m, TimestampedModel)] == []


def test_spreadsheets_read_and_written_only_through_cms_spreadsheets():
    """CSV and XLSX are parsed and written by cms.spreadsheets alone (the limits and the
    formula guard live there): no other module opens a reader or writer, or keeps a cell
    helper of its own."""
    pattern = re.compile(
        r"csv\.(reader|writer|DictReader|DictWriter)\(|load_workbook\(|def _cell\("
    )
    found = [
        str(p.relative_to(ROOT))
        for p in _sources()
        if p.relative_to(ROOT).parts[0] not in ("bench",) and pattern.search(p.read_text())
    ]
    assert found == ["cms/spreadsheets.py"]


def test_page_views_come_from_the_registry_not_from_the_models():
    """Course pages are served by courses.views through cms.pages (the models import no
    views); a page type nobody registered says what is missing."""
    import pytest
    from django.core.exceptions import ImproperlyConfigured
    from wagtail.models import Page

    from cms import pages
    from courses import views
    from courses.models import CourseIndexPage, CoursePage, LessonPage

    assert pages._views[CourseIndexPage] is views.catalogue_serve
    assert pages._views[CoursePage] is views.course_serve
    assert pages._views[LessonPage] is views.lesson_serve

    class Unregistered(Page):
        serve = pages.served_by_view

        class Meta:
            app_label = "cms"
            abstract = True

    with pytest.raises(ImproperlyConfigured, match="serve_with"):
        pages.served_by_view(Unregistered.__new__(Unregistered), None)
