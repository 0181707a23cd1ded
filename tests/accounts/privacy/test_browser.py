"""Issue 14 on a phone (390x844): a learner downloads their data and asks for deletion; the
data-protection officer handles the request in the admin; the manager's people list then
shows "Đã ẩn danh" instead of her name while the dashboard's totals stay the same."""

import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, CampaignCourse
from tests.conftest import PHONE, MfaClient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tree, learner_in, manager_of, completed, course_factory, user_factory):  # noqa: F811
    course = course_factory(lessons=2, title="Kỹ năng số cơ bản")
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Bình dân học vụ số 2026", starts_on=today.replace(day=1), ends_on=today.replace(
            year=today.year + 1), due_on=today.replace(year=today.year + 1),
    )  # fmt: skip
    CampaignCourse.objects.create(campaign=campaign, course=course)
    anh = learner_in(tree["unit"], name="Trần Thị Ánh", employee_code="NV-042")
    _user, _course, certificate = completed(user=anh, course=course)
    learner_in(tree["unit"], name="Lê Văn Bình")
    return {
        "anh": anh, "certificate": certificate, "tree": tree,
        "manager": manager_of(tree["snv"]),
        "officer": user_factory(is_superuser=True, is_staff=True, full_name="Cán Bộ Dữ Liệu"),
    }  # fmt: skip


def signed_in(browser, live_server, user):
    """A phone browser holding `user`'s session (their second factor proved if needed)."""
    client = type("Client", (MfaClient, Client), {})()
    client.force_login(user)
    context = browser.new_context(locale="vi-VN", accept_downloads=True, **PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url, "httpOnly": True}])  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_a_learner_downloads_and_asks_for_deletion_and_the_admin_anonymises(
    browser, live_server, world, axe
):
    base, tree = live_server.url, world["tree"]
    manager = signed_in(browser, live_server, world["manager"])
    manager.goto(f"{base}/quan-ly/don-vi/{tree['snv'].pk}/")
    totals_before = manager.locator("main").inner_text()
    # Her course counted: enrolled, completed, certified (per course), 2 registered.
    assert "Kỹ năng số cơ bản\t1\t1\t1" in totals_before

    # The learner: her data, downloaded as JSON, then the deletion request.
    learner = signed_in(browser, live_server, world["anh"])
    learner.goto(base + "/tai-khoan/du-lieu/")
    main = learner.locator("main")
    assert "Trần Thị Ánh" in main.inner_text() and world["certificate"].code in main.inner_text()
    assert axe(learner) == []
    # Walker #6: the wide tables scroll in their boxes, the page fits the phone.
    assert learner.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    with learner.expect_download() as download:
        learner.get_by_test_id("download-json").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["sections"]["account"]["rows"][0]["full_name"] == "Trần Thị Ánh"
    assert document["sections"]["learner_profile"]["rows"][0]["employee_code"] == "NV-042"
    learner.get_by_role("link", name="Yêu cầu xóa dữ liệu của tôi").click()
    learner.wait_for_url(base + "/tai-khoan/du-lieu/xoa/")  # walker #7: confirmed first
    assert axe(learner) == []
    learner.get_by_role("button", name="Có, tôi yêu cầu xóa dữ liệu của tôi").click()
    learner.wait_for_url(base + "/tai-khoan/du-lieu/")
    assert "Đã nhận yêu cầu của bạn" in learner.locator("body").inner_text()
    assert learner.locator('[data-request-kind="delete"][data-request-status="open"]').count() == 1

    # The officer: the queue, the request, anonymise (confirmed).
    officer = signed_in(browser, live_server, world["officer"])
    officer.goto(base + "/admin/yeu-cau-du-lieu/")
    officer.get_by_role("link", name="Trần Thị Ánh").click()
    officer.get_by_label("Tôi xác nhận: thao tác này không thể hoàn tác.").check()
    officer.get_by_role("button", name="Ẩn danh tài khoản").click()
    assert officer.get_by_test_id("request-status").inner_text().startswith("Đã xử lý")
    assert "Đã ẩn danh" in officer.get_by_test_id("request-person").inner_text()

    # The manager: the name is gone from the people list, the totals are the same.
    manager.goto(f"{base}/quan-ly/don-vi/{tree['snv'].pk}/hoc-vien/")
    people = manager.locator("main").inner_text()
    assert "Đã ẩn danh" in people and "Lê Văn Bình" in people
    assert "Trần Thị Ánh" not in people and "NV-042" not in people
    manager.goto(f"{base}/quan-ly/don-vi/{tree['snv'].pk}/")
    assert manager.locator("main").inner_text() == totals_before

    # Her certificate still verifies, without her details; her session is over.
    manager.goto(f"{base}/chung-chi/{world['certificate'].code}/")
    assert (
        "thông tin người được cấp đã được rút lại"
        in manager.get_by_test_id("certificate-name").inner_text()
    )
    learner.goto(base + "/tai-khoan/du-lieu/")
    assert "/tai-khoan/login/" in learner.url
