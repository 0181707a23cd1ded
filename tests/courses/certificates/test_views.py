"""Verification page, My certificates, downloads, admin: real HTTP through the test client."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from courses.certificates import services
from courses.certificates.models import Certificate
from tests.courses.certificates.conftest import decode_qr, pdf_page_image, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_qr_code_on_the_pdf_reaches_the_verification_page(completed, client, settings):
    _user, _course, certificate = completed(full_name="Lò Thị Ửng")
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    urls = decode_qr(pdf_page_image(pdf))
    assert urls == [f"{settings.APP_ORIGIN}/chung-chi/{certificate.code}/"]
    response = client.get(urls[0].removeprefix(settings.APP_ORIGIN))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lò Thị Ửng" in html and certificate.code in html and "HỢP LỆ" in html


def test_verification_shows_only_what_the_certificate_says(
    completed, client, django_assert_num_queries
):
    user, course, certificate = completed(full_name="Hoàng Thị Thuỷ")
    # One query: the certificate row (snapshots: no join to the user or the course).
    # Anonymous and without a session cookie: no session or user query.
    with django_assert_num_queries(1):
        response = client.get(f"/chung-chi/{certificate.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    issued = timezone.localtime(certificate.issued_at).strftime("%d/%m/%Y")  # Asia/Ho_Chi_Minh
    for shown in ("Hoàng Thị Thuỷ", "Kỹ năng số cơ bản", issued,
                  "HọcSố", "HỢP LỆ", "không được ký số"):  # fmt: skip
        assert shown in html, shown
    assert user.email not in html
    # Lower case, dashes and spaces in a typed code are forgiven.
    typed = f"{certificate.code[:5].lower()}-{certificate.code[5:]}"
    assert client.get(f"/chung-chi/{typed}/").status_code == 200


def test_revoked_certificate_says_so_with_the_date(completed, client):
    _user, _course, certificate = completed()
    services.certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    html = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "ĐÃ THU HỒI" in html
    assert timezone.localtime(certificate.revoked_at).strftime("%d/%m/%Y") in html
    assert "HỢP LỆ:" not in html
    assert "Cấp nhầm" not in html  # the reason is internal


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "abc", "<script>", "0000000000"])
def test_unknown_code_is_a_clear_not_found(client, code):
    response = client.get(f"/chung-chi/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy chứng chỉ" in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_verification_is_rate_limited_per_ip(client, settings, completed):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 3
    _user, _course, certificate = completed()
    for _ in range(3):
        assert client.get(f"/chung-chi/{certificate.code}/").status_code == 200
    response = client.get(f"/chung-chi/{certificate.code}/")
    assert response.status_code == 429
    assert "Bạn đã tra cứu quá nhiều" in response.content.decode()
    assert response["Retry-After"] == "60"
    # Another address is not affected; wrong codes count too (no free guessing).
    other = client.get(f"/chung-chi/{certificate.code}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    assert client.get("/chung-chi/ZZZZZZZZZZ/", REMOTE_ADDR="10.0.0.9").status_code == 404
    assert client.get("/chung-chi/ZZZZZZZZZZ/", REMOTE_ADDR="10.0.0.9").status_code == 404
    assert client.get("/chung-chi/ZZZZZZZZZZ/", REMOTE_ADDR="10.0.0.9").status_code == 429


def test_verification_page_says_signed(completed, client, signing_pkcs12):
    _user, _course, certificate = completed()
    assert certificate.signed
    html = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "được ký số" in html and "không được ký số" not in html


def test_my_certificates_lists_download_and_share(completed, client, course_factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, _course, certificate = completed(full_name="Nguyễn Thị Hồng Nhung")
    client.force_login(user)
    url = reverse("certificates:mine")
    assert url == "/chung-chi/"
    client.get(url)  # fills what base.html's navigation keeps (the Site, the manager flag)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    html = response.content.decode()
    assert "Chứng chỉ của tôi" in html
    assert f"/chung-chi/{certificate.code}/tai-ve/" in html
    assert certificate.verify_url in html  # the share link
    for _ in range(3):
        completed(user=user, course=course_factory(lessons=1))
    client.get(url)  # the bell's count, forgotten by the new certificates' notices, cached again
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.content.decode().count('data-testid="certificate"') == 4
    # Constant: session + user + ONE certificates query (snapshots on the row, no joins),
    # plus whatever base.html's navigation asks for, whatever the number of certificates.
    assert len(four.captured_queries) == len(one.captured_queries)
    ours = [q for q in four.captured_queries if "certificates_certificate" in q["sql"]]
    assert len(ours) == 1


def test_my_certificates_needs_a_login(client):
    response = client.get("/chung-chi/")
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


def test_download_only_for_the_owner_and_gone_once_revoked(completed, client, user_factory):
    owner, _course, certificate = completed(full_name="Đặng Văn Lâm")
    url = f"/chung-chi/{certificate.code}/tai-ve/"
    assert client.get(url).status_code == 302  # log in first
    client.force_login(user_factory())
    assert client.get(url).status_code == 404  # someone else's: as if it did not exist
    # Staff too: they use the admin's PDF view (tests/security/test_certificate_download.py).
    client.force_login(user_factory(is_staff=True))
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    pdf = b"".join(response.streaming_content)
    assert "Đặng Văn Lâm" in pdf_text(pdf)
    services.certificate_revoke(certificate=certificate, reason="Thu hồi thử")
    response = client.get(url)
    assert response.status_code == 410
    assert "đã bị thu hồi" in response.content.decode()


def test_download_renders_a_pending_certificate_on_demand(user_factory, course_factory, client):
    user = user_factory(full_name="Lò Thị Ửng")
    certificate = services.certificate_issue(user=user, course=course_factory(lessons=1))
    assert certificate.render_status == Certificate.RenderStatus.PENDING  # no commit yet
    client.force_login(user)
    response = client.get(f"/chung-chi/{certificate.code}/tai-ve/")
    assert response.status_code == 200
    assert "Lò Thị Ửng" in pdf_text(b"".join(response.streaming_content))


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


def test_admin_searches_by_code_or_name_without_diacritics(completed, admin_client, course_factory):
    _u, _c, nhung = completed(full_name="Nguyễn Thị Hồng Nhung")
    _u, _c, lam = completed(full_name="Đặng Văn Lâm", course=course_factory(lessons=1))
    html = admin_client.get("/admin/certificates/", {"q": "dang van lam"}).content.decode()
    assert lam.code in html and nhung.code not in html
    html = admin_client.get("/admin/certificates/", {"q": nhung.code.lower()}).content.decode()
    assert nhung.code in html and lam.code not in html


def test_admin_revokes_and_reissues(
    completed, admin_client, client, django_capture_on_commit_callbacks
):
    _u, _c, certificate = completed()
    detail = f"/admin/certificates/{certificate.pk}/"
    assert admin_client.get(detail).status_code == 200
    response = admin_client.post(f"{detail}thu-hoi/", {"reason": ""}, follow=True)
    assert "lý do" in response.content.decode()
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    admin_client.post(f"{detail}thu-hoi/", {"reason": "Học viên gian lận"})
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoke_reason == "Học viên gian lận"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{detail}cap-lai/")
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    assert certificate.render_status == Certificate.RenderStatus.RENDERED


def test_admin_views_refuse_learners(completed, client):
    user, _course, certificate = completed()
    client.force_login(user)
    response = client.post(f"/admin/certificates/{certificate.pk}/thu-hoi/", {"reason": "x"})
    assert response.status_code in (302, 403)
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_editing_a_template_in_the_admin_rerenders_its_certificates(
    completed, admin_client, django_capture_on_commit_callbacks
):
    from courses.certificates.models import CertificateTemplate

    template = CertificateTemplate.objects.create(
        name="Mặc định", issuer="Sở Nội vụ", is_default=True
    )
    _u, _c, certificate = completed()
    old_pdf = certificate.pdf.name
    data = {
        "name": "Mặc định", "is_default": "on", "title": "CHỨNG NHẬN", "body": template.body,
        "issuer": "Sở Giáo dục và Đào tạo", "signer_name": "Trần Văn Bình",
        "signer_title": "Giám đốc", "course_links-TOTAL_FORMS": "0",
        "course_links-INITIAL_FORMS": "0", "course_links-MIN_NUM_FORMS": "0",
        "course_links-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    edit_url = reverse("wagtailsnippets_certificates_certificatetemplate:edit", args=[template.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    certificate.refresh_from_db()
    assert certificate.pdf.name != old_pdf
    with certificate.pdf.open("rb") as handle:
        assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in pdf_text(handle.read())
