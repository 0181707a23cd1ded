"""Moodle XML as Moodle documents it (docs.moodle.org "Moodle XML format"): one test per
element the issue names (categories, penalties, shuffle flags, per-answer feedback, images
in base64 stored as Wagtail images, tags) and per type; refused types named with their
line; import, grading of an attempt, export and re-import giving the same questions and
scores."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.images import get_image_model

from assessments.interchange import export_gift, parse_gift
from assessments.models import Question
from assessments.moodlexml import export_moodlexml, parse_moodlexml
from assessments.selectors import bank_for_export
from assessments.services import (
    attempt_essays_grade,
    attempt_start,
    attempt_submit,
    bank_import,
)
from tests import factories
from tests.assessments.test_gift_moodle import grade

XML = (Path(__file__).parent / "fixtures" / "moodle_bank.xml").read_text(encoding="utf-8")


def parsed():
    result = parse_moodlexml(XML.encode())
    return result, {q.title: q for q in result.questions}


def test_categories_from_category_questions():
    result, _by = parsed()
    assert {q.category for q in result.questions} == {"Kỹ năng số/Lừa đảo"}


def test_multichoice_single_with_per_answer_feedback_penalty_shuffle_and_tags():
    _r, by = parsed()
    q = by["Khẩn cấp"]
    assert q.qtype == "single" and q.text_format == "html" and q.points == 2
    assert [(c.text, c.weight, c.feedback) for c in q.choices] == [
        ("115", 100, "Đúng."), ("113", 0, "Công an."), ("114", 50, "")]  # fmt: skip
    assert q.penalty == "0.5000000" and q.shuffle_choices is False
    assert sorted(q.tags) == ["khẩn cấp", "điện thoại"]
    assert q.general_feedback == "113 công an, 115 cấp cứu."


def test_multichoice_multiple_adds_fractions():
    _r, by = parsed()
    q = by["Bí mật"]
    assert q.qtype == "multiple" and q.partial_credit and q.text_format == "moodle"
    assert grade(q, {"choices": ["0", "1"]}) == 1 and grade(q, {"choices": ["0", "2"]}) == 0


def test_truefalse_with_feedback():
    _r, by = parsed()
    q = by["OTP"]
    assert [(c.text, c.weight, c.feedback) for c in q.choices] == [
        ("Đúng", 100, "Đúng vậy."), ("Sai", 0, "Ngân hàng không bao giờ xin.")]  # fmt: skip
    assert q.text_format == "plain"


def test_shortanswer_with_the_wildcard():
    _r, by = parsed()
    q = by["Ứng dụng"]
    assert grade(q, {"text": "vneid"}) == 1 and grade(q, {"text": "Zalo"}) == 0


def test_numerical_answers_with_tolerance():
    _r, by = parsed()
    q = by["Pi"]
    assert [c.text for c in q.choices] == ["3.1415:0.0005", "3:0.2"]
    assert grade(q, {"text": "3,141"}) == 1 and grade(q, {"text": "3.1"}) == Decimal("0.5")


def test_matching_subquestions_graded_per_pair():
    _r, by = parsed()
    q = by["Ghép"]
    assert q.partial_credit
    assert grade(q, {"pairs": {"0": "0", "1": "1", "2": "2", "3": "2"}}) == Decimal("0.75")


def test_essay_with_grader_information_and_word_limits():
    _r, by = parsed()
    q = by["Bài viết"]
    assert q.qtype == "essay" and q.choices == [] and q.points == 5
    assert q.grader_info == "Mỗi cách đúng: 1 điểm." and (q.min_words, q.max_words) == (20, 200)
    assert q.text_format == "html" and "<b>ba</b>" in q.text
    again = parse_moodlexml(export_moodlexml([q]).encode())
    assert again.problems == [] and again.questions[0].signature() == q.signature()


def test_types_hocso_lacks_are_refused_by_name_with_their_line():
    result, _by = parsed()
    refused = {item.qtype: item for item in result.refused}
    assert set(refused) == {"calculated", "ddwtos"}
    assert (
        refused["calculated"].line == XML.splitlines().index('  <question type="calculated">') + 1
    )
    assert "“calculated”" in refused["calculated"].reasons[0]
    assert result.summary() == "8 ready, 2 refused"


def test_an_embedded_image_is_stored_as_a_wagtail_image_once(db):
    result, _by = parsed()
    bank_import(questions=result.ready)
    Image = get_image_model()
    [image] = Image.objects.all()
    stored = Question.objects.get(qtype="description")
    assert image.file.url in stored.text and "@@PLUGINFILE@@" not in stored.text
    # The same file imported again reuses the stored image.
    bank_import(questions=parse_moodlexml(XML.encode()).ready)
    assert Image.objects.count() == 1


def test_entities_and_broken_xml_are_refused_whole():
    bomb = b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>'
    assert parse_moodlexml(bomb).file_problems
    assert parse_moodlexml(b"<quiz><question>").file_problems


def test_import_grade_export_reimport_same_questions_and_scores(db, user_factory):
    result, _by = parsed()
    first = bank_import(questions=result.ready)
    exported = bank_for_export(with_files=True)
    xml = export_moodlexml(exported)
    assert "@@PLUGINFILE@@/" in xml and 'encoding="base64"' in xml
    again = parse_moodlexml(xml.encode())
    assert again.problems == []
    second = bank_import(questions=again.ready)
    assert [q.signature() for q in bank_for_export(category_ids=None)[: len(first)]] == [
        q.signature() for q in bank_for_export()[len(first) :]
    ]
    assert _scores(first, user_factory) == _scores(second, user_factory)
    # GIFT keeps what it cannot say (penalty, shuffle flag) in its pragmas: the same bank.
    bank = bank_for_export()[: len(first)]
    gift = parse_gift(export_gift(bank).encode())
    assert [q.signature() for q in gift.questions] == [q.signature() for q in bank]


def _scores(questions, user_factory):
    graded = [q for q in questions if q.qtype != "description"]
    quiz = factories.quiz(questions=graded, shuffle_questions=False)
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    responses = {}
    for q in graded:
        rows = list(q.choices.order_by("sort_order"))
        if q.qtype in ("single", "true_false"):
            responses[str(q.id)] = {"choice": rows[-1].key}
        elif q.qtype == "multiple":
            responses[str(q.id)] = {"choices": [rows[0].key]}
        elif q.qtype in ("short_answer", "numerical"):
            responses[str(q.id)] = {"text": "3.1" if q.qtype == "numerical" else "vneid"}
        elif q.qtype == "matching":
            responses[str(q.id)] = {"pairs": {rows[0].key: rows[0].key, rows[1].key: rows[0].key}}
        elif q.qtype == "essay":
            responses[str(q.id)] = {"text": "Xem số gửi, đường link lạ và lời hứa trúng thưởng."}
    submitted = attempt_submit(attempt=attempt, user=user,
                               answers={"version": 1, "responses": responses})  # fmt: skip
    # The essay waits for a grader, who gives it 3 of its 5 points.
    assert submitted.state == "pending" and submitted.score_percent is None
    essays = {r.question_id: ("3", "") for r in submitted.results.filter(needs_grading=True)}
    graded = attempt_essays_grade(attempt_id=submitted.pk, grader=user, grades=essays)
    return [str(r.fraction) for r in graded.results.order_by("position")] + [
        str(graded.score_percent)
    ]


def test_admin_import_and_export_moodle_xml(db, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("assessments_bank:import")
    upload = SimpleUploadedFile("bank.xml", XML.encode(), content_type="application/xml")
    page = admin_client.post(url, {"file": upload, "format": "auto", "action": "check"})
    assert "8 sẵn sàng, 2 bị từ chối" in page.content.decode()
    admin_client.post(url, {"payload": page.context["payload"], "format": "moodlexml",
                            "action": "import"})  # fmt: skip
    exported = admin_client.get(reverse("assessments_bank:export"), {"format": "moodlexml"})
    assert exported["Content-Type"].startswith("application/xml")
    assert len(parse_moodlexml(exported.content).ready) == 8


@pytest.mark.parametrize("qtype", ["calculatedmulti", "multianswer", "ddimageortext"])
def test_other_moodle_types_are_named(qtype):
    xml = f'<quiz><question type="{qtype}"><name><text>X</text></name></question></quiz>'
    [item] = parse_moodlexml(xml.encode()).refused
    assert item.qtype == qtype and item.name == "X"
