"""The question types: one module per type, each one `QuestionKind` (hooks in base.py), and
this registry, the only place that lists them.

Adding a question type: write its module here (a `QuestionKind` subclass with its answer
field, `widget`), then add the module to BUILT_IN below.
Nothing else in the app names a type: the model's choices, attempts, grading, review, the
GIFT and XLSX files and their template all ask the registry. (Another app may also call
`register` from its AppConfig.ready.)

    get(code)              -> the QuestionKind (UnknownQuestionType if none)
    kinds()                -> every type, in registration order
    choices()              -> [(code, label)]: Question.qtype's choices (a callable)
    validate_responses(frozen, answers) -> an attempt's answers checked question by question
    set_aside_unreadable(frozen, answers) -> (the readable answers, the mistyped numbers)
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.grading import AttemptError, unreadable
from assessments.question_types import (
    description,
    essay,
    matching,
    multiple,
    numerical,
    ordering,
    short_answer,
    single,
    true_false,
)
from assessments.question_types.base import QuestionKind

BUILT_IN = (
    single, multiple, true_false, short_answer, ordering, matching, numerical, essay, description,
)  # fmt: skip
DEFAULT = single.CODE
MAX_CODE_LENGTH = 20  # Question.qtype's max_length

_registry: dict[str, QuestionKind] = {}


class UnknownQuestionType(KeyError):
    pass


def register(kind: QuestionKind) -> QuestionKind:
    if not kind.code or len(kind.code) > MAX_CODE_LENGTH:
        raise ValueError(f"a question type's code has 1 to {MAX_CODE_LENGTH} characters: {kind!r}")
    if _registry.get(kind.code, kind) is not kind:
        raise ValueError(f"question type {kind.code!r} is registered already")
    _registry[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    """For tests that register a type of their own."""
    _registry.pop(code, None)


def get(code: str) -> QuestionKind:
    try:
        return _registry[code]
    except KeyError:
        raise UnknownQuestionType(code) from None


def is_registered(code) -> bool:
    return code in _registry


def kinds() -> tuple[QuestionKind, ...]:
    return tuple(_registry.values())


def choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in _registry.values()]


def label(code: str) -> str:
    """A type's name in words; an unknown code as it is."""
    kind = _registry.get(code)
    return kind.label if kind else code


def validate_responses(frozen: dict, answers) -> dict:
    """Clean `answers` ({"version": 1, "responses": {...}}) against the frozen set, each
    response by its question's type. Refuses answers to a question not in the attempt and
    choices of another question; unanswered questions are simply absent."""
    if answers is None:
        return {}
    if not isinstance(answers, dict) or answers.get("version", 1) != 1:
        raise unreadable(_("The answers could not be read. Reload the page."))
    responses = answers.get("responses", {})
    if not isinstance(responses, dict):
        raise unreadable(_("The answers could not be read. Reload the page."))
    by_id = {str(q["id"]): q for q in frozen["questions"]}
    clean = {}
    for qid, response in responses.items():
        entry = by_id.get(str(qid))
        if entry is None:
            raise AttemptError(
                _("An answer is for a question that is not in this attempt. Nothing was saved."),
                code="unknown_question",
            )
        if response in (None, "", {}):
            continue
        if not isinstance(response, dict):
            raise unreadable()
        kind = _registry.get(entry["type"])
        if kind is None:
            raise unreadable()
        cleaned = kind.validate(entry, response)
        if cleaned is not None:
            clean[str(qid)] = cleaned
    return clean


@dataclass(frozen=True)
class SetAside:
    """An answer typed but not readable (a number the learner mistyped): `number` is the
    question's 1-based place in the attempt, `text` what was typed, `message` why."""

    number: int
    question_id: str
    text: str
    message: str


def set_aside_unreadable(frozen: dict, answers: dict) -> tuple[dict, list[SetAside]]:
    """(answers without the typed answers that cannot be read, those answers): one mistyped
    number must not refuse every other answer. Only a type's `bad_number` refusal is set
    aside; any other refusal (a tampered page) stays for the service to refuse the lot."""
    responses = dict((answers or {}).get("responses") or {})
    aside = []
    for number, entry in enumerate(frozen["questions"], start=1):
        qid = str(entry["id"])
        response, kind = responses.get(qid), _registry.get(entry["type"])
        if not isinstance(response, dict) or kind is None:
            continue
        try:
            kind.validate(entry, response)
        except AttemptError as exc:
            if exc.code == numerical.BAD_NUMBER:
                del responses[qid]
                aside.append(SetAside(number, qid, str(response.get("text", "")), exc.message))
    return {**answers, "responses": responses}, aside


for _module in BUILT_IN:
    register(_module.KIND)
