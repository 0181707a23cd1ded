"""H5P's own interface words reach the learner in Vietnamese (issue 22: the player said
"You got 1 of 1 points"): content.json is served with each library default translated, and
what the author wrote is left as it is."""

import json

import pytest
from django.test import Client

from assessments.h5p import l10n
from assessments.h5p.tokens import make_token

CONTENT_HOST = "localhost:8000"


@pytest.fixture(autouse=True)
def origins(settings):
    settings.APP_ORIGIN = "http://127.0.0.1:8000"
    settings.CONTENT_ORIGIN = f"http://{CONTENT_HOST}"


def _content(package) -> dict:
    client = Client(HTTP_HOST=CONTENT_HOST)
    response = client.get(f"/c/{make_token(package.pk)}/content/content/content.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    return json.loads(response.content)


@pytest.mark.django_db
def test_true_false_buttons_and_score_line_are_vietnamese(playable_package):
    content = _content(playable_package("H5P.TrueFalse"))
    l10n_strings = content["l10n"]
    assert l10n_strings["checkAnswer"] == "Kiểm tra"
    assert l10n_strings["tryAgain"] == "Làm lại"
    assert l10n_strings["score"] == "Bạn được @score trên @total điểm"  # placeholders kept
    assert l10n_strings["trueText"] == "Yes"  # the author's own words, not a default
    assert content["question"] == "<p>Oslo is the capital of Norway.</p>\n"
    assert content["confirmCheck"]["header"] == "Nộp bài?"
    assert content["behaviour"]["enableRetry"] is True


@pytest.mark.django_db
def test_nested_content_of_a_question_set_is_translated_too(playable_package):
    raw = json.dumps(_content(playable_package("H5P.QuestionSet")), ensure_ascii=False)
    assert "Kiểm tra" in raw and "Làm lại" in raw
    assert '"Check"' not in raw and '"Retry"' not in raw


@pytest.mark.django_db
def test_select_values_and_a_package_in_vietnamese_are_left_alone(playable_package):
    package = playable_package("H5P.MultiChoice")
    content = _content(package)
    assert content["behaviour"]["type"] == "auto"  # a select value, never a word
    package.h5p_json = {**package.h5p_json, "language": "vi"}
    package.save(update_fields=["h5p_json"])
    assert '"Check"' in json.dumps(_content(package))


def test_localize_translates_only_known_defaults():
    defaults = frozenset({"Check", "Retry"})
    params = {"a": ["Check", "Kiểm"], "b": {"c": "Retry", "d": 3}, "e": "Checkmate"}
    assert l10n.localize(params, defaults) == {
        "a": ["Kiểm tra", "Kiểm"], "b": {"c": "Làm lại", "d": 3}, "e": "Checkmate"
    }  # fmt: skip
