"""The vocabulary of answering and grading, shared by the question types: no database, no
clock, no question type.

`AttemptError` refuses an attempt operation; `ChoiceData` and `QuestionData` are what a type
is handed to grade and review a question; the `read_*` helpers and `unreadable` /
`foreign_choice` are how a type refuses an answer it cannot read; `read_number` reads a
number typed the Vietnamese way; `weight_value` / `weight_text` / `weight_fraction` are an
answer's weight (percent, exact to Moodle's 7 places of a fraction) read, written and
turned into a share of the mark. Each type's own rules are in assessments/question_types/
(`validate`, `grade`, `correct_answers`, `review`). The answer shapes are documented in
assessments/models.py.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"  # a number as GIFT writes it
_GROUPED = re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+")  # 1.500.000: dots group thousands


def read_number(text: str) -> Decimal | None:
    """A number written the Vietnamese way: the comma is the decimal mark and dots between
    groups of three digits separate thousands ("2,25", "2.000" = 2000, "1.500.000",
    "1.500,5"); a dot not followed by three digits is a decimal point ("3.14", "2.25"), as
    in GIFT. "-2", "1e3"; None if no number."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    whole, comma, decimals = text.partition(",")
    if comma or _GROUPED.fullmatch(whole):
        if "," in decimals or "." in decimals or ("." in whole and not _GROUPED.fullmatch(whole)):
            return None
        text = whole.replace(".", "") + (f".{decimals}" if comma else "")
    if not re.fullmatch(NUMBER, text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# An answer's weight is a percent of the mark kept to 5 places: Moodle stores a fraction
# to 7 (question_bank::fraction_options: 0.8333333, 0.6666667, 0.3333333, 0.1666667,
# 0.1428571, 0.1111111...), so 33.33333 % is read and written back exactly.
WEIGHT_PLACES = 5
_WEIGHT_QUANTUM = Decimal(1).scaleb(-WEIGHT_PLACES)
# Moodle's question_state::graded_state_for_fraction: a fraction above 1 - 0.000001 is
# right, below 0.000001 wrong. Three answers at 33.33333 % add up to 99.99999 %: full marks.
FRACTION_TOLERANCE = Decimal("0.000001")


def weight_value(value) -> Decimal:
    """An answer's weight in percent, to 5 places, from a number or a text as a file or an
    editor writes it: "33.33333" (GIFT, Moodle XML), "33,33333" (typed the Vietnamese way:
    `read_number`), "50%". A dot is always a decimal point here (a weight is at most 100,
    so it never groups thousands). ValueError if it is not a number; the range (-100..100)
    is the caller's."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        text = str(value).strip().removesuffix("%").strip()  # a float by its shortest text
        if "," in text:
            number = read_number(text)
        else:
            number = Decimal(text) if re.fullmatch(NUMBER, text) else None
    if number is None or not number.is_finite():
        raise ValueError(value)
    try:
        return number.quantize(_WEIGHT_QUANTUM, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(value) from None


def weight_text(weight) -> str:
    """A weight as every file writes it, without trailing zeros: "33.33333", "50", "-100",
    "0" (Moodle XML's fraction, GIFT's %33.33333%, the XLSX cell)."""
    text = f"{Decimal(weight).quantize(_WEIGHT_QUANTUM, rounding=ROUND_HALF_UP):f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


def weight_fraction(total) -> Decimal:
    """The share of the mark (0..1) that answers worth `total` percent give, as Moodle
    grades: a total within FRACTION_TOLERANCE of 100 % is full marks, of 0 % nothing."""
    fraction = Decimal(total) / 100
    if fraction > 1 - FRACTION_TOLERANCE:
        return Decimal(1)
    if fraction < FRACTION_TOLERANCE:
        return Decimal(0)
    return fraction


def as_fraction(value) -> Decimal:
    """A share of a question's mark, 0..1, to 4 decimal places."""
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChoiceData:
    """What grading needs of a choice (built from the bank at submit time)."""

    key: str
    text: str
    weight: Decimal  # percent (weight_value)
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
