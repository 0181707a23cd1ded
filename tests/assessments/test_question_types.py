"""The question-type registry (assessments/question_types/): a type written in one module
and registered once is stored, served, answered, graded, reviewed, imported and exported,
with no other change anywhere. The `Keyword` type below lives only in this test module."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from assessments import question_types
from assessments.grading import normalize_text_answer, unreadable
from assessments.interchange import (
    check_question,
    example_questions,
    export_gift,
    export_xlsx,
    parse_gift,
    parse_xlsx,
)
from assessments.models import Attempt, Question, QuestionCategory, Quiz, QuizSlot
from assessments.question_types.base import ParsedChoice, ParsedQuestion, QuestionKind
from assessments.question_types.base import gift_escape as esc
from assessments.selectors import ServedChoice, ServedQuestion, bank_for_export
from assessments.services import bank_import
from tests.assessments.conftest import make_question


class Keyword(QuestionKind):
    """A written answer that earns the weight of the best accepted keyword it contains.
    GIFT: `// [hocso:keyword]` before `{=keyword =%50%other}`."""

    code = "keyword"
    label = "Keyword"
    xlsx_label = "Từ khóa"
    xlsx_default_weight = 100
    gift_priority = 15

    def widget(self, q):
        return question_types.get("short_answer").widget(q)  # a text field

    def check(self, q):
        return [] if any(c.weight > 0 for c in q.choices) else ["cần ít nhất một từ khóa."]

    def from_gift(self, answers, q):
        if "keyword" not in answers.pragmas:
            return False
        q.qtype = self.code
        q.choices = [
            ParsedChoice(i.text, 100 if i.weight is None else i.weight, "", i.feedback)
            for i in answers.items
        ]
        return True

    def gift_pragmas(self, q):
        return ["[hocso:keyword]"]

    def to_gift(self, q):
        return [f"=%{c.weight}%{esc(c.text)}" for c in q.choices]

    def from_post(self, entry, post, name):
        return {"text": post.get(name)} if post.get(name, "").strip() else None

    def validate(self, entry, response):
        text = response.get("text")
        if not isinstance(text, str):
            raise unreadable()
        return {"text": text.strip()} if text.strip() else None

    def grade(self, question, response):
        words = normalize_text_answer(response["text"])
        found = [c.weight for c in question.choices if normalize_text_answer(c.text) in words]
        return Decimal(max(found, default=0)) / 100

    def review(self, question, response):
        return [response.get("text", "")], []

    def example(self, category):
        return ParsedQuestion(0, self.code, "Kẻ gian hay xin gì?", category,
                              choices=[ParsedChoice("mã OTP", 100)])  # fmt: skip


@pytest.fixture
def keyword_type():
    kind = question_types.register(Keyword())
    yield kind
    question_types.unregister(kind.code)


GIFT = """$CATEGORY: Từ khóa

// [hocso:keyword] [hocso:points=2]
::KW:: Kẻ gian gọi điện thường xin gì? {
\t=mã OTP
\t=%50%mật khẩu
}
"""


def test_without_registration_the_type_does_not_exist(db):
    category = QuestionCategory.objects.create(name="Từ khóa")
    with pytest.raises(ValidationError) as exc:
        Question(category=category, qtype="keyword", text="Câu?").full_clean()
    assert "qtype" in exc.value.message_dict
    # The GIFT pragma means nothing: the answers read as a short-answer question.
    assert [q.qtype for q in parse_gift(GIFT.encode()).questions] == ["short_answer"]
    with pytest.raises(question_types.UnknownQuestionType):
        question_types.get("keyword")


def test_a_type_registered_in_one_module_is_imported_and_exported(db, keyword_type):
    parsed = parse_gift(GIFT.encode())
    assert parsed.problems == []
    [question] = parsed.questions
    assert question.qtype == "keyword" and question.points == 2
    assert [(c.text, c.weight) for c in question.choices] == [("mã OTP", 100), ("mật khẩu", 50)]
    [stored] = bank_import(questions=parsed.questions)
    stored.full_clean()  # the model's choices come from the registry: no migration
    assert stored.get_qtype_display() == "Keyword"

    exported = bank_for_export()
    again = parse_gift(export_gift(exported).encode())
    assert again.problems == []
    assert [q.signature() for q in again.questions] == [q.signature() for q in exported]
    workbook = export_xlsx(exported)
    from_xlsx = parse_xlsx(workbook)
    assert from_xlsx.problems == []
    assert [q.signature() for q in from_xlsx.questions] == [q.signature() for q in exported]
    assert load_workbook(io.BytesIO(workbook)).worksheets[0]["B2"].value == "Từ khóa"
    # The downloadable template has a row of it, and its guide names it.
    template = parse_xlsx(export_xlsx(example_questions(), example=True))
    assert "keyword" in [q.qtype for q in template.questions]


def test_a_type_registered_in_one_module_is_taken_graded_and_reviewed(
    client, user_factory, keyword_type, in_lesson
):
    category = QuestionCategory.objects.create(name="Từ khóa")
    question = make_question(
        category, "keyword", "Kẻ gian gọi điện thường xin gì?",
        [("mã OTP", 100, "", "Đừng bao giờ đọc mã OTP."), ("mật khẩu", 50)],
    )  # fmt: skip
    quiz = Quiz.objects.create(title="Từ khóa", slug="tu-khoa", review_policy="after_each")
    QuizSlot.objects.create(quiz=quiz, question=question, sort_order=0)
    learner = user_factory()
    client.force_login(learner)
    url = in_lesson(quiz, learner)

    client.post(url("start"))
    attempt = Attempt.objects.get(user=learner)
    assert attempt.frozen["questions"][0]["type"] == "keyword"
    page = client.get(url("attempt", attempt)).content.decode()
    assert f'name="q-{question.pk}"' in page and 'type="text"' in page  # its answer field
    assert "mã OTP" not in page
    answer = {f"q-{question.pk}": "Họ xin Mã  OTP của tôi", "action": "submit"}
    assert client.post(url("attempt", attempt), answer).url == url("result", attempt)
    attempt.refresh_from_db()
    assert attempt.state == "graded" and attempt.score_percent == Decimal("100.00")
    result = client.get(url("result", attempt)).content.decode()
    assert "Họ xin Mã  OTP của tôi" in result and "mã OTP" in result  # given; right answer


def test_the_registry_refuses_a_second_type_with_the_same_code_or_a_long_code():
    with pytest.raises(ValueError):
        question_types.register(type("Again", (Keyword,), {"code": "single"})())
    with pytest.raises(ValueError):
        question_types.register(type("Long", (Keyword,), {"code": "x" * 21})())
    assert "x" * 21 not in dict(question_types.choices())


@pytest.mark.parametrize("kind", question_types.kinds(), ids=lambda k: k.code)
def test_every_type_has_its_answer_field_and_a_template_row(kind):
    served = ServedQuestion(number=1, id=7, type=kind.code, text="", points=1,
                            choices=[ServedChoice("a", "A")], options=[ServedChoice("b", "B")],
                            response={})  # fmt: skip
    assert ('name="q-7' in kind.widget(served)) == kind.graded  # a description has none
    example = kind.example("Mẫu")
    assert example.qtype == kind.code
    assert check_question(example) == []


def test_answer_fields_markup():
    """The answer fields are built in Python (QuestionKind.widget: a template per question
    was the attempt page's largest cost, issue 16) and give the page's markup byte for byte
    as the templates wrote it (checked against them when they were replaced): saved answers
    checked or selected, every value escaped, an unreadable answer marked invalid."""

    def served(qtype, **fields):
        fields.setdefault("choices", [])
        fields.setdefault("options", [])
        fields.setdefault("response", {})
        return ServedQuestion(number=1, id=7, type=qtype, text="", points=1, **fields)

    with translation.override("en"):
        single = served("single", choices=[ServedChoice("a", "A & <b>", True),
                                           ServedChoice("b", "B")])  # fmt: skip
        assert question_types.get("single").widget(single) == (
            '\n\n    <label class="quiz-choice"><input type="radio" name="q-7" value="a" checked>'
            ' <span>A &amp; &lt;b&gt;</span></label>\n\n    <label class="quiz-choice"><input'
            ' type="radio" name="q-7" value="b"> <span>B</span></label>\n\n'
        )
        number = served("numerical", response={"text": '3,5"'}, error="x")
        assert question_types.get("numerical").widget(number) == (
            '\n<label class="quiz-hint" for="q-7">Your answer (a number)</label>\n<input'
            ' type="text" inputmode="decimal" id="q-7" name="q-7" value="3,5&quot;"'
            ' maxlength="40" autocomplete="off" aria-describedby="q-7-error q-7-hint"'
            ' aria-invalid="true">\n<p class="quiz-hint" id="q-7-hint">A comma for decimals,'
            " dots between thousands: 3,14 or 1.500.000.</p>\n"
        )
        essay = served("essay", response={"text": "<i>"}, min_words=5, max_words=1200)
        assert question_types.get("essay").widget(essay) == (
            '\n<label class="quiz-hint" for="q-7">Your answer (graded by a teacher)</label>\n'
            '<textarea id="q-7" name="q-7" rows="8" maxlength="20000"'
            ' aria-describedby="q-7-hint">&lt;i&gt;</textarea>\n<p class="quiz-hint"'
            ' id="q-7-hint">Write 5 to 1200 words. A teacher reads and grades this answer'
            " after you submit.</p>\n"
        )
        pairs = served("matching", choices=[ServedChoice("a", "A")],
                       options=[ServedChoice("x", "X<"), ServedChoice("y", "Y")],
                       response={"pairs": {"a": "y"}})  # fmt: skip
        assert question_types.get("matching").widget(pairs) == (
            '\n\n<p class="quiz-hint">Match each item with its pair.</p>\n\n    <div'
            ' class="quiz-pair">\n        <label for="q-7-a">A</label>\n        <select'
            ' id="q-7-a" name="q-7-a">\n            <option value="">\u2014</option>\n     '
            '       <option value="x">X&lt;</option><option value="y" selected>Y</option>\n'
            "        </select>\n    </div>\n\n\n"
        )
