"""Issue 18's last Moodle details: the short answer's `usecase` flag (case sensitivity)
read, graded, and written back by Moodle XML, GIFT and XLSX; a matching question made in
the admin grades per pair unless the editor says otherwise."""

import pytest
from django.urls import reverse

from assessments.interchange import export_gift, export_xlsx, parse_gift, parse_xlsx
from assessments.moodlexml import export_moodlexml, parse_moodlexml
from tests.assessments.test_gift_moodle import grade


def _shortanswer(usecase: str) -> bytes:
    return f"""<quiz><question type="shortanswer">
      <name><text>App</text></name>
      <questiontext format="plain_text"><text>Tên ứng dụng định danh?</text></questiontext>
      <usecase>{usecase}</usecase>
      <answer fraction="100"><text>VNeID</text></answer>
    </question></quiz>""".encode()


@pytest.mark.parametrize(("usecase", "lower_right"), [("1", False), ("0", True), ("", True)])
def test_moodle_usecase_decides_whether_case_counts(usecase, lower_right):
    [q] = parse_moodlexml(_shortanswer(usecase)).ready
    assert q.case_sensitive is (usecase == "1")
    assert grade(q, {"text": "VNeID"}) == 1
    assert (grade(q, {"text": "vneid"}) == 1) is lower_right


def test_case_sensitivity_survives_moodle_xml_gift_and_xlsx():
    [q] = parse_moodlexml(_shortanswer("1")).ready
    assert "<usecase>1</usecase>" in export_moodlexml([q])
    [xml] = parse_moodlexml(export_moodlexml([q]).encode()).questions
    gift_text = export_gift([q])
    assert "[hocso:case-sensitive]" in gift_text
    [gift] = parse_gift(gift_text.encode()).questions
    [xlsx] = parse_xlsx(export_xlsx([q])).questions
    for again in (xml, gift, xlsx):
        assert again.case_sensitive and grade(again, {"text": "vneid"}) == 0


def test_a_new_question_in_the_admin_gives_partial_credit_by_default(db, admin_client):
    form = admin_client.get(reverse("wagtailsnippets_assessments_question:add")).context["form"]
    assert form.initial["partial_credit"] is True
    assert "checked" in form["partial_credit"].as_widget()
