"""A mistyped number in a lesson's quiz (walker finding 1): the other answers are kept and
saved, what was typed stays in its field, and the message names the question; autosave
saves the readable answers instead of refusing the page."""

import pytest

from assessments.models import Attempt
from tests import factories
from tests.assessments.conftest import right_responses
from tests.assessments.test_views import form_data


@pytest.fixture
def numbered(bank, quiz_factory, in_lesson, user_factory):
    numerical = factories.question(
        bank["single"].category, "numerical", "Dung lượng gói (GB)?", [("2.25:0.01", 100)]
    )
    quiz = quiz_factory(questions=[bank["single"], bank["true_false"], numerical],
                        shuffle_questions=False, max_attempts=3)  # fmt: skip
    user = user_factory()
    url = in_lesson(quiz, user)
    return url, user, numerical


def _open(client, url, user):
    client.force_login(user)
    client.post(url("start"))
    return Attempt.objects.filter(user=user).latest("pk")


@pytest.mark.parametrize("action", ["submit_anyway", "submit", "save"])
def test_a_mistyped_number_keeps_every_other_answer(client, numbered, action):
    url, user, numerical = numbered
    attempt = _open(client, url, user)
    answers = right_responses(attempt)
    data = {**form_data(attempt, answers), f"q-{numerical.pk}": "2.25 GB", "action": action}
    response = client.post(url("attempt", attempt), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Câu 3: Hãy nhập một số" in html
    assert 'value="2.25 GB"' in html
    assert html.count("checked") >= 2  # the two radios answered are still checked
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"
    assert attempt.answers["responses"] == answers["responses"]  # the readable ones saved
    # Corrected, it is submitted.
    data[f"q-{numerical.pk}"] = "2,25"
    data["action"] = "submit"
    assert client.post(url("attempt", attempt), data).status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == "graded" and attempt.passed


def test_autosave_saves_the_readable_answers_and_names_the_mistyped_one(client, numbered):
    url, user, numerical = numbered
    attempt = _open(client, url, user)
    answers = right_responses(attempt)
    data = {**form_data(attempt, answers), f"q-{numerical.pk}": "hai phẩy hai lăm"}
    response = client.post(url("autosave", attempt), data)
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True and body["message"].startswith("Câu 3: ")
    attempt.refresh_from_db()
    assert attempt.answers["responses"] == answers["responses"]


def test_a_tampered_answer_still_refuses_the_lot(client, numbered):
    url, user, numerical = numbered
    attempt = _open(client, url, user)
    data = {
        **form_data(attempt, right_responses(attempt)),
        f"q-{attempt.frozen['questions'][0]['id']}": "nope",
    }
    response = client.post(url("autosave", attempt), data)
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert not attempt.answers or not attempt.answers.get("responses")


@pytest.mark.parametrize(
    ("typed", "right"),
    [("2.000", "2000"), ("1.500.000", "1500000"), ("1.500,5", "1500.5"), ("2,25", "2.25"),
     ("2.25", "2.25"), ("3.1", "3.1")],
)  # fmt: skip
def test_numbers_are_read_the_vietnamese_way(client, numbered, typed, right):
    """Finding 2: dots group thousands, the comma is the decimal mark; a lone dot not
    followed by three digits stays a decimal point. Graded through the lesson's page."""
    url, user, numerical = numbered
    numerical.choices.update(text=right)
    attempt = _open(client, url, user)
    page = client.get(url("attempt", attempt)).content.decode()
    assert "dấu chấm ngăn hàng nghìn: 3,14 hoặc 1.500.000" in page
    data = {**form_data(attempt, right_responses(attempt)), f"q-{numerical.pk}": typed}
    assert client.post(url("attempt", attempt), {**data, "action": "submit"}).status_code == 302
    attempt.refresh_from_db()
    assert attempt.results.get(question=numerical).fraction == 1
