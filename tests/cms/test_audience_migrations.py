"""The stored audiences move to the one vocabulary (cms.vocabularies.Audience): media pages
(cms 0007) and courses (courses 0004), in their rows and in their stored drafts."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation
from wagtail.models import Revision

from cms.models import InfographicPage, VideoPage
from courses.models import CourseAudience, CourseIndexPage, CoursePage

pytestmark = pytest.mark.django_db


def test_media_pages_and_their_drafts_move(client, add_infographic, add_video_page):
    stored = {"everyone": "", "students": "pupils", "businesses": "enterprise_workers",
              "elderly": "citizens", "citizens": "citizens"}  # fmt: skip
    pages = {}
    for n, old in enumerate(stored):
        page = add_infographic(title=f"Infographic {n}", slug=f"ig-old-{n}")
        revision = page.save_revision()
        revision.publish()
        # As stored before this change (the old keys are no longer valid choices).
        InfographicPage.objects.filter(pk=page.pk).update(audience=old)
        content = {**revision.content, "audience": old}
        Revision.objects.filter(pk=revision.pk).update(content=content)
        pages[old] = page
    video_page = add_video_page()
    VideoPage.objects.filter(pk=video_page.pk).update(audience="elderly")

    importlib.import_module("cms.migrations.0007_media_audience_vocabulary").forward(apps, None)

    for old, new in stored.items():
        page = InfographicPage.objects.get(pk=pages[old].pk)
        assert page.audience == new
        assert page.get_latest_revision().content["audience"] == new
        # A draft published again keeps the new value.
        assert page.get_latest_revision().as_object().audience == new
    assert VideoPage.objects.get(pk=video_page.pk).audience == "citizens"
    # Blank reads as "everyone" on the page, as "everyone" did.
    with translation.override("vi"):
        assert InfographicPage.objects.get(pk=pages["everyone"].pk).get_audience_display() == (
            "Mọi người"
        )
    response = client.get(InfographicPage.objects.get(pk=pages["everyone"].pk).url)
    assert "Mọi người" in response.content.decode()


def test_courses_leaders_become_civil_servants_in_rows_and_drafts(home_page):
    catalogue = CourseIndexPage(title="Khoá học", slug="khoa-hoc")
    home_page.add_child(instance=catalogue)
    made = {}
    for slug, codes in {"lanh-dao": ["citizens", "leaders"],
                        "ca-hai": ["leaders", "civil_servants"],
                        "dan": ["citizens"]}.items():  # fmt: skip
        course = CoursePage(title=slug, slug=slug, summary="S.", topic="digital_leadership")
        course.audience_links = [CourseAudience(audience="citizens")]
        catalogue.add_child(instance=course)
        CourseAudience.objects.filter(course=course).delete()
        for order, code in enumerate(codes):
            CourseAudience.objects.create(course=course, audience=code, sort_order=order)
        revision = course.save_revision(clean=False)
        links = [{"pk": None, "sort_order": i, "audience": c} for i, c in enumerate(codes)]
        Revision.objects.filter(pk=revision.pk).update(
            content={**revision.content, "audience_links": links}
        )
        made[slug] = course

    module = importlib.import_module("courses.migrations.0004_audience_vocabulary")
    module.leaders_to_civil_servants(apps, None)

    def rows(slug):
        return list(
            CourseAudience.objects.filter(course=made[slug])
            .order_by("sort_order")
            .values_list("audience", flat=True)
        )

    def draft(slug):
        revision = CoursePage.objects.get(pk=made[slug].pk).get_latest_revision()
        return [link["audience"] for link in revision.content["audience_links"]]

    assert rows("lanh-dao") == draft("lanh-dao") == ["citizens", "civil_servants"]
    assert rows("ca-hai") == ["civil_servants"] and draft("ca-hai") == ["civil_servants"]
    assert rows("dan") == draft("dan") == ["citizens"]
    assert not CourseAudience.objects.filter(audience="leaders").exists()
