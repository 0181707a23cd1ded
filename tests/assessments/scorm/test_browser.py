"""In Chromium on a phone viewport: a learner plays a SCORM 1.2 package (the fixtures' golf
sample, singlescobasic.zip) and a SCORM 2004 package (built here) inside a lesson: answers,
suspends (exit "suspend"), reloads the page and resumes (the SCO gets its location and
suspend data back), then completes, and the lesson completes. App on http://localhost:PORT,
the SCO and its runtime (scorm-again) on http://127.0.0.1:PORT, the content origin."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from assessments.scorm.models import ScormAttempt
from courses.models import LessonProgress
from tests.assessments.scorm.conftest import SCO_2004, scorm_zip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SANDBOX = "allow-scripts allow-same-origin allow-forms allow-modals"


def _wait_for(predicate, page, what: str):
    for _ in range(80):
        if predicate():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"timed out waiting for {what}")


def _sco_initialized(page):
    """Wait until the framed SCO of the golf samples has called LMSInitialize (its global
    `initialized`, shared/scormfunctions.js)."""
    for _ in range(80):
        for frame in page.frames:
            if "/content/" in frame.url and not frame.is_detached():
                try:
                    if frame.evaluate("() => window.initialized === true"):
                        return
                except PlaywrightError:
                    pass
        page.wait_for_timeout(250)
    raise AssertionError("the SCO did not initialise")


# Every animation frame: the SCO frame's box (top in the document, height) unless hidden.
RECORD_FRAME_LAYOUT = """() => {
    window.__frameLayout = [];
    const step = () => {
        const frame = document.querySelector(".activity-scorm .scorm-frame");
        const box = frame.getBoundingClientRect();
        const row = {top: Math.round(box.top + window.scrollY), height: Math.round(box.height)};
        const last = window.__frameLayout[window.__frameLayout.length - 1];
        if (!frame.hidden && (!last || last.top !== row.top || last.height !== row.height)) {
            window.__frameLayout.push(row);
        }
        requestAnimationFrame(step);
    };
    step();
}"""


def _attempt(learner) -> ScormAttempt:
    return ScormAttempt.objects.get(user=learner)


def _check_page(page, errors, content_origin):
    iframe = page.locator(".activity-scorm iframe")
    assert iframe.get_attribute("sandbox") == SANDBOX
    assert iframe.get_attribute("src").startswith(content_origin + "/s/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The status line is below the SCO: when it wraps, the SCO does not move.
    frame, status = iframe.bounding_box(), page.get_by_test_id("scorm-status").bounding_box()
    assert status["y"] >= frame["y"] + frame["height"]
    for button in page.locator(".activity-scorm button:visible").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, button.inner_text()
    assert not [e for e in errors if "pageerror" in e], errors


def test_scorm12_golf_sample_suspends_resumes_and_completes(
    scorm_lesson, ready_package, fixtures_dir
):
    package = ready_package((fixtures_dir / "scorm" / "singlescobasic.zip").read_bytes())
    ctx = scorm_lesson(package)
    page, learner = ctx["page"], ctx["learner"]
    errors = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.goto(ctx["url"])
    assert "hoàn thành hoạt động này để kết thúc bài học" in page.inner_text(".activity-scorm")
    sco = page.frame_locator(".activity-scorm iframe").frame_locator("#sco")
    content = sco.frame_locator("#contentFrame")
    content.get_by_role("heading", name="Play of the game").wait_for()
    _check_page(page, errors, ctx["content_origin"])
    for _ in range(3):
        sco.get_by_role("button", name="Next ->").click()
    content.get_by_role("heading", name="Other Scoring Systems").wait_for()
    # Exit, "save your progress to resume later?" yes: exit = suspend, LMSFinish.
    sco.get_by_role("button", name="Exit").click()
    page.get_by_test_id("scorm-status").filter(has_text="Đã lưu tiến độ").wait_for()
    page.get_by_test_id("scorm-continue").wait_for()
    page.screenshot(path="/tmp/scorm12-suspended.png", full_page=True)
    attempt = _attempt(learner)
    assert attempt.cmi["cmi.core.lesson_location"] == "3"
    assert attempt.cmi["cmi.core.exit"] == "suspend"
    assert (attempt.completed, attempt.session) == (False, None)

    page.reload()
    # "Resume from where you left off?" yes: the SCO read lesson_location 3 back.
    content.get_by_role("heading", name="Other Scoring Systems").wait_for()
    assert _attempt(learner).session is not None
    for _ in range(12):
        sco.get_by_role("button", name="Next ->").click()
    content.get_by_role("heading", name="Knowledge Check").wait_for()
    # Answers: every choice marked correct, every number given in brackets.
    content.locator("#frmTest").evaluate(
        """(form) => {
            form.querySelectorAll(".correctAnswer").forEach((div) => {
                const radio = div.querySelector("input[type=radio]");
                if (radio) radio.checked = true;
                const text = div.querySelector("input[type=text]");
                if (text) text.value = div.textContent.match(/\\((\\d+)\\)/)[1];
            });
        }"""
    )
    content.get_by_role("button", name="Submit Answers").click()
    content.get_by_role("heading", name="Score: 100").wait_for()
    page.screenshot(path="/tmp/scorm12-answered.png", full_page=True)
    sco.get_by_role("button", name="Exit").click()
    attempt = _lesson_passed(page, ctx, "/tmp/scorm12-done.png")
    assert attempt.cmi["cmi.core.lesson_status"] == "passed"
    page.reload()
    assert page.get_by_test_id("lesson-done").is_visible()
    assert page.get_by_test_id("scorm-passed").is_visible()


def _lesson_passed(page, ctx, screenshot):
    """The lesson done with the SCO passed at 100 % (status line, attempt, lesson progress):
    the attempt."""
    page.get_by_test_id("lesson-done").wait_for()
    assert "Đạt 100%" in page.get_by_test_id("scorm-status").inner_text()
    page.screenshot(path=screenshot, full_page=True)
    attempt = _attempt(ctx["learner"])
    assert (attempt.completed, attempt.passed, attempt.scaled) == (True, True, 1.0)
    assert LessonProgress.objects.get(user=ctx["learner"], lesson=ctx["lesson"]).completed_at
    return attempt


def test_scorm2004_answers_suspends_resumes_and_completes(scorm_lesson, ready_package):
    package = ready_package(
        scorm_zip(
            {"sco1/index.html": SCO_2004}, scos=("sco1",), schemaversion="2004 4th Edition"
        )  # fmt: skip
    )
    ctx = scorm_lesson(package)
    page, learner = ctx["page"], ctx["learner"]
    errors = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.goto(ctx["url"])
    page.evaluate(RECORD_FRAME_LAYOUT)
    sco = page.frame_locator(".activity-scorm iframe").frame_locator("#sco")
    sco.get_by_role("heading", name="An toàn khi dùng mạng").wait_for()
    _check_page(page, errors, ctx["content_origin"])
    sco.get_by_label("Có", exact=True).check()  # a wrong answer first, committed
    _wait_for(lambda: _attempt(learner).cmi.get("cmi.suspend_data") == "co", page, "answer")
    sco.get_by_label("Không", exact=True).check()
    sco.get_by_role("button", name="Tạm dừng").click()
    page.get_by_test_id("scorm-status").filter(has_text="Đã lưu tiến độ").wait_for()
    attempt = _attempt(learner)
    assert attempt.cmi["cmi.suspend_data"] == "khong"
    assert attempt.cmi["cmi.location"] == "cau-1"
    assert attempt.cmi["cmi.exit"] == "suspend"
    assert attempt.cmi["cmi.interactions.0.learner_response"] == "khong"
    assert not attempt.completed
    # From "loading" to the SCO shown and its status, the frame's box never moved nor resized:
    # it was reserved before the SCO loaded, and the status line is below it.
    layout = page.evaluate("window.__frameLayout")
    assert len(layout) == 1, layout

    page.reload()
    sco.get_by_text("Tiếp tục từ cau-1: khong").wait_for()  # entry "resume", its data back
    assert sco.get_by_label("Không", exact=True).is_checked()
    page.screenshot(path="/tmp/scorm2004-resumed.png", full_page=True)
    sco.get_by_role("button", name="Nộp bài").click()
    _lesson_passed(page, ctx, "/tmp/scorm2004-done.png")


def test_scorm12_minimum_calls_sample_plays_each_sco_and_rolls_up(
    scorm_lesson, ready_package, fixtures_dir, axe
):
    """RuntimeMinimumCalls_SCORM12.zip: 18 SCOs, each only LMSInitialize on load and
    LMSFinish on unload. The lesson lists the parts; opening another part unloads the
    running SCO first (its LMSFinish is committed), a SCO that never set its status is
    completed by its LMSFinish (SCORM 1.2), and the lesson completes once every part is."""
    package = ready_package(
        (fixtures_dir / "scorm" / "RuntimeMinimumCalls_SCORM12.zip").read_bytes()
    )
    titles = [item["title"] for item in package.sco_items]
    assert len(titles) == 18
    ctx = scorm_lesson(package)
    page, learner = ctx["page"], ctx["learner"]
    page.goto(ctx["url"])
    sco = page.frame_locator(".activity-scorm iframe").frame_locator("#sco")
    sco.get_by_role("heading", name="Play of the game").wait_for()
    assert "(đã xong 0/18)" in page.get_by_test_id("scorm-parts").inner_text()
    page.get_by_test_id("scorm-parts").click()  # the list of parts opens
    parts = page.locator(".activity-scorm .scorm-part-list button")
    assert parts.count() == 18
    assert parts.first.get_attribute("aria-current") == "step"
    for target in [page.get_by_test_id("scorm-parts"), *parts.all()]:
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, target.inner_text()
    assert axe(page) == []
    page.screenshot(path="/tmp/scorm12-parts.png", full_page=True)
    done = "{} ✓ đã xong".format
    previous = titles[0]
    for title in titles[1:]:
        _sco_initialized(page)  # the learner reads it: its LMSInitialize has run
        page.get_by_role("button", name=title, exact=True).click()
        page.get_by_role("button", name=done(previous), exact=True).wait_for()
        assert not page.get_by_test_id("lesson-done").count()
        previous = title
    _sco_initialized(page)
    page.get_by_role("button", name=done(titles[0]), exact=True).click()  # the first again
    page.get_by_role("button", name=done(previous), exact=True).wait_for()
    page.get_by_test_id("lesson-done").wait_for()
    assert "(đã xong 18/18)" in page.get_by_test_id("scorm-parts").inner_text()
    attempts = ScormAttempt.objects.filter(user=learner)
    assert attempts.count() == 18 and all(a.completed for a in attempts)
    assert {a.cmi["cmi.core.lesson_status"] for a in attempts} == {"completed"}
    assert LessonProgress.objects.get(user=learner, lesson=ctx["lesson"]).completed_at
    page.screenshot(path="/tmp/scorm12-parts-done.png", full_page=True)


def test_a_page_closed_without_exiting_resumes_from_the_autosave(
    scorm_lesson, ready_package, fixtures_dir
):
    """The golf sample commits only when it exits. Values it set are sent a few seconds after
    the last one all the same, so a learner who reloads (or loses the page) without pressing
    Exit is asked to resume at the page they were on."""
    package = ready_package((fixtures_dir / "scorm" / "singlescobasic.zip").read_bytes())
    ctx = scorm_lesson(package)
    page, learner = ctx["page"], ctx["learner"]
    page.goto(ctx["url"])
    sco = page.frame_locator(".activity-scorm iframe").frame_locator("#sco")
    content = sco.frame_locator("#contentFrame")
    content.get_by_role("heading", name="Play of the game").wait_for()
    for _ in range(2):
        sco.get_by_role("button", name="Next ->").click()
    _wait_for(
        lambda: _attempt(learner).cmi.get("cmi.core.lesson_location") == "2", page, "autosave"
    )
    attempt = _attempt(learner)
    assert attempt.session is not None and attempt.cmi["cmi.core.lesson_status"] == "incomplete"
    page.reload()
    content.get_by_role("heading", name="Scoring", exact=True).wait_for()  # on page 2
    assert page.get_by_test_id("scorm-status").inner_text() == ""  # no refusal shown
