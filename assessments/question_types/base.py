"""What a question type is: the `QuestionKind` hooks every type module implements, and the
data the hooks are handed. No database, no clock.

A question type is one module of this package holding one `QuestionKind` subclass, listed
once in assessments/question_types/__init__.py. The rest of the app never compares a
question's type with a code: it asks the type (`question_types.get(code).grade(...)`).

The hooks, in the order a question lives:
- editing and files: `check` (the rules an imported question must meet), `from_gift` /
  `to_gift` / `gift_pragmas` (GIFT), `xlsx_label`, `xlsx_default_weight`, `xlsx_guide`
  (the XLSX template; the same row format would serve CSV), `for_export` (the question as
  files write it), `example` (its row of the downloadable template);
- an attempt: `freeze` (the served order of its choices), `widget` (its answer field on
  the attempt page, as HTML: built here in Python, the helpers below, rather than by a
  template per question, the page's largest cost; issue 16), `from_post` (the posted form
  into a response), `validate` (a response checked against the frozen question);
- grading and review: `grade` (the share of the mark, 0..1), `correct_answers` (the
  summary of the right answer), `review` (what the learner gave, and its feedback).

Data: `ChoiceData` / `QuestionData` (assessments.grading) for grading and review; `entry`
and `response` are the frozen question and one answer (shapes in assessments/models.py);
`ParsedQuestion` / `ParsedChoice` a question read from or written to a file; `GiftAnswers`
the inside of a GIFT question's braces.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.translation import gettext as _

from assessments.formats import split_marker
from assessments.grading import (
    MAX_TEXT_ANSWER,
    ChoiceData,
    QuestionData,
    foreign_choice,
    read_key,
    read_list,
    unreadable,
    weight_fraction,
    weight_text,
    weight_value,
)
from cms.text import nfc

# --- A question in a file ------------------------------------------------------------------

DEFAULT_PENALTY = "0.3333333"  # Moodle's default, as it writes it (7 places)


def penalty_text(value) -> str:
    """A penalty (0..1) as Moodle XML writes it: "0.3333333"."""
    return f"{Decimal(str(value)):.7f}"


@dataclass
class ParsedChoice:
    text: str
    weight: Decimal | int = 0  # percent, exact to 5 places (grading.weight_value)
    match_text: str = ""
    feedback: str = ""
    # While a file is read: the format a part was marked with (GIFT `~[plain]blue`), None
    # for the question's own. The importer then gives the question one format (formats.unify).
    text_format: str | None = field(default=None, compare=False, repr=False)
    feedback_format: str | None = field(default=None, compare=False, repr=False)


@dataclass
class ParsedQuestion:
    line: int
    qtype: str
    text: str
    category: str = ""
    title: str = ""
    general_feedback: str = ""
    text_format: str = "plain"  # assessments.formats.TextFormat
    points: int = 1
    shuffle_choices: bool = True  # Moodle's per-question "shuffle the choices"
    penalty: str = DEFAULT_PENALTY  # Moodle's penalty per try, kept for the round trip
    # Embedded files (Moodle XML's base64 <file>) by name; the texts say @@PLUGINFILE@@/name.
    files: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    partial_credit: bool = False
    ignore_diacritics: bool = False
    case_sensitive: bool = False  # short answer: Moodle's `usecase`
    tags: list[str] = field(default_factory=list)
    choices: list[ParsedChoice] = field(default_factory=list)
    # Essay: the grader's rubric and the answer's word limits (None: no limit).
    grader_info: str = ""
    min_words: int | None = None
    max_words: int | None = None
    # The kind of file it was read from ("gift", "xlsx"; "" otherwise), so that a message
    # speaks of that file's syntax or columns (QuestionKind.check).
    file_format: str = field(default="", compare=False, repr=False)

    def signature(self) -> tuple:
        """What makes two questions the same (tests compare export→import by this)."""
        return (
            self.category, self.qtype, self.title, self.text, self.text_format,
            self.general_feedback, self.points, self.partial_credit, self.ignore_diacritics,
            self.shuffle_choices, self.penalty, tuple(sorted(self.tags)),
            tuple((c.text, c.weight, c.match_text, c.feedback) for c in self.choices),
            self.grader_info, self.min_words, self.max_words, self.case_sensitive,
        )  # fmt: skip


# --- GIFT text ----------------------------------------------------------------------------

# Escaped characters are swapped for private-use code points while parsing.
_ESCAPES = {"\\\\": "\ue000", "\\=": "\ue001", "\\~": "\ue002", "\\#": "\ue003",
            "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}  # fmt: skip
_RESTORE = {"\ue000": "\\", "\ue001": "=", "\ue002": "~", "\ue003": "#", "\ue004": "{",
            "\ue005": "}", "\ue006": ":", "\ue007": "\n"}  # fmt: skip
_WEIGHT = re.compile(r"^%\s*(-?\d+(?:[.,]\d+)?)\s*%")


class GiftError(Exception):
    """A GIFT question that cannot be read: its line, a message for the editor, and its
    type when the syntax tells it (an essay `{}` while no essay type is installed)."""

    def __init__(self, line: int, message: str, *, qtype: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.qtype = qtype


def gift_protect(text: str) -> str:
    for escaped, mark in _ESCAPES.items():
        text = text.replace(escaped, mark)
    return text


def gift_restore(text: str) -> str:
    for mark, char in _RESTORE.items():
        text = text.replace(mark, char)
    return text.strip()


def gift_escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in "=~#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\n")


def gift_weight(chunk: str, line: int) -> tuple[Decimal | None, str]:
    """An answer's leading `%33.33333%` (its exact weight, grading.weight_value) and the
    rest of it; (None, chunk) when it has none."""
    match = _WEIGHT.match(chunk)
    if not match:
        return None, chunk
    try:
        weight = weight_value(match.group(1))
    except ValueError:
        raise GiftError(line, _("a weight is written like %%50%%.")) from None
    return weight, chunk[match.end() :]


def gift_item_weight(weight) -> str:
    """`%33.33333%` before an answer (grading.weight_text: no trailing zeros)."""
    return f"%{weight_text(weight)}%"


def gift_feedback(feedback: str) -> str:
    """An answer's `#feedback`, or nothing."""
    return f"#{gift_escape(feedback)}" if feedback else ""


@dataclass
class GiftItem:
    sign: str  # "=" or "~"
    weight: Decimal | None  # the %50% before the text, if any
    text: str
    feedback: str
    text_format: str | None = None  # a `[html]`... marker before the text, taken off
    feedback_format: str | None = None


@dataclass
class GiftAnswers:
    """The inside of a GIFT question's { } (escapes protected, general feedback taken off),
    the question's `// [hocso:...]` pragmas and the line the braces open on."""

    body: str
    pragmas: dict[str, str]
    line: int

    @cached_property
    def items(self) -> list[GiftItem]:
        """The `=` / `~` answers. A type that reads another syntax (`{#...}`, `{}`) claims
        the body before the types that read items (a lower `gift_priority`)."""
        body = self.body
        if not body or body.startswith("#"):  # an essay, a number: no `=`/`~` items
            raise GiftError(self.line, _("each answer starts with = (right) or ~ (wrong)."))
        parts = re.split(r"([=~])", body)
        if parts[0].strip():
            raise GiftError(self.line, _("each answer starts with = (right) or ~ (wrong)."))
        items = []
        for sign, chunk in zip(parts[1::2], parts[2::2], strict=True):
            weight, chunk = gift_weight(chunk.strip(), self.line)
            text, _sep, feedback = chunk.partition("#")
            text_format, text = split_marker(gift_restore(text))
            feedback_format, feedback = split_marker(gift_restore(feedback))
            if not text and sign == "~":
                raise GiftError(self.line, _("an answer is empty."))
            items.append(GiftItem(sign, weight, text, feedback, text_format, feedback_format))
        if not items:
            raise GiftError(self.line, _("each answer starts with = (right) or ~ (wrong)."))
        return items


def gift_choices(items: list[GiftItem]) -> list[ParsedChoice]:
    """Choices from `=`/`~` answers: "=" is worth 100% and "~" nothing, unless weighted."""
    return [
        ParsedChoice(i.text, (100 if i.sign == "=" else 0) if i.weight is None else i.weight,
                     "", i.feedback, i.text_format, i.feedback_format)
        for i in items
    ]  # fmt: skip


# --- The hooks ----------------------------------------------------------------------------


# --- Answer fields (QuestionKind.widget): the markup of the attempt page ----------------------
# A translated text is escaped as a template's {% trans %} escapes it, escape(_("...")): the
# literal in _() keeps it in the catalogue (makemessages); a text with a value in it
# (blocktrans) is not, its values are.


def choice_inputs(q, input_type: str) -> str:
    """A radio button or a check box per served choice, the saved ones checked."""
    name = escape(q.field_name)
    return "".join(
        f'\n    <label class="quiz-choice"><input type="{input_type}" name="{name}" '
        f'value="{escape(c.key)}"{" checked" if c.checked else ""}> '
        f"<span>{conditional_escape(c.text)}</span></label>\n"
        for c in q.choices
    )


def select_each(q, hint: str, rows, values) -> str:
    """One <select> per item: `rows` (item, the value chosen), `values` (value, label);
    matching and ordering."""
    name = escape(q.field_name)
    values = [(v, escape(v), conditional_escape(label)) for v, label in values]
    parts = [f'\n<p class="quiz-hint">{hint}</p>\n']
    for c, chosen in rows:
        field = f"{name}-{escape(c.key)}"
        options = "".join(
            f'<option value="{value}"{" selected" if raw == chosen else ""}>{label}</option>'
            for raw, value, label in values
        )
        parts.append(
            f'\n    <div class="quiz-pair">\n        <label for="{field}">'
            f"{conditional_escape(c.text)}</label>\n"
            f'        <select id="{field}" name="{field}">\n'
            f'            <option value="">\u2014</option>\n            {options}\n'
            f"        </select>\n    </div>\n"
        )
    parts.append("\n")
    return "".join(parts)


def number_text(value) -> str:
    """A number in a text as a template writes it (localized)."""
    return escape(localize(value))


class QuestionKind:
    """One question type. Subclasses set `code` (at most 20 characters: Question.qtype),
    `label` (gettext_lazy, English; Vietnamese in the catalogue) and `xlsx_label` (the
    template's Vietnamese word), and override the hooks their type needs."""

    code: str = ""
    label = ""
    xlsx_label: str = ""
    xlsx_guide: tuple[str, ...] = ()  # lines of the template's guide sheet
    xlsx_default_weight: int = 0  # an answer's weight when its cell is empty
    uses_partial_credit: bool = False  # Question.partial_credit applies (GIFT: [hocso:partial])
    gift_priority: int = 100  # asked in this order whether a GIFT answer part is theirs
    graded: bool = True  # False: shown in a quiz, never answered nor marked (a description)
    rich_choices: bool = True  # choice texts are shown in the question's format, not compared
    # True: a person grades the answer (an essay); an attempt holding one waits for them.
    manual_grading: bool = False

    def __init_subclass__(cls, **attributes):
        """A type states what it is on its class line: `class Single(ChoiceKind,
        code=CODE, label=..., xlsx_label=..., gift_priority=50)`."""
        super().__init_subclass__()
        for name, value in attributes.items():
            if not hasattr(cls, name):
                raise TypeError(f"a question type has no attribute {name!r}")
            setattr(cls, name, value)

    def __repr__(self):
        return f"<question type {self.code}>"

    # Editing and files

    def check(self, q: ParsedQuestion) -> list[str]:
        """What is wrong with this question of a file (messages for the editor)."""
        return []

    def for_export(self, q: ParsedQuestion) -> ParsedQuestion:
        """The question as a file writes it (from the bank's row)."""
        return q

    def from_gift(self, answers: GiftAnswers, q: ParsedQuestion) -> bool:
        """If the answer part is this type's, fill in `q.qtype` and `q.choices` and say so."""
        return False

    def to_gift(self, q: ParsedQuestion) -> list[str]:
        """The lines inside the braces."""
        raise NotImplementedError

    def gift_pragmas(self, q: ParsedQuestion) -> list[str]:
        """`[hocso:...]` comments for what GIFT itself cannot say."""
        return ["[hocso:partial]"] if self.uses_partial_credit and q.partial_credit else []

    def example(self, category: str) -> ParsedQuestion:
        """This type's row in the downloadable template."""
        raise NotImplementedError

    # An attempt

    def widget(self, q) -> str:
        """The answer field(s) of `q` (an assessments.selectors.ServedQuestion, its saved
        answer in it) as the attempt page shows them: HTML, every value escaped here. None
        for a type without an answer (a description)."""
        return ""

    def freeze(self, choices: list[ChoiceData], *, shuffle: bool, rng: random.Random) -> dict:
        """The frozen entry's "choices" (and "options"): the keys in their served order."""
        keys = [c.key for c in choices]
        if shuffle:
            rng.shuffle(keys)
        return {"choices": keys}

    def from_post(self, entry: dict, post, name: str) -> dict | None:
        """The response the form field(s) `name` (q-<id>, q-<id>-<key>) hold, or None."""
        raise NotImplementedError

    def validate(self, entry: dict, response: dict) -> dict | None:
        """The response cleaned against the frozen entry, None if empty; AttemptError if
        it names something the question does not have."""
        raise NotImplementedError

    # Grading and review

    def grade(self, question: QuestionData, response: dict) -> Decimal:
        """The share of the mark earned, 0..1 (a response is never empty here)."""
        raise NotImplementedError

    def describe_choice(self, text: str) -> str:
        """A stored answer as an editor reads it (the quiz preview); numerical writes its
        numbers the page's way."""
        return text

    def correct_answers(self, question: QuestionData) -> list[str]:
        """The right answer in words, for the review page (only when the policy allows)."""
        return [c.text for c in question.choices if c.weight > 0]

    def review(self, question: QuestionData, response: dict) -> tuple[list[str], list[str]]:
        """What the learner answered, in words, and the feedback of what they chose."""
        return [], []


class ChoiceKind(QuestionKind):
    """Questions answered by choosing one choice ({"choice": key}): single, true/false."""

    def widget(self, q):
        return "\n" + choice_inputs(q, "radio") + "\n"

    def from_post(self, entry, post, name):
        return {"choice": post.get(name)} if post.get(name) else None

    def validate(self, entry, response):
        key = response.get("choice")
        if key in (None, ""):
            return None
        if read_key(key) not in set(entry["choices"]):
            raise foreign_choice()
        return {"choice": key}

    def grade(self, question, response):
        choice = question.by_key.get(response.get("choice"))
        return weight_fraction(choice.weight) if choice else Decimal(0)

    def review(self, question, response):
        return chosen_review(question, [response["choice"]] if "choice" in response else [])


class TextAnswerKind(QuestionKind):
    """Questions answered by typing ({"text": "..."}): short answer, numerical."""

    max_length = MAX_TEXT_ANSWER
    rich_choices = False

    def from_post(self, entry, post, name):
        return {"text": post.get(name)} if post.get(name, "").strip() else None

    def validate(self, entry, response):
        text = response.get("text", "")
        if not isinstance(text, str):
            raise unreadable()
        text = nfc(text).strip()
        if len(text) > self.max_length:
            raise unreadable(
                _("An answer is longer than %(max)d characters.") % {"max": self.max_length}
            )
        return {"text": text} if text else None


def chosen_review(question: QuestionData, keys) -> tuple[list[str], list[str]]:
    """The chosen choices' texts and their feedback."""
    given, feedback = [], []
    by_key = question.by_key
    for key in keys:
        choice = by_key.get(key)
        if choice:
            given.append(choice.text)
            if choice.feedback:
                feedback.append(choice.feedback)
    return given, feedback


def read_keys(value, own) -> list[str]:
    """A list of choice keys, each one of `own`, or AttemptError."""
    keys = [read_key(k) for k in read_list(value or [])]
    if not set(keys) <= set(own):
        raise foreign_choice()
    return keys


__all__ = [
    "ChoiceData", "ChoiceKind", "GiftAnswers", "GiftError", "GiftItem", "ParsedChoice",
    "ParsedQuestion", "QuestionData", "QuestionKind", "TextAnswerKind", "chosen_review",
    "gift_escape", "gift_choices", "gift_feedback", "gift_item_weight", "gift_protect",
    "gift_restore", "gift_weight", "read_keys", "unreadable",
]  # fmt: skip
