"""Taking a quiz over HTTP: start, resume, save, submit, review, and that no right answer
or feedback reaches the browser before the review policy allows. Learners take quizzes only
through a lesson's quiz block (the standalone /kiem-tra/ page is gone: issue 13 finding 6,
tests/security/test_quiz_bounds.py), so these go through a lesson the learner is enrolled in.
"""

import re

from assessments.models import Attempt, Choice
from tests.assessments.conftest import right_responses

SECRETS = ["Đúng: 113 là công an.", "114 là cứu hỏa.", "Ghi nhớ: 113 công an",
           "VNeID", "Định danh điện tử"]  # fmt: skip


def form_data(attempt, answers):
    """The POST a browser sends for these answers (field names of attempt_form.html)."""
    data = {}
    by_id = {str(e["id"]): e for e in attempt.frozen["questions"]}
    for qid, response in answers["responses"].items():
        field = f"q-{qid}"
        if "choice" in response:
            data[field] = response["choice"]
        elif "choices" in response:
            data[field] = response["choices"]
        elif "text" in response:
            data[field] = response["text"]
        elif "order" in response:
            for pos, key in enumerate(response["order"], start=1):
                data[f"{field}-{key}"] = str(pos)
        elif "pairs" in response:
            for left, option in response["pairs"].items():
                data[f"{field}-{left}"] = option
        assert qid in by_id
    return data


def assert_no_secrets(html, bank):
    for secret in SECRETS:
        assert secret not in html
    assert "weight" not in html and "is_correct" not in html
    # An ordering question's items are never served in the right order.
    right = [c.key for c in bank["ordering"].choices.order_by("sort_order")]
    served = re.findall(rf"q-{bank['ordering'].id}-([\w-]+)\"", html)
    served = list(dict.fromkeys(served))
    assert sorted(served) == sorted(right) and served != right


def test_take_a_quiz_end_to_end_without_leaking_answers(client, learner, quiz, bank, in_lesson):
    url = in_lesson(quiz, learner)
    lesson = client.get(url.lesson.url)
    assert lesson.status_code == 200
    assert "Bắt đầu làm bài" in lesson.content.decode()
    response = client.post(url("start"))
    attempt = Attempt.objects.get(user=learner)
    assert response.url == url("attempt", attempt)

    page = client.get(response.url)
    html = page.content.decode()
    assert_no_secrets(html, bank)
    assert "Câu 1 / 6" in html

    # Save part of the answers, close the tab, come back: they are still there.
    answers = right_responses(attempt)
    single = str(bank["single"].id)
    saved = client.post(
        url("autosave", attempt),
        form_data(attempt, {"responses": {single: answers["responses"][single]}}),
    )
    assert saved.json()["saved"] is True
    assert set(saved.json()) == {"saved", "saved_at"}
    resumed = client.get(url("attempt", attempt)).content.decode()
    key = answers["responses"][single]["choice"]
    assert f'value="{key}" checked' in resumed
    assert_no_secrets(resumed, bank)

    submitted = client.post(
        url("attempt", attempt), {**form_data(attempt, answers), "action": "submit"}
    )
    assert submitted.url == url("result", attempt)
    result = client.get(submitted.url).content.decode()
    assert "100%" in result and "Đạt." in result
    assert "Đúng: 113 là công an." in result  # review allowed after each attempt
    attempt.refresh_from_db()
    assert attempt.state == "graded" and attempt.passed


def test_review_never_shows_answers(client, learner, quiz_factory, bank, in_lesson):
    url = in_lesson(quiz_factory(review_policy="never"), learner)
    client.post(url("start"))
    attempt = Attempt.objects.get(user=learner)
    client.post(
        url("attempt", attempt),
        {**form_data(attempt, right_responses(attempt, wrong={"single"})), "action": "submit"},
    )
    html = client.get(url("result", attempt)).content.decode()
    assert "83,33%" in html or "83.33%" in html
    for secret in SECRETS:
        assert secret not in html
    assert "không được hiển thị" in html


def test_another_users_attempt_is_404_and_unchanged(client, user_factory, quiz, in_lesson):
    owner, other = user_factory(), user_factory()
    url = in_lesson(quiz, owner, other)
    client.force_login(owner)
    client.post(url("start"))
    attempt = Attempt.objects.get(user=owner)
    client.force_login(other)
    for name in ("attempt", "result"):
        assert client.get(url(name, attempt)).status_code == 404
    post = client.post(
        url("attempt", attempt),
        {**form_data(attempt, right_responses(attempt)), "action": "submit"},
    )
    assert post.status_code == 404
    assert client.post(url("autosave", attempt)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and attempt.answers["responses"] == {}


def test_bad_post_is_refused_with_a_vietnamese_message(client, learner, quiz, bank, in_lesson):
    url = in_lesson(quiz, learner)
    client.post(url("start"))
    attempt = Attempt.objects.get(user=learner)
    foreign = Choice.objects.filter(question=bank["matching"]).first().key
    for data, text in (
        ({f"q-{bank['single'].id}": foreign}, "không phải một lựa chọn"),
        ({"q-999999": "x"}, "không có trong bài làm"),
    ):
        response = client.post(url("attempt", attempt), {**data, "action": "submit"})
        assert response.status_code == 400
        assert text in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_third_attempt_refused_on_the_page(client, learner, quiz, in_lesson):
    url = in_lesson(quiz, learner)
    for _ in range(2):
        client.post(url("start"))
        attempt = Attempt.objects.filter(user=learner).latest("number")
        # Blank answers: the lesson asks first, "submit_anyway" is the confirmation.
        client.post(url("attempt", attempt), {"action": "submit_anyway"})
    response = client.post(url("start"), follow=True)
    assert "đã dùng hết 2 lượt" in response.content.decode()
    assert Attempt.objects.filter(user=learner).count() == 2


def test_anonymous_is_sent_to_log_in(client, quiz, in_lesson):
    url = in_lesson(quiz)
    response = client.post(url("start"))
    assert response.status_code == 302 and "/tai-khoan/login/" in response.url
