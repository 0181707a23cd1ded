"""The demo manager's journey through nginx: log in with a second factor (enrolling TOTP the
first time, as a person with an authenticator app would: RFC 6238 codes from
tests/conftest.py::totp_code), read the dashboard, download the
period report as XLSX, and have the worker prepare a learners file to download."""

import io
import time

from tests.conftest import totp_code
from tests.production.conftest import DEMO_PASSWORD, RUN_DIR

MANAGER = "manager@hocso.local"  # seed_demo: manages Sở Nội vụ
AGENCY = "Sở Nội vụ"


def second_factor(page, base) -> None:
    """Give the code the page asks for; enrol TOTP if the account has none yet."""
    secret_file = RUN_DIR / "manager-totp-secret"
    if "/2fa/authenticate" in page.url:
        assert secret_file.exists(), f"the manager has TOTP but {secret_file} is gone"
        page.locator("#id_code").fill(totp_code(secret_file.read_text().strip()))
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
    page.goto(base + "/quan-ly/")
    if "/reauthenticate" in page.url:
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_load_state()
    if "/2fa/totp/activate" in page.url:
        page.shot("mfa-activate")
        assert "Kích hoạt ứng dụng xác thực" in page.locator("h1").inner_text()
        secret = page.get_by_label("Khóa bí mật", exact=False).input_value().strip()
        secret_file.write_text(secret)
        page.get_by_label("Mã xác thực", exact=False).fill(totp_code(secret))
        page.get_by_role("button", name="Kích hoạt").click()
        page.wait_for_load_state()
        page.goto(base + "/quan-ly/")


def test_the_manager_reads_the_dashboard_and_downloads_reports(production, phone):
    from openpyxl import load_workbook

    page, base = phone, production["app"]
    page.goto(base + "/tai-khoan/login/")
    page.get_by_label("Tài khoản đăng nhập").fill(MANAGER)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    second_factor(page, base)

    # The dashboard: the manager's agency, its figures, and the chart drawn from static files.
    assert page.url.startswith(base + "/quan-ly/"), page.url
    page.get_by_role("link", name=AGENCY).first.click()
    assert AGENCY in page.locator("h1").inner_text()
    page.shot("dashboard")

    # The period report, as a file: XLSX read back cell by cell.
    page.get_by_role("link", name="Báo cáo định kỳ").click()
    page.shot("report")
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").click()
    assert info.value.suggested_filename.endswith(".xlsx"), info.value.suggested_filename
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes()), read_only=True).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(AGENCY in c for c in cells), cells[:20]

    # A background export: the worker builds it, "Tệp của tôi" lists it, its owner downloads.
    page.locator("#export-kind").select_option("detail")
    page.locator("#export-form select[name=format]").select_option("csv")
    page.locator("#export-form").get_by_role("button", name="Chuẩn bị tệp").click()
    page.wait_for_load_state()
    if "/xuat-file/" not in page.url:
        page.goto(base + "/quan-ly/xuat-file/")
    row = page.locator("tr[data-export]").first
    for _ in range(60):
        if row.get_attribute("data-status") in ("done", "failed"):
            break
        time.sleep(1)
        page.reload()
        row = page.locator("tr[data-export]").first
    assert row.get_attribute("data-status") == "done", row.inner_text()
    assert "Sẵn sàng" in row.inner_text()
    page.shot("exports")
    with page.expect_download() as info:
        row.get_by_role("link", name="Tải về").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    assert "Họ và tên" in text or "Họ tên" in text, text[:300]
