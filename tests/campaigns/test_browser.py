"""On a phone: sign-up with the agency search-as-you-type, and the manager pages (no
sideways scrolling at 390 px, no serious accessibility violations)."""

import pytest

from accounts.models import User
from tests.browser.test_learner_journey import _tap_sizes
from tests.campaigns.conftest import manager_logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_agency_search_as_you_type_without_diacritics(
    live_server, home_page, tree, phone_page
):
    page = phone_page
    page.goto(live_server.url + "/tai-khoan/signup/")
    page.get_by_label("Họ và tên").fill("Sa Thị Mến")
    page.get_by_label("Email", exact=False).fill("men@example.vn")
    page.locator("#id_audience").select_option("citizen")
    box = page.locator("#id_agency")
    box.press_sequentially("phuong hoa", delay=30)
    option = page.get_by_role("option", name="Phường Hòa Bình", exact=False)
    option.wait_for()
    assert option.bounding_box()["height"] >= 44
    option.click()
    # The box shows the name only; the code travels in the hidden field.
    assert box.input_value() == "Phường Hòa Bình"
    assert page.locator("input[name=agency_code]").input_value() == "P-HB"
    page.locator("#id_password1").fill("Hoc-tap-so-2026!")
    page.locator("#id_password2").fill("Hoc-tap-so-2026!")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(live_server.url + "/")
    assert User.objects.get(email="men@example.vn").learner_profile.agency == tree["ward"]


def test_manager_pages_fit_a_phone_and_pass_axe(
    live_server, home_page, tree, learner_in, phone_page, axe
):

    for i in range(3):
        learner_in(tree["unit"], name=f"Nguyễn Thị Học Viên Có Tên Rất Dài {i}")
    page = phone_page
    manager_logged_in(page, live_server.url, tree["snv"], "ql@example.vn")
    page.get_by_role("link", name="Quản lý").click()
    for path in ("/quan-ly/", f"/quan-ly/don-vi/{tree['snv'].pk}/hoc-vien/",
                 "/quan-ly/nhap-hoc-vien/"):  # fmt: skip
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert axe(page) == [], path
        # Every link on the manager's pages is a 44 px tap target (walker finding: the
        # path, actions, sort and period links, the back link were 16 to 34 px tall).
        links = _tap_sizes(page, "main a")
        assert links and [s for s in links if s[2] < 44] == [], path
