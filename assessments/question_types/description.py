"""Description: text shown between questions (Moodle's "description" item: a GIFT block
with no answer part). Never answered nor marked: it is frozen with 0 points."""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from assessments.question_types import base

CODE = "description"


class Description(base.QuestionKind, code=CODE, label=gettext_lazy("Description"),
                  xlsx_label="Mô tả", graded=False):  # fmt: skip
    def widget(self, q):
        return "\n"  # text only: no answer field

    def check(self, q):
        return []

    def to_gift(self, q):
        return []

    def from_post(self, entry, post, name):
        return None

    def validate(self, entry, response):
        return None

    def grade(self, question, response):
        return Decimal(0)

    def correct_answers(self, question):
        return []

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Phần 2: an toàn khi mua sắm trực tuyến.", category)


KIND = Description()
