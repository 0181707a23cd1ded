"""Offline learning (issue 21): download sizes, opening a stored lesson offline, and a lesson
on emulated 3G (first and repeat visit).

Usage: .venv/bin/python bench/offline.py
Builds a throw-away SQLite database and media folder, loads the demo (seed_demo), enrols a
bench learner in every demo course and prints:
1. for each demo course, what "Tải về để học khi không có mạng" stores, fetched through
   Django's test client exactly as offline.js fetches it (the course's download list, its
   pages' offline copies, images, documents, the scripts and stylesheets the pages use),
   without and with the 360p videos;
2. in headless Chromium (phone viewport), served by `manage.py runserver` on a free port:
   the time to open each lesson of a downloaded course with the network off (Playwright's
   offline mode; navigation start to the load event);
3. the first visit of a lesson (empty cache, no service worker) and the repeat visit (the
   service worker and caches in place) on Chromium's network emulation
   (CDP Network.emulateNetworkConditions, DevTools' "Fast 3G": 562.5 ms, 1.6 Mbit/s down,
   750 kbit/s up): time to the load event and bytes transferred.
Figures only, no pass/fail: the tests are tests/browser/test_offline_learning.py.
"""

# ruff: noqa: S310 - urllib opens only the http://127.0.0.1 address of the server started here
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import _hocso as h  # noqa: E402 - bench/ is not a package

from tests.processes import free_port, stop_process  # noqa: E402 - after the path

WORK = Path(tempfile.mkdtemp(prefix="hocso-bench-offline-"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings",
    "DEBUG": "1",
    "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
    "MEDIA_ROOT": str(WORK / "media"),
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
}
os.environ.update(ENV)
os.environ.pop("REDIS_URL", None)  # eager tasks: the demo's video renditions are made inline

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "vi-VN"}  # fmt: skip
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
           "uploadThroughput": 750 * 1024 / 8 * 0.9}  # fmt: skip
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def body_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def download_sizes(client: Client, course) -> dict:
    from django.urls import reverse

    manifest = client.get(reverse("courses:offline:course_manifest", args=[course.pk])).json()
    pages = assets = files = videos = 0
    asset_urls: set[str] = set()
    for page in manifest["pages"]:
        html = body_bytes(client.get(page["source"], follow=True))
        pages += len(html)
        asset_urls |= set(ASSET.findall(html.decode("utf-8", "replace")))
    for url in sorted(asset_urls):
        found = finders.find(url.removeprefix("/static/"))
        assets += Path(found).stat().st_size if found else 0
    for item in manifest["files"]:
        files += len(body_bytes(client.get(item["url"], follow=True)))
    for item in manifest["videos"]:
        videos += len(body_bytes(client.get(item["url"], follow=True)))
    without = pages + assets + files
    return {"title": course.title, "pages": len(manifest["pages"]), "html": pages,
            "assets": assets, "files": files, "without": without, "video": videos,
            "with": without + videos, "shown": manifest["size"]}  # fmt: skip


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env={**os.environ, **ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://localhost:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("runserver did not start")


def load_ms(page) -> tuple[float, int]:
    """(navigation start to load event in ms, bytes transferred by the page's requests)."""
    return page.evaluate(
        """() => { const nav = performance.getEntriesByType('navigation')[0];
            const res = performance.getEntriesByType('resource');
            const bytes = [nav, ...res].reduce((s, e) => s + (e.transferSize || 0), 0);
            return [nav.loadEventEnd - nav.startTime, bytes]; }"""
    )


def throttle_service_workers(browser) -> int:
    """The same emulation on the service worker's own requests (a page's CDP session does
    not cover them): through the browser's session, attached to each service worker."""
    cdp = browser.new_browser_cdp_session()
    count = 0
    for target in cdp.send("Target.getTargets")["targetInfos"]:
        if target["type"] != "service_worker":
            continue
        session = cdp.send("Target.attachToTarget", {"targetId": target["targetId"],
                                                     "flatten": False})["sessionId"]  # fmt: skip
        for n, (method, params) in enumerate(
            [("Network.enable", {}), ("Network.emulateNetworkConditions", FAST_3G)], 1
        ):
            message = json.dumps({"id": n, "method": method, "params": params})
            cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})
        count += 1
    return count


def new_context(browser, base: str, session: str):
    context = browser.new_context(**PHONE)
    context.add_cookies([{"name": "sessionid", "value": session, "domain": "localhost",
                          "path": "/"}])  # fmt: skip
    return context


def browser_figures(base: str, session: str, course, lesson_urls: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        # 3G: a first visit (nothing cached, no service worker), then the same lesson again.
        context = new_context(browser, base, session)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
        page.goto(base + lesson_urls[0], wait_until="load")
        first = load_ms(page)
        page.evaluate("async () => { await navigator.serviceWorker.ready; return true; }")
        page.wait_for_timeout(1500)  # the service worker stores the site's static files
        workers = throttle_service_workers(browser)
        page.goto(base + lesson_urls[0], wait_until="load")
        repeat = load_ms(page)
        page.goto(base + lesson_urls[0], wait_until="load")
        repeat2 = load_ms(page)
        print(f"\nA lesson on emulated 3G (DevTools 'Fast 3G': {FAST_3G['latency']} ms, "
              f"1.6 Mbit/s down), {lesson_urls[0]}")  # fmt: skip
        print(f"  first visit (empty cache, no service worker): {first[0]:,.0f} ms, "
              f"{kb(first[1])} transferred")  # fmt: skip
        print(f"  repeat visit (service worker, caches):        {repeat[0]:,.0f} ms, "
              f"{kb(repeat[1])} transferred (again: {repeat2[0]:,.0f} ms; the emulation also "
              f"on {workers} service worker(s))")  # fmt: skip
        context.close()

        # Offline: download the course (with its videos), then open each lesson offline.
        context = new_context(browser, base, session)
        page = context.new_page()
        page.goto(base + course.url)
        page.evaluate("async () => { await navigator.serviceWorker.ready; return true; }")
        box = page.locator("[data-testid=offline-download]")
        box.get_by_role("button", name="Tải về để học khi không có mạng").wait_for()
        video_box = box.locator("[data-offline-with-video]")
        if video_box.is_visible():
            video_box.check()
        started = time.monotonic()
        box.get_by_role("button", name="Tải về để học khi không có mạng").click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=offline-download]')"
            ".getAttribute('data-downloaded') === '1'", timeout=120000,
        )  # fmt: skip
        took = time.monotonic() - started
        status = box.locator("[data-testid=offline-status]").inner_text()
        context.set_offline(True)
        times = []
        for _round in range(3):
            for url in lesson_urls:
                page.goto(base + url, wait_until="load")
                times.append(load_ms(page)[0])
        context.set_offline(False)
        print(f"\nOpening a stored lesson offline ({course.title}: {len(lesson_urls)} lessons, 3 "
              f"rounds; downloaded on localhost in {took:.1f} s: '{status}')")  # fmt: skip
        print(f"  median {statistics.median(times):,.0f} ms, fastest {min(times):,.0f} ms, "
              f"slowest {max(times):,.0f} ms")  # fmt: skip
        context.close()
        browser.close()


def main():
    from django.contrib.auth import get_user_model

    from courses.models import CoursePage, Enrolment, LessonPage
    from courses.services import enrolment_create

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.create_user(
        "offline-bench@hocso.local", "bench-password-2026", full_name="Người Học Ngoại Tuyến"
    )
    courses = list(CoursePage.objects.live().order_by("path"))
    for course in courses:
        enrolment_create(user=user, course=course, source=Enrolment.Source.SELF)
    client = Client()
    client.cookies["sessionid"] = h.learner_session(user)  # the privacy consent given
    print("HọcSố offline downloads (demo courses; what the phone stores)")
    print(f"{'course':<44}{'pages':>6}{'HTML':>10}{'CSS+JS':>9}{'images+PDF':>11}"
          f"{'no video':>10}{'360p video':>11}{'with video':>11}")  # fmt: skip
    for course in courses:
        r = download_sizes(client, course)
        print(f"{r['title'][:43]:<44}{r['pages']:>6}{kb(r['html']):>10}{kb(r['assets']):>9}"
              f"{kb(r['files']):>11}{kb(r['without']):>10}{kb(r['video']):>11}"
              f"{kb(r['with']):>11}")  # fmt: skip
    print("(shown before download: the download list's sizes, pages counted at 12 KB each)")
    course = next(c for c in courses if not c.sequential) if any(
        not c.sequential for c in courses) else courses[0]  # fmt: skip
    lesson_urls = [x.url for x in LessonPage.objects.live().child_of(course).order_by("path")]
    server, base = start_server()
    try:
        browser_figures(base, client.cookies["sessionid"].value, course, lesson_urls)
    finally:
        stop_process(server, timeout=10)


if __name__ == "__main__":
    main()
