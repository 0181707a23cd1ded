"""On a phone: a bank imported from GIFT (format markers, a numerical question, a matching
question) is taken inside a lesson: the learner types a number with a decimal comma and
gets 3 of 4 pairs right; the result shows the partial credit, as Moodle would score it,
and the markdown question text reaches the page as HTML, never as its markers."""

import uuid

import pytest

from assessments.interchange import parse_gift
from assessments.models import Attempt, Question
from assessments.services import bank_import
from courses.services import enrolment_create
from tests import factories
from tests.conftest import browser_log_in_with_form
from tests.courses.conftest import lessons_of, text_block

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hoc-tap-so-2026!"
GIFT = """$CATEGORY: Moodle/Thử

::Số pi::[markdown]Số **pi** bằng bao nhiêu (3 chữ số thập phân)? {#3.1415:0.0005}

::Ghép::[html]Ghép <b>số</b> với dịch vụ. {
  =[moodle]113 -> Công an
  =114 -> Cứu hỏa
  =115 -> Cấp cứu
  =116 -> Tổng đài
}
"""


def test_numerical_and_matching_with_partial_credit_on_a_phone(
    live_server, phone_page, axe, user_factory, course_factory
):
    questions = bank_import(questions=parse_gift(GIFT.encode()).questions)
    quiz = factories.quiz(questions=questions, shuffle_questions=False, pass_mark_percent=80,
                          review_policy="after_each")  # fmt: skip
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                           "id": block_id}]  # fmt: skip
    course = course_factory(lessons=1, bodies=[body])
    lesson = lessons_of(course)[0]
    user = user_factory(password=PASSWORD)
    enrolment_create(user=user, course=course, source="self")
    page, base = phone_page, live_server.url
    browser_log_in_with_form(page, base, user.email, PASSWORD)

    page.goto(base + lesson.url)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/bai-lam/*/")
    text = page.locator(".quiz-qtext").first
    assert text.locator("strong").inner_text() == "pi" and "**" not in text.inner_text()
    assert "[html]" not in page.content() and "[moodle]" not in page.content()
    assert axe(page) == []

    attempt = Attempt.objects.get(user=user)
    pi, pairs = (Question.objects.get(pk=e["id"]) for e in attempt.frozen["questions"])
    page.locator(f'input[name="q-{pi.id}"]').fill("3,141")
    rows = list(pairs.choices.order_by("sort_order"))
    for left, chosen in zip(rows, [rows[0], rows[1], rows[2], rows[2]], strict=True):
        page.locator(f'select[name="q-{pairs.id}-{left.key}"]').select_option(chosen.key)
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    # 1 point + 3/4 of a point out of 2: 87.5 % (all or nothing would have given 50 %).
    score = page.get_by_test_id("quiz-score").inner_text()
    assert "87,50%" in score and "1,75" in score
    assert page.get_by_test_id("quiz-outcome").inner_text() == "Đạt."
    assert page.locator(".quiz-review-item.is-partial").count() == 1
    assert axe(page) == []
