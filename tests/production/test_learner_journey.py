"""One whole learner journey through nginx on a phone: sign up, enrol, read a lesson, answer
the H5P question on the content origin, pass the final quiz, get the certificate, and check
it on the public verification page as an employer would (logged out)."""

import uuid

from tests.production.conftest import SCREENSHOTS

COURSE = "Nhận biết lừa đảo trực tuyến và bảo vệ dữ liệu cá nhân"
PASSWORD = "Hoc-tap-so-2026!"


def quiz_key():
    """The quiz author's answer key (the demo's GIFT source): question text -> parsed question."""
    from assessments.demo import SAFETY
    from assessments.interchange import parse_gift

    return {" ".join(q.text.split()): q for q in parse_gift(SAFETY.encode()).questions}


def answer_question(fieldset, question) -> None:
    """Answer one question as the page shows it, knowing the right answer."""
    if question.qtype in ("single", "true_false", "multiple"):
        for choice in question.choices:
            if choice.weight > 0:
                fieldset.locator("label.quiz-choice", has_text=choice.text).locator("input").check()
    elif question.qtype == "short_answer":
        fieldset.locator("input[type=text]").fill(question.choices[0].text)
    elif question.qtype == "ordering":
        for position, choice in enumerate(question.choices, 1):
            fieldset.get_by_label(choice.text, exact=True).select_option(str(position))
    elif question.qtype == "matching":
        for choice in question.choices:
            fieldset.get_by_label(choice.text, exact=True).select_option(label=choice.match_text)
    else:
        raise AssertionError(f"no way to answer a {question.qtype} question")


def test_a_learner_signs_up_learns_and_gets_a_verifiable_certificate(production, phone):
    walk_learner_journey(phone, production["app"])


def walk_learner_journey(page, base) -> dict:
    """The whole journey (also the restore drill's learner); returns the learner's e-mail,
    password and certificate code."""
    email = f"hoc-vien-{uuid.uuid4().hex[:8]}@example.vn"

    # Sign up on the app origin, over HTTPS.
    page.goto(base + "/")
    assert page.url.startswith("https://")
    page.get_by_role("link", name="Đăng ký").first.click()
    page.get_by_label("Họ và tên").fill("Đinh Thị Thuỷ")
    page.get_by_label("Email", exact=False).fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_consent").check()
    page.shot("signup")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(base + "/")
    assert page.get_by_test_id("user-name").inner_text() == "Đinh Thị Thuỷ"

    # Find the course in the catalogue and enrol.
    page.goto(base + "/hoc/?q=lua+dao")
    page.shot("catalogue")
    page.get_by_role("link", name=COURSE).first.click()
    page.get_by_test_id("enrol").click()
    page.shot("enrolled")
    page.get_by_test_id("continue").click()

    key = quiz_key()
    seen = []
    for _ in range(12):  # the course has 7 lessons: a bound, not a guess at the order
        title = page.locator("article.lesson h1").inner_text()
        seen.append(title)
        page.shot(f"lesson-{len(seen)}")
        if page.get_by_test_id("lesson-done").count() == 0:
            finish_lesson(page, key)
        if page.get_by_test_id("course-completed").count():
            break
        if page.locator("article.lesson h1").inner_text() != title:
            continue  # a read lesson moves on to the next one by itself
        assert "Bạn đã hoàn thành bài học này" in page.get_by_test_id("lesson-done").inner_text()
        if page.locator("nav.lesson-nav a[rel=next]").count() == 0:
            break
        page.locator("nav.lesson-nav a[rel=next]").click()
    # The last lesson links back to the course, which now says it is complete.
    page.locator("nav.lesson-nav a.button").last.click()
    page.get_by_test_id("course-completed").wait_for()
    assert "Bạn đã hoàn thành khoá học này" in page.get_by_test_id("course-completed").inner_text()
    page.shot("course-completed")

    # The certificate: listed under "Chứng chỉ của tôi", its PDF (rendered by the worker)
    # carries the learner's name, and the share link is on the app origin over HTTPS.
    page.get_by_role("link", name="Chứng chỉ của tôi").click()
    card = page.get_by_test_id("certificate").filter(has_text=COURSE)
    assert card.count() == 1
    page.shot("certificates")
    with page.expect_download() as download_info:
        card.get_by_role("link", name="Tải PDF").click()
    pdf_path = download_info.value.path()
    text = pdf_text(pdf_path)
    assert "Đinh Thị Thuỷ" in text, text
    share = card.locator("input[readonly]").input_value()
    assert share.startswith(base + "/chung-chi/"), share
    code = card.locator(".cert-code").inner_text()

    # An employer checks it, not logged in.
    verifier = page.context.browser.new_context(ignore_https_errors=True, locale="vi-VN")
    try:
        check = verifier.new_page()
        response = check.goto(share)
        assert response.status == 200
        assert "HỢP LỆ" in check.get_by_test_id("certificate-status").inner_text()
        assert check.get_by_test_id("certificate-name").inner_text() == "Đinh Thị Thuỷ"
        assert code in check.content()
        assert COURSE in check.content()
        if SCREENSHOTS:
            check.screenshot(path=f"{SCREENSHOTS}/learner-journey-verification.png")
    finally:
        verifier.close()
    return {"email": email, "password": PASSWORD, "code": code}


def finish_lesson(page, key) -> None:
    """Complete the lesson on screen the way its finish box asks."""
    if page.get_by_test_id("confirm-read").count():
        page.get_by_test_id("confirm-read").click()
        page.wait_for_load_state()
        return
    elif page.get_by_test_id("video-needed").count():
        # Watch the video to the end, muted, at normal speed: the server checks the claim
        # against the video's duration and the time the lesson has been open.
        page.evaluate(
            "() => { const v = document.querySelector('article.lesson video');"
            " v.muted = true; return v.play(); }"
        )
    elif page.locator(".activity-h5p").count():
        answer_h5p(page)
    elif page.get_by_role("button", name="Bắt đầu làm bài").count():
        take_quiz(page, key)
    else:
        raise AssertionError("a lesson without a way to finish it: " + page.url)
    page.get_by_test_id("lesson-done").wait_for(timeout=90000)


def answer_h5p(page) -> None:
    """The H5P question, served by the content origin inside the sandboxed player."""
    player = page.frame_locator(".activity-h5p iframe")
    h5p = player.frame_locator("iframe.h5p-iframe")
    h5p.get_by_text("Bạn nên làm gì?", exact=False).wait_for()
    page.shot("h5p")
    h5p.get_by_label("Không đưa mã OTP", exact=False).check()
    h5p.get_by_role("button", name="Kiểm tra").click()
    h5p.get_by_text("Chính xác!", exact=False).wait_for()
    page.get_by_test_id("h5p-status").filter(has_text="100%").wait_for()


def take_quiz(page, key) -> None:
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    questions = page.locator("fieldset.quiz-question")
    questions.first.wait_for()
    for index in range(questions.count()):
        fieldset = questions.nth(index)
        text = " ".join(fieldset.locator(".quiz-qtext").inner_text().split())
        assert text in key, f"a question the quiz's author did not write: {text}"
        answer_question(fieldset, key[text])
    page.shot("quiz-answered")
    page.get_by_role("button", name="Nộp bài").click()
    assert page.get_by_test_id("quiz-outcome").inner_text() == "Đạt."
    page.shot("quiz-passed")
    page.get_by_role("link", name="Quay lại bài học").click()


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages)
