"""Short answer: the learner types a word or a phrase; each accepted answer has its weight.
Compared case-folded (unless the question is case sensitive: Moodle's `usecase`) with white
space collapsed, and without diacritics if the question says so (“Ha Noi” for “Hà Nội”).
As in Moodle, `*` in an accepted answer stands for any characters (`=%0%*#…` gives its
feedback to every other answer), and the first accepted answer that matches grades the
response."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.grading import first_accepted, weight_fraction
from assessments.question_types import base

CODE = "short_answer"


class ShortAnswer(base.TextAnswerKind, code=CODE, label=gettext_lazy("Short answer"),
                  xlsx_label="Trả lời ngắn", xlsx_default_weight=100,
                  gift_priority=40):  # fmt: skip
    def widget(self, q):
        name = escape(q.field_name)
        return (
            f'\n<label class="quiz-hint" for="{name}">{escape(_("Your answer"))}</label>\n'
            f'<input type="text" id="{name}" name="{name}" value="{escape(q.text_answer)}" '
            'maxlength="500" autocomplete="off">\n'
        )

    xlsx_guide = ("Trả lời ngắn: mỗi đáp án được chấp nhận một cột, trọng số 100.",)

    def check(self, q):
        if not any(c.weight > 0 for c in q.choices) or any(not c.text.strip() for c in q.choices):
            return [_("a short-answer question needs at least one accepted answer.")]
        return []

    def from_gift(self, answers, q):
        if {i.sign for i in answers.items} != {"="}:
            return False
        q.qtype = CODE
        q.choices = base.gift_choices(answers.items)  # all "=": 100% unless weighted
        return True

    def to_gift(self, q):
        return [
            f"={'' if c.weight == 100 else base.gift_item_weight(c.weight)}"
            f"{base.gift_escape(c.text)}{base.gift_feedback(c.feedback)}"
            for c in q.choices
        ]

    def grade(self, question, response):
        choice = first_accepted(question.choices, response.get("text", ""),
                                question.ignore_diacritics, question.case_sensitive)  # fmt: skip
        return weight_fraction(choice.weight) if choice else Decimal(0)

    def correct_answers(self, question):
        accepted = [c.text for c in question.choices if c.weight > 0 and c.text != "*"]
        return [c.text for c in question.choices if c.weight == 100] or accepted

    def review(self, question, response):
        if "text" not in response:
            return [], []
        choice = first_accepted(
            question.choices, response["text"], question.ignore_diacritics, question.case_sensitive
        )
        return [response["text"]], [choice.feedback] if choice and choice.feedback else []

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Ứng dụng định danh điện tử quốc gia tên là gì?",
                              category, ignore_diacritics=True,
                              choices=[base.ParsedChoice("VNeID", 100)])  # fmt: skip


KIND = ShortAnswer()
