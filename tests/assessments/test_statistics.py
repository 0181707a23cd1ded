"""Item statistics for editors: facility, discrimination (item vs rest of the score) and
the score distribution, checked against numbers worked out by hand."""

import math

import pytest
from django.urls import reverse

from assessments.selectors import quiz_statistics
from assessments.services import attempt_start, attempt_submit
from tests.assessments.conftest import right_responses


def _take(user, quiz, wrong):
    attempt = attempt_start(user=user, quiz=quiz)
    return attempt_submit(attempt=attempt, user=user, answers=right_responses(attempt, wrong=wrong))


@pytest.fixture
def taken(quiz_factory, bank, user_factory):
    quiz = quiz_factory(questions=[bank["single"], bank["true_false"], bank["short_answer"]])
    # Learner A: all right (3/3); B: single wrong (2/3); C: single and short wrong (1/3);
    # D: all wrong (0/3).
    plans = [set(), {"single"}, {"single", "short_answer"},
             {"single", "true_false", "short_answer"}]  # fmt: skip
    for wrong in plans:
        _take(user_factory(), quiz, wrong)
    return quiz


def _pearson(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


def test_facility_discrimination_and_distribution(taken, bank, django_assert_num_queries):
    # 3 queries: graded attempts, their question results, the questions themselves.
    with django_assert_num_queries(3):
        stats = quiz_statistics(quiz=taken)
    assert stats.attempts == 4
    items = {i.question.id: i for i in stats.items}
    single, tf, short = (items[bank[k].id] for k in ("single", "true_false", "short_answer"))
    assert single.facility == pytest.approx(0.25)
    assert tf.facility == pytest.approx(0.75)
    assert short.facility == pytest.approx(0.5)
    # Short answer: item [1,1,0,0] against the rest of the score [2,1,1,0].
    assert short.discrimination == pytest.approx(_pearson([1, 1, 0, 0], [2, 1, 1, 0]))
    assert tf.discrimination == pytest.approx(_pearson([1, 1, 1, 0], [2, 1, 0, 0]))
    assert stats.items[0] is single  # hardest first
    bands = dict(stats.distribution)
    assert bands["0–9"] == 1 and bands["30–39"] == 1 and bands["60–69"] == 1
    assert bands["90–100"] == 1 and sum(bands.values()) == 4
    assert stats.mean_percent == pytest.approx(50.0, abs=0.01)


def test_statistics_admin_pages(admin_client, taken, bank):
    index = admin_client.get(reverse("assessments_statistics:index")).content.decode()
    assert taken.title in index
    page = admin_client.get(reverse("assessments_statistics:detail", args=[taken.pk]))
    html = page.content.decode()
    assert "Độ phân biệt" in html and "Phân bố điểm" in html
    assert f'data-question-id="{bank["single"].id}"' in html
    assert "25%" in html  # the single-choice question's facility


def test_statistics_need_permission(client, user_factory, taken):
    from django.contrib.auth.models import Permission

    user = user_factory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("assessments_statistics:detail", args=[taken.pk]))
    assert response.status_code == 302
