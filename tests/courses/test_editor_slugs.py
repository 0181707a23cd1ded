"""Course and lesson slugs are ASCII, folded the Vietnamese way (issue 22, editor: URLs
such as /khoa-hoc/zalo-an-to%C3%A0n-.../ are gone)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_page_slug_from_title_and_typed_slugs_are_folded(client, user_factory, catalogue):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    url = reverse("wagtailadmin_pages:add", args=("courses", "coursepage", catalogue.pk))
    response = client.get(url)
    html = response.content.decode()
    import re

    slug_input = re.search(r'<input[^>]*name="slug"[^>]*>', html).group(0)
    assert "data-w-slug-allow-unicode-value" not in slug_input  # False: ASCII (Stimulus default)
    assert "data-w-slug-formatters-value" in slug_input  # Vietnamese folding in the browser
    base = {"summary": "S.", "topic": "online_safety", "level": "basic",
            "estimated_minutes": "30", "completion_rule": "required_lessons",
            "audience_links-TOTAL_FORMS": "1", "audience_links-INITIAL_FORMS": "0",
            "audience_links-MIN_NUM_FORMS": "1", "audience_links-MAX_NUM_FORMS": "1000",
            "audience_links-0-audience": "citizens", "audience_links-0-ORDER": "1"}  # fmt: skip
    client.post(url, {**base, "title": "Zalo an toàn cho người dân", "slug": ""})
    client.post(url, {**base, "title": "Đăng ký VNeID", "slug": "Đăng ký VNeID"})
    client.post(url, {**base, "title": "Zalo an toàn cho người dân (2)", "slug": ""})
    from courses.models import CoursePage

    slugs = set(CoursePage.objects.values_list("slug", flat=True))
    assert {"zalo-an-toan-cho-nguoi-dan", "dang-ky-vneid", "zalo-an-toan-cho-nguoi-dan-2"} <= slugs
