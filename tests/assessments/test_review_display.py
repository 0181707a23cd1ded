"""Walker finding 10: the review after an attempt writes numbers the page's way
("2,25 ± 0,01", not the GIFT "2.25 ± 0.01") and marks each matching pair right or wrong,
in the question's order."""

from django.urls import reverse

from assessments.models import Attempt
from tests import factories
from tests.assessments.conftest import right_responses
from tests.assessments.test_views import form_data


def test_review_numbers_and_matching_pairs(client, bank, quiz_factory, in_lesson, user_factory):
    numerical = factories.question(
        bank["single"].category, "numerical", "Dung lượng gói (GB)?", [("2.25:0.01", 100)]
    )
    ranged = factories.question(bank["single"].category, "numerical", "Khoảng?", [("12..64", 100)])
    matching = bank["matching"]
    quiz = quiz_factory(questions=[numerical, ranged, matching], shuffle_questions=False)
    user = user_factory()
    url = in_lesson(quiz, user)
    client.force_login(user)
    client.post(url("start"))
    attempt = Attempt.objects.filter(user=user).latest("pk")
    answers = right_responses(attempt, wrong={"matching"})
    data = {**form_data(attempt, answers), f"q-{numerical.pk}": "2,25", f"q-{ranged.pk}": "20"}
    assert client.post(url("attempt", attempt), {**data, "action": "submit"}).status_code == 302
    html = client.get(url("result", attempt)).content.decode()
    assert "2,25 ± 0,01" in html and "12 – 64" in html
    assert "2.25" not in html
    # The wrong answers shift every pair: each is marked wrong with its right match,
    # listed in the question's order 113, 114, 115.
    assert "113 → Cứu hỏa ✗ (đúng: Công an)" in html
    assert html.index("113 →") < html.index("114 →") < html.index("115 →")


def test_admin_preview_writes_numerical_answers_the_pages_way(admin_client, bank, quiz_factory):
    numerical = factories.question(
        bank["single"].category, "numerical", "Dung lượng gói (GB)?", [("2.25:0.01", 100)]
    )
    quiz = quiz_factory(questions=[numerical])
    html = admin_client.get(reverse("assessments_quiz_preview", args=[quiz.pk])).content.decode()
    assert "2,25 ± 0,01" in html and "2.25:0.01" not in html
