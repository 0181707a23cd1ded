"""The SCORM run-time data model (CMI) on the server: every element a SCO commits is checked
against the standard before it is stored, and the outcome is computed here, never taken on
trust from the browser.

* `cmi_commit(version=..., edition=..., stored=..., values=...)` checks one commit (the
  name/value pairs scorm-again sends) against the stored values of the attempt: known
  elements only, writable ones only (read-only elements such as cmi.core.student_id,
  cmi.learner_id, cmi.credit, cmi.total_time, any _count or _children are refused), their
  vocabularies, number ranges (1.2 scores 0-100, 2004 score.scaled -1..1, progress 0..1),
  formats (CMITimespan, ISO 8601 durations and times), the length limits (suspend_data
  4096 for 1.2, 4000 for 2004 2nd/3rd editions, 64000 for the 4th), array indexes (next
  free index at most, at most MAX_ARRAY entries), and raw scores within min and max. It
  returns the merged values, or raises ScormRefused naming the first bad element: nothing
  of a refused commit is stored.
* `sco_outcome(version, values, mastery_score=None)`: completion, success and
  score.scaled of one SCO (1.2: lesson_status, raw over max; a mastery score in the
  manifest decides pass or fail from the raw score, not the SCO's word).
* `rollup(outcomes)`: the package's outcome from its SCOs in the manifest's order: complete
  when every SCO is, passed when every SCO that reports success passed, scaled score the
  mean of those that report one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.scorm.validation import SCORM12, SCORM2004
from cms.errors import Refused

MAX_ARRAY = 250  # entries of one collection (objectives, interactions, ...)
MAX_ELEMENTS = 5000  # stored elements of one attempt
MAX_VALUE_LENGTH = 64000


class ScormRefused(Refused):
    """A refused SCORM commit or launch (cms.errors): nothing of it was stored."""

    def __init__(self, message: str, *, code: str = "cmi", status: int = 400, context=None):
        super().__init__(message, code=code, status=status, context=context)


# --- value kinds -----------------------------------------------------------------------------

_DECIMAL_RE = re.compile(r"^-?\d{1,10}(\.\d{1,7})?$")
_TIMESPAN12_RE = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
_TIME12_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")
_INTERVAL_RE = re.compile(
    r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$"
)
_TIMESTAMP_RE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2})?)?)?"
    r"(Z|[+-]\d{2}(:\d{2})?)?)?)?)?$"
)
_IDENTIFIER_RE = re.compile(r"^\S+$")


@dataclass(frozen=True)
class Kind:
    """How one element's value is checked."""

    vocab: frozenset[str] = frozenset()
    max_length: int | None = None
    low: float | None = None
    high: float | None = None
    number: bool = False
    pattern: re.Pattern | None = None
    or_number: bool = False  # a vocabulary word or a number (interaction result)

    def problem(self, value: str) -> str | None:
        if self.vocab and value in self.vocab:
            return None
        if self.or_number and _DECIMAL_RE.match(value):
            return None
        if self.vocab:
            return _("“%(value)s” is not one of: %(words)s.") % {
                "value": value[:60],
                "words": ", ".join(sorted(w or '""' for w in self.vocab)),
            }
        if self.number:
            if not _DECIMAL_RE.match(value) or not math.isfinite(float(value)):
                return _("“%(value)s” is not a number.") % {"value": value[:60]}
            number = float(value)
            if (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high
            ):
                return _("%(value)s is outside %(low)s to %(high)s.") % {
                    "value": value[:60],
                    "low": "" if self.low is None else f"{self.low:g}",
                    "high": "" if self.high is None else f"{self.high:g}",
                }
            return None
        if self.max_length is not None and len(value) > self.max_length:
            return _("the value is %(length)d characters long; at most %(max)d.") % {
                "length": len(value),
                "max": self.max_length,
            }
        if self.pattern is not None and not self.pattern.match(value):
            return _("“%(value)s” is not in the format the standard requires.") % {
                "value": value[:60]
            }
        return None


def _words(*words: str) -> Kind:
    return Kind(vocab=frozenset(words))


def _text(max_length: int) -> Kind:
    return Kind(max_length=max_length)


def _number(low=None, high=None) -> Kind:
    return Kind(number=True, low=low, high=high)


_LONGEST = _text(MAX_VALUE_LENGTH)  # checked first: no pattern runs on more
_ID12 = Kind(max_length=255, pattern=_IDENTIFIER_RE)
_ID2004 = Kind(max_length=4000, pattern=_IDENTIFIER_RE)
_STATUS12 = _words("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
_SCORE12 = _number(0, 100)
_TIMESPAN12 = Kind(max_length=13, pattern=_TIMESPAN12_RE)
_INTERVAL = Kind(max_length=64, pattern=_INTERVAL_RE)
_TIMESTAMP = Kind(max_length=40, pattern=_TIMESTAMP_RE)
_COMPLETION = _words("completed", "incomplete", "not attempted", "unknown")
_SUCCESS = _words("passed", "failed", "unknown")
_REAL = _number()
_INTERACTION12 = _words(
    "true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert",
    "numeric",
)  # fmt: skip
_INTERACTION2004 = Kind(vocab=_INTERACTION12.vocab | {"long-fill-in", "other"})

N = r"(\d+)"  # an array index in an element name

# (element name pattern, how its value is checked); every element listed here is writable.
# Everything else (read-only elements, _count, _children, _version) is refused.
WRITABLE = {
    SCORM12: [
        (r"cmi\.core\.lesson_location", _text(255)),
        (r"cmi\.core\.lesson_status", _STATUS12),
        (r"cmi\.core\.score\.(raw|min|max)", _SCORE12),
        (r"cmi\.core\.exit", _words("", "time-out", "suspend", "logout")),
        (r"cmi\.core\.session_time", _TIMESPAN12),
        (r"cmi\.suspend_data", _text(4096)),
        (r"cmi\.comments", _text(4096)),
        (r"cmi\.student_preference\.audio", _number(-1, 100)),
        (r"cmi\.student_preference\.language", _text(255)),
        (r"cmi\.student_preference\.speed", _number(-100, 100)),
        (r"cmi\.student_preference\.text", _number(-1, 1)),
        (rf"cmi\.objectives\.{N}\.id", _ID12),
        (rf"cmi\.objectives\.{N}\.score\.(raw|min|max)", _SCORE12),
        (rf"cmi\.objectives\.{N}\.status", _STATUS12),
        (rf"cmi\.interactions\.{N}\.id", _ID12),
        (rf"cmi\.interactions\.{N}\.objectives\.{N}\.id", _ID12),
        (rf"cmi\.interactions\.{N}\.time", Kind(max_length=11, pattern=_TIME12_RE)),
        (rf"cmi\.interactions\.{N}\.type", _INTERACTION12),
        (rf"cmi\.interactions\.{N}\.correct_responses\.{N}\.pattern", _text(255)),
        (rf"cmi\.interactions\.{N}\.weighting", _REAL),
        (rf"cmi\.interactions\.{N}\.student_response", _text(255)),
        (
            rf"cmi\.interactions\.{N}\.result",
            Kind(vocab=frozenset({"correct", "wrong", "unanticipated", "neutral"}), or_number=True),
        ),
        (rf"cmi\.interactions\.{N}\.latency", _TIMESPAN12),
    ],
    SCORM2004: [
        (r"cmi\.location", _text(1000)),
        (r"cmi\.completion_status", _COMPLETION),
        (r"cmi\.success_status", _SUCCESS),
        (r"cmi\.score\.scaled", _number(-1, 1)),
        (r"cmi\.score\.(raw|min|max)", _REAL),
        (r"cmi\.progress_measure", _number(0, 1)),
        (r"cmi\.exit", _words("", "time-out", "suspend", "logout", "normal")),
        (r"cmi\.session_time", _INTERVAL),
        (r"cmi\.suspend_data", _text(64000)),  # the edition's limit: _suspend_limit
        (r"cmi\.learner_preference\.audio_level", _number(0)),
        (r"cmi\.learner_preference\.language", _text(250)),
        (r"cmi\.learner_preference\.delivery_speed", _number(0)),
        (r"cmi\.learner_preference\.audio_captioning", _words("-1", "0", "1")),
        (rf"cmi\.comments_from_learner\.{N}\.comment", _text(4000)),
        (rf"cmi\.comments_from_learner\.{N}\.location", _text(250)),
        (rf"cmi\.comments_from_learner\.{N}\.timestamp", _TIMESTAMP),
        (rf"cmi\.objectives\.{N}\.id", _ID2004),
        (rf"cmi\.objectives\.{N}\.score\.scaled", _number(-1, 1)),
        (rf"cmi\.objectives\.{N}\.score\.(raw|min|max)", _REAL),
        (rf"cmi\.objectives\.{N}\.success_status", _SUCCESS),
        (rf"cmi\.objectives\.{N}\.completion_status", _COMPLETION),
        (rf"cmi\.objectives\.{N}\.progress_measure", _number(0, 1)),
        (rf"cmi\.objectives\.{N}\.description", _text(250)),
        (rf"cmi\.interactions\.{N}\.id", _ID2004),
        (rf"cmi\.interactions\.{N}\.type", _INTERACTION2004),
        (rf"cmi\.interactions\.{N}\.objectives\.{N}\.id", _ID2004),
        (rf"cmi\.interactions\.{N}\.timestamp", _TIMESTAMP),
        (rf"cmi\.interactions\.{N}\.correct_responses\.{N}\.pattern", _text(4000)),
        (rf"cmi\.interactions\.{N}\.weighting", _REAL),
        (rf"cmi\.interactions\.{N}\.learner_response", _text(4000)),
        (
            rf"cmi\.interactions\.{N}\.result",
            Kind(
                vocab=frozenset({"correct", "incorrect", "unanticipated", "neutral"}),
                or_number=True,
            ),
        ),
        (rf"cmi\.interactions\.{N}\.latency", _INTERVAL),
        (rf"cmi\.interactions\.{N}\.description", _text(250)),
        (
            r"adl\.nav\.request",
            Kind(
                pattern=re.compile(
                    r"^(continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_|"
                    r"\{target=[^}]{1,4000}\}(choice|jump))$"
                )
            ),
        ),
    ],
}
_COMPILED = {
    version: [(re.compile(f"^{pattern}$"), kind) for pattern, kind in table]
    for version, table in WRITABLE.items()
}


def _suspend_limit(version: str, edition: str) -> int:
    if version == SCORM12:
        return 4096
    return 64000 if "4th" in edition or edition == "2004" else 4000


def _kind_of(version: str, name: str) -> tuple[Kind, tuple[int, ...]] | None:
    for pattern, kind in _COMPILED[version]:
        match = pattern.match(name)
        if match:
            indexes = tuple(int(g) for g in match.groups() if g and g.isdigit())
            return kind, indexes
    return None


def _refuse(name: str, reason: str):
    raise ScormRefused(
        _("The course sent a value the SCORM standard does not allow: %(name)s: %(reason)s")
        % {"name": name[:120], "reason": reason}
    )


def _collection_count(values: dict[str, str], prefix: str) -> int:
    """How many entries `prefix` (e.g. "cmi.objectives.") holds: the highest index + 1."""
    highest = -1
    for key in values:
        if key.startswith(prefix):
            head = key[len(prefix) :].split(".", 1)[0]
            if head.isdigit():
                highest = max(highest, int(head))
    return highest + 1


def _check_index(merged: dict[str, str], name: str, indexes: tuple[int, ...]) -> None:
    """Each index at most the collection's next free one, and below MAX_ARRAY."""
    parts = name.split(".")
    positions = [i for i, part in enumerate(parts) if part.isdigit()]
    for position, index in zip(positions, indexes, strict=False):
        prefix = ".".join(parts[:position]) + "."
        if index >= MAX_ARRAY:
            _refuse(name, _("at most %(max)d entries.") % {"max": MAX_ARRAY})
        if index > _collection_count(merged, prefix):
            _refuse(
                name,
                _("index %(index)d skips entries (the next one is %(next)d).")
                % {"index": index, "next": _collection_count(merged, prefix)},
            )


def cmi_commit(*, version: str, edition: str, stored: dict, values: dict) -> dict[str, str]:
    """The attempt's values after this commit (module docstring). Raises ScormRefused."""
    if version not in WRITABLE:
        raise ScormRefused(_("This package's SCORM version is unknown."), code="version")
    if not isinstance(values, dict):
        raise ScormRefused(_("A commit must be a set of element names and values."))
    merged = dict(stored)
    for name in sorted(values, key=_natural_key):  # index 0 before index 1 before 10
        value = values[name]
        if not isinstance(name, str) or not isinstance(value, (str, int, float)):
            _refuse(str(name), _("values must be text."))
        value = str(value) if not isinstance(value, str) else value
        if isinstance(values[name], float) and not math.isfinite(values[name]):
            _refuse(name, _("“%(value)s” is not a number.") % {"value": value})
        found = _kind_of(version, name)
        if found is None:
            _refuse(name, _("not a writable element of this SCORM version's data model."))
        kind, indexes = found
        if name == "cmi.suspend_data":
            kind = _text(_suspend_limit(version, edition))
        problem = _LONGEST.problem(value) or kind.problem(value)
        if problem:
            _refuse(name, problem)
        _check_index(merged, name, indexes)
        merged[name] = value
    if len(merged) > MAX_ELEMENTS:
        raise ScormRefused(_("The course stored too many values."), code="too-many")
    _check_scores(version, merged)
    return merged


def _natural_key(name) -> list:
    return [int(p) if p.isdigit() else p for p in str(name).split(".")]


def _check_scores(version: str, values: dict[str, str]) -> None:
    """A raw score between its min and max, when those are given (every score element)."""
    prefix = "cmi.core.score" if version == SCORM12 else "cmi.score"
    groups = {prefix} | {
        key.rsplit(".", 1)[0] for key in values if ".score." in key and key.endswith(".raw")
    }
    for group in groups:
        raw = values.get(f"{group}.raw")
        if raw in (None, ""):
            continue
        low, high = values.get(f"{group}.min"), values.get(f"{group}.max")
        if (low not in (None, "") and float(raw) < float(low)) or (
            high not in (None, "") and float(raw) > float(high)
        ):
            _refuse(
                f"{group}.raw",
                _("%(value)s is outside %(low)s to %(high)s.")
                % {"value": raw, "low": low or "", "high": high or ""},
            )


# --- outcomes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoOutcome:
    completed: bool
    passed: bool | None  # None: the SCO says nothing of success
    scaled: float | None  # -1..1 (2004) or 0..1 (1.2, raw over max)


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def sco_outcome(version: str, values: dict, *, mastery_score: float | None = None) -> ScoOutcome:
    """One SCO's outcome from its checked values (module docstring)."""
    if version == SCORM12:
        status = values.get("cmi.core.lesson_status", "not attempted")
        raw = _float(values.get("cmi.core.score.raw"))
        top = _float(values.get("cmi.core.score.max")) or 100.0
        low = _float(values.get("cmi.core.score.min")) or 0.0
        scaled = None
        if raw is not None and top > low:
            scaled = min(1.0, max(0.0, (raw - low) / (top - low)))
        passed = {"passed": True, "failed": False}.get(status)
        if mastery_score is not None and raw is not None:
            passed = raw >= mastery_score  # the manifest decides, not the SCO's word
        # passed/failed end the SCO as completed does; a judged score does too.
        completed = status in ("completed", "passed", "failed") or passed is not None
        return ScoOutcome(completed=completed, passed=passed, scaled=scaled)
    completion = values.get("cmi.completion_status", "unknown")
    success = values.get("cmi.success_status", "unknown")
    scaled = _float(values.get("cmi.score.scaled"))
    if scaled is not None:
        scaled = min(1.0, max(-1.0, scaled))
    return ScoOutcome(
        completed=completion == "completed",
        passed={"passed": True, "failed": False}.get(success),
        scaled=scaled,
    )


def rollup(outcomes: list[ScoOutcome]) -> ScoOutcome:
    """The package's outcome from its SCOs' (in the manifest's order; module docstring)."""
    if not outcomes:
        return ScoOutcome(completed=False, passed=None, scaled=None)
    judged = [o.passed for o in outcomes if o.passed is not None]
    scores = [o.scaled for o in outcomes if o.scaled is not None]
    return ScoOutcome(
        completed=all(o.completed for o in outcomes),
        passed=all(judged) if judged else None,
        scaled=sum(scores) / len(scores) if scores else None,
    )
