"""The editor's admin (issue 22, editor): the log-in placeholder reads "email của bạn",
avatars are local (no Gravatar: no internet), and every slug is ASCII, folded the
Vietnamese way (đ→d), filled in from the title."""

import pytest
from django.urls import reverse
from django.utils import translation

from cms.models import NewsCategory
from cms.text import SLUG_JS_FORMATTERS, ascii_slug

pytestmark = pytest.mark.django_db


def test_wagtail_login_placeholder_has_its_space():
    from wagtail.admin.forms.auth import LoginForm

    with translation.override("vi"):
        placeholder = str(LoginForm().fields["username"].widget.attrs["placeholder"])
    assert "của bạn" in placeholder and "emailcủa" not in placeholder.replace(" ", " ")
    assert placeholder.startswith("Nhập ") and " của bạn" in placeholder


def test_admin_avatars_are_local(client, user_factory):
    from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

    user = user_factory(is_staff=True, is_superuser=True)
    assert "gravatar" not in avatar_url(user)
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    assert "gravatar.com" not in page


def test_ascii_slug_folds_vietnamese():
    assert ascii_slug("Zalo an toàn cho người dân") == "zalo-an-toan-cho-nguoi-dan"
    assert ascii_slug("Đăng ký định danh điện tử") == "dang-ky-dinh-danh-dien-tu"
    # The browser's formatters fold the same letters before Wagtail's transliteration.
    import re

    text = "Đường đi ưu đãi Ở ỷ"
    for pattern, replacement in SLUG_JS_FORMATTERS:
        text = re.sub(pattern, replacement, text)
    assert text == "duong di uu dai o y"


def test_snippet_slug_is_filled_in_from_the_name(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    url = reverse("wagtailsnippets_cms_newscategory:add")
    response = client.post(url, {"name": "Thông báo đặc biệt", "slug": ""})
    assert response.status_code == 302, response.context["form"].errors
    assert NewsCategory.objects.get(name="Thông báo đặc biệt").slug == "thong-bao-dac-biet"
