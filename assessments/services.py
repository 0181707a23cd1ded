"""Writes of the assessments app: the attempt engine and the bank import.

Every function takes keyword-only arguments, runs in one transaction, validates before it
writes, and raises `AttemptError` (a clear Vietnamese message) for every refusal, leaving
the stored attempts exactly as they were.
"""

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.grading import AttemptError, ChoiceData, grade_response, validate_responses
from assessments.models import (
    ANSWERS_VERSION,
    FROZEN_VERSION,
    Attempt,
    AttemptState,
    Choice,
    Question,
    QuestionCategory,
    QuestionResult,
    QuestionType,
    Quiz,
)
from cms.text import nfc

__all__ = [
    "AttemptError",
    "GRACE_SECONDS",
    "attempt_start",
    "attempt_save",
    "attempt_submit",
    "attempt_close_overdue",
    "bank_import",
    "ImportRefused",
]

# A submit that arrives this long after the deadline still counts: a slow phone network
# or the last autosave should not lose an attempt.
GRACE_SECONDS = 30

_rng = random.SystemRandom()


def _now():
    return timezone.now()


def _overdue(attempt: Attempt, now) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + timedelta(
        seconds=GRACE_SECONDS
    )


def _check_quiz_open(quiz: Quiz, now) -> None:
    if quiz.open_at and now < quiz.open_at:
        raise AttemptError(
            "not_open", _("This quiz opens at %(when)s.") % {"when": _fmt(quiz.open_at)}
        )
    if quiz.close_at and now >= quiz.close_at:
        raise AttemptError(
            "closed", _("This quiz closed at %(when)s.") % {"when": _fmt(quiz.close_at)}
        )


def _fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%H:%M %d/%m/%Y")


def _draw_questions(quiz: Quiz) -> list[Question]:
    """The questions of one attempt: fixed slots as they are, random slots drawn from their
    category (never the same question twice in one attempt)."""
    slots = list(quiz.slots.select_related("question").order_by("sort_order", "id"))
    fixed_ids = {s.question_id for s in slots if s.question_id}
    category_ids = {s.category_id for s in slots if s.category_id}
    pools: dict[int, list[int]] = {}
    if category_ids:
        for qid, cid in Question.objects.filter(category_id__in=category_ids).values_list(
            "id", "category_id"
        ):
            if qid not in fixed_ids:
                pools.setdefault(cid, []).append(qid)
    chosen: list[int] = []
    for slot in slots:
        if slot.question_id:
            if slot.question_id not in chosen:
                chosen.append(slot.question_id)
            continue
        pool = [q for q in pools.get(slot.category_id, []) if q not in chosen]
        chosen.extend(_rng.sample(pool, min(slot.draw_count, len(pool))))
    if quiz.shuffle_questions:
        _rng.shuffle(chosen)
    questions = Question.objects.in_bulk(chosen)
    return [questions[qid] for qid in chosen if qid in questions]


def _freeze(quiz: Quiz, questions: list[Question]) -> dict:
    choice_rows = {}
    for row in Choice.objects.filter(question__in=questions).order_by("sort_order", "id"):
        choice_rows.setdefault(row.question_id, []).append(row)
    entries = []
    for question in questions:
        rows = choice_rows.get(question.id, [])
        keys = [c.key for c in rows]
        entry = {"id": question.id, "type": question.qtype, "points": question.points}
        if question.qtype == QuestionType.ORDERING:
            # Always shuffled, and never served in the right order (it would be the answer).
            entry["choices"] = _shuffled_not_identity(keys)
        elif question.qtype == QuestionType.MATCHING:
            lefts = [c.key for c in rows if c.text]
            if quiz.shuffle_choices:
                _rng.shuffle(lefts)
            entry["choices"] = lefts
            first_by_text = {}
            for c in rows:
                first_by_text.setdefault(c.match_text.strip().casefold(), c.key)
            options = list(first_by_text.values())
            _rng.shuffle(options)
            entry["options"] = options
        elif question.qtype == QuestionType.TRUE_FALSE:
            entry["choices"] = keys  # "Đúng" then "Sai", as everyone expects
        else:
            if quiz.shuffle_choices:
                _rng.shuffle(keys)
            entry["choices"] = keys
        entries.append(entry)
    return {"version": FROZEN_VERSION, "questions": entries}


def _shuffled_not_identity(keys: list[str]) -> list[str]:
    shuffled = list(keys)
    if len(keys) < 2:
        return shuffled
    while shuffled == keys:
        _rng.shuffle(shuffled)
    return shuffled


def attempt_start(*, user, quiz: Quiz, context_key: str = "") -> Attempt:
    """Start an attempt, or return the learner's open one in this context (resume).

    An open attempt past its deadline is first graded on its saved answers. Refuses when
    the quiz is not open, or when the attempt limit is used up.
    """
    now = _now()
    stale = Attempt.objects.filter(
        user=user, quiz=quiz, context_key=context_key, state=AttemptState.IN_PROGRESS
    ).first()
    if stale is not None and _overdue(stale, now):
        # Its own transaction: the grade stands even if this start is then refused.
        attempt_close_overdue(attempt=stale)
    with transaction.atomic():
        open_attempt = (
            Attempt.objects.select_for_update()
            .filter(user=user, quiz=quiz, context_key=context_key, state=AttemptState.IN_PROGRESS)
            .first()
        )
        if open_attempt is not None:
            return open_attempt
        _check_quiz_open(quiz, now)
        stats = Attempt.objects.filter(user=user, quiz=quiz, context_key=context_key).aggregate(
            used=Count("id"), last=Max("number")
        )
        if quiz.max_attempts and stats["used"] >= quiz.max_attempts:
            raise AttemptError(
                "no_attempts_left",
                _("You have used all %(n)d attempts at this quiz.") % {"n": quiz.max_attempts},
            )
        questions = _draw_questions(quiz)
        if not questions:
            raise AttemptError("no_questions", _("This quiz has no questions yet."))
        deadline = None
        if quiz.time_limit_minutes:
            deadline = now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.close_at:
            deadline = min(deadline, quiz.close_at) if deadline else quiz.close_at
        attempt = Attempt(
            user=user,
            quiz=quiz,
            context_key=context_key,
            number=(stats["last"] or 0) + 1,
            started_at=now,
            deadline_at=deadline,
            frozen=_freeze(quiz, questions),
            answers={"version": ANSWERS_VERSION, "responses": {}},
            max_points=sum(q.points for q in questions),
        )
        # The unique constraints are left to the database: validating them here would
        # turn a concurrent start into a ValidationError instead of resuming it below.
        attempt.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            # Another tab started one at the same moment: resume that one.
            existing = Attempt.objects.filter(
                user=user, quiz=quiz, context_key=context_key, state=AttemptState.IN_PROGRESS
            ).first()
            if existing is None:
                raise AttemptError(
                    "busy", _("Another attempt was started at the same moment. Try again.")
                ) from None
            return existing
        return attempt


def _locked(attempt: Attempt, user) -> Attempt:
    locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    if locked.user_id != user.pk:
        raise AttemptError("not_owner", _("This attempt belongs to someone else."))
    return locked


def attempt_save(*, attempt: Attempt, user, answers) -> Attempt:
    """Keep answers in progress (autosave, or a closed tab resumed later)."""
    now = _now()
    with transaction.atomic():
        locked = _locked(attempt, user)
        if locked.state != AttemptState.IN_PROGRESS:
            raise AttemptError("already_submitted", _("This attempt has already been submitted."))
        if _overdue(locked, now):
            raise AttemptError("time_over", _("Time is up: answers can no longer be changed."))
        responses = validate_responses(locked.frozen, answers)
        locked.answers = {"version": ANSWERS_VERSION, "responses": responses}
        locked.saved_at = now
        locked.save(update_fields=["answers", "saved_at"])
        return locked


def attempt_submit(*, attempt: Attempt, user, answers=None) -> Attempt:
    """Grade the attempt against its frozen questions, exactly once.

    Idempotent: submitting a graded attempt again returns the first result (its answers
    are ignored). Concurrent submits are serialised by a row lock, and the grading UPDATE
    is conditional on the attempt still being open. The returned attempt has
    `just_graded` True only for the call that graded it.
    """
    now = _now()
    with transaction.atomic():
        locked = _locked(attempt, user)
        if locked.state == AttemptState.GRADED:
            locked.just_graded = False
            return locked
        if _overdue(locked, now):
            raise AttemptError(
                "time_over",
                _(
                    "Time is up: this submission came after the time limit. The answers "
                    "saved before the deadline will be graded."
                ),
            )
        responses = None if answers is None else validate_responses(locked.frozen, answers)
        return _grade(locked, now=now, responses=responses, auto=False)


def attempt_close_overdue(*, attempt: Attempt) -> Attempt:
    """Grade an open attempt whose time is up on the answers saved before the deadline
    (the learner closed the tab). Does nothing to an attempt still in time or graded."""
    now = _now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.state != AttemptState.IN_PROGRESS or not _overdue(locked, now):
            locked.just_graded = False
            return locked
        return _grade(locked, now=now, responses=None, auto=True)


def _grade(locked: Attempt, *, now, responses: dict | None, auto: bool) -> Attempt:
    """Grade a locked open attempt. `responses` None means "the saved answers"."""
    if responses is None:
        responses = (locked.answers or {}).get("responses", {})
    entries = locked.frozen["questions"]
    questions = Question.objects.prefetch_related("choices").in_bulk([e["id"] for e in entries])
    total = Decimal(0)
    results = []
    for position, entry in enumerate(entries, start=1):
        question = questions.get(entry["id"])
        response = responses.get(str(entry["id"]))
        if question is None:  # deleted from the bank since: it earns nothing
            continue
        choices = [
            ChoiceData(c.key, c.text, c.weight, c.match_text, c.sort_order)
            for c in question.choices.all()
        ]
        fraction = grade_response(
            entry["type"],
            choices,
            response,
            partial_credit=question.partial_credit,
            ignore_diacritics=question.ignore_diacritics,
        )
        points = (fraction * entry["points"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += points
        results.append(
            QuestionResult(
                attempt=locked,
                question=question,
                position=position,
                fraction=fraction,
                points=points,
                max_points=entry["points"],
                response=response,
            )
        )
    max_points = locked.max_points or 0
    percent = (
        (total * 100 / max_points).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if max_points
        else Decimal(0)
    )
    passed = percent >= locked.quiz.pass_mark_percent
    answers = {"version": ANSWERS_VERSION, "responses": responses}
    # Conditional on the attempt still being open: whoever comes second changes nothing.
    updated = Attempt.objects.filter(pk=locked.pk, state=AttemptState.IN_PROGRESS).update(
        state=AttemptState.GRADED,
        answers=answers,
        submitted_at=now,
        points=total,
        score_percent=percent,
        passed=passed,
        auto_submitted=auto,
    )
    if updated:
        QuestionResult.objects.bulk_create(results)
    locked.refresh_from_db()
    locked.just_graded = bool(updated)
    return locked


# --- Question bank import ----------------------------------------------------------------


class ImportRefused(Exception):
    """The import has problems (listed, each with its line or row): nothing was written."""

    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def bank_import(*, questions, default_category: str = "") -> list[Question]:
    """Create the parsed questions (assessments.interchange) and their categories, all or
    nothing: any problem, in parsing or in the database, leaves the bank as it was."""
    from assessments.interchange import Problem, check_question

    problems = [Problem(q.line, m) for q in questions for m in check_question(q)]
    if not questions:
        problems.append(Problem(1, _("the file contains no question.")))
    if problems:
        raise ImportRefused(problems)
    fallback = nfc((default_category or "").strip()) or _("Imported")
    created = []
    with transaction.atomic():
        categories: dict[str, QuestionCategory] = {}
        for parsed in questions:
            name = nfc(parsed.category.strip())[:255] or fallback
            if name not in categories:
                categories[name] = QuestionCategory.objects.get_or_create(name=name)[0]
            question = Question(
                category=categories[name],
                qtype=parsed.qtype,
                title=nfc(parsed.title)[:255],
                text=nfc(parsed.text),
                general_feedback=nfc(parsed.general_feedback),
                points=parsed.points,
                partial_credit=parsed.partial_credit,
                ignore_diacritics=parsed.ignore_diacritics,
            )
            try:
                question.full_clean()
            except ValidationError as exc:
                raise ImportRefused([Problem(parsed.line, "; ".join(exc.messages))]) from None
            if parsed.tags:
                question.tags.add(*[nfc(t)[:100] for t in parsed.tags])
            question.save()
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    sort_order=order,
                    text=nfc(c.text),
                    weight=c.weight,
                    match_text=nfc(c.match_text)[:255],
                    feedback=nfc(c.feedback),
                )
                for order, c in enumerate(parsed.choices)
            )
            created.append(question)
    return created
