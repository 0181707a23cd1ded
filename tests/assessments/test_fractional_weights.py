"""Answer weights kept exactly, as Moodle keeps them (a fraction to 7 places, so a percent
to 5: 33.33333, 16.66667, -33.33333): read from GIFT, Moodle XML, XLSX and the admin form
("33,33333" typed the Vietnamese way), graded with Moodle's tolerance (three answers at
33.33333 % are full marks), written back without trailing zeros, and the same after a
round trip through the bank."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.grading import weight_fraction, weight_text, weight_value
from assessments.interchange import (
    export_gift,
    export_xlsx,
    parse_gift,
    parse_xlsx,
    xlsx_all_headers,
)
from assessments.models import Choice, Question, QuestionCategory
from assessments.moodlexml import export_moodlexml, parse_moodlexml
from assessments.selectors import bank_for_export
from assessments.services import attempt_start, attempt_submit, bank_import
from tests import factories
from tests.assessments.test_gift_moodle import grade

THIRD, SIXTH = Decimal("33.33333"), Decimal("16.66667")
WEIGHTS = [THIRD, THIRD, THIRD, -THIRD]  # three right answers and a wrong one

GIFT = """$CATEGORY: Phân số

::Thirds::Which are safe habits? {
\t~%33.33333%Strong password
\t~%33.33333%Two-step login
\t~%33.33333%Updates
\t~%-33.33333%Sharing the OTP
}

::Sixths::Which six are right? {
\t~%16.66667%a
\t~%16.66667%b
\t~%16.66667%c
\t~%16.66667%d
\t~%16.66667%e
\t~%16.66667%f
\t~%-100%g
}
"""


def _xml_answers(weights, texts) -> str:
    return "".join(
        f'<answer fraction="{w}" format="plain_text"><text>{t}</text></answer>'
        for w, t in zip(weights, texts, strict=True)
    )


MOODLE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Phân số</text></category></question>
  <question type="multichoice">
    <name><text>Thirds</text></name>
    <questiontext format="plain_text"><text>Which are safe habits?</text></questiontext>
    <single>false</single>
    {_xml_answers(["33.33333", "33.33333", "33.33333", "-33.33333"],
                  ["Strong password", "Two-step login", "Updates", "Sharing the OTP"])}
  </question>
  <question type="multichoice">
    <name><text>Sixths</text></name>
    <questiontext format="plain_text"><text>Which six are right?</text></questiontext>
    <single>false</single>
    {_xml_answers(["16.66667"] * 6 + ["-100"], list("abcdefg"))}
  </question>
</quiz>
"""  # fmt: skip


def _xlsx(weight_cells) -> bytes:
    """A workbook of the template with one multiple-choice row, its weights as given
    (numbers, or text as an editor types it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(xlsx_all_headers())
    row = ["Phân số", "Nhiều lựa chọn", "Thirds", "Which are safe habits?", 1, "Có", "", "", ""]
    for text, weight in zip(["Strong password", "Two-step login", "Updates", "Sharing the OTP"],
                            weight_cells, strict=True):  # fmt: skip
        row += [text, weight, "", ""]
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _thirds(questions):
    return next(q for q in questions if q.title == "Thirds")


def _sixths(questions):
    return next(q for q in questions if q.title == "Sixths")


def _all_right(q):
    """The response choosing every right answer (choices keyed by position)."""
    return {"choices": [str(i) for i, c in enumerate(q.choices) if c.weight > 0]}


# --- The helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "exact"),
    [("33.33333", THIRD), ("33,33333", THIRD), (" 16.66667 % ", SIXTH), ("-33.33333", -THIRD),
     ("12.5", Decimal("12.5")), ("14.28571", Decimal("14.28571")), (100, Decimal(100)),
     ("83.333333", Decimal("83.33333")), ("0", Decimal(0))],
)  # fmt: skip
def test_weight_value_reads_moodle_fractions_exactly(given, exact):
    assert weight_value(given) == exact


@pytest.mark.parametrize("given", ["", "abc", "33,3,3", "1e999999", "nan", "--5"])
def test_weight_value_refuses_what_is_not_a_number(given):
    with pytest.raises(ValueError):
        weight_value(given)


@pytest.mark.parametrize(
    ("weight", "text"),
    [(Decimal("33.33333"), "33.33333"), (Decimal("100.00000"), "100"),
     (Decimal("-50.00000"), "-50"), (Decimal("12.50000"), "12.5"), (0, "0"),
     (Decimal("-0.00000"), "0"), (100, "100")],
)  # fmt: skip
def test_weight_text_has_no_trailing_zeros(weight, text):
    assert weight_text(weight) == text


def test_moodle_tolerance_makes_three_thirds_full_marks():
    assert weight_fraction(3 * THIRD) == 1  # 99.99999 %
    assert weight_fraction(6 * SIXTH) == 1  # 100.00002 %
    assert weight_fraction(2 * THIRD) == Decimal("0.6666666")
    assert weight_fraction(-THIRD) == 0
    assert weight_fraction(Decimal("99.99")) == Decimal("0.9999")  # beyond the tolerance


# --- Each format's import, its grade, its export ------------------------------------------


def _parsers():
    return {
        "gift": lambda: parse_gift(GIFT.encode()),
        "moodlexml": lambda: parse_moodlexml(MOODLE_XML.encode()),
    }


@pytest.mark.parametrize("fmt", ["gift", "moodlexml"])
def test_import_keeps_thirds_sixths_and_negative_weights_exactly(fmt):
    result = _parsers()[fmt]()
    assert result.problems == [], result.problems
    thirds, sixths = _thirds(result.ready), _sixths(result.ready)
    assert thirds.qtype == sixths.qtype == "multiple" and thirds.partial_credit
    assert [c.weight for c in thirds.choices] == WEIGHTS
    assert [c.weight for c in sixths.choices] == [SIXTH] * 6 + [-100]
    assert grade(thirds, _all_right(thirds)) == 1  # 99.99999 %: Moodle's full marks
    assert grade(sixths, _all_right(sixths)) == 1  # 100.00002 %
    assert grade(thirds, {"choices": ["0", "1"]}) == Decimal("0.6666666")
    assert grade(thirds, {"choices": ["0", "3"]}) == 0  # the wrong one takes its third


def test_xlsx_import_keeps_exact_weights_from_numbers_and_vietnamese_text():
    for cells in ([33.33333, 33.33333, 33.33333, -33.33333],
                  ["33,33333", "33.33333", "33,33333%", "-33,33333"]):  # fmt: skip
        result = parse_xlsx(_xlsx(cells))
        assert result.problems == [], result.problems
        [q] = result.ready
        assert [c.weight for c in q.choices] == WEIGHTS
        assert grade(q, _all_right(q)) == 1


def test_exports_write_weights_without_trailing_zeros():
    thirds = _thirds(parse_gift(GIFT.encode()).ready)
    gift = export_gift([thirds])
    assert "~%33.33333%Strong password" in gift and "~%-33.33333%Sharing the OTP" in gift
    xml = export_moodlexml([thirds])
    assert 'fraction="33.33333"' in xml and 'fraction="-33.33333"' in xml
    [again] = parse_xlsx(export_xlsx([thirds])).ready
    assert [c.weight for c in again.choices] == WEIGHTS


# --- Through the bank: round trips and a learner's score ----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "export", "parse"),
    [("gift", export_gift, parse_gift), ("moodlexml", export_moodlexml, parse_moodlexml)],
)
def test_round_trip_through_the_bank_gives_the_same_weights_and_scores(fmt, export, parse):
    bank_import(questions=_parsers()[fmt]().ready)
    stored = Choice.objects.filter(question__title="Thirds").order_by("sort_order")
    assert [c.weight for c in stored] == WEIGHTS  # exact in the database
    exported = export(bank_for_export())
    if fmt == "gift":
        assert "~%33.33333%" in exported and "~%-100%" in exported
        assert ".00000" not in exported
    else:
        assert 'fraction="33.33333"' in exported and 'fraction="-100"' in exported
        assert ".00000" not in exported
    again = parse(exported.encode())
    assert again.problems == []
    for pick in (_thirds, _sixths):
        before, after = pick(_parsers()[fmt]().ready), pick(again.ready)
        assert [c.weight for c in after.choices] == [c.weight for c in before.choices]
        assert grade(after, _all_right(after)) == grade(before, _all_right(before)) == 1
    # A second import of the export stores the same weights again.
    bank_import(questions=[q for q in again.ready if q.title == "Thirds"])
    twice = Choice.objects.filter(question__title="Thirds").order_by("question_id", "sort_order")
    assert [c.weight for c in twice] == WEIGHTS * 2


@pytest.mark.django_db
def test_a_learner_who_picks_every_right_third_scores_exactly_100_percent():
    [question] = bank_import(questions=[_thirds(parse_gift(GIFT.encode()).ready)])
    quiz = factories.quiz(questions=[question], pass_mark_percent=100, review_policy="after_each")
    user = factories.user()
    attempt = attempt_start(user=user, quiz=quiz)
    right = [c.key for c in question.choices.all() if c.weight > 0]
    answers = {"version": 1, "responses": {str(question.pk): {"choices": right}}}
    graded = attempt_submit(attempt=attempt, user=user, answers=answers)
    assert graded.score_percent == Decimal("100.00") and graded.passed is True
    assert graded.results.get().fraction == 1


# --- The admin form ------------------------------------------------------------------------


def _question_form(category, weights: list[str]) -> dict:
    data = {
        "category": str(category.pk), "qtype": "multiple", "title": "Thirds",
        "text": "Which are safe habits?", "text_format": "plain", "points": "1",
        "partial_credit": "on", "shuffle_choices": "on", "general_feedback": "", "tags": "",
        "grader_info": "", "min_words": "", "max_words": "",
        "choices-TOTAL_FORMS": str(len(weights)), "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0", "choices-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, weight in enumerate(weights):
        data |= {f"choices-{i}-text": f"Answer {i}", f"choices-{i}-weight": weight,
                 f"choices-{i}-match_text": "", f"choices-{i}-feedback": "",
                 f"choices-{i}-ORDER": str(i + 1), f"choices-{i}-DELETE": "",
                 f"choices-{i}-id": ""}  # fmt: skip
    return data


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_admin_form_accepts_a_vietnamese_comma_and_shows_the_weight_back(admin_client):
    category = QuestionCategory.objects.create(name="Phân số")
    url = reverse("wagtailsnippets_assessments_question:add")
    response = admin_client.post(
        url, _question_form(category, ["33,33333", "33.33333", "33,33333", "-33,33333"])
    )
    assert response.status_code == 302, response.context["form"].formsets["choices"].errors
    question = Question.objects.get(title="Thirds")
    assert [c.weight for c in question.choices.order_by("sort_order")] == WEIGHTS
    edit = admin_client.get(reverse("wagtailsnippets_assessments_question:edit",
                                    args=(question.pk,)))  # fmt: skip
    html = edit.content.decode()
    assert 'value="33,33333"' in html and 'value="-33,33333"' in html  # the page's decimal mark
    assert "33,33333000" not in html and "33.33333" not in html
    assert "đến 5 chữ số thập phân như Moodle (33,33333 cho một phần ba)" in html  # help text


@pytest.mark.django_db
def test_admin_form_refuses_a_weight_that_is_not_a_number_or_out_of_range(admin_client):
    category = QuestionCategory.objects.create(name="Phân số")
    url = reverse("wagtailsnippets_assessments_question:add")
    for bad in ("ba mươi", "100,5"):
        response = admin_client.post(url, _question_form(category, ["100", bad]))
        assert response.status_code == 200
        assert response.context["form"].formsets["choices"].errors[1]["weight"]
    assert not Question.objects.exists()
