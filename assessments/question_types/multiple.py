"""Multiple choice: choose every right answer. All or nothing, or with partial credit each
chosen answer adds its weight (wrong ones may take some away)."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.grading import weight_fraction
from assessments.question_types import base
from assessments.question_types.base import gift_escape as esc

CODE = "multiple"


class Multiple(base.QuestionKind, code=CODE, label=gettext_lazy("Multiple choice"),
               xlsx_label="Nhiều lựa chọn", uses_partial_credit=True,
               gift_priority=60):  # fmt: skip
    def widget(self, q):
        hint = escape(_("Choose every right answer."))
        return f'\n<p class="quiz-hint">{hint}</p>\n' + base.choice_inputs(q, "checkbox") + "\n"

    def check(self, q):
        positive = [c for c in q.choices if c.weight > 0]
        if len(q.choices) < 2 or not positive:
            return [_("a multiple-choice question needs answers, at least one right.")]
        if q.partial_credit and abs(sum(c.weight for c in positive) - 100) > 1:
            return [_("the right answers' weights must add up to 100%.")]
        return []

    def for_export(self, q):
        if not q.partial_credit:
            # All or nothing: only right or wrong matters (GIFT writes "=" and "~").
            q.choices = [
                base.ParsedChoice(c.text, 100 if c.weight > 0 else 0, c.match_text, c.feedback)
                for c in q.choices
            ]
        return q

    def from_gift(self, answers, q):
        q.qtype = CODE
        q.choices = base.gift_choices(answers.items)
        if "=" not in {i.sign for i in answers.items}:
            q.partial_credit = True  # "~%50%" weights: Moodle's multiple-answer question
        # Several "=" answers: choose them all (all or nothing).
        return True

    def to_gift(self, q):
        if not q.partial_credit:
            return [
                f"{'=' if c.weight > 0 else '~'}{esc(c.text)}{base.gift_feedback(c.feedback)}"
                for c in q.choices
            ]
        return [
            f"~{base.gift_item_weight(c.weight)}{esc(c.text)}{base.gift_feedback(c.feedback)}"
            for c in q.choices
        ]

    def from_post(self, entry, post, name):
        return {"choices": post.getlist(name)} if post.getlist(name) else None

    def validate(self, entry, response):
        keys = base.read_keys(response.get("choices"), entry["choices"])
        return {"choices": sorted(set(keys))} if keys else None

    def grade(self, question, response):
        chosen = set(response.get("choices", []))
        if question.partial_credit:
            by_key = question.by_key
            # Moodle adds the chosen answers' fractions: 3 × 33.33333 % is full marks.
            return weight_fraction(sum((by_key[k].weight for k in chosen if k in by_key), 0))
        right = {c.key for c in question.choices if c.weight > 0}
        return Decimal(1 if chosen == right else 0)

    def review(self, question, response):
        return base.chosen_review(question, response.get("choices", []))

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Thông tin nào không được cho người lạ biết?", category,
                              partial_credit=True,
                              choices=[base.ParsedChoice("Mã OTP", 50),
                                       base.ParsedChoice("Mật khẩu", 50),
                                       base.ParsedChoice("Tên tỉnh đang sống", -100)])  # fmt: skip


KIND = Multiple()
