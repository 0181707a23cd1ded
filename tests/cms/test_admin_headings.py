"""Walker finding 8: the project's own admin pages show their title in the page's <h1>, not
only in the browser's tab (Wagtail 8 reads `page_title` for the heading)."""

import re

import pytest
from django.utils.translation import gettext

from accounts import privacy
from accounts.models import PrivacyRequest
from courses.certificates import services as certificates
from tests import factories

pytestmark = pytest.mark.django_db


def heading(html: str) -> str:
    match = re.search(r'<h1 class="w-header__title"[^>]*>(.*?)</h1>', html, re.S)
    assert match, "no Wagtail page heading"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_admin_pages_name_themselves_in_their_heading(client, user_factory):
    admin = user_factory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    quiz = factories.quiz(title="Kiểm tra an toàn mạng")
    request = privacy.privacy_request_create(user=admin, kind=PrivacyRequest.Kind.DELETE)
    certificate = certificates.certificate_issue(
        user=user_factory(), course=factories.course(lessons=1)
    )
    pages = {
        "/admin/cau-hoi/nhap-xuat/": "Nhập câu hỏi",
        "/admin/kiem-tra/thong-ke/": "Thống kê bài kiểm tra",
        f"/admin/kiem-tra/thong-ke/{quiz.pk}/": "Thống kê: Kiểm tra an toàn mạng",
        f"/admin/kiem-tra/xem-truoc/{quiz.pk}/": "Xem trước: Kiểm tra an toàn mạng",
        "/admin/yeu-cau-du-lieu/": "Yêu cầu về dữ liệu cá nhân",
        f"/admin/yeu-cau-du-lieu/{request.pk}/": "Yêu cầu về dữ liệu cá nhân",
        "/admin/certificates/": gettext("Certificates"),  # the project reads two words for it
        f"/admin/certificates/{certificate.pk}/": certificate.code,
        "/admin/h5p/libraries/": "Thư viện H5P",
    }
    for url, title in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert heading(response.content.decode()) == title, url
