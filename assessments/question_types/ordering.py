"""Ordering: the items in their right order are the choices in bank order; they are
always served shuffled, never in the right order. Partial credit: the share of items in
their right place. GIFT: `// [hocso:ordering]` before `{=first =second =third}`."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.grading import unreadable
from assessments.question_types import base

CODE = "ordering"


class Ordering(base.QuestionKind, code=CODE, label=gettext_lazy("Ordering"), xlsx_label="Sắp xếp",
               uses_partial_credit=True, gift_priority=20):  # fmt: skip
    def widget(self, q):
        hint = escape(_("Give each item its place (1 is first)."))
        return "\n" + base.select_each(q, hint, q.positions, q.position_values) + "\n"

    xlsx_guide = ("Sắp xếp: ghi các mục theo đúng thứ tự; khi làm bài, thứ tự sẽ được xáo trộn.",)

    def check(self, q):
        if len(q.choices) < 2 or any(not c.text.strip() for c in q.choices):
            return [_("an ordering question needs at least two items.")]
        return []

    def from_gift(self, answers, q):
        if "ordering" not in answers.pragmas:
            return False
        q.qtype = CODE
        q.choices = [base.ParsedChoice(i.text, 0, "", i.feedback) for i in answers.items]
        return True

    def to_gift(self, q):
        return [f"={base.gift_escape(c.text)}{base.gift_feedback(c.feedback)}" for c in q.choices]

    def gift_pragmas(self, q):
        return ["[hocso:ordering]", *super().gift_pragmas(q)]

    def freeze(self, choices, *, shuffle, rng):
        # Always shuffled, and never served in the right order (it would be the answer).
        keys = [c.key for c in choices]
        shuffled = list(keys)
        while len(keys) > 1 and shuffled == keys:
            rng.shuffle(shuffled)
        return {"choices": shuffled}

    def from_post(self, entry, post, name):
        positions = {}
        for key in entry["choices"]:
            raw = post.get(f"{name}-{key}", "")
            if raw:
                try:
                    positions[key] = int(raw)
                except ValueError:
                    raise unreadable() from None
        if not positions:
            return None
        if len(positions) != len(entry["choices"]) or len(set(positions.values())) != len(
            positions
        ):
            raise unreadable(_("Give every item of an ordering question its own place."))
        return {"order": sorted(positions, key=positions.get)}

    def validate(self, entry, response):
        order = base.read_keys(response.get("order"), entry["choices"])
        if not order:
            return None
        if sorted(order) != sorted(entry["choices"]):
            raise unreadable(_("Give every item of an ordering question its own place."))
        return {"order": order}

    def grade(self, question, response):
        expected = [c.key for c in sorted(question.choices, key=lambda c: c.sort_order)]
        given = response.get("order", [])
        if given == expected:
            return Decimal(1)
        if question.partial_credit and expected:
            right = sum(1 for a, b in zip(given, expected, strict=False) if a == b)
            return Decimal(right) / len(expected)
        return Decimal(0)

    def correct_answers(self, question):
        return [c.text for c in sorted(question.choices, key=lambda c: c.sort_order)]

    def review(self, question, response):
        by_key = question.by_key
        return [by_key[k].text for k in response.get("order", []) if k in by_key], []

    def example(self, category):
        return base.ParsedQuestion(0, CODE, "Sắp xếp các bước chuyển khoản an toàn.", category,
                              choices=[base.ParsedChoice("Mở ứng dụng ngân hàng"),
                                       base.ParsedChoice("Kiểm tra tên người nhận"),
                                       base.ParsedChoice("Xác nhận bằng mã PIN")])  # fmt: skip


KIND = Ordering()
