"""Moodle XML (docs.moodle.org "Moodle XML format"): the format most banks leave Moodle in.

    parse_moodlexml(data, default_category="") -> interchange.ParseResult
    export_moodlexml(questions) -> str

Read: `<question type="category">` sets the category of the questions after it; each
question's name, text (its `format`), general feedback, default grade (points), penalty,
shuffle flag, tags, answers with their fraction, feedback and format, and the files embedded
in base64 beside a text (`@@PLUGINFILE@@/name` in it; the import stores them as Wagtail
images). Types: multichoice (single or multiple), truefalse, shortanswer, numerical (answer
and tolerance), matching (subquestions), ordering (the plugin), description, essay (its
grader information and word limits). Any other type (calculated, drag-and-drop, cloze...)
is refused by name, with its line. Parsed with defusedxml (no entities, no external
references), never touching the database. What Moodle XML cannot say is written as
elements Moodle ignores (`<hocso_allornothing>`), so an export gives back what was
imported.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET  # noqa: S405 - writing only; reading uses defusedxml
from dataclasses import dataclass
from decimal import Decimal

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from assessments import question_types
from assessments.formats import TextFormat
from assessments.grading import weight_text, weight_value
from assessments.interchange import (
    ImportItem,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    Problem,
    category_name,
    decode_text,
    finish_result,
    first_words,
    unify_formats,
)
from assessments.question_types.base import penalty_text
from assessments.question_types.numerical import ANY

__all__ = ["export_moodlexml", "parse_moodlexml"]

# Moodle's names of the text formats, both ways.
_FORMATS = {"html": TextFormat.HTML, "moodle_auto_format": TextFormat.MOODLE,
            "plain_text": TextFormat.PLAIN, "markdown": TextFormat.MARKDOWN}  # fmt: skip
_MOODLE_FORMAT = {ours: theirs for theirs, ours in _FORMATS.items()}
_TRUE = {"1", "true"}


class _Refused(Exception):
    def __init__(self, message: str, qtype: str = ""):
        super().__init__(message)
        self.message, self.qtype = message, qtype


@dataclass
class _Element:
    node: ET.Element
    line: int

    def text(self, path: str) -> str:
        found = self.node.find(path)
        return (found.text or "") if found is not None else ""


def _question_lines(text: str) -> list[int]:
    """The line of each <question> start tag, in order (CDATA sections blanked first, so a
    "<question" inside a text is not counted)."""
    blanked = re.sub(r"<!\[CDATA\[.*?\]\]>", lambda m: "\n" * m.group(0).count("\n"), text,
                     flags=re.DOTALL)  # fmt: skip
    return [blanked.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question\b", blanked)]


def parse_moodlexml(data: bytes, *, default_category: str = "") -> ParseResult:
    text, problem = decode_text(data)
    if problem:
        return ParseResult([], [problem])
    try:
        root = SafeET.fromstring(text.encode())
    except (SafeET.ParseError, ValueError) as exc:
        message = _("the file is not Moodle XML: %(error)s") % {"error": exc}
        return ParseResult([], [Problem(1, message, whole_file=True)])
    except Exception:  # noqa: BLE001 - defusedxml's refusals (entities, DTDs) and the like
        message = _("the file is not Moodle XML (it declares entities or a DTD).")
        return ParseResult([], [Problem(1, message, whole_file=True)])
    if root.tag != "quiz":
        return ParseResult([], [Problem(1, _("a Moodle XML file starts with <quiz>."), True)])
    lines = _question_lines(text)
    category = default_category
    questions, problems, refused = [], [], []
    for index, node in enumerate(root.findall("question")):
        element = _Element(node, lines[index] if index < len(lines) else 1)
        qtype = node.get("type", "")
        if qtype == "category":
            category = category_name(":" + element.text("category/text")) or default_category
            continue
        try:
            question = _read_question(element, qtype)
        except _Refused as exc:
            problems.append(Problem(element.line, exc.message))
            name = element.text("name/text").strip() or first_words(
                element.text("questiontext/text")
            )
            refused.append(ImportItem(element.line, exc.qtype, name, None, [exc.message]))
        else:
            question.category = category
            questions.append(question)
    return finish_result(questions, problems, refused)


def _read_question(element: _Element, qtype: str) -> ParsedQuestion:
    node = element.node
    text_node = node.find("questiontext")
    text_format = _FORMATS.get(text_node.get("format", "") if text_node is not None else "")
    title = "" if element.text("hocso_unnamed") else element.text("name/text").strip()
    q = ParsedQuestion(line=element.line, qtype="", text=element.text("questiontext/text"),
                       title=title,
                       general_feedback=element.text("generalfeedback/text").strip())  # fmt: skip
    feedback_node = node.find("generalfeedback")
    feedback_format = (
        _FORMATS.get(feedback_node.get("format", "")) if feedback_node is not None else None
    )
    q.tags = [t.text.strip() for t in node.findall("tags/tag/text") if (t.text or "").strip()]
    grade = element.text("defaultgrade").strip()
    if grade:
        try:
            q.points = max(1, round(float(grade)))
        except ValueError:
            raise _Refused(_("<defaultgrade> is not a number."), qtype) from None
    penalty = element.text("penalty").strip()
    if penalty:
        try:
            q.penalty = penalty_text(penalty)
        except ArithmeticError:
            raise _Refused(_("<penalty> is not a number."), qtype) from None
    q.shuffle_choices = element.text("shuffleanswers").strip().lower() not in {"0", "false"}
    q.files = _files(node)
    reader = _READERS.get(qtype)
    if reader is None or not question_types.is_registered(_OUR_TYPE.get(qtype, qtype)):
        raise _Refused(
            _("Moodle's “%(type)s” questions are not supported in HọcSố.") % {"type": qtype},
            qtype,
        )
    reader(element, q)
    unify_formats(q, text_format, feedback_format)
    return q


def _files(node: ET.Element) -> dict[str, bytes]:
    """Every <file encoding="base64"> of the question (texts, feedback, answers)."""
    files = {}
    for file_node in node.iter("file"):
        name = file_node.get("name", "")
        if not name or file_node.get("encoding", "base64") != "base64":
            continue
        try:
            files[name] = base64.b64decode((file_node.text or "").strip(), validate=True)
        except (binascii.Error, ValueError):
            raise _Refused(
                _("the embedded file “%(name)s” is not base64.") % {"name": name}
            ) from None
    return files


def _fraction(answer: ET.Element) -> Decimal:
    """The answer's weight as written ("33.33333"): kept exact, never rounded."""
    try:
        return weight_value(answer.get("fraction", "0"))
    except ValueError:
        raise _Refused(_("an answer's fraction is not a number.")) from None


def _answers(element: _Element) -> list[ParsedChoice]:
    choices = []
    for answer in element.node.findall("answer"):
        feedback = answer.find("feedback")
        choices.append(ParsedChoice(
            (answer.findtext("text") or "").strip(), _fraction(answer), "",
            ((feedback.findtext("text") if feedback is not None else "") or "").strip(),
            _FORMATS.get(answer.get("format", "")),
            _FORMATS.get(feedback.get("format", "")) if feedback is not None else None,
        ))  # fmt: skip
    return choices


def _multichoice(element, q):
    q.choices = _answers(element)
    single = element.text("single").strip().lower() in _TRUE
    q.qtype = "single" if single else "multiple"
    # Moodle adds the chosen answers' fractions; all or nothing is HọcSố's own option.
    q.partial_credit = not single and element.text("hocso_allornothing").strip() not in _TRUE


def _truefalse(element, q):
    by_text = {c.text.lower(): c for c in _answers(element)}
    true, false = by_text.get("true"), by_text.get("false")
    if true is None or false is None:
        raise _Refused(_("a true/false question has the answers “true” and “false”."))
    q.qtype = "true_false"
    q.choices = [ParsedChoice("Đúng", true.weight, "", true.feedback, None, true.feedback_format),
                 ParsedChoice("Sai", false.weight, "", false.feedback, None,
                              false.feedback_format)]  # fmt: skip


def _shortanswer(element, q):
    q.qtype = "short_answer"
    q.choices = _answers(element)
    q.case_sensitive = element.text("usecase").strip().lower() in _TRUE


def _numerical(element, q):
    q.qtype = "numerical"
    q.choices = _answers(element)
    for choice, answer in zip(q.choices, element.node.findall("answer"), strict=True):
        tolerance = (answer.findtext("tolerance") or "").strip()
        if choice.text != ANY and tolerance and float(tolerance) != 0:
            choice.text = f"{choice.text}:{tolerance}"


def _matching(element, q):
    q.qtype = "matching"
    q.partial_credit = element.text("hocso_allornothing").strip() not in _TRUE
    for sub in element.node.findall("subquestion"):
        q.choices.append(ParsedChoice(
            (sub.findtext("text") or "").strip(), 0, (sub.findtext("answer/text") or "").strip(),
            "", _FORMATS.get(sub.get("format", "")),
        ))  # fmt: skip


def _ordering(element, q):
    q.qtype = "ordering"
    q.choices = [ParsedChoice(c.text, 0, "", c.feedback, c.text_format) for c in _answers(element)]
    q.partial_credit = element.text("gradingtype").strip() not in {"", "0", "-1"}


def _description(element, q):
    q.qtype = "description"


def _essay(element, q):
    q.qtype = "essay"
    question_types.get("essay").from_moodlexml(element.node, q)


_READERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
            "numerical": _numerical, "matching": _matching, "ordering": _ordering,
            "description": _description, "essay": _essay}  # fmt: skip
_OUR_TYPE = {"multichoice": "single", "truefalse": "true_false", "shortanswer": "short_answer",
             "matching": "matching"}  # fmt: skip
_THEIR_TYPE = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse",
               "short_answer": "shortanswer"}  # fmt: skip


# --- Export ------------------------------------------------------------------------------


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag)
    if fmt:
        node.set("format", _MOODLE_FORMAT.get(fmt, "moodle_auto_format"))
    ET.SubElement(node, "text").text = value
    return node


def _answer(parent, weight, text: str, feedback: str, fmt: str) -> ET.Element:
    answer = _text(parent, "answer", text, fmt)
    answer.set("fraction", weight_text(weight))
    _text(answer, "feedback", feedback, fmt)
    return answer


def export_moodlexml(questions: list[ParsedQuestion]) -> str:
    """Moodle XML for these questions, a category element before each new category."""
    root = ET.Element("quiz")
    current = None
    for q in questions:
        if q.category and q.category != current:
            current = q.category
            node = ET.SubElement(root, "question", type="category")
            _text(node, "category", f"$course$/top/{current}")
        kind = question_types.get(q.qtype)
        node = ET.SubElement(root, "question", type=_THEIR_TYPE.get(q.qtype, q.qtype))
        _text(node, "name", q.title or first_words(q.text))
        text_node = _text(node, "questiontext", q.text, q.text_format)
        for name, data in q.files.items():
            file_node = ET.SubElement(text_node, "file", name=name, path="/", encoding="base64")
            file_node.text = base64.b64encode(data).decode()
        _text(node, "generalfeedback", q.general_feedback, q.text_format)
        ET.SubElement(node, "defaultgrade").text = f"{q.points if kind.graded else 0}"
        ET.SubElement(node, "penalty").text = q.penalty
        ET.SubElement(node, "hidden").text = "0"
        if not q.title:  # Moodle needs a name: the first words, marked as not a title
            ET.SubElement(node, "hocso_unnamed").text = "1"
        _WRITERS.get(q.qtype, _write_nothing)(node, q)
        if q.tags:
            tags = ET.SubElement(node, "tags")
            for tag in q.tags:
                _text(tags, "tag", tag)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _shuffle(node, q):
    ET.SubElement(node, "shuffleanswers").text = "true" if q.shuffle_choices else "false"


def _write_choices(node, q, *, answer_format: str | None):
    for c in q.choices:
        _answer(node, c.weight, c.text, c.feedback, answer_format or q.text_format)


def _write_multichoice(node, q):
    ET.SubElement(node, "single").text = "true" if q.qtype == "single" else "false"
    if q.qtype == "multiple" and not q.partial_credit:
        ET.SubElement(node, "hocso_allornothing").text = "1"
    _shuffle(node, q)
    ET.SubElement(node, "answernumbering").text = "abc"
    _write_choices(node, q, answer_format=None)


def _write_truefalse(node, q):
    for c in q.choices:
        _answer(node, c.weight, "true" if c.text == "Đúng" else "false", c.feedback,
                q.text_format).set("format", "moodle_auto_format")  # fmt: skip


def _write_shortanswer(node, q):
    ET.SubElement(node, "usecase").text = "1" if q.case_sensitive else "0"
    _write_choices(node, q, answer_format=TextFormat.MOODLE)


def _write_numerical(node, q):
    for c in q.choices:
        value, _sep, tolerance = c.text.partition(":")
        answer = _answer(node, c.weight, value, c.feedback, TextFormat.MOODLE)
        ET.SubElement(answer, "tolerance").text = tolerance or "0"


def _write_matching(node, q):
    _shuffle(node, q)
    if not q.partial_credit:
        ET.SubElement(node, "hocso_allornothing").text = "1"
    for c in q.choices:
        sub = _text(node, "subquestion", c.text, q.text_format)
        _text(sub, "answer", c.match_text)


def _write_ordering(node, q):
    ET.SubElement(node, "gradingtype").text = "1" if q.partial_credit else "0"
    _write_choices(node, q, answer_format=None)


def _write_nothing(node, q):
    kind = question_types.get(q.qtype)
    if hasattr(kind, "to_moodlexml"):
        kind.to_moodlexml(node, q)


_WRITERS = {"single": _write_multichoice, "multiple": _write_multichoice,
            "true_false": _write_truefalse, "short_answer": _write_shortanswer,
            "numerical": _write_numerical, "matching": _write_matching,
            "ordering": _write_ordering}  # fmt: skip
