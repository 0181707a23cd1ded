"""Writes of the assessments app: the attempt engine and the bank import.

Every function takes keyword-only arguments, runs in one transaction, validates before it
writes, and raises `AttemptError` (a clear Vietnamese message) for every refusal, leaving
the stored attempts exactly as they were.
"""

import io
import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

from assessments import question_types
from assessments.bank import (
    BankQuestion,
    bank_changed,
    bank_generation,
    bank_questions,
    bank_questions_at,
    quiz_plan,
)
from assessments.grading import AttemptError, QuestionData, as_fraction
from assessments.interchange import Problem, check_question
from assessments.models import (
    ANSWERS_VERSION,
    FROZEN_VERSION,
    GRADERS_GROUP,
    Attempt,
    AttemptState,
    Choice,
    Question,
    QuestionCategory,
    QuestionResult,
    Quiz,
    QuizSlot,
)
from cms.inserts import insert_row, insert_rows, update_row
from cms.prepared import Prepared
from cms.text import nfc

__all__ = [
    "AttemptError",
    "GRACE_SECONDS",
    "attempt_start",
    "attempt_save",
    "attempt_submit",
    "attempt_close_overdue",
    "attempt_essays_grade",
    "bank_import",
    "bank_import_checked",
    "ImportRefused",
    "quiz_add_category_questions",
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
            _("This quiz opens at %(when)s.") % {"when": _fmt(quiz.open_at)}, code="not_open"
        )
    if quiz.close_at and now >= quiz.close_at:
        raise AttemptError(
            _("This quiz closed at %(when)s.") % {"when": _fmt(quiz.close_at)}, code="closed"
        )


def _fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%H:%M %d/%m/%Y")


def _draw_questions(quiz: Quiz) -> list[BankQuestion]:
    """The questions of one attempt: fixed lines as they are, random lines drawn from their
    category (never the same question twice in one attempt), as the bank holds them. The
    quiz's plan and the questions come from this process's memory under the bank
    generation (assessments.bank): no query once a first start read them."""
    token = bank_generation()
    plan = quiz_plan(token, quiz.pk)
    chosen: list[int] = []
    for question_id, category_id, draw_count in plan.lines:
        if question_id:
            if question_id not in chosen:
                chosen.append(question_id)
            continue
        pool = [q for q in plan.pools.get(category_id, ()) if q not in chosen]
        chosen.extend(_rng.sample(pool, min(draw_count, len(pool))))
    if quiz.shuffle_questions:
        _rng.shuffle(chosen)
    bank = bank_questions_at(token, chosen)
    return [bank[qid] for qid in chosen if qid in bank]


def _freeze(quiz: Quiz, questions: list[BankQuestion]) -> dict:
    """The served order of each question's choices, as its type serves them."""
    entries = []
    for question in questions:
        qtype = question.data.qtype
        kind = question_types.get(qtype)
        points = question.points if kind.graded else 0  # a description is worth nothing
        entry = {"id": question.id, "type": qtype, "points": points}
        entry.update(
            kind.freeze(
                list(question.data.choices),
                shuffle=quiz.shuffle_choices and question.shuffle_choices,
                rng=_rng,
            )
        )
        entries.append(entry)
    return {"version": FROZEN_VERSION, "questions": entries}


def quiz_preview(*, quiz: Quiz) -> Attempt:
    """One draw of the quiz as a learner would be served it, for an editor's preview.

    Writes nothing: the attempt returned is never saved (no attempt, no budget used, no
    statistics). Use this, not attempt_start, for any staff view of a quiz."""
    return Attempt(quiz=quiz, frozen=_freeze(quiz, _draw_questions(quiz)), answers={})


def attempt_start(*, user, quiz: Quiz, context_key: str = "", close_overdue=None) -> Attempt:
    """Start an attempt, or return the learner's open one in this context (resume).

    An open attempt past its deadline is first graded on its saved answers, by
    `close_overdue(attempt)` when given (the lesson's quiz view records the outcome on the
    lesson too), else attempt_close_overdue. Refuses when the quiz is not open, or when the
    attempt limit is used up.
    """
    now = _now()
    close = close_overdue or (lambda attempt: attempt_close_overdue(attempt=attempt))
    try:
        # A concurrent start's INSERT is caught outside the transaction (rolled back whole),
        # not by a savepoint of its own: nothing in it is carried on from.
        with transaction.atomic():
            started = _attempt_new(
                user=user, quiz=quiz, context_key=context_key, now=now, close_overdue=close
            )
    except IntegrityError:
        # Another tab started one at the same moment: resume that one.
        existing = Attempt.objects.filter(
            user=user, quiz=quiz, context_key=context_key, state=AttemptState.IN_PROGRESS
        ).first()
        if existing is None:
            raise AttemptError(
                _("Another attempt was started at the same moment. Try again."), code="busy"
            ) from None
        return existing
    if isinstance(started, AttemptError):
        raise started  # after the commit: an overdue attempt's grade stands
    return started


# The learner's attempts at a quiz in one place, locked (the SQL built once: cms.prepared).
_ATTEMPTS_LOCKED = Prepared(
    "attempts-locked",
    lambda user_id, quiz_id, context_key: (
        Attempt.objects.select_for_update()
        .filter(user_id=user_id, quiz_id=quiz_id, context_key=context_key)
        .defer("frozen", "answers")
    ),
    "iis",
)


def _attempt_new(*, user, quiz: Quiz, context_key: str, now, close_overdue):
    """attempt_start's transaction: the open attempt here (resume), else a new one; a
    refusal is returned (not raised) so that an overdue attempt graded here is kept."""
    # The learner's attempts here, locked (one query): the open one (resume; graded first
    # when past its deadline), else how many were used and the last number.
    attempts = _ATTEMPTS_LOCKED.all(user.pk, quiz.pk, context_key)
    open_attempt = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    if open_attempt is not None:
        if not _overdue(open_attempt, now):
            return open_attempt
        close_overdue(open_attempt)
    try:
        return _attempt_created(quiz=quiz, user=user, context_key=context_key, now=now,
                                attempts=attempts)  # fmt: skip
    except AttemptError as exc:
        return exc


def _attempt_created(*, quiz: Quiz, user, context_key: str, now, attempts) -> Attempt:
    _check_quiz_open(quiz, now)
    stats = {"used": len(attempts), "last": max((a.number for a in attempts), default=0)}
    if quiz.max_attempts and stats["used"] >= quiz.max_attempts:
        raise AttemptError(
            _("You have used all %(n)d attempts at this quiz.") % {"n": quiz.max_attempts},
            code="no_attempts_left",
        )
    questions = _draw_questions(quiz)
    if not questions:
        raise AttemptError(_("This quiz has no questions yet."), code="no_questions")
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.close_at:
        deadline = min(deadline, quiz.close_at) if deadline else quiz.close_at
    frozen = _freeze(quiz, questions)
    attempt = Attempt(
        user=user,
        quiz=quiz,
        context_key=context_key,
        number=(stats["last"] or 0) + 1,
        started_at=now,
        deadline_at=deadline,
        frozen=frozen,
        answers={"version": ANSWERS_VERSION, "responses": {}},
        max_points=sum(e["points"] for e in frozen["questions"]),
    )
    # The unique constraints are left to the database: validating them here would turn a
    # concurrent start into a ValidationError instead of resuming it (attempt_start). The
    # user and the quiz are the rows in hand (not looked up again).
    attempt.full_clean(exclude=["user", "quiz"], validate_constraints=False)
    insert_row(attempt)  # save(), its INSERT built once
    return attempt


_ATTEMPT_LOCKED = Prepared(
    "attempt-locked",
    lambda pk, user_id: (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .filter(pk=pk, user_id=user_id)
    ),
    "ii",
)


def attempt_locked(*, attempt_id: int, user) -> Attempt | None:
    """The user's attempt with its quiz, locked until the caller's transaction ends (only the
    attempt's row: learners submitting the same quiz do not wait for each other), or None
    when there is no such attempt of theirs. For a view that reads, checks and writes the
    attempt in one transaction (attempt_save / attempt_submit with `locked=True`). The
    query's SQL is built once per process (cms.prepared)."""
    return _ATTEMPT_LOCKED.first(int(attempt_id), user.pk)


def _locked(attempt: Attempt, user, *, locked: bool = False) -> Attempt:
    """`attempt` locked: the row itself when the caller locked it (`locked`, attempt_locked),
    else read again with the lock."""
    if not locked:
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt.pk)
        )
    if attempt.user_id != user.pk:
        raise AttemptError(_("This attempt belongs to someone else."), code="not_owner")
    return attempt


def attempt_save(*, attempt: Attempt, user, answers, locked: bool = False) -> Attempt:
    """Keep answers in progress (autosave, or a closed tab resumed later). `locked`: the
    attempt is the row the caller's transaction locked (attempt_locked): not read again, and
    no savepoint of its own (a refusal rolls the caller's transaction back whole)."""
    now = _now()
    with transaction.atomic(savepoint=not locked):
        locked_row = _locked(attempt, user, locked=locked)
        if locked_row.state != AttemptState.IN_PROGRESS:
            raise AttemptError(
                _("This attempt has already been submitted."), code="already_submitted"
            )
        if _overdue(locked_row, now):
            raise AttemptError(_("Time is up: answers can no longer be changed."), code="time_over")
        responses = question_types.validate_responses(locked_row.frozen, answers)
        locked_row.answers = {"version": ANSWERS_VERSION, "responses": responses}
        locked_row.saved_at = now
        # save(update_fields=["answers", "saved_at"]) of the row locked above, its SQL built
        # once (cms.inserts.update_row).
        update_row(locked_row, ("answers", "saved_at"))
        return locked_row


def attempt_submit(*, attempt: Attempt, user, answers=None, locked: bool = False) -> Attempt:
    """Grade the attempt against its frozen questions, exactly once.

    Idempotent: submitting a graded attempt again returns the first result (its answers
    are ignored). Concurrent submits are serialised by a row lock, and the grading UPDATE
    is conditional on the attempt still being open. The returned attempt has
    `just_graded` True only for the call that graded it. `locked`: as for attempt_save.
    """
    now = _now()
    with transaction.atomic(savepoint=not locked):
        locked_row = _locked(attempt, user, locked=locked)
        if locked_row.state != AttemptState.IN_PROGRESS:  # graded, or waiting for a grader
            locked_row.just_graded = False
            return locked_row
        if _overdue(locked_row, now):
            raise AttemptError(
                _(
                    "Time is up: this submission came after the time limit. The answers "
                    "saved before the deadline will be graded."
                ),
                code="time_over",
            )
        responses = (
            None
            if answers is None
            else question_types.validate_responses(locked_row.frozen, answers)
        )
        return _grade(locked_row, now=now, responses=responses, auto=False)


def attempt_close_overdue(*, attempt: Attempt) -> Attempt:
    """Grade an open attempt whose time is up on the answers saved before the deadline
    (the learner closed the tab). Does nothing to an attempt still in time or graded."""
    now = _now()
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt.pk)
        )
        if locked.state != AttemptState.IN_PROGRESS or not _overdue(locked, now):
            locked.just_graded = False
            return locked
        return _grade(locked, now=now, responses=None, auto=True)


def _grade(locked: Attempt, *, now, responses: dict | None, auto: bool) -> Attempt:
    """Grade a locked open attempt. `responses` None means "the saved answers"."""
    if responses is None:
        responses = (locked.answers or {}).get("responses", {})
    entries = locked.frozen["questions"]
    questions = bank_questions([e["id"] for e in entries])
    total = Decimal(0)
    results = []
    for position, entry in enumerate(entries, start=1):
        question = questions.get(entry["id"])
        response = responses.get(str(entry["id"]))
        if question is None:  # deleted from the bank since: it earns nothing
            continue
        # An essay answered waits for a person (an empty one earns nothing at once).
        manual = bool(response) and question_types.get(entry["type"]).manual_grading
        fraction = _grade_one(entry["type"], question.data, response)
        points = (fraction * entry["points"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += points
        results.append(
            QuestionResult(
                attempt=locked,
                question_id=question.id,
                position=position,
                fraction=fraction,
                points=points,
                max_points=entry["points"],
                response=response,
                needs_grading=manual,
            )
        )
    answers = {"version": ANSWERS_VERSION, "responses": responses}
    if any(r.needs_grading for r in results):
        # Submitted, not graded: no score and no outcome until a grader has marked it.
        final = {"state": AttemptState.PENDING, "points": total}
    else:
        percent, passed = _percent(locked, total)
        final = {"state": AttemptState.GRADED, "points": total, "score_percent": percent,
                 "passed": passed}  # fmt: skip
    # Conditional on the attempt still being open: whoever comes second changes nothing.
    # What the UPDATE writes, on the row in hand (locked: nothing else changed it), as the
    # database gives it back (two decimal places), so that it is not read again.
    final["points"] = total.quantize(Decimal("0.01"))
    written = {"answers": answers, "submitted_at": now, "auto_submitted": auto, **final}
    for name, value in written.items():
        setattr(locked, name, value)
    updated = update_row(locked, tuple(written), only_if={"state": AttemptState.IN_PROGRESS})
    if updated:
        insert_rows(results)
    else:
        locked.refresh_from_db()
    locked.just_graded = bool(updated) and locked.state == AttemptState.GRADED
    return locked


def _percent(attempt: Attempt, total: Decimal) -> tuple[Decimal, bool]:
    """(score in %, passed) of `total` points out of the attempt's."""
    max_points = attempt.max_points or 0
    percent = (
        (total * 100 / max_points).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if max_points
        else Decimal(0)
    )
    return percent, percent >= attempt.quiz.pass_mark_percent


def attempt_essays_grade(*, attempt_id: int, grader, grades: dict) -> Attempt:
    """Record a grader's marks for the essays of an attempt waiting for grading, and its
    final score: exactly once. `grades` is {question id: (points, feedback)}, one entry
    per essay waiting (points from 0 to the question's points, at most 2 decimals).

    Two graders at the same moment: the attempt's row is locked, and the final UPDATE is
    conditional on the attempt still waiting, so the second one is refused
    ("already_graded") and changes nothing. The caller checks that `grader` may grade this
    learner (the permission and the scope, campaigns.selectors) and records the outcome on
    the lesson (courses), in this transaction. The returned attempt has `just_graded`."""
    now = _now()
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update().select_related("quiz").filter(pk=attempt_id).first()
        )
        if locked is None:
            raise AttemptError(_("This attempt does not exist."), code="not_found")
        if locked.state != AttemptState.PENDING:
            raise AttemptError(
                _("This attempt has already been graded."),
                code="already_graded",
            )
        waiting = list(locked.results.filter(needs_grading=True))
        marks = {}
        for result in waiting:
            points, feedback = grades.get(result.question_id, grades.get(str(result.question_id),
                                                                         (None, "")))  # fmt: skip
            marks[result.pk] = (_essay_points(points, result.max_points), nfc(feedback or ""))
        for result in waiting:
            points, feedback = marks[result.pk]
            fraction = as_fraction(points / result.max_points) if result.max_points else 0
            updated = QuestionResult.objects.filter(pk=result.pk, needs_grading=True).update(
                needs_grading=False, points=points, fraction=fraction, feedback=feedback[:5000],
                graded_by=grader, graded_at=now,
            )  # fmt: skip
            if not updated:
                raise AttemptError(
                    _("This attempt has already been graded."), code="already_graded"
                )
        total = sum((r.points for r in locked.results.all()), Decimal(0))
        percent, passed = _percent(locked, total)
        updated = Attempt.objects.filter(pk=locked.pk, state=AttemptState.PENDING).update(
            state=AttemptState.GRADED, points=total, score_percent=percent, passed=passed
        )
        if not updated:
            raise AttemptError(_("This attempt has already been graded."), code="already_graded")
        locked.refresh_from_db()
        locked.just_graded = True
        return locked


def _essay_points(value, max_points: int) -> Decimal:
    try:
        points = Decimal(str(value).strip().replace(",", "."))
    except (ArithmeticError, ValueError, TypeError):
        points = None
    if points is None or not points.is_finite() or not 0 <= points <= max_points:
        raise AttemptError(
            _("Give each essay a score from 0 to %(max)d.") % {"max": max_points},
            code="bad_score",
        )
    return points.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _grade_one(qtype: str, question: QuestionData, response: dict | None):
    """The share of the mark one response earns, by the type frozen with the attempt."""
    if not response:
        return as_fraction(0)
    return as_fraction(question_types.get(qtype).grade(question, response))


# --- Question bank import ----------------------------------------------------------------


class ImportRefused(Exception):
    """The import has problems (listed, each with its line or row): nothing was written."""

    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _fallback_category(default_category: str) -> str:
    """The category of the questions whose file names none."""
    return nfc((default_category or "").strip()) or _("Imported")


def bank_import(*, questions, default_category: str = "") -> list[Question]:
    """Create the parsed questions (assessments.interchange) and their categories, all or
    nothing: any problem, in parsing or in the database, leaves the bank as it was."""
    problems = [Problem(q.line, m) for q in questions for m in check_question(q)]
    if not questions:
        problems.append(Problem(1, _("the file contains no question.")))
    if problems:
        raise ImportRefused(problems)
    fallback = _fallback_category(default_category)
    created = []
    with transaction.atomic():
        categories: dict[str, QuestionCategory] = {}
        for parsed in questions:
            name = nfc(parsed.category.strip())[:255] or fallback
            if name not in categories:
                categories[name] = QuestionCategory.objects.get_or_create(name=name)[0]
            if parsed.files:
                _embed_files(parsed, _store_images(parsed))
            question = Question(
                category=categories[name],
                qtype=parsed.qtype,
                title=nfc(parsed.title)[:255],
                text=nfc(parsed.text),
                text_format=parsed.text_format,
                general_feedback=nfc(parsed.general_feedback),
                points=parsed.points,
                partial_credit=parsed.partial_credit,
                ignore_diacritics=parsed.ignore_diacritics,
                case_sensitive=parsed.case_sensitive,
                shuffle_choices=parsed.shuffle_choices,
                penalty=Decimal(parsed.penalty),
                grader_info=nfc(parsed.grader_info),
                min_words=parsed.min_words,
                max_words=parsed.max_words,
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


PLUGINFILE = "@@PLUGINFILE@@/"  # how a Moodle text names a file embedded beside it


def _store_images(parsed) -> dict[str, str]:
    """The question's embedded files as Wagtail images (one already stored with the same
    content is reused, so importing a bank twice stores each image once): {name: url}."""
    Image = get_image_model()
    urls = {}
    for name, data in parsed.files.items():
        try:
            with PILImage.open(io.BytesIO(data)) as probe:
                probe.verify()
        except Exception:  # noqa: BLE001 - any failure to read means "not an image"
            message = _("the embedded file “%(name)s” is not an image.") % {"name": name}
            raise ImportRefused([Problem(parsed.line, message)]) from None
        digest = hash_filelike(io.BytesIO(data))  # what Wagtail stores as Image.file_hash
        image = Image.objects.filter(file_hash=digest).first()
        if image is None:
            image = Image(
                title=nfc(name)[:255],
                file=ContentFile(data, name=Path(name).name),
                file_hash=digest,
            )
            image.save()
        urls[name] = image.file.url
    return urls


def _embed_files(parsed, urls: dict[str, str]) -> None:
    """@@PLUGINFILE@@/name in every text of the question becomes the stored image's URL."""

    def swap(text: str) -> str:
        for name, url in urls.items():
            text = text.replace(PLUGINFILE + quote(name), url).replace(PLUGINFILE + name, url)
        return text

    parsed.text, parsed.general_feedback = swap(parsed.text), swap(parsed.general_feedback)
    for choice in parsed.choices:
        choice.text, choice.feedback = swap(choice.text), swap(choice.feedback)


def bank_import_checked(
    *, result, default_category: str = "", all_or_nothing: bool = False
) -> list[Question]:
    """Import what a dry run (an interchange.ParseResult) found: the ready questions, the
    refused ones left out; or, `all_or_nothing`, every question and only when none is
    refused. A file refused as a whole (size, encoding, header) imports nothing. Use this
    from the admin and the command line, after showing the dry run."""
    if result.file_problems:
        raise ImportRefused(result.file_problems)
    if all_or_nothing and not result.ok:
        raise ImportRefused(result.problems)
    questions = result.questions if all_or_nothing else result.ready
    with transaction.atomic():
        if connection.vendor == "postgresql":  # one import at a time: a double tap waits
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('assessments.bank_import'))")
        if _all_in_bank(questions, default_category):
            raise AlreadyImported(
                _("These questions are already in the bank (this file was imported before): "
                  "nothing was imported again.")
            )  # fmt: skip
        return bank_import(questions=questions, default_category=default_category)


class AlreadyImported(ImportRefused):
    """Every question of the file is already in its category: the same file imported
    twice (a double tap on the import button, or Back and the button again)."""

    def __init__(self, message):
        super().__init__([message])
        self.message = message


def _all_in_bank(questions, default_category: str) -> bool:
    fallback = _fallback_category(default_category)
    wanted = {(nfc(q.category.strip())[:255] or fallback, q.qtype, nfc(q.text)) for q in questions}
    if not wanted:
        return False
    found = set(
        Question.objects.filter(
            category__name__in={w[0] for w in wanted}, text__in={w[2] for w in wanted}
        ).values_list("category__name", "qtype", "text")
    )
    return wanted <= found


def quiz_add_category_questions(*, quiz: Quiz, category: QuestionCategory) -> int:
    """Add each question of `category` that `quiz` does not hold yet as a fixed question,
    in the bank's order, after the quiz's last line. Returns how many were added. Use this
    for "build the quiz from a category" in one step (the quiz form's category field)."""
    with transaction.atomic():
        quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
        present = set(quiz.slots.exclude(question=None).values_list("question_id", flat=True))
        last = quiz.slots.aggregate(last=Max("sort_order"))["last"]
        start = -1 if last is None else last
        new = [q for q in category.questions.order_by("id") if q.pk not in present]
        QuizSlot.objects.bulk_create(
            QuizSlot(quiz=quiz, question=q, sort_order=start + 1 + i) for i, q in enumerate(new)
        )
        if new:  # bulk_create sends no post_save: the quiz's plan is forgotten here
            bank_changed()
    return len(new)


def graders_group_ensure():
    """The "Người chấm bài" group with its two permissions (grading essays, the admin), made
    again if it is missing: migration 0006 makes it, but an administrator may delete it and
    a flushed database (a transactional test) has lost it. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=GRADERS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=("assessments", "wagtailadmin"),
            codename__in=("grade_essay", "access_admin"),
        )
    )
    return group
