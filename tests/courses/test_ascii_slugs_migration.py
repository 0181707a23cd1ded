"""Pages stored with a Unicode slug before slugs became ASCII (issue 22, editor): the data
migration folds them, moves their descendants' paths along, keeps drafts in step, and the
old percent-encoded addresses redirect permanently."""

import importlib

import pytest
from django.apps import apps
from wagtail.models import Page

from courses.models import CourseAudience, CoursePage, LessonPage

pytestmark = pytest.mark.django_db


def test_unicode_slugs_are_folded_and_old_urls_redirect(client, catalogue):
    course = CoursePage(title="Zalo an toàn cho người dân", slug="x", summary="S.",
                        topic="online_safety")  # fmt: skip
    course.audience_links = [CourseAudience(audience="citizens")]
    catalogue.add_child(instance=course)
    course.save_revision().publish()
    lesson = LessonPage(title="Bài 1", slug="bai-1", body=[])
    course.add_child(instance=lesson)
    # As an editor's page was stored while Unicode slugs were allowed.
    old_slug = "zalo-an-toàn-cho-người-dân"
    base = catalogue.url_path  # e.g. /trang-chu/khoa-hoc/
    Page.objects.filter(pk=course.pk).update(slug=old_slug, url_path=f"{base}{old_slug}/")
    Page.objects.filter(pk=lesson.pk).update(url_path=f"{base}{old_slug}/bai-1/")

    migration = importlib.import_module("cms.migrations.0005_ascii_slugs")
    migration.ascii_slugs(apps, None)

    course = CoursePage.objects.get(pk=course.pk)
    assert course.slug == "zalo-an-toan-cho-nguoi-dan"
    assert course.url_path == f"{base}zalo-an-toan-cho-nguoi-dan/"
    assert LessonPage.objects.get(pk=lesson.pk).url_path.endswith(
        "/zalo-an-toan-cho-nguoi-dan/bai-1/"
    )
    assert course.get_latest_revision().content["slug"] == "zalo-an-toan-cho-nguoi-dan"
    assert client.get("/khoa-hoc/zalo-an-toan-cho-nguoi-dan/").status_code == 200
    old = "/khoa-hoc/zalo-an-to%C3%A0n-cho-ng%C6%B0%E1%BB%9Di-d%C3%A2n/"
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"].endswith("/khoa-hoc/zalo-an-toan-cho-nguoi-dan/")
