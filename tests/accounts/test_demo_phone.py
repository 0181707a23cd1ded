"""The demo's citizen with only a phone number logs in with the number (issue 20)."""

import io

import pytest

from accounts import demo
from accounts.models import User
from cms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_phone_citizen_is_made_once_and_logs_in_with_the_number(client, home_page):
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    user = User.objects.get(phone="+84987000111")
    assert user.email is None and user.phone_verified
    assert "0987 000 111" in out.getvalue()
    response = client.post(
        "/tai-khoan/login/", {"login": "0987 000 111", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
