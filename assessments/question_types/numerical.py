"""Numerical: the learner types a number. Each answer (a choice's `text`) is a value with an
optional tolerance, `3.14:0.01` (3.13 to 3.15), a range `1..5`, or `*` (every other
number: its feedback, usually weight 0); each has its weight and feedback. As in Moodle,
the first answer that accepts the number grades it. A learner types a number the
Vietnamese way ("3,14", "1.500.000": `read_number`).
GIFT: `{#3.14:0.01}`, `{#1..5}`, `{#=1822:0#Right =%50%1822:2#Close ~#Wrong}`."""

import re
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.grading import NUMBER, AttemptError, read_number, weight_fraction
from assessments.question_types import base

CODE = "numerical"
BAD_NUMBER = "bad_number"
ANY = "*"
_ANSWER = re.compile(rf"^({NUMBER})(?::({NUMBER}))?$|^({NUMBER})\.\.({NUMBER})$")


def accepted_range(text: str) -> tuple[Decimal, Decimal] | None:
    """The numbers an answer accepts (low, high), None for `*`; ValueError if unreadable."""
    text = text.strip().replace(" ", "")
    if text == ANY:
        return None
    found = _ANSWER.match(text)
    if not found:
        raise ValueError(text)
    value, tolerance, low, high = found.groups()
    if value is not None:
        spread = abs(Decimal(tolerance or 0))
        return Decimal(value) - spread, Decimal(value) + spread
    low, high = Decimal(low), Decimal(high)
    return min(low, high), max(low, high)


def _describe(text: str) -> str:
    """An answer as the review shows it, numbers written the page's way ("2,25 ± 0,01")."""
    found = _ANSWER.match(text.strip().replace(" ", ""))
    if not found:
        return text
    value, tolerance, low, high = (None if g is None else number_format(Decimal(g))
                                   for g in found.groups())  # fmt: skip
    if value is not None:
        return f"{value} ± {tolerance}" if tolerance and Decimal(found.group(2)) else value
    return f"{low} – {high}"


class Numerical(base.TextAnswerKind, code=CODE, label=gettext_lazy("Numerical"),
                xlsx_label="Dạng số", xlsx_default_weight=100, gift_priority=5,
                max_length=40):  # fmt: skip
    def widget(self, q):
        name = escape(q.field_name)
        error = f"{name}-error " if q.error else ""
        invalid = ' aria-invalid="true"' if q.error else ""
        hint = escape(_("A comma for decimals, dots between thousands: 3,14 or 1.500.000."))
        return (
            f'\n<label class="quiz-hint" for="{name}">'
            f"{escape(_('Your answer (a number)'))}</label>\n"
            f'<input type="text" inputmode="decimal" id="{name}" name="{name}" '
            f'value="{escape(q.text_answer)}" maxlength="40" autocomplete="off" '
            f'aria-describedby="{error}{name}-hint"{invalid}>\n'
            f'<p class="quiz-hint" id="{name}-hint">{hint}</p>\n'
        )

    xlsx_guide = ("Dạng số: mỗi đáp án một cột, ghi 3.14:0.01 (sai số), 1..5 (khoảng) hoặc * "
                  "(mọi số khác); trọng số mặc định 100.",)  # fmt: skip

    def check(self, q):
        if not any(c.weight > 0 for c in q.choices):
            return [_("a numerical question needs at least one right answer.")]
        for c in q.choices:
            try:
                accepted_range(c.text)
            except ValueError:
                return [_("“%(answer)s” is not a number, a number:tolerance or a range a..b.")
                        % {"answer": c.text}]  # fmt: skip
        return []

    def from_gift(self, answers, q):
        if not answers.body.startswith("#"):
            return False
        q.qtype = CODE
        rest = answers.body[1:].strip()
        parts = re.split(r"([=~])", rest)
        if parts[0].strip():  # one answer: {#3.14:0.01#feedback}
            if len(parts) > 1 and parts[1] == "=":
                raise base.GiftError(
                    answers.line, _("several numerical answers each start with =.")
                )
            text, _sep, feedback = parts[0].partition("#")
            q.choices = [
                base.ParsedChoice(base.gift_restore(text), 100, "", base.gift_restore(feedback))
            ]
            parts = parts[1:]
            pairs = zip(parts[0::2], parts[1::2], strict=True)
        else:
            pairs = zip(parts[1::2], parts[2::2], strict=True)
        for sign, chunk in pairs:
            weight, chunk = base.gift_weight(chunk.strip(), answers.line)
            if weight is None:
                weight = 100 if sign == "=" else 0
            text, _sep, feedback = chunk.partition("#")
            text = base.gift_restore(text) or (ANY if sign == "~" else "")
            q.choices.append(base.ParsedChoice(text, weight, "", base.gift_restore(feedback)))
        return True

    def to_gift(self, q):
        lines = ["#"]
        for c in q.choices:
            if c.text == ANY and c.weight == 0:
                lines.append(f"~{base.gift_feedback(c.feedback)}")
                continue
            weight = "" if c.weight == 100 else base.gift_item_weight(c.weight)
            lines.append(f"={weight}{base.gift_escape(c.text)}{base.gift_feedback(c.feedback)}")
        return lines

    def validate(self, entry, response):
        cleaned = super().validate(entry, response)
        if cleaned and read_number(cleaned["text"]) is None:
            # Its own code: the page keeps the other answers and names this question.
            raise AttemptError(_("Type a number, for example 3,14 or 1822."), code=BAD_NUMBER)
        return cleaned

    def _matching(self, question, text):
        number = read_number(text)
        if number is None:
            return None
        for choice in question.choices:
            try:
                accepted = accepted_range(choice.text)
            except ValueError:
                continue
            if accepted is None or accepted[0] <= number <= accepted[1]:
                return choice
        return None

    def grade(self, question, response):
        choice = self._matching(question, response.get("text", ""))
        return weight_fraction(choice.weight) if choice else Decimal(0)

    def describe_choice(self, text):
        return _describe(text)

    def correct_answers(self, question):
        return [_describe(c.text) for c in question.choices if c.weight == 100]

    def review(self, question, response):
        if "text" not in response:
            return [], []
        choice = self._matching(question, response["text"])
        return [response["text"]], [choice.feedback] if choice and choice.feedback else []

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Tổng đài hỗ trợ dịch vụ công là 1900 mấy? (4 chữ số)",
                              category, choices=[base.ParsedChoice("9055", 100)])  # fmt: skip


KIND = Numerical()
