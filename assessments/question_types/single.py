"""Single choice: one right answer worth 100%; other answers may carry part of the mark."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.question_types import base

CODE = "single"


class Single(base.ChoiceKind, code=CODE, label=gettext_lazy("Single choice"),
             xlsx_label="Một lựa chọn", gift_priority=50):  # fmt: skip
    def check(self, q):
        if len(q.choices) < 2:
            return [_("a single-choice question needs at least two answers.")]
        if max(c.weight for c in q.choices) != 100:
            return [_("a single-choice question needs one answer worth 100%.")]
        return []

    def from_gift(self, answers, q):
        # One "=" answer among "~" ones; several "=" or none make a multiple choice.
        if [i.sign for i in answers.items].count("=") != 1:
            return False
        q.qtype = CODE
        q.choices = base.gift_choices(answers.items)
        return True

    def to_gift(self, q):
        items = []
        for c in q.choices:
            if c.weight == 100:
                items.append(f"={base.gift_escape(c.text)}{base.gift_feedback(c.feedback)}")
            elif c.weight:
                items.append(
                    f"~{base.gift_item_weight(c.weight)}{base.gift_escape(c.text)}"
                    f"{base.gift_feedback(c.feedback)}"
                )
            else:
                items.append(f"~{base.gift_escape(c.text)}{base.gift_feedback(c.feedback)}")
        return items

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Số điện thoại khẩn cấp gọi cấp cứu là số nào?",
                                   category, choices=[base.ParsedChoice("115", 100, "", "Đúng."),
                                                      base.ParsedChoice("113", 0),
                                                      base.ParsedChoice("114", 0)])  # fmt: skip


KIND = Single()
