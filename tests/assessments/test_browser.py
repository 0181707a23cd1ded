"""On a phone: take a quiz inside a lesson, fail once, pass, and see the lesson completed.
Also: the autosave keeps an answer across a reload, and the pages pass axe-core."""

import uuid

import pytest

from assessments.models import Attempt, Question
from courses.services import enrolment_create
from tests.conftest import browser_log_in_with_form
from tests.courses.conftest import lessons_of, text_block

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hoc-tap-so-2026!"


def answer_right(page, attempt):
    """Fill the attempt form as a learner who knows the answers (the test reads the bank)."""
    for entry in attempt.frozen["questions"]:
        question = Question.objects.get(pk=entry["id"])
        rows = list(question.choices.order_by("sort_order"))
        field = f"q-{question.id}"
        qtype = entry["type"]
        if qtype in ("single", "true_false", "multiple"):
            for c in rows:
                if c.weight > 0:
                    page.locator(f'input[name="{field}"][value="{c.key}"]').check()
        elif qtype == "short_answer":
            page.locator(f'input[name="{field}"]').fill(rows[0].text.upper())
        elif qtype == "ordering":
            for position, c in enumerate(rows, start=1):
                page.locator(f'select[name="{field}-{c.key}"]').select_option(str(position))
        elif qtype == "matching":
            first = {}
            for c in rows:
                first.setdefault(c.match_text, c.key)
            for c in rows:
                page.locator(f'select[name="{field}-{c.key}"]').select_option(first[c.match_text])


def test_fail_then_pass_a_lesson_quiz_on_a_phone(
    live_server,
    phone_page,
    axe,
    user_factory,
    course_factory,
    quiz_factory,
    bank,
):
    quiz = quiz_factory(title="Kiểm tra an toàn số", max_attempts=3, time_limit_minutes=10)
    block_id = str(uuid.uuid4())
    quiz_block = {"type": "quiz", "value": {"quiz": quiz.pk, "required": True}, "id": block_id}
    body = [text_block("<p>Không bao giờ đọc mã OTP cho người khác.</p>"), quiz_block]
    course = course_factory(lessons=2, title="An toàn trên mạng", bodies=[body])
    lesson = lessons_of(course)[0]
    user = user_factory(password=PASSWORD, full_name="Hà Thị Mai")
    enrolment_create(user=user, course=course, source="self")
    page, base = phone_page, live_server.url
    browser_log_in_with_form(page, base, user.email, PASSWORD)

    page.goto(base + lesson.url)
    assert page.get_by_test_id("lesson-done").count() == 0
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/bai-lam/*/")
    assert page.locator("[data-timer]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []

    # Autosave: pick an answer, wait for "Đã lưu", reload: it is still picked.
    first = Attempt.objects.get(user=user)
    tf = next(e for e in first.frozen["questions"] if e["type"] == "true_false")
    radio = page.locator(f'input[name="q-{tf["id"]}"]').first
    radio.check()
    page.get_by_text("Đã lưu").wait_for()
    page.reload()
    assert page.locator(f'input[name="q-{tf["id"]}"]').first.is_checked()

    # First try: submit with one answer only: the page asks first, then it is graded: not
    # passed, the lesson stays open.
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    assert "Bạn chưa trả lời câu" in page.get_by_test_id("unanswered-warning").inner_text()
    page.get_by_role("button", name="Vẫn nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    assert "Chưa đạt" in page.get_by_test_id("quiz-outcome").inner_text()
    assert page.get_by_test_id("lesson-completed").count() == 0
    assert axe(page) == []
    page.get_by_role("link", name="Quay lại bài học").click()

    # Second try: every answer right.
    page.get_by_role("button", name="Làm lại").click()
    page.wait_for_url("**/bai-lam/*/")
    second = Attempt.objects.filter(user=user).latest("number")
    assert second.number == 2
    answer_right(page, second)
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    assert page.get_by_test_id("quiz-outcome").inner_text() == "Đạt."
    assert "100%" in page.get_by_test_id("quiz-score").inner_text()
    assert page.get_by_test_id("lesson-completed").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(base + lesson.url)
    assert page.get_by_test_id("lesson-done").is_visible()
    assert "Đã đạt" in page.get_by_test_id("quiz-grade").inner_text()
