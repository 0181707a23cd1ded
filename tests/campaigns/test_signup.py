import pytest

from accounts.models import User
from campaigns.models import Membership
from tests.accounts.pages import SIGNUP


def data(**kw):
    base = {
        "full_name": "Bùi Thị Lan", "email": "lan@example.vn", "phone": "",
        "password1": "Hoc-so-that-vui-2026", "password2": "Hoc-so-that-vui-2026",
        "consent": "on",
    }  # fmt: skip
    base.update(kw)
    return base


def test_signup_page_has_the_agency_search(client, tree):
    html = client.get(SIGNUP).content.decode()
    assert "data-agency-search" in html and "agency_search.js" in html


@pytest.mark.parametrize(
    "typed", ["phuong hoa binh", "PHUONG HOA BINH", "Phường Hòa Bình (P-HB)", "P-HB"]
)
def test_signup_with_a_commune_typed_without_diacritics(client, tree, home_page, typed):
    response = client.post(SIGNUP, data(agency=typed, audience="citizen"))
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="lan@example.vn")
    assert user.learner_profile.agency == tree["ward"]
    assert Membership.objects.get(user=user).agency == tree["ward"]


def test_citizen_may_skip_the_agency(client, tree, home_page):
    assert client.post(SIGNUP, data()).status_code == 302
    profile = User.objects.get(email="lan@example.vn").learner_profile
    assert profile.agency is None and profile.audience == "citizen"


def test_civil_servant_must_choose_an_agency_and_ambiguous_names_are_refused(client, tree):
    response = client.post(SIGNUP, data(audience="civil_servant"))
    assert response.status_code == 200
    assert "Hãy chọn cơ quan" in response.content.decode()
    response = client.post(SIGNUP, data(audience="civil_servant", agency="so"))
    assert "Có nhiều cơ quan" in response.content.decode()
    assert not User.objects.filter(email="lan@example.vn").exists()
