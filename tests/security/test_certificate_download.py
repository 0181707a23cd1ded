"""Issue 13 finding 9a, as the attack: an editor (is_staff) downloads a learner's certificate
PDF through the learner's own download link. Downloads are for the owner only; staff get
the PDF through an admin view that needs the certificates' view permission."""

# ruff: noqa: F811 - fixtures imported from the certificates tests are test arguments here

import pytest
from django.contrib.auth.models import Group, Permission

from tests.courses.certificates.conftest import (  # noqa: F401 - fixtures of the certificates tests
    catalogue,
    completed,
    course_factory,
    pdf_text,
)
from tests.courses.certificates.test_views import _fresh_rate_limit  # noqa: F401 - autouse: no limit

pytestmark = pytest.mark.django_db


def _staff_with(user_factory, *perms):
    """A staff member who may use the Wagtail admin, plus the given permissions."""
    group = Group.objects.create(name=f"Nhóm {'-'.join(perms) or 'biên tập'}")
    codes = ["wagtailadmin.access_admin", *perms]
    for code in codes:
        app_label, codename = code.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user = user_factory(is_staff=True)
    user.groups.add(group)
    return user


def test_editor_cannot_download_a_learners_certificate_through_the_learner_link(
    completed, client, user_factory
):
    _owner, _course, certificate = completed(full_name="Đặng Văn Lâm")
    client.force_login(user_factory(is_staff=True))
    response = client.get(f"/chung-chi/{certificate.code}/tai-ve/")
    assert response.status_code == 404
    assert response.get("Content-Type") != "application/pdf"


def test_superuser_is_also_refused_on_the_learner_link(completed, client, user_factory):
    _owner, _course, certificate = completed()
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    assert client.get(f"/chung-chi/{certificate.code}/tai-ve/").status_code == 404


def test_owner_still_downloads(completed, client):
    owner, _course, certificate = completed(full_name="Đặng Văn Lâm")
    client.force_login(owner)
    response = client.get(f"/chung-chi/{certificate.code}/tai-ve/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Đặng Văn Lâm" in pdf_text(b"".join(response.streaming_content))


def test_editor_without_the_permission_cannot_use_the_admin_pdf_view(
    completed, client, user_factory
):
    _owner, _course, certificate = completed()
    client.force_login(_staff_with(user_factory))
    response = client.get(f"/admin/certificates/{certificate.pk}/pdf/")
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/pdf"


def test_staff_with_the_view_permission_gets_the_pdf_in_the_admin(completed, client, user_factory):
    _owner, _course, certificate = completed(full_name="Lò Thị Ửng")
    client.force_login(_staff_with(user_factory, "certificates.view_certificate"))
    response = client.get(f"/admin/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert "Lò Thị Ửng" in pdf_text(b"".join(response.streaming_content))


def test_learner_cannot_use_the_admin_pdf_view_for_someone_else(completed, client):
    _owner, _course, certificate = completed()
    other, _c, _cert = completed(course=None, full_name="Người Khác")
    client.force_login(other)
    response = client.get(f"/admin/certificates/{certificate.pk}/pdf/")
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/pdf"


def test_the_admin_detail_page_links_to_the_admin_download(completed, client, user_factory):
    _owner, _course, certificate = completed()
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    html = client.get(f"/admin/certificates/{certificate.pk}/").content.decode()
    assert f"/admin/certificates/{certificate.pk}/pdf/" in html
    assert f"/chung-chi/{certificate.code}/tai-ve/" not in html
