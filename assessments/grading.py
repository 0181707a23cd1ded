"""The vocabulary of answering and grading, shared by the question types: no database, no
clock, no question type.

`AttemptError` refuses an attempt operation; `ChoiceData` and `QuestionData` are what a type
is handed to grade and review a question; the `read_*` helpers and `unreadable` /
`foreign_choice` are how a type refuses an answer it cannot read. Each type's own rules are
in assessments/question_types/ (`validate`, `grade`, `correct_answers`, `review`). The
answer shapes are documented in assessments/models.py.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from cms.errors import Refused
from cms.text import fold, nfc

MAX_TEXT_ANSWER = 500


class AttemptError(Refused):
    """A refused attempt operation (a cms.errors.Refused): `message` is for the learner
    (Vietnamese via gettext), `code` is stable for code and tests, `status` 400. Nothing
    stored was changed."""


def unreadable(message: str = "") -> AttemptError:
    """An answer the page could not have sent (tampered with, or an old page)."""
    return AttemptError(
        message or _("An answer could not be read. Reload the page."), code="bad_answer"
    )


def foreign_choice() -> AttemptError:
    return AttemptError(
        _("An answer is not one of the question's choices. Nothing was saved."),
        code="foreign_choice",
    )


def read_key(value) -> str:
    """A choice key as sent by the page, or AttemptError."""
    if not isinstance(value, str) or not value or len(value) > 32:
        raise unreadable()
    return value


def read_list(value) -> list:
    if not isinstance(value, list):
        raise unreadable()
    return value


def normalize_text_answer(
    text: str, ignore_diacritics: bool = False, case_sensitive: bool = False
) -> str:
    """NFC, case folded (unless `case_sensitive`: Moodle's `usecase`), white space
    collapsed; `ignore_diacritics` also drops diacritics (đ→d)."""
    if case_sensitive:
        text = " ".join(nfc(text).split())
        if ignore_diacritics:
            text = "".join(
                ch
                for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
                if not unicodedata.combining(ch)
            )
        return text
    if ignore_diacritics:
        return fold(text)
    return " ".join(nfc(text).casefold().split())


def text_answer_matches(
    accepted: str, given: str, ignore_diacritics: bool = False, case_sensitive: bool = False
) -> bool:
    """Whether a typed answer is an accepted one, as Moodle's short answer compares: `*`
    stands for any run of characters (a lone `*` accepts every answer; `\\*` is a star)."""
    pattern = normalize_text_answer(accepted, ignore_diacritics, case_sensitive)
    text = normalize_text_answer(given, ignore_diacritics, case_sensitive)
    if "*" not in pattern:
        return pattern == text
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(part.replace("\\*", "*")) for part in parts)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


def first_accepted(
    choices, given: str, ignore_diacritics: bool = False, case_sensitive: bool = False
):
    """The first of `choices` (ChoiceData, in bank order) whose text accepts `given`, or
    None: Moodle grades a typed answer by the first answer that matches it."""
    for choice in choices:
        if text_answer_matches(choice.text, given, ignore_diacritics, case_sensitive):
            return choice
    return None


def as_fraction(value) -> Decimal:
    """A share of a question's mark, 0..1, to 4 decimal places."""
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChoiceData:
    """What grading needs of a choice (built from the bank at submit time)."""

    key: str
    text: str
    weight: int
    match_text: str
    sort_order: int
    feedback: str = ""

    @classmethod
    def of(cls, choice) -> "ChoiceData":
        """From an assessments.models.Choice."""
        return cls(
            choice.key, choice.text, choice.weight, choice.match_text, choice.sort_order,
            choice.feedback,
        )  # fmt: skip


@dataclass(frozen=True)
class QuestionData:
    """What grading and review need of a question: its choices in bank order and the
    options that change how it is graded."""

    qtype: str
    choices: tuple[ChoiceData, ...]
    partial_credit: bool = False
    ignore_diacritics: bool = False
    case_sensitive: bool = False

    @classmethod
    def of(cls, question, choices=None) -> "QuestionData":
        """From an assessments.models.Question (its choices prefetched, or given)."""
        rows = question.choices.all() if choices is None else choices
        return cls(
            question.qtype,
            tuple(ChoiceData.of(c) for c in rows),
            partial_credit=question.partial_credit,
            ignore_diacritics=question.ignore_diacritics,
            case_sensitive=question.case_sensitive,
        )

    @property
    def by_key(self) -> dict[str, ChoiceData]:
        return {c.key: c for c in self.choices}
