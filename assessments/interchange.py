"""Question bank import and export: GIFT (Moodle), Aiken, and the project's XLSX template.

Parsers never touch the database: they return `ParseResult(questions, problems)`, each
problem with its line (GIFT, Aiken) or row (XLSX) number and a Vietnamese message, so a dry
run can list everything at once. `assessments.services.bank_import` writes the questions
in one transaction, and only when there is no problem at all.

GIFT as Moodle reads it: `::title::`, `$CATEGORY:`, `//` comments, `=`/`~` answers, `%50%`
weights, `#feedback`, `####general feedback`, `{T}`/`{F}` (`{T#if wrong#if right}`),
matching `=a -> b`, short answer `{=x =y}`, escapes `\\= \\~ \\# \\{ \\} \\: \\\\ \\n`.
Moodle's comment tags `// [tag:name]` become tags. What GIFT cannot say is kept in comment
pragmas that Moodle ignores: `// [hocso:ordering]` (the `=` items are in their right order),
`// [hocso:partial]`, `// [hocso:ignore-diacritics]`, `// [hocso:points=N]`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cms.text import nfc

TYPES = ("single", "multiple", "true_false", "short_answer", "ordering", "matching")
TRUE_TEXT, FALSE_TEXT = "Đúng", "Sai"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 2000


@dataclass
class ParsedChoice:
    text: str
    weight: int = 0
    match_text: str = ""
    feedback: str = ""


@dataclass
class ParsedQuestion:
    line: int
    qtype: str
    text: str
    category: str = ""
    title: str = ""
    general_feedback: str = ""
    points: int = 1
    partial_credit: bool = False
    ignore_diacritics: bool = False
    tags: list[str] = field(default_factory=list)
    choices: list[ParsedChoice] = field(default_factory=list)

    def signature(self) -> tuple:
        """What makes two questions the same (tests compare export→import by this)."""
        return (
            self.category, self.qtype, self.title, self.text, self.general_feedback,
            self.points, self.partial_credit, self.ignore_diacritics, tuple(sorted(self.tags)),
            tuple((c.text, c.weight, c.match_text, c.feedback) for c in self.choices),
        )  # fmt: skip


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self):
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ParseResult:
    questions: list[ParsedQuestion]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.questions)


def check_question(q: ParsedQuestion) -> list[str]:
    """Rules every imported question must meet, whatever its format."""
    errors = []
    if q.qtype not in TYPES:
        return [_("unknown question type “%(type)s”.") % {"type": q.qtype}]
    if not q.text.strip():
        errors.append(_("the question has no text."))
    if not 1 <= q.points <= 100:
        errors.append(_("points must be between 1 and 100."))
    for c in q.choices:
        if not -100 <= c.weight <= 100:
            errors.append(_("a weight must be between -100 and 100 (%%)."))
            break
        if len(c.match_text) > 255:
            errors.append(_("a matching item is longer than 255 characters."))
            break
    positive = [c for c in q.choices if c.weight > 0]
    if q.qtype == "single":
        if len(q.choices) < 2:
            errors.append(_("a single-choice question needs at least two answers."))
        elif max(c.weight for c in q.choices) != 100:
            errors.append(_("a single-choice question needs one answer worth 100%."))
    elif q.qtype == "multiple":
        if len(q.choices) < 2 or not positive:
            errors.append(_("a multiple-choice question needs answers, at least one right."))
        elif q.partial_credit and abs(sum(c.weight for c in positive) - 100) > 1:
            errors.append(_("the right answers' weights must add up to 100%."))
    elif q.qtype == "true_false":
        if len(q.choices) != 2 or sorted(c.weight for c in q.choices) != [0, 100]:
            errors.append(_("a true/false question needs exactly one right answer."))
    elif q.qtype == "short_answer":
        if not positive or any(not c.text.strip() for c in q.choices):
            errors.append(_("a short-answer question needs at least one accepted answer."))
    elif q.qtype == "ordering":
        if len(q.choices) < 2 or any(not c.text.strip() for c in q.choices):
            errors.append(_("an ordering question needs at least two items."))
    elif q.qtype == "matching":
        pairs = [c for c in q.choices if c.text.strip()]
        if len(pairs) < 2 or any(not c.match_text.strip() for c in q.choices):
            errors.append(_("a matching question needs at least two pairs “item -> match”."))
    return errors


def _finish(questions: list[ParsedQuestion], problems: list[Problem]) -> ParseResult:
    for q in questions:
        for message in check_question(q):
            problems.append(Problem(q.line, message))
    if not questions and not problems:
        problems.append(Problem(1, _("the file contains no question.")))
    if len(questions) > MAX_QUESTIONS:
        problems.append(Problem(1, _("at most %(n)d questions per file.") % {"n": MAX_QUESTIONS}))
    problems.sort(key=lambda p: p.line)
    return ParseResult(questions, problems)


def decode_text(data: bytes) -> tuple[str | None, Problem | None]:
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(1, _("the file is larger than 2 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, Problem(1, _("the file is not UTF-8 text. Save it as UTF-8 and try again."))
    return nfc(text).replace("\r\n", "\n").replace("\r", "\n"), None


# --- GIFT -------------------------------------------------------------------------------

# Escaped characters are swapped for private-use code points while parsing.
_ESCAPES = {"\\\\": "\ue000", "\\=": "\ue001", "\\~": "\ue002", "\\#": "\ue003",
            "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}  # fmt: skip
_RESTORE = {"\ue000": "\\", "\ue001": "=", "\ue002": "~", "\ue003": "#", "\ue004": "{",
            "\ue005": "}", "\ue006": ":", "\ue007": "\n"}  # fmt: skip
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_PRAGMA = re.compile(r"\[(tag|hocso):([^\]]+)\]")


def _protect(text: str) -> str:
    for escaped, mark in _ESCAPES.items():
        text = text.replace(escaped, mark)
    return text


def _restore(text: str) -> str:
    for mark, char in _RESTORE.items():
        text = text.replace(mark, char)
    return text.strip()


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


def _category_name(raw: str) -> str:
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
    category = default_category
    for start, comments, lines in _blocks(text):
        first = lines[0][1].strip()
        if first.startswith("$CATEGORY:"):
            category = _category_name(first)
            if not category:
                problems.append(Problem(start, _("the $CATEGORY line has no name.")))
            continue
        try:
            question = _parse_gift_question(start, lines, comments)
        except _GiftError as exc:
            problems.append(Problem(exc.line, exc.message))
        else:
            if question is not None:
                question.category = category
                questions.append(question)
    return _finish(questions, problems)


class _GiftError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _parse_gift_question(start, lines, comments) -> ParsedQuestion | None:
    source = _protect("\n".join(line for _n, line in lines))
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
            raise _GiftError(start, _("the title is not closed with “::”."))
        title = _restore(stripped[2:end])
        source = stripped[end + 2 :]
    open_at = source.find("{")
    if open_at == -1:
        raise _GiftError(
            start, _("the question has no answer part in braces { … }. Escape a literal { as \\{.")
        )
    close_at = source.find("}", open_at)
    if close_at == -1:
        line = start + source[:open_at].count("\n")
        raise _GiftError(line, _("the answer part opened with { is not closed with }."))
    if source.find("{", open_at + 1, close_at) != -1:
        line = start + source[:open_at].count("\n")
        raise _GiftError(line, _("a { inside the answers must be escaped as \\{."))
    before, answers, after = (
        source[:open_at],
        source[open_at + 1 : close_at],
        source[close_at + 1 :],
    )
    if "{" in after or "}" in after:
        raise _GiftError(start, _("a question may have only one answer part { … }."))
    for marker in ("[html]", "[moodle]", "[plain]", "[markdown]"):
        before = before.replace(marker, "", 1) if before.lstrip().startswith(marker) else before
    question_text = _restore(before)
    if _restore(after):
        question_text = f"{question_text} _____ {_restore(after)}".strip()
    answer_line = start + source[:open_at].count("\n")
    general_feedback = ""
    if "####" in answers:
        answers, general_feedback = answers.split("####", 1)
        general_feedback = _restore(general_feedback)
    q = ParsedQuestion(
        line=start, qtype="single", text=question_text, title=title,
        general_feedback=general_feedback, tags=tags,
        partial_credit="partial" in pragmas, ignore_diacritics="ignore-diacritics" in pragmas,
    )  # fmt: skip
    if "points" in pragmas:
        try:
            q.points = int(pragmas["points"])
        except ValueError:
            raise _GiftError(start, _("[hocso:points=N] needs a whole number.")) from None
    body = answers.strip()
    if not body:
        raise _GiftError(answer_line, _("essay questions (empty braces {}) are not supported."))
    if body.startswith("#"):
        raise _GiftError(answer_line, _("numerical questions ({#…}) are not supported."))
    tf = re.fullmatch(r"(T|F|TRUE|FALSE)((?:#[^#]*){0,2})", body, flags=re.IGNORECASE)
    if tf:
        is_true = tf.group(1).upper().startswith("T")
        parts = tf.group(2).split("#")[1:] if tf.group(2) else []
        wrong_fb = _restore(parts[0]) if parts else ""
        right_fb = _restore(parts[1]) if len(parts) > 1 else ""
        q.qtype = "true_false"
        q.choices = [
            ParsedChoice(TRUE_TEXT, 100 if is_true else 0, "", right_fb if is_true else wrong_fb),
            ParsedChoice(FALSE_TEXT, 0 if is_true else 100, "", wrong_fb if is_true else right_fb),
        ]
        return q
    items = _answer_items(body, answer_line)
    if "ordering" in pragmas:
        q.qtype = "ordering"
        q.choices = [ParsedChoice(text, 0, "", fb) for _sign, _w, text, fb in items]
        return q
    if any("->" in text for _sign, _w, text, _fb in items):
        q.qtype = "matching"
        for sign, _w, text, fb in items:
            if sign != "=" or "->" not in text:
                raise _GiftError(answer_line, _("every matching item is written “=item -> match”."))
            left, right = text.split("->", 1)
            q.choices.append(ParsedChoice(left.strip(), 0, right.strip(), fb))
        return q
    signs = {sign for sign, *_rest in items}
    if signs == {"="}:
        q.qtype = "short_answer"
        q.choices = [ParsedChoice(t, 100 if w is None else w, "", fb) for _s, w, t, fb in items]
        return q
    equals = [i for i in items if i[0] == "="]
    for sign, weight, text, fb in items:
        default = 100 if sign == "=" else 0
        q.choices.append(ParsedChoice(text, default if weight is None else weight, "", fb))
    if len(equals) == 1:
        q.qtype = "single"
    elif len(equals) > 1:
        q.qtype = "multiple"  # several "=" answers: choose them all (all or nothing)
    else:
        q.qtype = "multiple"
        q.partial_credit = True  # "~%50%" weights: Moodle's multiple-answer question
    return q


def _answer_items(body: str, line: int) -> list[tuple[str, int | None, str, str]]:
    """[(sign, weight or None, text, feedback)] from the inside of { }."""
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise _GiftError(line, _("each answer starts with = (right) or ~ (wrong)."))
    items = []
    for sign, chunk in zip(parts[1::2], parts[2::2], strict=True):
        chunk = chunk.strip()
        weight = None
        match = _WEIGHT.match(chunk)
        if match:
            try:
                weight = round(float(match.group(1).replace(",", ".")))
            except ValueError:
                raise _GiftError(line, _("a weight is written like %%50%%.")) from None
            chunk = chunk[match.end() :]
        text, _sep, feedback = chunk.partition("#")
        text = _restore(text)
        if not text and sign == "~":
            raise _GiftError(line, _("an answer is empty."))
        items.append((sign, weight, text, _restore(feedback)))
    if not items:
        raise _GiftError(line, _("each answer starts with = (right) or ~ (wrong)."))
    return items


def _esc(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in "=~#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\n")


def export_gift(questions: list[ParsedQuestion]) -> str:
    """GIFT text for these questions, grouped by category (import gives them back)."""
    lines = ["// HọcSố question bank export (GIFT, UTF-8)", ""]
    current = None
    for q in questions:
        if q.category != current:
            current = q.category
            lines += [f"$CATEGORY: {current}", ""]
        pragmas = [f"[tag:{t}]" for t in q.tags]
        if q.qtype == "ordering":
            pragmas.append("[hocso:ordering]")
        if q.partial_credit and q.qtype in ("multiple", "ordering", "matching"):
            pragmas.append("[hocso:partial]")
        if q.ignore_diacritics:
            pragmas.append("[hocso:ignore-diacritics]")
        if q.points != 1:
            pragmas.append(f"[hocso:points={q.points}]")
        if pragmas:
            lines.append("// " + " ".join(pragmas))
        head = f"::{_esc(q.title)}::" if q.title else ""
        lines.append(f"{head}{_esc(q.text)} {{")
        lines += [f"\t{item}" for item in _gift_items(q)]
        if q.general_feedback:
            lines.append(f"\t####{_esc(q.general_feedback)}")
        lines += ["}", ""]
    return "\n".join(lines)


def _fb(feedback: str) -> str:
    return f"#{_esc(feedback)}" if feedback else ""


def _gift_items(q: ParsedQuestion) -> list[str]:
    if q.qtype == "true_false":
        right = next(c for c in q.choices if c.weight == 100)
        wrong = next(c for c in q.choices if c.weight != 100)
        is_true = right.text == TRUE_TEXT or right is q.choices[0]
        token = "TRUE" if is_true else "FALSE"
        if right.feedback or wrong.feedback:
            return [f"{token}#{_esc(wrong.feedback)}#{_esc(right.feedback)}"]
        return [token]
    if q.qtype == "ordering":
        return [f"={_esc(c.text)}{_fb(c.feedback)}" for c in q.choices]
    if q.qtype == "matching":
        return [f"={_esc(c.text)} -> {_esc(c.match_text)}{_fb(c.feedback)}" for c in q.choices]
    if q.qtype == "short_answer":
        return [
            f"={'' if c.weight == 100 else f'%{c.weight}%'}{_esc(c.text)}{_fb(c.feedback)}"
            for c in q.choices
        ]
    if q.qtype == "multiple" and not q.partial_credit:
        return [f"{'=' if c.weight > 0 else '~'}{_esc(c.text)}{_fb(c.feedback)}" for c in q.choices]
    if q.qtype == "multiple":
        return [f"~%{c.weight}%{_esc(c.text)}{_fb(c.feedback)}" for c in q.choices]
    items = []
    for c in q.choices:  # single
        if c.weight == 100:
            items.append(f"={_esc(c.text)}{_fb(c.feedback)}")
        elif c.weight:
            items.append(f"~%{c.weight}%{_esc(c.text)}{_fb(c.feedback)}")
        else:
            items.append(f"~{_esc(c.text)}{_fb(c.feedback)}")
    return items


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
            current = ParsedQuestion(line=number, qtype="single", text=line,
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
    return _finish(questions, problems)


# --- XLSX -------------------------------------------------------------------------------

MAX_CHOICES = 8
XLSX_HEADERS = ["Nhóm", "Loại", "Tiêu đề", "Câu hỏi", "Điểm", "Tính điểm từng phần",
                "Bỏ qua dấu", "Nhận xét chung", "Thẻ"]  # fmt: skip
TYPE_LABELS = {"single": "Một lựa chọn", "multiple": "Nhiều lựa chọn",
               "true_false": "Đúng/Sai", "short_answer": "Trả lời ngắn",
               "ordering": "Sắp xếp", "matching": "Ghép đôi"}  # fmt: skip
_LABEL_TYPES = {nfc(label).casefold(): code for code, label in TYPE_LABELS.items()}
_YES = {"có", "co", "x", "1", "yes", "true", "đúng"}


def _choice_headers(i: int) -> list[str]:
    return [f"Đáp án {i}", f"Trọng số {i}", f"Ghép với {i}", f"Nhận xét {i}"]


def xlsx_all_headers() -> list[str]:
    headers = list(XLSX_HEADERS)
    for i in range(1, MAX_CHOICES + 1):
        headers += _choice_headers(i)
    return headers


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def parse_xlsx(data: bytes, *, default_category: str = "") -> ParseResult:
    """The project's template: one question per row from row 2, columns as XLSX_HEADERS,
    then up to 8 groups (answer, weight %, matches, feedback)."""
    import defusedxml  # noqa: F401 - openpyxl uses it, when installed, against XML bombs
    from openpyxl import load_workbook

    if len(data) > MAX_FILE_BYTES:
        return ParseResult([], [Problem(1, _("the file is larger than 2 MB."))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not XLSX
        return ParseResult([], [Problem(1, _("the file is not an Excel (.xlsx) workbook."))])
    sheet = workbook.worksheets[0]
    questions, problems = [], []
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, [])]
    if header[: len(XLSX_HEADERS)] != XLSX_HEADERS:
        workbook.close()
        return ParseResult([], [Problem(1, _("row 1 must be the template's header row."))])
    for number, row in enumerate(rows, start=2):
        cells = [_cell(v) for v in row] + [""] * len(xlsx_all_headers())
        if not any(cells):
            continue
        if number > MAX_QUESTIONS + 1:
            problems.append(
                Problem(number, _("at most %(n)d questions per file.") % {"n": MAX_QUESTIONS})
            )
            break
        category, type_label, title, text, points, partial, ignore, general, tags = cells[:9]
        qtype = _LABEL_TYPES.get(type_label.casefold(), type_label if type_label in TYPES else "")
        if not qtype:
            problems.append(
                Problem(number, _("unknown question type “%(type)s”.") % {"type": type_label})
            )
            continue
        try:
            points_value = int(points) if points else 1
        except ValueError:
            problems.append(Problem(number, _("points must be a whole number.")))
            continue
        q = ParsedQuestion(
            line=number, qtype=qtype, text=text, category=category or default_category,
            title=title, general_feedback=general, points=points_value,
            partial_credit=partial.casefold() in _YES, ignore_diacritics=ignore.casefold() in _YES,
            tags=[t.strip() for t in tags.split(",") if t.strip()],
        )  # fmt: skip
        bad_weight = False
        for i in range(MAX_CHOICES):
            answer, weight, match, feedback = cells[9 + 4 * i : 13 + 4 * i]
            if not (answer or match):
                continue
            default = 100 if qtype == "short_answer" else 0
            try:
                weight_value = (
                    round(float(weight.replace(",", ".").rstrip("%"))) if weight else default
                )
            except ValueError:
                bad_weight = True
                weight_value = 0
            q.choices.append(ParsedChoice(answer, weight_value, match, feedback))
        if bad_weight:
            problems.append(Problem(number, _("a weight must be a number such as 100 or 50.")))
            continue
        questions.append(q)
    workbook.close()
    return _finish(questions, problems)


def export_xlsx(questions: list[ParsedQuestion], *, example: bool = False) -> bytes:
    """The template workbook filled with these questions (import gives them back); with
    `example` a second sheet explains the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    sheet.append(xlsx_all_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in questions:
        row = [q.category, TYPE_LABELS[q.qtype], q.title, q.text, q.points,
               "Có" if q.partial_credit else "", "Có" if q.ignore_diacritics else "",
               q.general_feedback, ", ".join(q.tags)]  # fmt: skip
        for c in q.choices[:MAX_CHOICES]:
            row += [c.text, c.weight, c.match_text, c.feedback]
        sheet.append(row)
    sheet.freeze_panes = "A2"
    if example:
        guide = workbook.create_sheet("Hướng dẫn")
        for line in XLSX_GUIDE:
            guide.append([line])
        guide.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_GUIDE = [
    "Mẫu nhập câu hỏi HọcSố: mỗi dòng của trang “Câu hỏi” là một câu hỏi, bắt đầu từ dòng 2.",
    "Nhóm: tên nhóm câu hỏi (ví dụ “Kỹ năng số/Lừa đảo”); để trống thì dùng nhóm chọn khi nhập.",
    "Loại: Một lựa chọn, Nhiều lựa chọn, Đúng/Sai, Trả lời ngắn, Sắp xếp, Ghép đôi.",
    "Điểm: số nguyên từ 1 đến 100 (mặc định 1).",
    "Tính điểm từng phần, Bỏ qua dấu: ghi “Có” để bật.",
    "Đáp án 1..8: nội dung đáp án. Trọng số: 100 là đúng, 0 là sai; từng phần như 50 khi tính "
    "điểm từng phần (tổng các đáp án đúng là 100).",
    "Đúng/Sai: Đáp án 1 là “Đúng”, Đáp án 2 là “Sai”; ghi trọng số 100 cho đáp án đúng.",
    "Trả lời ngắn: mỗi đáp án được chấp nhận một cột, trọng số 100.",
    "Sắp xếp: ghi các mục theo đúng thứ tự; khi làm bài, thứ tự sẽ được xáo trộn.",
    "Ghép đôi: Đáp án là mục bên trái, “Ghép với” là mục bên phải tương ứng.",
    "Nhận xét: hiện cho người học khi xem lại bài (nếu bài kiểm tra cho phép).",
]


def example_questions() -> list[ParsedQuestion]:
    """The rows of the downloadable template: one question of each type."""
    cat = "Mẫu/Kỹ năng số"
    return [
        ParsedQuestion(0, "single", "Số điện thoại khẩn cấp gọi cấp cứu là số nào?", cat,
                       choices=[ParsedChoice("115", 100, "", "Đúng."), ParsedChoice("113", 0),
                                ParsedChoice("114", 0)]),
        ParsedQuestion(0, "multiple", "Thông tin nào không được cho người lạ biết?", cat,
                       partial_credit=True,
                       choices=[ParsedChoice("Mã OTP", 50), ParsedChoice("Mật khẩu", 50),
                                ParsedChoice("Tên tỉnh đang sống", -100)]),
        ParsedQuestion(0, "true_false", "Ngân hàng không bao giờ gọi điện xin mã OTP.", cat,
                       choices=[ParsedChoice(TRUE_TEXT, 100), ParsedChoice(FALSE_TEXT, 0)]),
        ParsedQuestion(0, "short_answer", "Ứng dụng định danh điện tử quốc gia tên là gì?", cat,
                       ignore_diacritics=True, choices=[ParsedChoice("VNeID", 100)]),
        ParsedQuestion(0, "ordering", "Sắp xếp các bước chuyển khoản an toàn.", cat,
                       choices=[ParsedChoice("Mở ứng dụng ngân hàng"),
                                ParsedChoice("Kiểm tra tên người nhận"),
                                ParsedChoice("Xác nhận bằng mã PIN")]),
        ParsedQuestion(0, "matching", "Ghép số điện thoại với dịch vụ.", cat,
                       choices=[ParsedChoice("113", 0, "Công an"),
                                ParsedChoice("114", 0, "Cứu hỏa"),
                                ParsedChoice("115", 0, "Cấp cứu")]),
    ]  # fmt: skip


PARSERS = {"gift": parse_gift, "aiken": parse_aiken, "xlsx": parse_xlsx}
