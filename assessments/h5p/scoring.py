"""The maximum score of an H5P activity, from the package itself, never from a learner.

H5P scores in the browser: a statement's `result.score.max` is whatever the browser sends,
so a learner can post any max. The activity's maximum comes instead from (in this order):

1. the editor, who may type it on the package's admin form (`max_score_source` "editor");
2. the package's content, for the content types whose maximum follows from content.json
   alone, computed the way the library's own `getMaxScore()` does (read in the libraries'
   code, versions noted below) (`max_score_source` "package");
3. neither: each learner's first graded statement pins that learner's own maximum (a
   learner can only hurt themselves; nobody else is locked out). `max_score_source` "".

Content types computed here (any other type: None):
- H5P.TrueFalse 1.6: always 1 (MAX_SCORE).
- H5P.MultiChoice 1.14: `weight` (default 1) for a single-answer question (behaviour.type
  "single", or "auto" with exactly one correct answer) or with behaviour.singlePoint
  (default true); otherwise the sum of the correct answers' weights (1 each by default),
  or `weight` when no answer is correct.
- H5P.Blanks 1.12: one point per blank (`*answer*` in the questions; `**` is no blank).
- H5P.QuestionSet 1.17: the sum of its questions' maxima, when every question is one of
  the types above and no pool (poolSize) draws a subset.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from assessments.h5p import storage


def _number(value, default: float) -> float | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _true_false(_params: dict) -> float:
    return 1.0


def _multi_choice(params: dict) -> float | None:
    answers = params.get("answers") or []
    if not isinstance(answers, list):
        return None
    behaviour = params.get("behaviour") if isinstance(params.get("behaviour"), dict) else {}
    weight = _number(params.get("weight"), 1.0)
    correct = [a for a in answers if isinstance(a, dict) and a.get("correct")]
    kind = behaviour.get("type", "auto")
    single_answer = len(correct) == 1 if kind == "auto" else kind == "single"
    single_point = behaviour.get("singlePoint", True)
    if single_answer or single_point or not correct:
        return weight
    weights = [_number(a.get("weight"), 1.0) for a in correct]
    return None if None in weights else float(sum(weights))


def _blanks_in(question: str) -> int:
    """H5P.Blanks' handleBlanks(): count the clozes the library would create. After a cloze
    the library goes on searching from the text's start (its replacer is an object whose
    `length` is undefined, so the next index is NaN, read as 0); "**" is skipped."""
    count, start, end = 0, question.find("*"), 0
    while start != -1 and end != -1:
        start += 1
        end = question.find("*", start)
        if end == -1:
            continue
        if question[start:end]:
            count += 1
            # The cloze becomes an input field (no asterisk in it).
            question = question[: start - 1] + "_" + question[end + 1 :]
            end = 0
        else:
            end = start + 1
        start = question.find("*", end)
    return count


def _blanks(params: dict) -> float | None:
    questions = params.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        return None
    return float(sum(_blanks_in(q) for q in questions))


def _question_set(params: dict) -> float | None:
    questions = params.get("questions") or []
    if not isinstance(questions, list) or not questions:
        return None
    pool = params.get("poolSize")
    if isinstance(pool, int) and not isinstance(pool, bool) and 0 < pool < len(questions):
        return None  # a random subset: the maximum depends on the draw
    total = 0.0
    for question in questions:
        if not isinstance(question, dict) or not isinstance(question.get("library"), str):
            return None
        machine = question["library"].split(" ", 1)[0]
        compute = SIMPLE.get(machine)
        params_ = question.get("params")
        value = compute(params_) if compute and isinstance(params_, dict) else None
        if value is None:
            return None
        total += value
    return total


SIMPLE = {"H5P.TrueFalse": _true_false, "H5P.MultiChoice": _multi_choice, "H5P.Blanks": _blanks}
COMPUTED = {**SIMPLE, "H5P.QuestionSet": _question_set}


def max_score_from_content(*, main_library: str, content: dict) -> float | None:
    """The activity's maximum for this main library and content.json, or None when the
    content type is not one whose maximum follows from its content."""
    compute = COMPUTED.get((main_library or "").split(" ", 1)[0])
    if compute is None or not isinstance(content, dict):
        return None
    try:
        value = compute(content)
    except (TypeError, ValueError, AttributeError):
        return None
    return value if value is not None and math.isfinite(value) and value > 0 else None


def content_json_path(archive_sha256: str) -> Path:
    return storage.content_path(archive_sha256) / "content" / "content.json"


def package_content_max_score(package, *, max_bytes: int) -> float | None:
    """Read the extracted content.json of a READY package (capped) and compute its max."""
    if not package.archive_sha256 or not package.main_library:
        return None
    path = content_json_path(package.archive_sha256)
    try:
        if path.stat().st_size > max_bytes:
            return None
        content = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return max_score_from_content(main_library=package.main_library, content=content)
