"""Pure grading and answer validation: no database, no clock.

`validate_responses` turns a submitted answers dict into clean responses or raises
AttemptError; `grade_response` gives one question's fraction of its mark (0..1).
The shapes are documented in assessments/models.py.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from cms.text import fold, nfc

MAX_TEXT_ANSWER = 500


class AttemptError(Exception):
    """A refused attempt operation. `message` is for the learner (Vietnamese via gettext);
    `code` is stable for code and tests. Nothing stored was changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def normalize_text_answer(text: str, ignore_diacritics: bool = False) -> str:
    """NFC, case folded, white space collapsed; `fold` also drops diacritics (đ→d)."""
    if ignore_diacritics:
        return fold(text)
    return " ".join(nfc(text).casefold().split())


def _key(value) -> str:
    if not isinstance(value, str) or not value or len(value) > 32:
        raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))
    return value


def validate_responses(frozen: dict, answers) -> dict:
    """Clean `answers` ({"version": 1, "responses": {...}}) against the frozen set.

    Refuses answers to a question not in the attempt and choices of another question;
    unanswered questions are simply absent.
    """
    if answers is None:
        return {}
    if not isinstance(answers, dict) or answers.get("version", 1) != 1:
        raise AttemptError("bad_answer", _("The answers could not be read. Reload the page."))
    responses = answers.get("responses", {})
    if not isinstance(responses, dict):
        raise AttemptError("bad_answer", _("The answers could not be read. Reload the page."))
    by_id = {str(q["id"]): q for q in frozen["questions"]}
    clean = {}
    for qid, response in responses.items():
        entry = by_id.get(str(qid))
        if entry is None:
            raise AttemptError(
                "unknown_question",
                _("An answer is for a question that is not in this attempt. Nothing was saved."),
            )
        if response in (None, "", {}):
            continue
        if not isinstance(response, dict):
            raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))
        cleaned = _validate_one(entry, response)
        if cleaned is not None:
            clean[str(qid)] = cleaned
    return clean


def _foreign() -> AttemptError:
    return AttemptError(
        "foreign_choice",
        _("An answer is not one of the question's choices. Nothing was saved."),
    )


def _validate_one(entry: dict, response: dict):
    qtype = entry["type"]
    own = set(entry["choices"])
    if qtype in ("single", "true_false"):
        key = response.get("choice")
        if key in (None, ""):
            return None
        if _key(key) not in own:
            raise _foreign()
        return {"choice": key}
    if qtype == "multiple":
        keys = response.get("choices") or []
        if not isinstance(keys, list):
            raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))
        keys = [_key(k) for k in keys]
        if not set(keys) <= own:
            raise _foreign()
        return {"choices": sorted(set(keys))} if keys else None
    if qtype == "short_answer":
        text = response.get("text", "")
        if not isinstance(text, str):
            raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))
        text = nfc(text).strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise AttemptError(
                "bad_answer",
                _("An answer is longer than %(max)d characters.") % {"max": MAX_TEXT_ANSWER},
            )
        return {"text": text} if text else None
    if qtype == "ordering":
        order = response.get("order") or []
        if not isinstance(order, list):
            raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))
        order = [_key(k) for k in order]
        if not order:
            return None
        if not set(order) <= own:
            raise _foreign()
        if sorted(order) != sorted(own):
            raise AttemptError(
                "bad_answer", _("Give every item of an ordering question its own place.")
            )
        return {"order": order}
    if qtype == "matching":
        pairs = response.get("pairs") or {}
        if not isinstance(pairs, dict):
            raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))
        options = set(entry.get("options", []))
        clean = {}
        for left, option in pairs.items():
            if option in (None, ""):
                continue
            if _key(left) not in own or _key(option) not in options:
                raise _foreign()
            clean[left] = option
        return {"pairs": clean} if clean else None
    raise AttemptError("bad_answer", _("An answer could not be read. Reload the page."))


@dataclass(frozen=True)
class ChoiceData:
    """What grading needs of a choice (built from the bank at submit time)."""

    key: str
    text: str
    weight: int
    match_text: str
    sort_order: int


def grade_response(
    qtype: str,
    choices: list[ChoiceData],
    response: dict | None,
    *,
    partial_credit: bool = False,
    ignore_diacritics: bool = False,
) -> Decimal:
    """The fraction of the question's mark earned, 0..1 (4 decimal places)."""
    if not response:
        return Decimal(0)
    by_key = {c.key: c for c in choices}
    fraction = Decimal(0)
    if qtype in ("single", "true_false"):
        choice = by_key.get(response.get("choice"))
        fraction = Decimal(max(0, choice.weight)) / 100 if choice else Decimal(0)
    elif qtype == "multiple":
        chosen = set(response.get("choices", []))
        if partial_credit:
            total = sum(by_key[k].weight for k in chosen if k in by_key)
            fraction = Decimal(min(100, max(0, total))) / 100
        else:
            right = {c.key for c in choices if c.weight > 0}
            fraction = Decimal(1 if chosen == right else 0)
    elif qtype == "short_answer":
        given = normalize_text_answer(response.get("text", ""), ignore_diacritics)
        best = 0
        for choice in choices:
            if normalize_text_answer(choice.text, ignore_diacritics) == given:
                best = max(best, choice.weight)
        fraction = Decimal(max(0, best)) / 100
    elif qtype == "ordering":
        expected = [c.key for c in sorted(choices, key=lambda c: c.sort_order)]
        given = response.get("order", [])
        if given == expected:
            fraction = Decimal(1)
        elif partial_credit and expected:
            right = sum(1 for a, b in zip(given, expected, strict=False) if a == b)
            fraction = Decimal(right) / len(expected)
    elif qtype == "matching":
        lefts = [c for c in choices if c.text]
        pairs = response.get("pairs", {})
        right = 0
        for left in lefts:
            option = by_key.get(pairs.get(left.key))
            if option and normalize_text_answer(option.match_text) == normalize_text_answer(
                left.match_text
            ):
                right += 1
        if lefts and right == len(lefts):
            fraction = Decimal(1)
        elif partial_credit and lefts:
            fraction = Decimal(right) / len(lefts)
    return fraction.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def correct_summary(qtype: str, choices: list[ChoiceData]) -> list[str]:
    """The right answer in words, for the review page (only when the policy allows)."""
    if qtype in ("single", "true_false", "multiple"):
        return [c.text for c in choices if c.weight > 0]
    if qtype == "short_answer":
        return [c.text for c in choices if c.weight == 100] or [
            c.text for c in choices if c.weight > 0
        ]
    if qtype == "ordering":
        return [c.text for c in sorted(choices, key=lambda c: c.sort_order)]
    if qtype == "matching":
        return [f"{c.text} → {c.match_text}" for c in choices if c.text]
    return []
