"""True/false: exactly two choices, "Đúng" then "Sai", served in that order; the right one
has weight 100. GIFT: {T}, {FALSE#feedback if wrong#feedback if right}."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.question_types import base

CODE = "true_false"
TRUE_TEXT, FALSE_TEXT = "Đúng", "Sai"
_GIFT = re.compile(r"(T|F|TRUE|FALSE)((?:#[^#]*){0,2})", flags=re.IGNORECASE)


class TrueFalse(base.ChoiceKind, code=CODE, label=gettext_lazy("True/false"),
                xlsx_label="Đúng/Sai", gift_priority=10):  # fmt: skip
    def widget(self, q):
        return super().widget(q) + "\n"  # single's field, as the page always showed it

    xlsx_guide = ("Đúng/Sai: Đáp án 1 là “Đúng”, Đáp án 2 là “Sai”; ghi trọng số 100 cho đáp "
                  "án đúng.",)  # fmt: skip

    def check(self, q):
        if len(q.choices) != 2 or sorted(c.weight for c in q.choices) != [0, 100]:
            return [_("a true/false question needs exactly one right answer.")]
        return []

    def freeze(self, choices, *, shuffle, rng):
        return {"choices": [c.key for c in choices]}  # "Đúng" then "Sai", as everyone expects

    def from_gift(self, answers, q):
        found = _GIFT.fullmatch(answers.body)
        if not found:
            return False
        is_true = found.group(1).upper().startswith("T")
        parts = found.group(2).split("#")[1:] if found.group(2) else []
        wrong_fb = base.gift_restore(parts[0]) if parts else ""
        right_fb = base.gift_restore(parts[1]) if len(parts) > 1 else ""
        q.qtype = CODE
        q.choices = [
            base.ParsedChoice(
                TRUE_TEXT, 100 if is_true else 0, "", right_fb if is_true else wrong_fb
            ),
            base.ParsedChoice(
                FALSE_TEXT, 0 if is_true else 100, "", wrong_fb if is_true else right_fb
            ),
        ]
        return True

    def to_gift(self, q):
        right = next(c for c in q.choices if c.weight == 100)
        wrong = next(c for c in q.choices if c.weight != 100)
        token = "TRUE" if right.text == TRUE_TEXT or right is q.choices[0] else "FALSE"
        if right.feedback or wrong.feedback:
            return [
                f"{token}#{base.gift_escape(wrong.feedback)}#{base.gift_escape(right.feedback)}"
            ]
        return [token]

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Ngân hàng không bao giờ gọi điện xin mã OTP.",
                              category, choices=[base.ParsedChoice(TRUE_TEXT, 100),
                                       base.ParsedChoice(FALSE_TEXT, 0)])  # fmt: skip


KIND = TrueFalse()
