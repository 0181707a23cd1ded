"""Matching: each choice pairs a left item (`text`) with its match (`match_text`); the
learner picks a match for every left item from the shuffled right-hand options. A choice
with no left item only adds a distractor to the options. As in Moodle, each right pair
earns its share of the mark (`partial_credit`, set by every import); all or nothing is an
option per question, which GIFT files carry as `// [hocso:all-or-nothing]`.
GIFT: `{=item -> match =item -> match}`; the right-hand items are plain text."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.formats import split_marker, to_plain
from assessments.grading import foreign_choice, normalize_text_answer, read_key, unreadable
from assessments.question_types import base
from assessments.question_types.base import gift_escape as esc

CODE = "matching"


def _right(left, option) -> bool:
    """Whether the option picked for `left` is its match (same text: options repeat)."""
    return option is not None and normalize_text_answer(option.match_text) == normalize_text_answer(
        left.match_text
    )


class Matching(base.QuestionKind, code=CODE, label=gettext_lazy("Matching"), xlsx_label="Ghép đôi",
               uses_partial_credit=True, gift_priority=30):  # fmt: skip
    def widget(self, q):
        hint = escape(_("Match each item with its pair."))
        return "\n" + base.select_each(q, hint, q.pairs, q.option_values) + "\n"

    xlsx_guide = ("Ghép đôi: Đáp án là mục bên trái, “Ghép với” là mục bên phải tương ứng.",)

    def check(self, q):
        pairs = [c for c in q.choices if c.text.strip()]
        if len(pairs) >= 2 and all(c.match_text.strip() for c in q.choices):
            return []
        if q.file_format == "xlsx":  # the template's columns (interchange._choice_headers)
            message = _(
                "a matching question needs at least two pairs, each item with its match: "
                "the item in a column “%(item)s N”, its match in “%(match)s N” (for example "
                "“%(item)s 1” and “%(match)s 1”)."
            ) % {"item": "Đáp án", "match": "Ghép với"}
        elif q.file_format == "gift":
            message = _("a matching question needs at least two pairs “item -> match”.")
        else:
            message = _("a matching question needs at least two pairs, each item with its match.")
        return [message]

    def from_gift(self, answers, q):
        if not any("->" in i.text for i in answers.items):
            return False
        q.qtype = CODE
        for item in answers.items:
            if item.sign != "=" or "->" not in item.text:
                raise base.GiftError(
                    answers.line, _("every matching item is written “=item -> match”.")
                )
            left, right = item.text.split("->", 1)
            _fmt, right = split_marker(right.strip())
            q.choices.append(
                base.ParsedChoice(
                    left.strip(),
                    0,
                    to_plain(right, _fmt or "plain"),
                    item.feedback,
                    item.text_format,
                    item.feedback_format,
                )
            )
        q.partial_credit = "all-or-nothing" not in answers.pragmas  # Moodle: per pair
        return True

    def gift_pragmas(self, q):
        return [] if q.partial_credit else ["[hocso:all-or-nothing]"]

    def to_gift(self, q):
        return [
            f"={esc(c.text)} -> {esc(c.match_text)}{base.gift_feedback(c.feedback)}"
            for c in q.choices
        ]

    def freeze(self, choices, *, shuffle, rng):
        lefts = [c.key for c in choices if c.text]
        if shuffle:
            rng.shuffle(lefts)
        first_by_text = {}
        for c in choices:
            first_by_text.setdefault(c.match_text.strip().casefold(), c.key)
        options = list(first_by_text.values())
        rng.shuffle(options)
        return {"choices": lefts, "options": options}

    def from_post(self, entry, post, name):
        pairs = {
            key: post.get(f"{name}-{key}") for key in entry["choices"] if post.get(f"{name}-{key}")
        }
        return {"pairs": pairs} if pairs else None

    def validate(self, entry, response):
        pairs = response.get("pairs") or {}
        if not isinstance(pairs, dict):
            raise unreadable()
        own, options = set(entry["choices"]), set(entry.get("options", []))
        clean = {}
        for left, option in pairs.items():
            if option in (None, ""):
                continue
            if read_key(left) not in own or read_key(option) not in options:
                raise foreign_choice()
            clean[left] = option
        return {"pairs": clean} if clean else None

    def grade(self, question, response):
        by_key = question.by_key
        lefts = [c for c in question.choices if c.text]
        pairs = response.get("pairs", {})
        right = 0
        for left in lefts:
            if _right(left, by_key.get(pairs.get(left.key))):
                right += 1
        if lefts and right == len(lefts):
            return Decimal(1)
        if question.partial_credit and lefts:
            return Decimal(right) / len(lefts)
        return Decimal(0)

    def correct_answers(self, question):
        return [f"{c.text} → {c.match_text}" for c in question.choices if c.text]

    def review(self, question, response):
        """The given pairs in the question's order, each marked right (✓) or wrong (✗,
        with the right match), as grade() counts them."""
        by_key, pairs = question.by_key, response.get("pairs", {})
        lines = []
        for left in question.choices:
            option = by_key.get(pairs.get(left.key))
            if not left.text or option is None:
                continue
            if _right(left, option):
                lines.append(f"{left.text} → {option.match_text} ✓")
            else:
                right = _("right: %(answer)s") % {"answer": left.match_text}
                lines.append(f"{left.text} → {option.match_text} ✗ ({right})")
        return lines, []

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Ghép số điện thoại với dịch vụ.", category,
                              partial_credit=True,
                              choices=[base.ParsedChoice("113", 0, "Công an"),
                                       base.ParsedChoice("114", 0, "Cứu hỏa"),
                                       base.ParsedChoice("115", 0, "Cấp cứu")])  # fmt: skip


KIND = Matching()
