"""GIFT as Moodle documents it (docs.moodle.org "GIFT format" and Moodle's sample file
question/format/gift/examples.txt): one test per documented feature, then the partial
import (a dry run listing each question ready or refused, with its line and reason).

Each feature is read, and where it matters imported, graded, exported and read again."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.formats import render
from assessments.grading import QuestionData, text_answer_matches
from assessments.interchange import export_gift, parse_gift
from assessments.models import Question
from assessments.selectors import bank_for_export
from assessments.services import ImportRefused, bank_import

MOODLE_SAMPLE = Path(__file__).parent / "fixtures" / "moodle_gift_examples.txt"


def parse_one(source: str):
    result = parse_gift(source.encode())
    assert result.problems == [], result.problems
    [question] = result.questions
    return question


def round_trip(question):
    """Export to GIFT and read back: the same question."""
    again = parse_one(export_gift([question]))
    assert again.signature() == question.signature()
    return again


def grade(question, response) -> Decimal:
    """Grade a parsed question as the engine does (choices keyed by position)."""
    from assessments import question_types
    from assessments.grading import ChoiceData

    data = QuestionData(
        question.qtype,
        tuple(
            ChoiceData(str(i), c.text, c.weight, c.match_text, i, c.feedback)
            for i, c in enumerate(question.choices)
        ),
        partial_credit=question.partial_credit,
        ignore_diacritics=question.ignore_diacritics,
        case_sensitive=question.case_sensitive,
    )
    return question_types.get(question.qtype).grade(data, response)


# --- Question types --------------------------------------------------------------------


def test_multiple_choice_wrong_with_tilde_right_with_equals():
    q = parse_one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert q.qtype == "single"
    assert [(c.text, c.weight) for c in q.choices] == [
        ("Grant", 0),
        ("Jefferson", 0),
        ("no one", 100),
    ]
    assert grade(q, {"choice": "2"}) == 1 and grade(q, {"choice": "0"}) == 0
    round_trip(q)


def test_missing_word_puts_a_blank_where_the_answers_stand_and_exports_them_there():
    q = parse_one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.text == "Grant is _____ in Grant's tomb."
    exported = export_gift([q])
    assert "Grant is {" in exported and "} in Grant's tomb." in exported
    round_trip(q)


def test_answers_on_separate_lines_and_indented():
    q = parse_one("The American holiday of Thanksgiving is celebrated on the {\n"
                  "    ~second\n    ~third\n    =fourth\n} Thursday of November.")  # fmt: skip
    assert [c.text for c in q.choices] == ["second", "third", "fourth"]
    assert q.text.endswith("_____ Thursday of November.")


def test_short_answer_every_answer_right():
    q = parse_one("Two plus two equals {=four =4}.")
    assert q.qtype == "short_answer"
    assert grade(q, {"text": "4"}) == 1 and grade(q, {"text": "FOUR"}) == 1
    assert grade(q, {"text": "five"}) == 0
    round_trip(q)


@pytest.mark.parametrize("token", ["T", "TRUE", "F", "FALSE"])
def test_true_false(token):
    q = parse_one(f"The sun rises in the east.{{{token}}}")
    right = [c.text for c in q.choices if c.weight == 100]
    assert right == (["Đúng"] if token.startswith("T") else ["Sai"])
    round_trip(q)


def test_matching_pairs_graded_per_pair_by_default_as_moodle_does():
    q = parse_one("Match the following countries with their corresponding capitals. {\n"
                  "    =Canada -> Ottawa\n    =Italy  -> Rome\n    =Japan  -> Tokyo\n"
                  "    =India  -> New Delhi\n    }")  # fmt: skip
    assert q.qtype == "matching" and q.partial_credit
    assert [(c.text, c.match_text) for c in q.choices][3] == ("India", "New Delhi")
    # 3 of 4 pairs right: 75 %, as in Moodle.
    assert grade(q, {"pairs": {"0": "0", "1": "1", "2": "2", "3": "2"}}) == Decimal("0.75")
    assert "all-or-nothing" not in export_gift([q])
    round_trip(q)


def test_matching_all_or_nothing_is_an_option_kept_by_the_export():
    q = parse_one("// [hocso:all-or-nothing]\nMatch. {=a -> 1 =b -> 2 =c -> 3}")
    assert not q.partial_credit
    assert grade(q, {"pairs": {"0": "0", "1": "1", "2": "1"}}) == 0
    assert "// [hocso:all-or-nothing]" in export_gift([q])
    round_trip(q)


def test_description_a_block_without_answers():
    q = parse_one("You can use your pencil and paper for these next math questions.")
    assert q.qtype == "description"
    assert export_gift([q]).strip().endswith("You can use your pencil and paper for these next "
                                              "math questions.")  # fmt: skip
    round_trip(q)


# --- Options ---------------------------------------------------------------------------


def test_line_comments_are_ignored():
    q = parse_one("// Subheading: questions below\n// another\nWhat's 2 plus 2? {=4 =four}")
    assert q.text == "What's 2 plus 2?"


def test_question_name():
    q = parse_one(
        "::Kanji Origins::Japanese characters originally\ncame from what country? {=China}"
    )
    assert q.title == "Kanji Origins"
    assert q.text == "Japanese characters originally\ncame from what country?"
    round_trip(q)


def test_feedback_after_each_answer():
    q = parse_one("What's the answer to this multiple-choice question?{\n"
                  "~wrong answer#feedback comment on the wrong answer\n"
                  "~another wrong answer#feedback comment on this wrong answer\n"
                  "=right answer#Very good!}")  # fmt: skip
    assert [c.feedback for c in q.choices] == [
        "feedback comment on the wrong answer", "feedback comment on this wrong answer",
        "Very good!"]  # fmt: skip
    round_trip(q)


def test_general_feedback_after_four_hashes():
    q = parse_one("How many legs has a spider? {=8 ~6 ####Spiders are not insects.}")
    assert q.general_feedback == "Spiders are not insects."
    assert [c.text for c in q.choices] == ["8", "6"]
    round_trip(q)


def test_percentage_weights_on_multiple_choice_and_short_answer():
    single = parse_one("Difficult question.{~wrong answer ~%50%half credit answer "
                       "=full credit answer}")  # fmt: skip
    assert [c.weight for c in single.choices] == [0, 50, 100]
    assert grade(single, {"choice": "1"}) == Decimal("0.5")
    short = parse_one("::Jesus' hometown:: Jesus Christ was from {\n=Nazareth#Yes!\n"
                      "=%75%Nazereth#Right, misspelled.\n=%25%Bethlehem#Born here.}")  # fmt: skip
    assert grade(short, {"text": "nazereth"}) == Decimal("0.75")
    round_trip(single), round_trip(short)


def test_multiple_answers_with_positive_and_negative_weights():
    q = parse_one("What two people are entombed in Grant's tomb? {\n~%-50%No one\n~%50%Grant\n"
                  "~%50%Grant's wife\n~%-50%Grant's father }")  # fmt: skip
    assert q.qtype == "multiple" and q.partial_credit
    assert grade(q, {"choices": ["1", "2"]}) == 1
    assert grade(q, {"choices": ["1", "0"]}) == 0  # 50 - 50
    assert grade(q, {"choices": ["1"]}) == Decimal("0.5")
    round_trip(q)


def test_special_characters_escaped_with_a_backslash():
    q = parse_one("::GIFT Control Characters::\nWhich is NOT a control character\\: pick one? {\n"
                  "   ~ \\~     # \\~ is a control character.\n   ~ \\=  # \\= is one.\n"
                  "   ~ \\#  # \\# is one.\n   ~ \\{  # \\{ too.\n   ~ \\}  # \\} too.\n"
                  "   = \\\\  # Correct! \\\\ (backslash) is not.\n}")  # fmt: skip
    assert q.text == "Which is NOT a control character: pick one?"
    assert [c.text for c in q.choices] == ["~", "=", "#", "{", "}", "\\"]
    assert q.choices[0].feedback == "~ is a control character."
    round_trip(q)


def test_category_lines_set_the_category_of_the_questions_after_them():
    result = parse_gift(b"$CATEGORY: $course$/top/Grants/Tombs\n\nQ1 {=a ~b}\n\n"
                        b"$CATEGORY: tom/dick/harry\n\nQ2 {=a ~b}\n")  # fmt: skip
    assert [q.category for q in result.questions] == ["Grants/Tombs", "tom/dick/harry"]


def test_wildcard_star_in_short_answer():
    q = parse_one("Who is buried here? {=Grant =%50%Gr*nt#Nearly. =%0%*#Completely wrong}")
    assert grade(q, {"text": "Grant"}) == 1
    assert grade(q, {"text": "Grunt"}) == Decimal("0.5")
    assert grade(q, {"text": "anything else"}) == 0
    assert text_answer_matches("*", "whatever") and not text_answer_matches("a\\*", "ab")
    assert text_answer_matches("a\\*", "a*")
    round_trip(q)


# --- Formats ---------------------------------------------------------------------------


def test_format_markers_are_taken_off_every_part():
    q = parse_one("[html]Match the <b>activity</b> {=[moodle]A teacher reads -> Listening "
                  "=[html]<i>Pupils</i> write -> Writing}")  # fmt: skip
    assert q.text_format == "html" and q.text == "Match the <b>activity</b>"
    assert [c.text for c in q.choices] == ["A teacher reads", "<i>Pupils</i> write"]
    round_trip(q)


def test_mixed_formats_become_html_so_each_part_shows_as_written():
    q = parse_one("Which colour? {~[plain]<blue> =[markdown]**red**#[html]<b>yes</b> "
                  "~green#[plain]no <b>}")  # fmt: skip
    assert q.text_format == "html"
    assert [c.text for c in q.choices] == ["&lt;blue&gt;", "<p><strong>red</strong></p>", "green"]
    assert [c.feedback for c in q.choices] == ["", "<b>yes</b>", "no &lt;b&gt;"]
    again = round_trip(q)
    assert "[html]" in export_gift([again])


def test_markdown_question_text_is_converted_and_html_sanitised():
    q = parse_one("[markdown]Who's buried in **Grant's tomb**?{=no one =nobody}")
    assert q.text_format == "markdown"
    assert render(q.text, q.text_format) == "<p>Who's buried in <strong>Grant's tomb</strong>?</p>"
    assert render('<b onclick="x()">hi</b><script>alert(1)</script>', "html") == "<b>hi</b>"
    assert render("<b>hi</b>\nthere", "plain") == "&lt;b&gt;hi&lt;/b&gt;<br>there"
    round_trip(q)


def test_no_marker_is_moodle_auto_format_and_exports_without_one():
    q = parse_one("A <i>styled</i> question {T}")
    assert q.text_format == "moodle"
    assert "[moodle]" not in export_gift([q]) and "<i>styled</i>" in export_gift([q])
    assert render(q.text, q.text_format) == "A <i>styled</i> question"


# --- Partial import --------------------------------------------------------------------


def test_moodle_sample_file_dry_run_lists_each_question():
    result = parse_gift(MOODLE_SAMPLE.read_bytes())
    lines = [item.summary() for item in result.items]
    assert len(lines) == len(result.items) == 43
    assert lines[0] == "ready single Who's buried in Grant's tomb?"
    refused = [item for item in result.items if not item.ready]
    assert {item.qtype for item in refused} <= {"numerical"}
    assert result.summary() == f"{43 - len(refused)} ready, {len(refused)} refused"


def test_an_essay_is_read_with_its_rubric_and_word_limits_and_the_rest_is_ready():
    source = (
        "Q1 {=a ~b}\n\n// [hocso:rubric=Ba ý%5D đúng%0AMỗi ý 1 điểm] [hocso:min-words=50] "
        "[hocso:max-words=300]\n::Essay one::Write about your town. {}\n\nQ3 {T}\n"
    )
    result = parse_gift(source.encode())
    assert [i.ready for i in result.items] == [True, True, True]
    essay = result.items[1]
    assert essay.line == 4 and essay.qtype == "essay" and essay.name == "Essay one"
    assert essay.summary() == "ready essay Essay one"
    q = essay.question
    assert q.choices == [] and q.grader_info == "Ba ý] đúng\nMỗi ý 1 điểm"
    assert (q.min_words, q.max_words) == (50, 300)


def test_an_essay_with_general_feedback_and_no_limits():
    result = parse_gift(b"Describe a phishing e-mail. {####Look at the sender first.}\n")
    (q,) = result.ready
    assert q.qtype == "essay" and q.general_feedback == "Look at the sender first."
    assert (q.grader_info, q.min_words, q.max_words) == ("", None, None)


def test_an_essay_with_an_unreadable_word_limit_is_refused_by_line():
    result = parse_gift(b"// [hocso:min-words=many]\nWrite. {}\n")
    assert not result.ready and result.items[0].qtype == "" and result.items[0].line == 2


def test_import_the_ready_ones_by_default_in_the_admin(db, admin_client):
    source = "Q1 {=a ~b}\n\nBroken {=a ~b\n\nQ3 {T}\n"
    url = reverse("assessments_bank:import")
    upload = SimpleUploadedFile("bank.gift", source.encode(), content_type="text/plain")
    page = admin_client.post(url, {"file": upload, "format": "auto", "action": "check"})
    body = page.content.decode()
    assert "2 sẵn sàng, 1 bị từ chối" in body
    assert "Nhập 2 câu hỏi sẵn sàng" in body
    payload = page.context["payload"]
    done = admin_client.post(url, {"payload": payload, "format": "gift", "action": "import"})
    assert done.status_code == 302
    assert sorted(Question.objects.values_list("text", flat=True)) == ["Q1", "Q3"]


def test_all_or_nothing_imports_nothing_while_one_is_refused(db, admin_client):
    source = "Q1 {=a ~b}\n\nBroken {=a ~b\n"
    url = reverse("assessments_bank:import")
    upload = SimpleUploadedFile("bank.gift", source.encode(), content_type="text/plain")
    page = admin_client.post(
        url, {"file": upload, "format": "auto", "action": "check", "all_or_nothing": "on"}
    )
    assert "payload" not in page.context
    assert 'data-testid="import-all-or-nothing"' in page.content.decode()
    with pytest.raises(ImportRefused):
        bank_import(questions=parse_gift(source.encode()).questions + [_unnamed()])
    assert Question.objects.count() == 0


def test_every_sample_question_survives_import_export_import(db):
    result = parse_gift(MOODLE_SAMPLE.read_bytes(), default_category="Moodle")
    bank_import(questions=result.ready)
    exported = bank_for_export()
    again = parse_gift(export_gift(exported).encode())
    assert again.problems == []
    assert [q.signature() for q in again.questions] == [q.signature() for q in exported]
    assert sorted(q.signature() for q in exported) == sorted(q.signature() for q in result.ready)


def _unnamed():
    from assessments.interchange import ParsedQuestion

    return ParsedQuestion(line=9, qtype="single", text="")
