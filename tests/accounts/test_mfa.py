"""The MFA policy's other side: sessions that gave the code work, and the test client's
`force_login` (tests/conftest.py MfaClient) logs privileged people in that way."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["superuser", "staff", "manager"])
def test_a_session_that_gave_the_code_opens_the_pages(client, mfa_roles, role):
    client.force_login(mfa_roles[role])  # tests.conftest.MfaClient: enrolled, code recorded
    if mfa_roles[role].is_staff:
        assert client.get("/admin/").status_code == 200
    if role != "staff":
        assert client.get("/quan-ly/").status_code == 200


def test_the_admin_log_out_is_never_behind_the_policy(bare_client, mfa_roles):
    bare_client.force_login(mfa_roles["staff"])
    response = bare_client.post("/admin/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in bare_client.session


def test_a_person_sees_their_sessions_and_ends_the_others(user_factory):
    from django.test import Client

    user_factory(email="hoc-vien@example.vn", password="Mat-khau-2026")
    phone, laptop = Client(), Client()
    for device in (phone, laptop):  # two real log-ins through allauth
        response = device.post(
            "/tai-khoan/login/", {"login": "hoc-vien@example.vn", "password": "Mat-khau-2026"}
        )
        assert response.status_code == 302
    page = laptop.get("/tai-khoan/sessions/").content.decode()
    assert page.count("<tr") == 3  # the header and two sessions
    assert "Đăng xuất khỏi các phiên khác" in page
    response = laptop.post("/tai-khoan/sessions/")
    assert response.status_code == 302
    assert "_auth_user_id" not in phone.session
    assert "_auth_user_id" in laptop.session
