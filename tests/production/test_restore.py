"""The backup and restore drill, on the running topology: a learner's progress and
certificate survive losing the database and the machine's files.

deploy/backup.sh saves the database and the files; the topology is stopped, its files moved
away and a new, empty database made; deploy/restore.sh fills both, the topology starts on
them, and the same learner logs in and sees the same progress, the same certificate (the
same PDF bytes: restored, not rendered again), and the H5P activity and lesson images still
load. It leaves the topology running on the restored database (named in its env file).
Run it after the other production tests (.ci/run does): it restarts the topology.
"""

import hashlib
import os
import re
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

from tests.conftest import ROOT
from tests.production.conftest import RUN_DIR, run_local
from tests.production.test_learner_journey import COURSE, walk_learner_journey

SECOND_COURSE = "Thanh toán không tiền mặt an toàn"


def log_in(page, base, email, password) -> None:
    page.goto(base + "/tai-khoan/login/")
    page.get_by_label("Tài khoản đăng nhập").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/")


def what_the_learner_sees(page, base, code) -> dict:
    """The learner's own pages, as text, and the certificate PDF's digest."""
    page.goto(base + "/hoc/cua-toi/")
    learning = " ".join(page.locator("main").inner_text().split())
    page.get_by_role("link", name="Chứng chỉ của tôi").click()
    certificates = " ".join(page.locator("main").inner_text().split())
    with page.expect_download() as info:
        page.get_by_test_id("certificate").filter(has_text=code).get_by_role(
            "link", name="Tải PDF"
        ).click()
    pdf = hashlib.sha256(info.value.path().read_bytes()).hexdigest()
    return {"learning": learning, "certificates": certificates, "pdf": pdf}


def test_backup_then_restore_into_a_fresh_database_keeps_the_learners_work(production, phone):
    page, base = phone, production["app"]
    learner = walk_learner_journey(page, base)
    # Some progress in a second course: enrolled, one lesson read.
    page.goto(base + "/hoc/?q=thanh+toan")
    page.get_by_role("link", name=SECOND_COURSE).first.click()
    page.get_by_test_id("enrol").click()
    page.get_by_test_id("continue").click()
    page.get_by_test_id("confirm-read").click()
    page.wait_for_load_state()
    before = what_the_learner_sees(page, base, learner["code"])
    assert COURSE in before["learning"] and SECOND_COURSE in before["learning"]
    assert re.search(r"\d+%", before["learning"]), before["learning"]
    page.context.clear_cookies()

    env_file = RUN_DIR / "hocso.env"
    backup = run_local_script("backup.sh", "--env-file", str(env_file), str(RUN_DIR / "backups"))
    folder = backup.strip().splitlines()[-1]
    assert os.path.isfile(os.path.join(folder, "database.dump"))

    # Lose everything: stop, move the files away, and start from a new, empty database.
    run_local("stop")
    lost = RUN_DIR / f"lost-{int(time.time())}"
    lost.mkdir()
    for name in ("media", "var"):
        if (RUN_DIR / "data" / name).exists():
            (RUN_DIR / "data" / name).rename(lost / name)
    running = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    parts = urlsplit(running["DATABASE_URL"])
    fresh_name = f"{parts.path.lstrip('/').split('_restored')[0]}_restored_{int(time.time())}"
    fresh = urlunsplit(parts._replace(path="/" + fresh_name))
    admin = urlunsplit(parts._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{fresh_name}"'], check=True)

    # The same topology on the new database: only DATABASE_URL changes (the caller's
    # environment may name other services, e.g. CI's own database and Redis).
    services = {"DATABASE_URL": fresh, "REDIS_URL": running["REDIS_URL"], "HOCSO_SEED": "0"}
    run_local("configure", env=services)
    run_local_script("restore.sh", "--env-file", str(env_file), folder)
    run_local("start", env=services)

    log_in(page, base, learner["email"], learner["password"])
    after = what_the_learner_sees(page, base, learner["code"])
    assert after == before

    # The H5P activity (restored private storage, served on the content origin) and the
    # lesson images (restored media) load again.
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(base + "/khoa-hoc/nhan-biet-lua-dao-va-bao-ve-du-lieu-ca-nhan/cau-hoi-nhanh-otp/")
    h5p = page.frame_locator(".activity-h5p iframe").frame_locator("iframe.h5p-iframe")
    h5p.get_by_text("Bạn nên làm gì?", exact=False).wait_for()
    page.goto(base + "/khoa-hoc/nhan-biet-lua-dao-va-bao-ve-du-lieu-ca-nhan/")
    images = page.locator("img")
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert page.evaluate(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
    ), "an image did not load after the restore"


def run_local_script(name: str, *args: str) -> str:
    result = subprocess.run(
        [str(ROOT / "deploy" / name), *args], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{name}:\n{result.stdout}\n{result.stderr}"
    return result.stdout
