"""Drafts of a course in the Wagtail admin: any field may be empty while a draft is saved
(by hand or by autosave); only publishing validates (issue 22, editor, critical)."""

import importlib

import pytest
from django.urls import reverse
from wagtail.models import Revision

from courses.models import CourseAudience, CoursePage

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}  # what Wagtail's autosave sends


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


def course_form(page=None, **fields) -> dict:
    """The course form as the browser posts it, audience rows included: the rows a saved
    draft already has are sent with their ids, as the page does after an autosave."""
    audiences = fields.pop("audiences", [""])
    ids = [] if page is None else list(
        CourseAudience.objects.filter(course=page).order_by("sort_order", "pk")
        .values_list("pk", flat=True)
    )  # fmt: skip
    audiences = audiences + [""] * (len(ids) - len(audiences))
    data = {
        "title": "", "slug": "", "summary": "", "topic": "",
        "level": "basic", "estimated_minutes": "30", "completion_rule": "required_lessons",
        "audience_links-TOTAL_FORMS": str(len(audiences)),
        "audience_links-INITIAL_FORMS": str(len(ids)),
        "audience_links-MIN_NUM_FORMS": "1", "audience_links-MAX_NUM_FORMS": "1000",
        "comment_notifications": "on",
    }  # fmt: skip
    for i, code in enumerate(audiences):
        data[f"audience_links-{i}-audience"] = code
        data[f"audience_links-{i}-ORDER"] = str(i + 1)
        data[f"audience_links-{i}-id"] = str(ids[i]) if i < len(ids) else ""
        data[f"audience_links-{i}-DELETE"] = ""
    data.update(fields)
    return data


def create_url(catalogue):
    return reverse("wagtailadmin_pages:add", args=("courses", "coursepage", catalogue.pk))


def test_autosaved_draft_with_empty_audience_and_topic_saves_again(admin_client, catalogue):
    # The editor typed the title and the summary; autosave stores the draft.
    first = course_form(title="Zalo an toàn", summary="Dùng Zalo an toàn.")
    response = admin_client.post(create_url(catalogue), first, **JSON)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["success"] is True
    page = CoursePage.objects.get(title="Zalo an toàn")
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))

    # Every later save of that draft used to fail with a 500 (ValueError: '' is not a
    # valid Audience), by autosave and by the "Save draft" button alike.
    again = course_form(page, title="Zalo an toàn", summary="Dùng Zalo an toàn.")
    response = admin_client.post(edit_url, again, **JSON)
    assert response.status_code == 200 and response.json()["success"] is True
    response = admin_client.post(edit_url, again)
    assert response.status_code == 302

    # Then the audience and the topic are chosen: the draft saves, then publishes.
    full = course_form(page, title="Zalo an toàn", summary="Dùng Zalo an toàn.",
                       slug=page.slug, topic="online_safety", audiences=["citizens"])  # fmt: skip
    assert admin_client.post(edit_url, full).status_code == 302
    full = course_form(page, title="Zalo an toàn", summary="Dùng Zalo an toàn.",
                       slug=page.slug, topic="online_safety", audiences=["citizens"])  # fmt: skip
    response = admin_client.post(edit_url, {**full, "action-publish": "1"})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and page.topic == "online_safety"
    assert list(page.audience_links.values_list("audience", flat=True)) == ["citizens"]
    assert page.slug == "zalo-an-toan"  # filled in from the title, folded
    assert "zalo an toan" in page.search_key
    assert "nguoi dan" in page.search_key or "citizens" in page.search_key


def test_publishing_still_requires_audience_and_topic(admin_client, catalogue):
    response = admin_client.post(create_url(catalogue), course_form(title="Thiếu", summary="S."))
    page = CoursePage.objects.get(title="Thiếu")
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = course_form(page, title="Thiếu", summary="S.", **{"action-publish": "1"})
    response = admin_client.post(edit_url, data)
    assert response.status_code == 200  # the form again, with its errors: not a 500
    form = response.context["form"]
    assert "topic" in form.errors
    page.refresh_from_db()
    assert not page.live


def test_draft_with_two_empty_audience_rows_saves(admin_client, catalogue):
    data = course_form(title="Hai dòng trống", summary="S.", audiences=["", ""])
    response = admin_client.post(create_url(catalogue), data, **JSON)
    assert response.status_code == 200 and response.json()["success"] is True


def test_migration_repairs_stored_drafts_with_an_empty_audience(catalogue):
    page = CoursePage(title="Bản nháp hỏng", slug="ban-nhap-hong", summary="", topic="",
                      live=False)  # fmt: skip
    page.audience_links = [CourseAudience(audience=""), CourseAudience(audience="citizens")]
    catalogue.add_child(instance=page)
    revision = page.save_revision(clean=False)
    assert [a["audience"] for a in revision.content["audience_links"]] == ["", "citizens"]

    migration = importlib.import_module("courses.migrations.0002_drafts_may_leave_fields_empty")
    from django.apps import apps

    migration.repair_drafts(apps, None)

    revision = Revision.objects.get(pk=revision.pk)
    assert [a["audience"] for a in revision.content["audience_links"]] == ["citizens"]
    assert list(page.audience_links.values_list("audience", flat=True)) == ["citizens"]
    # The repaired draft loads and its search key builds.
    draft = revision.as_object()
    assert "ban nhap hong" in draft.build_search_key()
