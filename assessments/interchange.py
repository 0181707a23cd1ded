"""Question bank import and export: GIFT (Moodle), Aiken, and the project's XLSX template
(Moodle XML: assessments.moodlexml; the formats by name: assessments.bank_formats).

Parsers never touch the database: they return a `ParseResult`, one `ImportItem` per question
(ready, or refused with its line or row and Vietnamese reasons), so a dry run lists
everything at once; "import the ready ones" is the default, all or nothing an option
(`assessments.services.bank_import_checked`, one transaction).

GIFT as Moodle documents it: `::title::`, `$CATEGORY:`, `//` comments, format markers
`[html]` `[moodle]` `[plain]` `[markdown]` on every part (assessments.formats), `=`/`~`
answers, `%50%` weights, `#feedback`, `####general feedback`, `{T}`/`{F}`
(`{T#if wrong#if right}`), matching `=a -> b`, short answer `{=x =y}` with the `*` wildcard,
numerical `{#…}`, missing word (answers inside the sentence), description (no braces), essay
`{}` (graded by a person: question_types.essay), escapes `\\= \\~ \\# \\{ \\} \\: \\\\ \\n`.
Moodle's comment tags `// [tag:name]` become tags. What GIFT cannot say is kept in comment
pragmas that Moodle ignores: `// [hocso:ordering]` (the `=` items are in their right order),
`[hocso:partial]`, `[hocso:all-or-nothing]` (matching), `[hocso:ignore-diacritics]`,
`[hocso:case-sensitive]` (Moodle's short-answer `usecase`),
`[hocso:points=N]`, `[hocso:no-shuffle]`, `[hocso:penalty=0.5000000]`, an essay's
`[hocso:rubric=...]`, `[hocso:min-words=N]`, `[hocso:max-words=N]`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessments import formats, question_types
from assessments.formats import split_marker
from assessments.grading import weight_text, weight_value
from assessments.question_types import single
from assessments.question_types.base import (
    DEFAULT_PENALTY,
    GiftAnswers,
    GiftError,
    ParsedChoice,
    ParsedQuestion,
    gift_escape,
    gift_protect,
    gift_restore,
    penalty_text,
)
from cms import spreadsheets
from cms.text import nfc

__all__ = [
    "ImportItem", "ParseResult", "ParsedChoice", "ParsedQuestion",
    "Problem", "check_question", "example_questions", "export_gift", "export_xlsx",
    "max_file_bytes", "parse_aiken", "parse_gift", "parse_xlsx",
    "xlsx_all_headers",
]  # fmt: skip


def max_file_bytes() -> int:
    """Largest bank file (settings.QUESTION_IMPORT_MAX_BYTES, from the environment)."""
    return settings.QUESTION_IMPORT_MAX_BYTES


def max_questions() -> int:
    """Most questions (XLSX rows) per file (settings.QUESTION_IMPORT_MAX_ROWS)."""
    return settings.QUESTION_IMPORT_MAX_ROWS


def _size_problem(size: int) -> Problem | None:
    try:
        spreadsheets.size_check(size, max_bytes=max_file_bytes())
    except spreadsheets.SpreadsheetError as exc:
        return Problem(1, str(exc), whole_file=True)
    return None


@dataclass
class Problem:
    line: int
    message: str
    whole_file: bool = False  # the file itself is refused (size, encoding, header, count)

    def __str__(self):
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportItem:
    """One question of a file as the dry run lists it: ready, or refused with its reasons
    (a question that could not be read has no `question`, but its type when it is known)."""

    line: int
    qtype: str
    name: str
    question: ParsedQuestion | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.question is not None and not self.reasons

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.line, reason) for reason in self.reasons]

    def summary(self, *, imported: bool = False) -> str:
        """`ready|imported|refused <type> <name or first words> [line N: reason]`."""
        status = "refused" if not self.ready else "imported" if imported else "ready"
        text = f"{status} {self.qtype or '?'} {self.name}"
        if self.reasons:
            where = _("line %(line)d") % {"line": self.line}
            text += f" [{where}: {'; '.join(self.reasons)}]"
        return text


def first_words(text: str, words: int = 8) -> str:
    """A question's name for a listing: its title, or the first words of its text."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


@dataclass
class ParseResult:
    """`questions`: every question read (`ready`: those that pass every check); `problems`:
    every problem, of the file and of each question; `items`: a line per question."""

    questions: list[ParsedQuestion]
    problems: list[Problem]
    items: list[ImportItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing refused: "all or nothing" may import."""
        return not self.problems and bool(self.questions)

    @property
    def ready(self) -> list[ParsedQuestion]:
        """The questions "import the ready ones" creates (none when the file itself is
        refused: too big, not UTF-8, too many questions)."""
        if self.file_problems:
            return []
        return [item.question for item in self.items if item.ready]

    @property
    def refused(self) -> list[ImportItem]:
        return [item for item in self.items if not item.ready]

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.whole_file]

    def summary(self) -> str:
        """`N ready, M refused` (the command line's last line: English, for scripts)."""
        return f"{len(self.ready)} ready, {len(self.items) - len(self.ready)} refused"

    def summary_text(self) -> str:
        """The same for a page, in the reader's language."""
        return _("%(ready)d ready, %(refused)d refused") % {
            "ready": len(self.ready), "refused": len(self.items) - len(self.ready),
        }  # fmt: skip


def check_question(q: ParsedQuestion) -> list[str]:
    """Rules every imported question must meet, whatever its format: these, then its
    type's own (`QuestionKind.check`)."""
    errors = []
    if not question_types.is_registered(q.qtype):
        return [_("unknown question type “%(type)s”.") % {"type": q.qtype}]
    if not q.text.strip():
        errors.append(_("the question has no text."))
    if not 1 <= q.points <= 100:
        errors.append(_("points must be between 1 and 100."))
    if not 0 <= Decimal(q.penalty) <= 1:
        errors.append(_("the penalty must be between 0 and 1."))
    for c in q.choices:
        if not -100 <= c.weight <= 100:
            errors.append(_("a weight must be between -100 and 100 (%%)."))
            break
        if len(c.match_text) > 255:
            errors.append(_("a matching item is longer than 255 characters."))
            break
    return errors + question_types.get(q.qtype).check(q)


def finish_result(
    questions: list[ParsedQuestion], problems: list[Problem], refused: list[ImportItem] = ()
) -> ParseResult:
    """The result: each question checked, one item per question (and per refused block
    `refused`, or per line of `problems` naming no question), in the file's order."""
    items = list(refused)
    for q in questions:
        reasons = check_question(q)
        problems.extend(Problem(q.line, message) for message in reasons)
        items.append(ImportItem(q.line, q.qtype, q.title or first_words(q.text), q, reasons))
    if not questions and not problems:
        problems.append(Problem(1, _("the file contains no question."), whole_file=True))
    if len(questions) > max_questions():
        message = _("at most %(n)d questions per file.") % {"n": max_questions()}
        problems.append(Problem(1, message, whole_file=True))
    known = {item.line for item in items}
    for problem in problems:  # a row or block that gave no question (Aiken, XLSX)
        if problem.line not in known and not problem.whole_file:
            items.append(ImportItem(problem.line, "", "", None, [problem.message]))
            known.add(problem.line)
    for problem in problems:  # a second reason for a refused row
        item = next(i for i in items if i.line == problem.line) if problem.line in known else None
        if item and item.question is None and problem.message not in item.reasons:
            item.reasons.append(problem.message)
    problems.sort(key=lambda p: p.line)
    items.sort(key=lambda i: i.line)
    return ParseResult(questions, problems, items)


def decode_text(data: bytes) -> tuple[str | None, Problem | None]:
    too_big = _size_problem(len(data))
    if too_big:
        return None, too_big
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("the file is not UTF-8 text. Save it as UTF-8 and try again.")
        return None, Problem(1, message, whole_file=True)
    return nfc(text).replace("\r\n", "\n").replace("\r", "\n"), None


# --- GIFT -------------------------------------------------------------------------------

_PRAGMA = re.compile(r"\[(tag|hocso):([^\]]+)\]")


def _blocks(text: str):
    """(first line number, comment lines, [(line number, line)]) per blank-line-separated
    block; a `$CATEGORY:` line is a block of its own."""
    block, comments, start = [], [], None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(stripped[2:])
            continue
        if not stripped:
            if block:
                yield start, comments, block
                block, comments, start = [], [], None
            continue
        if stripped.startswith("$CATEGORY:") and not block:
            yield number, [], [(number, line)]
            continue
        if start is None:
            start = number
        block.append((number, line))
    if block:
        yield start, comments, block


def category_name(raw: str) -> str:
    name = raw.split(":", 1)[1].strip()
    for prefix in ("$course$/", "$system$/", "$module$/", "$cat1$/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name.startswith("top/"):
        name = name[4:]
    return "/".join(part.strip() for part in name.split("/") if part.strip())


def parse_gift(data: bytes, *, default_category: str = "") -> ParseResult:
    text, problem = decode_text(data)
    if problem:
        return ParseResult([], [problem])
    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    refused: list[ImportItem] = []
    category = default_category
    for start, comments, lines in _blocks(text):
        first = lines[0][1].strip()
        if first.startswith("$CATEGORY:"):
            category = category_name(first)
            if not category:
                problems.append(Problem(start, _("the $CATEGORY line has no name.")))
            continue
        try:
            question = _parse_gift_question(start, lines, comments)
        except GiftError as exc:
            problems.append(Problem(exc.line, exc.message))
            refused.append(ImportItem(exc.line, exc.qtype, _gift_name(lines), None, [exc.message]))
        else:
            question.category = category
            questions.append(question)
    return finish_result(questions, problems, refused)


def _gift_name(lines) -> str:
    """A refused block's name: its title, or the first words of its text."""
    source = gift_protect(" ".join(line for _n, line in lines)).split("{")[0].strip()
    if source.startswith("::") and source.find("::", 2) != -1:
        return gift_restore(source[2 : source.find("::", 2)])
    return first_words(split_marker(gift_restore(source))[1])


# An answer part's type by its syntax alone, for a question whose type is not installed.
_GIFT_SYNTAX_TYPES = (
    ("essay", lambda body: not body, _lazy("essay questions (empty braces {}) are not supported.")),
    ("numerical", lambda body: body[:1] == "#",
     _lazy("numerical questions ({#…}) are not supported.")),
)  # fmt: skip


def _parse_gift_question(start, lines, comments) -> ParsedQuestion:
    source = gift_protect("\n".join(line for _n, line in lines))
    tags, pragmas = [], {}
    for comment in comments:
        for kind, value in _PRAGMA.findall(comment):
            if kind == "tag":
                tags.append(nfc(value.strip()))
            else:
                key, _sep, arg = value.partition("=")
                pragmas[key.strip()] = arg.strip()
    title = ""
    stripped = source.lstrip()
    if stripped.startswith("::"):
        end = stripped.find("::", 2)
        if end == -1:
            raise GiftError(start, _("the title is not closed with “::”."))
        title = gift_restore(stripped[2:end])
        source = stripped[end + 2 :]
    q = ParsedQuestion(
        line=start, qtype="", text="", title=title, tags=tags,
        partial_credit="partial" in pragmas, ignore_diacritics="ignore-diacritics" in pragmas,
        case_sensitive="case-sensitive" in pragmas,
        shuffle_choices="no-shuffle" not in pragmas, file_format="gift",
    )  # fmt: skip
    if "penalty" in pragmas:
        try:
            q.penalty = penalty_text(pragmas["penalty"])
        except (ArithmeticError, ValueError):
            raise GiftError(start, _("[hocso:penalty=N] needs a number from 0 to 1.")) from None
    if "points" in pragmas:
        try:
            q.points = int(pragmas["points"])
        except ValueError:
            raise GiftError(start, _("[hocso:points=N] needs a whole number.")) from None
    open_at = source.find("{")
    if open_at == -1:
        # No answer part: Moodle's description item (text shown between questions).
        if "}" in source:
            raise GiftError(start, _("a } without its { must be escaped as \\}."))
        text_format, text = split_marker(gift_restore(source))
        return _gift_described(q, text_format, text, start)
    close_at = source.find("}", open_at)
    if close_at == -1:
        line = start + source[:open_at].count("\n")
        raise GiftError(line, _("the answer part opened with { is not closed with }."))
    if source.find("{", open_at + 1, close_at) != -1:
        line = start + source[:open_at].count("\n")
        raise GiftError(line, _("a { inside the answers must be escaped as \\{."))
    before, answers, after = (
        source[:open_at],
        source[open_at + 1 : close_at],
        source[close_at + 1 :],
    )
    if "{" in after or "}" in after:
        raise GiftError(start, _("a question may have only one answer part { … }."))
    text_format, question_text = split_marker(gift_restore(before))
    if gift_restore(after):
        # Missing word: the answers stand where the blank is.
        question_text = f"{question_text} {MISSING_WORD} {gift_restore(after)}".strip()
    answer_line = start + source[:open_at].count("\n")
    feedback_format, general_feedback = None, ""
    if "####" in answers:
        answers, general_feedback = answers.split("####", 1)
        feedback_format, general_feedback = split_marker(gift_restore(general_feedback))
    q.text, q.general_feedback = question_text, general_feedback
    body = GiftAnswers(answers.strip(), pragmas, answer_line)
    for code, matches, message in _GIFT_SYNTAX_TYPES:
        if matches(body.body) and not question_types.is_registered(code):
            raise GiftError(answer_line, str(message), qtype=code)
    for kind in sorted(question_types.kinds(), key=lambda k: k.gift_priority):
        if kind.from_gift(body, q):
            unify_formats(q, text_format, feedback_format)
            return q
    raise GiftError(answer_line, _("each answer starts with = (right) or ~ (wrong)."))


def _gift_described(q: ParsedQuestion, text_format, text: str, line: int) -> ParsedQuestion:
    if not question_types.is_registered("description"):
        raise GiftError(
            line, _("the question has no answer part in braces { … }. Escape a literal { as \\{.")
        )
    q.qtype, q.text = "description", text
    unify_formats(q, text_format, None)
    return q


def unify_formats(q: ParsedQuestion, text_format, feedback_format) -> None:
    """One format for the whole question (formats.unify), GIFT's and Moodle XML's: the
    question text's, or Moodle's default [moodle]; each part in another format becomes HTML."""
    rich = question_types.get(q.qtype).rich_choices
    parts = [(text_format, q.text)]
    if q.general_feedback:
        parts.append((feedback_format, q.general_feedback))
    for c in q.choices:
        if rich:
            parts.append((c.text_format, c.text))
        if c.feedback:
            parts.append((c.feedback_format, c.feedback))
    q.text_format, texts = formats.unify(parts, text_format or formats.TextFormat.MOODLE)
    texts = iter(texts)
    q.text = next(texts)
    if q.general_feedback:
        q.general_feedback = next(texts)
    for c in q.choices:
        if rich:
            c.text = next(texts)
        if c.feedback:
            c.feedback = next(texts)


MISSING_WORD = "_____"


def export_gift(questions: list[ParsedQuestion]) -> str:
    """GIFT text for these questions, grouped by category (import gives them back)."""
    lines = ["// HọcSố question bank export (GIFT, UTF-8)", ""]
    current = None
    for q in questions:
        if q.category != current and q.category:  # (a file read without one has none)
            current = q.category
            lines += [f"$CATEGORY: {current}", ""]
        kind = question_types.get(q.qtype)
        pragmas = [f"[tag:{t}]" for t in q.tags] + kind.gift_pragmas(q)
        if q.ignore_diacritics:
            pragmas.append("[hocso:ignore-diacritics]")
        if q.case_sensitive:
            pragmas.append("[hocso:case-sensitive]")
        if q.points != 1:
            pragmas.append(f"[hocso:points={q.points}]")
        if not q.shuffle_choices:
            pragmas.append("[hocso:no-shuffle]")
        if q.penalty != DEFAULT_PENALTY:
            pragmas.append(f"[hocso:penalty={q.penalty}]")
        if pragmas:
            lines.append("// " + " ".join(pragmas))
        head = f"::{gift_escape(q.title)}::" if q.title else ""
        if q.text_format != formats.TextFormat.MOODLE:  # GIFT's default needs no marker
            head += f"[{q.text_format}]"
        if not kind.graded:
            lines += [f"{head}{gift_escape(q.text)}", ""]
            continue
        before, blank, after = q.text.partition(f" {MISSING_WORD} ")
        lines.append(f"{head}{gift_escape(before)} {{")
        lines += [f"\t{item}" for item in kind.to_gift(q)]
        if q.general_feedback:
            lines.append(f"\t####{gift_escape(q.general_feedback)}")
        lines += [f"}} {gift_escape(after)}" if blank else "}", ""]
    return "\n".join(lines)


# --- Aiken ------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s+(.+)$")
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$", re.IGNORECASE)


def parse_aiken(data: bytes, *, default_category: str = "") -> ParseResult:
    """Aiken: a question line, options "A. …" or "A) …", then "ANSWER: B"."""
    text, problem = decode_text(data)
    if problem:
        return ParseResult([], [problem])
    questions, problems = [], []
    current: ParsedQuestion | None = None
    letters: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _AIKEN_ANSWER.match(line)
        option = _AIKEN_OPTION.match(line)
        if current is None:
            if answer or option:
                problems.append(Problem(number, _("an answer line comes before its question.")))
                continue
            current = ParsedQuestion(line=number, qtype=single.CODE, text=line,
                                     category=default_category)  # fmt: skip
            letters = []
        elif answer:
            letter = answer.group(1).upper()
            if letter not in letters:
                problems.append(
                    Problem(number, _("ANSWER: %(l)s is not one of the options.") % {"l": letter})
                )
            else:
                current.choices[letters.index(letter)].weight = 100
                questions.append(current)
            current = None
        elif option:
            letters.append(option.group(1).upper())
            current.choices.append(ParsedChoice(option.group(2).strip(), 0))
        elif not current.choices:
            current.text += "\n" + line
        else:
            problems.append(
                Problem(number, _("expected an option “A. …” or the line “ANSWER: A”."))
            )
    if current is not None:
        problems.append(Problem(current.line, _("the question has no “ANSWER:” line.")))
    return finish_result(questions, problems)


# --- XLSX -------------------------------------------------------------------------------

MAX_CHOICES = 8
XLSX_HEADERS = ["Nhóm", "Loại", "Tiêu đề", "Câu hỏi", "Điểm", "Tính điểm từng phần",
                "Bỏ qua dấu", "Nhận xét chung", "Thẻ"]  # fmt: skip
_YES = {"có", "co", "x", "1", "yes", "true", "đúng"}


def _choice_headers(i: int) -> list[str]:
    return [f"Đáp án {i}", f"Trọng số {i}", f"Ghép với {i}", f"Nhận xét {i}"]


# After the answer columns, so a workbook of the older template (without it) still reads.
FORMAT_HEADER = "Định dạng"
# An essay's rubric and word limits, a short answer's case sensitivity: after the format
# (older workbooks still read).
LATER_HEADERS = ["Hướng dẫn chấm", "Số từ tối thiểu", "Số từ tối đa", "Phân biệt hoa thường"]


def xlsx_all_headers() -> list[str]:
    headers = list(XLSX_HEADERS)
    for i in range(1, MAX_CHOICES + 1):
        headers += _choice_headers(i)
    return [*headers, FORMAT_HEADER, *LATER_HEADERS]


def parse_xlsx(data: bytes, *, default_category: str = "") -> ParseResult:
    """The project's template: one question per row from row 2, columns as XLSX_HEADERS,
    then up to 8 groups (answer, weight %, matches, feedback). Read by cms.spreadsheets:
    the size, the zip's directory (unpacked size, compression ratio) and the number of rows
    are checked before openpyxl opens anything."""
    try:
        spreadsheets.upload_check(
            io.BytesIO(data), kind="xlsx", size=len(data), max_bytes=max_file_bytes(),
            max_rows=max_questions(),
        )  # fmt: skip
    except spreadsheets.SpreadsheetError as exc:
        return ParseResult([], [Problem(1, str(exc), whole_file=True)])
    rows = spreadsheets.read_rows(data, kind="xlsx", max_rows=max_questions())
    return _parse_rows(rows, default_category=default_category)


def _parse_rows(rows, *, default_category: str) -> ParseResult:
    """The template's rows (lists of text cells, the header first) as questions."""
    questions, problems = [], []
    labels = {nfc(k.xlsx_label).casefold(): k.code for k in question_types.kinds()}
    number = 1
    try:
        header = next(rows, [])
        if header[: len(XLSX_HEADERS)] != XLSX_HEADERS:
            message = _("row 1 must be the template's header row.")
            return ParseResult([], [Problem(1, message, whole_file=True)])
        for number, row in enumerate(rows, start=2):
            question = _parse_row(number, row, labels, default_category, problems)
            if question is not None:
                questions.append(question)
    except spreadsheets.SpreadsheetError as exc:
        problems.append(Problem(number, str(exc), whole_file=True))
    finally:
        rows.close()
    return finish_result(questions, problems)


def _parse_row(number, row, labels, default_category, problems) -> ParsedQuestion | None:
    cells = row + [""] * len(xlsx_all_headers())
    if not any(cells):
        return None
    category, type_label, title, text, points, partial, ignore, general, tags = cells[:9]
    qtype = labels.get(
        type_label.casefold(), type_label if question_types.is_registered(type_label) else ""
    )
    if not qtype:
        problems.append(
            Problem(number, _("unknown question type “%(type)s”.") % {"type": type_label})
        )
        return None
    try:
        points_value = int(points) if points else 1
    except ValueError:
        problems.append(Problem(number, _("points must be a whole number.")))
        return None
    q = ParsedQuestion(
        line=number, qtype=qtype, text=text, category=category or default_category,
        title=title, general_feedback=general, points=points_value,
        partial_credit=partial.casefold() in _YES, ignore_diacritics=ignore.casefold() in _YES,
        tags=[t.strip() for t in tags.split(",") if t.strip()], file_format="xlsx",
    )  # fmt: skip
    text_format = cells[9 + 4 * MAX_CHOICES].strip().casefold()
    if text_format and text_format not in formats.TextFormat.values:
        problems.append(Problem(number, _("the format must be plain, moodle, html or markdown.")))
        return None
    q.text_format = text_format or formats.TextFormat.PLAIN
    rubric, min_words, max_words, case = cells[10 + 4 * MAX_CHOICES : 14 + 4 * MAX_CHOICES]
    q.grader_info = rubric
    q.case_sensitive = case.casefold() in _YES
    try:
        q.min_words = int(min_words) if min_words.strip() else None
        q.max_words = int(max_words) if max_words.strip() else None
    except ValueError:
        problems.append(Problem(number, _("a number of words must be a whole number.")))
        return None
    default = question_types.get(qtype).xlsx_default_weight
    for i in range(MAX_CHOICES):
        answer, weight, match, feedback = cells[9 + 4 * i : 13 + 4 * i]
        if not (answer or match):
            continue
        try:
            exact = weight_value(weight) if weight else default  # 33.33333 or 33,33333
        except ValueError:
            problems.append(Problem(number, _("a weight must be a number such as 100 or 50.")))
            return None
        q.choices.append(ParsedChoice(answer, exact, match, feedback))
    return q


def export_xlsx(questions: list[ParsedQuestion], *, example: bool = False) -> bytes:
    """The template workbook filled with these questions (import gives them back); with
    `example` a second sheet explains the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    # Every cell through cms.spreadsheets: a question starting with "=" stays text.
    spreadsheets.xlsx_append(sheet, xlsx_all_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in questions:
        row = [q.category, question_types.get(q.qtype).xlsx_label, q.title, q.text, q.points,
               "Có" if q.partial_credit else "", "Có" if q.ignore_diacritics else "",
               q.general_feedback, ", ".join(q.tags)]  # fmt: skip
        for c in q.choices[:MAX_CHOICES]:
            row += [c.text, weight_cell(c.weight), c.match_text, c.feedback]
        row += [""] * (len(XLSX_HEADERS) + 4 * MAX_CHOICES - len(row))
        spreadsheets.xlsx_append(
            sheet,
            [*row, q.text_format, q.grader_info, q.min_words or "", q.max_words or "",
             "Có" if q.case_sensitive else ""],
        )  # fmt: skip
    sheet.freeze_panes = "A2"
    if example:
        guide = workbook.create_sheet("Hướng dẫn")
        for line in xlsx_guide():
            spreadsheets.xlsx_append(guide, [line])
        guide.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def weight_cell(weight) -> int | Decimal:
    """A weight as a number cell, as exact as it is stored: 50, 33.33333."""
    text = weight_text(weight)
    return Decimal(text) if "." in text else int(text)


def xlsx_guide() -> list[str]:
    """The template's guide sheet: the columns, then what each type's rows hold."""
    labels = ", ".join(k.xlsx_label for k in question_types.kinds())
    return [
        "Mẫu nhập câu hỏi HọcSố: mỗi dòng của trang “Câu hỏi” là một câu hỏi, bắt đầu từ dòng 2.",
        "Nhóm: tên nhóm câu hỏi (ví dụ “Kỹ năng số/Lừa đảo”); để trống thì dùng nhóm chọn khi "
        "nhập.",
        f"Loại: {labels}.",
        "Điểm: số nguyên từ 1 đến 100 (mặc định 1).",
        "Tính điểm từng phần, Bỏ qua dấu: ghi “Có” để bật.",
        "Đáp án 1..8: nội dung đáp án. Trọng số: 100 là đúng, 0 là sai; từng phần như 50 hoặc "
        "33,33333 (giữ đúng đến 5 chữ số thập phân, như Moodle) khi tính điểm từng phần (tổng "
        "các đáp án đúng là 100).",
        *(line for k in question_types.kinds() for line in k.xlsx_guide),
        "Nhận xét: hiện cho người học khi xem lại bài (nếu bài kiểm tra cho phép).",
        "Định dạng: plain (văn bản thường, mặc định), moodle, html hoặc markdown; HTML luôn được "
        "làm sạch trước khi hiển thị.",
        "Hướng dẫn chấm, Số từ tối thiểu, Số từ tối đa: chỉ cho câu tự luận (người học không "
        "thấy hướng dẫn chấm).",
        "Phân biệt hoa thường: ghi “Có” để câu trả lời ngắn phải đúng chữ hoa, chữ thường.",
    ]


def example_questions() -> list[ParsedQuestion]:
    """The rows of the downloadable template: one question of each type."""
    return [kind.example("Mẫu/Kỹ năng số") for kind in question_types.kinds() if kind.graded]
