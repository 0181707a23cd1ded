"""Issue 18 in the browser: a learner on a phone answers an essay in a lesson's quiz and is
told it waits for grading; a grader (a manager of the learner's agency in the graders'
group) grades it from the queue in the Wagtail admin on a desktop; the learner then sees
the grade and the feedback, and the lesson completed. Set ESSAY_SHOTS to a folder to keep
screenshots of each step."""

import os

import pytest
from django.urls import reverse

from assessments.models import Attempt
from tests import factories
from tests.assessments.essay_setup import (
    RUBRIC,
    enrolled_learner,
    essay_lesson,
    essay_quiz,
    grader,
)
from tests.conftest import browser_log_in, browser_log_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hoc-tap-so-2026!"
ANSWER = "Số gửi lạ, đường link rút gọn, và lời hứa trúng thưởng <b>lớn</b>."


def shot(page, name):
    folder = os.environ.get("ESSAY_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_an_essay_answered_on_a_phone_is_graded_from_the_admin_queue(
    live_server, browser, phone_page, axe
):
    tree = factories.agency_tree()
    quiz, single, essay = essay_quiz(title="Nhận biết lừa đảo")
    essay.min_words, essay.max_words = 5, 200
    essay.save()
    course, lesson, block_id = essay_lesson(quiz)
    learner = enrolled_learner(course, tree["unit"], name="Trần Thị Ánh", password=PASSWORD)
    page, base = phone_page, live_server.url
    browser_log_in_with_form(page, base, learner.email, PASSWORD)

    page.goto(base + lesson.url)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/bai-lam/*/")
    right = single.choices.get(weight=100)
    page.locator(f'input[name="q-{single.pk}"][value="{right.key}"]').check()
    field = page.locator(f'textarea[name="q-{essay.pk}"]')
    assert "Viết từ 5 đến 200 từ." in page.content()
    field.fill(ANSWER)
    box = field.bounding_box()
    assert box["width"] > 300 and box["height"] >= 44
    assert RUBRIC not in page.content()
    shot(page, "1-learner-answers")
    assert axe(page) == []
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    assert page.get_by_test_id("quiz-pending").first.inner_text() == "Đang chờ chấm bài"
    assert page.get_by_test_id("quiz-score").count() == 0
    assert "lớn</b>" in page.locator(".quiz-essay-answer").inner_text()  # shown as typed
    shot(page, "2-learner-waits")
    assert axe(page) == []
    result_url = page.url

    # The grader, on a desktop, in the Wagtail admin.
    desk = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    admin = desk.new_page()
    admin.set_default_timeout(15000)
    browser_log_in(admin, grader(tree["snv"], name="Lê Văn Chấm"), base)
    admin.goto(base + reverse("wagtailadmin_home"))
    admin.locator(f'a[href="{reverse("campaigns_grading:queue")}"]').first.click()
    admin.wait_for_url("**/cham-bai/")
    attempt = Attempt.objects.get(user=learner)
    queue = admin.get_by_test_id("grading-queue")
    assert "Trần Thị Ánh" in queue.inner_text() and "Phòng Tổ chức biên chế" in queue.inner_text()
    shot(admin, "3-grader-queue")
    admin.get_by_test_id(f"grade-{attempt.pk}").click()
    admin.wait_for_url(f"**/cham-bai/{attempt.pk}/")
    assert admin.get_by_test_id("rubric").inner_text() == RUBRIC
    assert "<b>lớn</b>" in admin.get_by_test_id("essay-answer").inner_text()  # escaped
    admin.get_by_label("Điểm (0 đến 3)").fill("3")
    admin.get_by_label("Nhận xét cho người học").fill("Đủ ba dấu hiệu, rất tốt.")
    shot(admin, "4-grader-form")
    admin.get_by_test_id("save-grade").click()
    admin.wait_for_url("**/cham-bai/")
    assert "Đã chấm." in admin.content()
    assert admin.get_by_test_id("grading-queue-empty").is_visible()
    shot(admin, "5-grader-done")
    desk.close()

    # The learner sees the grade, the feedback, the lesson completed and a notice.
    page.goto(result_url)
    assert "100%" in page.get_by_test_id("quiz-score").inner_text()
    assert page.get_by_test_id("essay-feedback").inner_text().endswith("Đủ ba dấu hiệu, rất tốt.")
    assert page.get_by_test_id("quiz-pending").count() == 0
    assert page.get_by_test_id("lesson-completed").is_visible()
    shot(page, "6-learner-graded")
    assert axe(page) == []
    page.goto(base + "/thong-bao/")
    assert "đã được chấm" in page.content()
    shot(page, "7-learner-notice")
