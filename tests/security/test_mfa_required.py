"""Issue 13, MFA required: a superuser, an editor (staff) or a manager opens no admin or
manager page in a session that did not give a second factor. The attacker here holds a
password-only session (stolen password, or a session opened through the old admin log-in
before this fix) and asks for the protected pages; learners are unaffected."""

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import mfa_enrol, totp_code

pytestmark = pytest.mark.django_db

ENROL = "/tai-khoan/2fa/totp/activate/"
PROTECTED = ["/admin/", "/quan-ly/"]


@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize("role", ["superuser", "staff", "manager"])
def test_a_privileged_person_without_mfa_is_sent_to_enrol(bare_client, mfa_roles, role, path):
    bare_client.force_login(mfa_roles[role])  # a password-only session
    response = bare_client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROL
    # The enrolment page opens (it is not behind the policy) and explains why, in Vietnamese.
    page = bare_client.get(ENROL, follow=True).content.decode()
    assert "cần xác thực hai yếu tố" in page


@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize("role", ["superuser", "staff", "manager"])
def test_an_enrolled_person_in_a_session_without_the_code_is_asked_for_it(
    bare_client, mfa_roles, role, path
):
    mfa_enrol(mfa_roles[role])
    bare_client.force_login(mfa_roles[role])
    response = bare_client.get(path + "?tab=1")
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/tai-khoan/2fa/reauthenticate/?next=%2F" + path.strip("/") + "%2F%3Ftab%3D1"
    )


def test_a_learner_is_not_asked_to_enrol(bare_client, mfa_roles):
    bare_client.force_login(mfa_roles["learner"])
    assert bare_client.get("/quan-ly/").status_code == 403
    response = bare_client.get("/admin/")
    assert response.status_code == 302
    assert not response["Location"].startswith("/tai-khoan/2fa/")
    assert bare_client.get("/").status_code == 200


def test_a_privileged_person_cannot_remove_their_only_authenticator(client, mfa_roles):
    manager = mfa_roles["manager"]
    client.force_login(manager)
    # allauth asks for a fresh code before any change to the second factors.
    code = totp_code(mfa_enrol(manager))
    response = client.post("/tai-khoan/2fa/reauthenticate/", {"code": code})
    assert response.status_code == 302
    response = client.post("/tai-khoan/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=manager, type="totp").exists()
    assert "Bạn không thể tắt xác thực hai yếu tố" in response.content.decode()


def test_a_manager_with_an_unverified_address_is_sent_to_confirm_it_first(bare_client, mfa_roles):
    from allauth.account.models import EmailAddress

    manager = mfa_roles["manager"]
    EmailAddress.objects.create(user=manager, email=manager.email, verified=False, primary=True)
    bare_client.force_login(manager)
    response = bare_client.get("/quan-ly/")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/email/"
    page = bare_client.get("/tai-khoan/email/").content.decode()
    assert "khi địa chỉ email của bạn đã được xác nhận" in page
