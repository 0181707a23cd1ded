"""Essay: the learner writes a text that a person grades (Moodle's "essay"). The question
carries a rubric for the grader (`Question.grader_info`, Moodle's graderinfo) and optional
word limits (`min_words`, `max_words`); it has no answers.

An attempt holding an essay answer is not graded on submit: it waits for a grader
(`AttemptState.PENDING`, `QuestionResult.needs_grading`) until the essay grading service
(assessments.services.attempt_essays_grade) records a score and feedback, once.
An essay left empty is marked 0 at once: there is nothing to grade.

GIFT: `{}` (the rubric and limits as pragmas Moodle ignores: `// [hocso:rubric=...]
[hocso:min-words=50] [hocso:max-words=300]`). Moodle XML: `<graderinfo>`,
`<minwordlimit>`, `<maxwordlimit>` (written with Moodle's other essay elements)."""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - writing and reading parsed trees only
from decimal import Decimal
from urllib.parse import unquote

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.formats import to_plain
from assessments.question_types import base

CODE = "essay"
MAX_ESSAY = 20_000  # characters of an answer
# Moodle's text formats (a rubric is kept as plain text: graders read it as written).
_MOODLE_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "markdown": "markdown",
                   "plain_text": "plain"}  # fmt: skip


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def _pragma_quote(text: str) -> str:
    """A rubric inside `[hocso:rubric=...]`: the characters that would end it quoted."""
    return text.replace("%", "%25").replace("]", "%5D").replace("\n", "%0A")


def _whole(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number or None  # Moodle writes 0 for "no limit"


class Essay(base.TextAnswerKind, code=CODE, label=gettext_lazy("Essay"),
            xlsx_label="Tự luận", gift_priority=1, manual_grading=True,
            max_length=MAX_ESSAY):  # fmt: skip
    def widget(self, q):
        name = escape(q.field_name)
        low, high = q.min_words, q.max_words
        if low and high:
            words = (
                _("Write %(min)s to %(max)s words.")
                % {"min": base.number_text(low), "max": base.number_text(high)}
                + " "
            )
        elif low:
            words = _("Write at least %(min)s words.") % {"min": base.number_text(low)} + " "
        elif high:
            words = _("Write at most %(max)s words.") % {"max": base.number_text(high)} + " "
        else:
            words = ""
        after = escape(_("A teacher reads and grades this answer after you submit."))
        return (
            f'\n<label class="quiz-hint" for="{name}">'
            f"{escape(_('Your answer (graded by a teacher)'))}</label>\n"
            f'<textarea id="{name}" name="{name}" rows="8" maxlength="20000" '
            f'aria-describedby="{name}-hint">{escape(q.text_answer)}</textarea>\n'
            f'<p class="quiz-hint" id="{name}-hint">{words}{after}</p>\n'
        )

    xlsx_guide = ("Tự luận: không có đáp án; người chấm cho điểm theo cột Hướng dẫn chấm.",)

    def check(self, q):
        errors = []
        if q.choices:
            errors.append(_("an essay question has no answers."))
        if q.min_words and q.max_words and q.min_words > q.max_words:
            errors.append(_("the minimum number of words is above the maximum."))
        return errors

    def from_gift(self, answers, q):
        if answers.body:
            return False
        q.qtype, q.choices = CODE, []
        q.grader_info = unquote(answers.pragmas.get("rubric", ""))
        try:
            q.min_words = _whole(answers.pragmas.get("min-words", ""))
            q.max_words = _whole(answers.pragmas.get("max-words", ""))
        except ValueError:
            raise base.GiftError(
                answers.line, _("[hocso:min-words=N] and [hocso:max-words=N] need whole numbers.")
            ) from None
        return True

    def to_gift(self, q):
        return []

    def gift_pragmas(self, q):
        pragmas = []
        if q.grader_info:
            pragmas.append(f"[hocso:rubric={_pragma_quote(q.grader_info)}]")
        if q.min_words:
            pragmas.append(f"[hocso:min-words={q.min_words}]")
        if q.max_words:
            pragmas.append(f"[hocso:max-words={q.max_words}]")
        return pragmas

    def from_moodlexml(self, node, q):
        q.choices = []
        info = node.find("graderinfo")
        fmt = _MOODLE_FORMATS.get(info.get("format", "") if info is not None else "", "plain")
        q.grader_info = to_plain((node.findtext("graderinfo/text") or "").strip(), fmt)
        try:
            q.min_words = _whole(node.findtext("minwordlimit") or "")
            q.max_words = _whole(node.findtext("maxwordlimit") or "")
        except ValueError:
            q.min_words = q.max_words = None

    def to_moodlexml(self, node, q):
        for tag, value in (("responseformat", "plain"), ("responserequired", "1"),
                           ("responsefieldlines", "10"), ("attachments", "0"),
                           ("attachmentsrequired", "0")):  # fmt: skip
            ET.SubElement(node, tag).text = value
        info = ET.SubElement(node, "graderinfo", format="plain_text")
        ET.SubElement(info, "text").text = q.grader_info
        template = ET.SubElement(node, "responsetemplate", format="plain_text")
        ET.SubElement(template, "text").text = ""
        ET.SubElement(node, "minwordlimit").text = str(q.min_words or "")
        ET.SubElement(node, "maxwordlimit").text = str(q.max_words or "")

    def freeze(self, choices, *, shuffle, rng):
        return {"choices": []}

    def grade(self, question, response):
        """A person grades an essay: nothing is earned until then."""
        return Decimal(0)

    def correct_answers(self, question):
        return []

    def review(self, question, response):
        return ([response["text"]] if response.get("text") else []), []

    def example(self, category):
        return base.ParsedQuestion(
            0, CODE, "Hãy nêu ba cách nhận biết một tin nhắn lừa đảo.", category,
            grader_info="Mỗi cách đúng 1 điểm.", min_words=20, max_words=200, points=3,
        )  # fmt: skip


KIND = Essay()
