"""Reads of the assessments app: a learner's state at a quiz, the questions of an attempt
as served, its review, and item statistics for editors.

Nothing here ever returns a right answer or feedback unless `review_allowed` said yes.
"""

import math
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from assessments import question_types
from assessments.bank import bank_questions
from assessments.formats import render, to_plain
from assessments.grading import QuestionData
from assessments.models import (
    Attempt,
    AttemptState,
    Choice,
    GradingMethod,
    Question,
    QuestionCategory,
    QuestionResult,
    Quiz,
    ReviewPolicy,
)
from assessments.question_types.base import ParsedChoice, ParsedQuestion, number_text, penalty_text
from assessments.question_types.essay import word_count
from cms.prepared import Prepared


@dataclass
class QuizState:
    """A learner's standing at one quiz in one context (from one query)."""

    quiz: Quiz
    attempts: list[Attempt]
    open_attempt: Attempt | None
    grade_percent: Decimal | None
    passed: bool
    is_open: bool
    can_start: bool
    reason: str = ""
    graded: list[Attempt] = field(default_factory=list)
    pending: list[Attempt] = field(default_factory=list)  # submitted, waiting for a grader

    @property
    def awaiting_grading(self) -> bool:
        """An attempt waits for a grader and nothing passed yet: the lesson waits too."""
        return bool(self.pending) and not self.passed

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.max_attempts:
            return None
        return max(0, self.quiz.max_attempts - len(self.attempts))

    @property
    def last_graded(self) -> Attempt | None:
        return self.graded[-1] if self.graded else None

    @property
    def last_submitted(self) -> Attempt | None:
        """The latest attempt graded or waiting for a grader (its result page)."""
        return max([*self.graded, *self.pending], key=lambda a: a.number, default=None)

    @property
    def best_graded(self) -> Attempt | None:
        return max(self.graded, key=lambda a: a.score_percent, default=None)


def quiz_grade(quiz: Quiz, graded: list[Attempt]) -> Decimal | None:
    """The quiz grade by its grading method: highest attempt, or the last one."""
    if not graded:
        return None
    if quiz.grading_method == GradingMethod.LAST:
        return max(graded, key=lambda a: a.number).score_percent
    return max(a.score_percent for a in graded)


def quiz_state(*, user, quiz: Quiz, context_key: str = "", now=None) -> QuizState:
    """Use this for any page that shows a start/resume button or a learner's grade."""
    now = now or timezone.now()
    attempts = (
        list(
            Attempt.objects.filter(user=user, quiz=quiz, context_key=context_key)
            .order_by("number")
            .defer("frozen", "answers")
        )
        if user.is_authenticated
        else []
    )
    graded = [a for a in attempts if a.state == AttemptState.GRADED]
    open_attempt = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    pending = [a for a in attempts if a.state == AttemptState.PENDING]
    grade = quiz_grade(quiz, graded)
    passed = grade is not None and grade >= quiz.pass_mark_percent
    is_open = not (quiz.open_at and now < quiz.open_at) and not (
        quiz.close_at and now >= quiz.close_at
    )
    reason = ""
    if not is_open:
        reason = (
            _("This quiz is not open yet.")
            if quiz.open_at and now < quiz.open_at
            else _("This quiz is closed.")
        )
    elif quiz.max_attempts and len(attempts) >= quiz.max_attempts and open_attempt is None:
        reason = _("You have used all %(n)d attempts at this quiz.") % {"n": quiz.max_attempts}
    can_start = is_open and not reason
    return QuizState(
        quiz=quiz,
        attempts=attempts,
        open_attempt=open_attempt,
        grade_percent=grade,
        passed=passed,
        is_open=is_open,
        can_start=can_start,
        reason=reason,
        graded=graded,
        pending=pending,
    )


def review_allowed(
    *, quiz: Quiz, attempt: Attempt, passed_quiz: bool, can_retake: bool = True, now=None
) -> bool:
    """May the learner see right answers and feedback for this graded attempt?

    `can_retake`: the learner could still start another attempt (QuizState.can_start);
    the default policy hides the answers while that is so and the quiz is not passed."""
    now = now or timezone.now()
    if attempt.state != AttemptState.GRADED:
        return False
    policy = quiz.review_policy
    if policy == ReviewPolicy.PASS_OR_LAST:
        return passed_quiz or not can_retake
    if policy == ReviewPolicy.AFTER_EACH:
        return True
    if policy == ReviewPolicy.AFTER_PASS:
        return passed_quiz
    if policy == ReviewPolicy.AFTER_CLOSE:
        return bool(quiz.close_at and now >= quiz.close_at)
    return False


_ATTEMPT_OF_USER = Prepared(
    "attempt-of-user",
    lambda pk, user_id: Attempt.objects.select_related("quiz").filter(pk=pk, user_id=user_id),
    "ii",
)


def attempt_for_user(*, user, attempt_id: int) -> Attempt | None:
    """The attempt if it is this user's; None otherwise (the view answers 404). The query's
    SQL is built once per process (cms.prepared)."""
    if not user.is_authenticated:
        return None
    return _ATTEMPT_OF_USER.first(int(attempt_id), user.pk)


def _questions_with_choices(ids) -> dict[int, Question]:
    return Question.objects.prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("sort_order", "id"))
    ).in_bulk(ids)


def _as_is(text: str, _fmt: str) -> str:
    return text


def _selected(response: dict) -> set:
    """The choice keys a saved response chose (a single or multiple choice)."""
    if "choice" in response:
        return {response["choice"]}
    return set(response.get("choices", []))


@dataclass
class ServedChoice:
    key: str
    text: str
    checked: bool = False  # chosen in the saved answer (a single or multiple choice)


@dataclass
class ServedQuestion:
    """One question as the learner sees it: no weights, no feedback, no right order."""

    number: int
    id: int
    type: str
    text: str
    points: int
    choices: list[ServedChoice]
    options: list[ServedChoice]
    response: dict
    error: str = ""  # an answer typed but not readable, kept in the field with this message
    min_words: int | None = None  # an essay's word limits, shown beside its field
    max_words: int | None = None
    total: int = 0  # the number of questions served in the attempt

    @property
    def label(self) -> str:
        """ "Question n of total", made here once rather than by a blocktrans per question."""
        return _("Question %(n)s of %(total)s") % {"n": self.number, "total": self.total}

    @cached_property
    def field_name(self) -> str:
        return f"q-{self.id}"

    @property
    def fieldset(self) -> SafeString:
        """The question on the attempt page: its number, its text, the message of an answer
        set aside, its answer field (the markup a template loop wrote, built here: the
        attempt page's largest cost as a template; issue 16)."""
        name = escape(self.field_name)
        error = (
            f'<p class="quiz-error" id="{name}-error" role="alert">{escape(self.error)}</p>'
            if self.error
            else ""
        )
        qid = number_text(self.id)
        return mark_safe(  # noqa: S308 - every value escaped here, the text rendered safe
            f'\n        <fieldset class="quiz-question card" id="question-{qid}">\n'
            f"            <legend>\n"
            f'                <span class="quiz-qnum">{escape(self.label)}</span>\n'
            f'                <span class="quiz-qtext">{conditional_escape(self.text)}</span>\n'
            f"            </legend>\n"
            f"            {error}\n"
            f"            {self.widget}\n"
            f"        </fieldset>\n    "
        )

    @property
    def widget(self) -> SafeString:
        """The type's answer field with the saved answer, as HTML (QuestionKind.widget:
        built in Python, every value escaped there)."""
        return mark_safe(question_types.get(self.type).widget(self))  # noqa: S308

    @property
    def type_label(self) -> str:
        return question_types.label(self.type)

    @property
    def selected(self) -> set:
        return _selected(self.response)

    @property
    def text_answer(self) -> str:
        return self.response.get("text", "")

    @property
    def positions(self) -> list[tuple[ServedChoice, str | None]]:
        """An ordering question's items with the place chosen for each (as text: what its
        select's values are)."""
        order = self.response.get("order", [])
        return [(c, str(order.index(c.key) + 1) if c.key in order else None) for c in self.choices]

    @property
    def position_values(self) -> list[tuple[str, str]]:
        """An ordering question's places, as (value, label) for its selects (text, so that
        the page does not format each number again)."""
        return [(str(n), str(n)) for n in range(1, len(self.choices) + 1)]

    @property
    def option_values(self) -> list[tuple[str, str]]:
        """A matching question's right-hand options, as (value, label) for its selects."""
        return [(o.key, o.text) for o in self.options]

    @property
    def pairs(self) -> list[tuple[ServedChoice, str]]:
        pairs = self.response.get("pairs", {})
        return [(c, pairs.get(c.key, "")) for c in self.choices]


def attempt_questions(attempt: Attempt) -> list[ServedQuestion]:
    """The questions of an attempt in its frozen order, with the saved answers (the bank's
    questions from the cache, assessments.bank: one query for those not cached)."""
    entries = attempt.frozen["questions"]
    questions = bank_questions([e["id"] for e in entries])
    responses = (attempt.answers or {}).get("responses", {})
    served = []
    for number, entry in enumerate(entries, start=1):
        question = questions.get(entry["id"])
        if question is None:
            continue
        by_key = {c.key: c for c in question.data.choices}
        fmt = question.text_format
        shown = render if question_types.get(entry["type"]).rich_choices else _as_is
        response = responses.get(str(question.id)) or {}
        selected = (
            {response["choice"]} if "choice" in response else set(response.get("choices", []))
        )
        choices = [
            ServedChoice(k, shown(by_key[k].text, fmt), k in selected)
            for k in entry["choices"]
            if k in by_key
        ]
        options = [  # a <select>'s options: plain text (GIFT reads them as plain)
            ServedChoice(k, by_key[k].match_text) for k in entry.get("options", []) if k in by_key
        ]
        served.append(
            ServedQuestion(
                number=number,
                id=question.id,
                type=entry["type"],
                text=render(question.text, fmt),
                points=entry["points"],
                choices=choices,
                options=options,
                response=response,
                min_words=question.min_words,
                max_words=question.max_words,
            )
        )
    for question in served:
        question.total = len(served)
    return served


def unanswered_numbers(attempt: Attempt, answers: dict) -> list[int]:
    """The numbers (1-based, in the attempt's frozen order) of the questions `answers`
    (the shape of answers_from_post) leaves empty: what the submit confirmation names."""
    responses = (answers or {}).get("responses", {})
    return [
        number
        for number, entry in enumerate(attempt.frozen["questions"], start=1)
        if not responses.get(str(entry["id"])) and question_types.get(entry["type"]).graded
    ]


def seconds_left(attempt: Attempt, now=None) -> int | None:
    if attempt.deadline_at is None:
        return None
    now = now or timezone.now()
    return max(0, int((attempt.deadline_at - now).total_seconds()))


@dataclass
class ReviewedQuestion:
    number: int
    text: str
    points: Decimal
    max_points: int
    fraction: Decimal
    given: list[str]
    correct: list[str]
    feedback: list[str]

    @property
    def outcome(self) -> str:
        if self.fraction >= 1:
            return "right"
        return "partial" if self.fraction > 0 else "wrong"


def attempt_review(attempt: Attempt) -> list[ReviewedQuestion]:
    """Every question of a graded attempt with the learner's answer, the right answer and
    feedback. Call only after `review_allowed` (3 queries)."""
    results = {r.question_id: r for r in QuestionResult.objects.filter(attempt=attempt)}
    entries = attempt.frozen["questions"]
    questions = _questions_with_choices([e["id"] for e in entries])
    reviewed = []
    for number, entry in enumerate(entries, start=1):
        question = questions.get(entry["id"])
        result = results.get(entry["id"])
        if question is None or result is None:
            continue
        data = QuestionData.of(question)
        kind = question_types.get(entry["type"])
        if kind.manual_grading:  # an essay: shown with its grader's feedback (attempt_essays)
            continue
        given, feedback = kind.review(data, result.response or {})
        if question.general_feedback:
            feedback.append(question.general_feedback)
        fmt = question.text_format
        reviewed.append(
            ReviewedQuestion(
                number=number,
                text=render(question.text, fmt),
                points=result.points,
                max_points=result.max_points,
                fraction=result.fraction,
                given=[to_plain(g, fmt) for g in given] if kind.rich_choices else given,
                correct=[to_plain(c, fmt) for c in kind.correct_answers(data)],
                feedback=[render(f, fmt) for f in feedback],
            )
        )
    return reviewed


# --- Essays graded by a person -------------------------------------------------------------


@dataclass
class GradedEssay:
    """An essay of an attempt: the question, the learner's answer (plain text, escaped by
    the template), its mark once graded and the grader's feedback."""

    question_id: int
    number: int
    text: str  # the question, rendered in its format
    answer: str
    words: int
    max_points: int
    points: Decimal | None
    feedback: str
    grader_info: str = ""  # the rubric: only for graders
    min_words: int | None = None
    max_words: int | None = None


def attempt_essays(attempt: Attempt, *, for_grader: bool = False) -> list[GradedEssay]:
    """The essays of a submitted attempt in its order (2 queries). The rubric is filled in
    only `for_grader`; a learner's page never holds it."""
    results = {
        r.question_id: r
        for r in QuestionResult.objects.filter(attempt=attempt).select_related("question")
        if question_types.get(r.question.qtype).manual_grading
    }
    numbers = {e["id"]: n for n, e in enumerate(attempt.frozen["questions"], start=1)}
    essays = []
    for qid, result in sorted(results.items(), key=lambda item: numbers.get(item[0], 0)):
        question = result.question
        answer = (result.response or {}).get("text", "")
        essays.append(
            GradedEssay(
                question_id=qid,
                number=numbers.get(qid, 0),
                text=render(question.text, question.text_format),
                answer=answer,
                words=word_count(answer),
                max_points=result.max_points,
                points=None if result.needs_grading else result.points,
                feedback=result.feedback,
                grader_info=question.grader_info if for_grader else "",
                min_words=question.min_words,
                max_words=question.max_words,
            )
        )
    return essays


def attempts_awaiting_grading():
    """Every attempt waiting for a grader, oldest submission first. Not scoped: the grading
    queue (campaigns) narrows it to the learners the grader may see."""
    return (
        Attempt.objects.filter(state=AttemptState.PENDING)
        .select_related("quiz", "user")
        .defer("frozen", "answers")
        .order_by("submitted_at", "pk")
    )


# --- Item statistics -------------------------------------------------------------------


@dataclass
class ItemStatistic:
    question: Question
    attempts: int
    facility: float | None  # mean fraction: share of the mark earned
    discrimination: float | None  # correlation of the item with the rest of the score


@dataclass
class QuizStatistics:
    quiz: Quiz
    attempts: int
    mean_percent: float | None
    distribution: list[tuple[str, int]]  # ("0-9", n) ... ("90-100", n)
    items: list[ItemStatistic]


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def quiz_statistics(*, quiz: Quiz) -> QuizStatistics:
    """Per question: attempts, facility and discrimination (the item's fraction correlated
    with the rest of the attempt's points, Moodle's "discrimination index"); per quiz, the
    score distribution in ten bands. Graded attempts only, every context (3 queries)."""
    attempts = list(
        Attempt.objects.filter(quiz=quiz, state=AttemptState.GRADED).values_list(
            "id", "score_percent", "points"
        )
    )
    bands = [0] * 10
    for _id, percent, _points in attempts:
        bands[min(9, int(percent // 10))] += 1
    labels = [f"{i * 10}–{i * 10 + 9}" for i in range(9)] + ["90–100"]
    totals = {a_id: float(points or 0) for a_id, _p, points in attempts}
    per_item: dict[int, list[tuple[float, float]]] = {}
    for attempt_id, question_id, fraction, points in QuestionResult.objects.filter(
        attempt__quiz=quiz, attempt__state=AttemptState.GRADED
    ).values_list("attempt_id", "question_id", "fraction", "points"):
        rest = totals.get(attempt_id, 0.0) - float(points)
        per_item.setdefault(question_id, []).append((float(fraction), rest))
    questions = Question.objects.in_bulk(list(per_item))
    items = []
    for question_id, rows in per_item.items():
        xs = [r[0] for r in rows]
        items.append(
            ItemStatistic(
                question=questions[question_id],
                attempts=len(rows),
                facility=sum(xs) / len(xs) if xs else None,
                discrimination=_pearson(xs, [r[1] for r in rows]),
            )
        )
    items.sort(key=lambda i: (i.facility if i.facility is not None else 2, i.question.id))
    mean = sum(float(p) for _i, p, _pt in attempts) / len(attempts) if attempts else None
    return QuizStatistics(
        quiz=quiz,
        attempts=len(attempts),
        mean_percent=mean,
        distribution=list(zip(labels, bands, strict=True)),
        items=items,
    )


# The question's fields a file carries as the bank stores them.
_EXPORTED_AS_IS = ("qtype", "text", "text_format", "title", "general_feedback", "points",
                   "partial_credit", "ignore_diacritics", "case_sensitive", "shuffle_choices",
                   "grader_info",
                   "min_words", "max_words")  # fmt: skip


def bank_for_export(*, category_ids=None, with_files: bool = False) -> list:
    """Questions (of some categories, or all) as assessments.interchange.ParsedQuestion,
    in category then bank order: what the exports write (3 queries). `with_files` (Moodle
    XML): the bank's images in their texts are embedded (`q.files`, one more query)."""
    qs = (
        Question.objects.select_related("category")
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("sort_order", "id")), "tags"
        )
        .order_by("category__name", "id")
    )
    if category_ids:
        qs = qs.filter(category_id__in=category_ids)
    out = []
    for q in qs:
        choices = [
            ParsedChoice(c.text, c.weight, c.match_text, c.feedback) for c in q.choices.all()
        ]
        parsed = ParsedQuestion(
            line=0, category=q.category.name, penalty=penalty_text(q.penalty),
            tags=sorted(t.name for t in q.tags.all()), choices=choices,
            **{name: getattr(q, name) for name in _EXPORTED_AS_IS},
        )  # fmt: skip
        out.append(question_types.get(q.qtype).for_export(parsed))
    if with_files:
        _embed_images(out)
    return out


_IMAGE_SRC = re.compile(r'src="([^"]+)"')


def _embed_images(questions) -> None:
    """Each src naming one of the bank's Wagtail images becomes @@PLUGINFILE@@/<name>, the
    image's bytes in `q.files` (what Moodle XML embeds in base64)."""
    Image = get_image_model()
    by_url = {}
    wanted = {m for q in questions for m in _IMAGE_SRC.findall(_all_text(q))}
    paths = [u.removeprefix(settings.MEDIA_URL) for u in wanted if u.startswith(settings.MEDIA_URL)]
    for image in Image.objects.filter(file__in=paths):
        by_url[image.file.url] = image
    for q in questions:
        for url in set(_IMAGE_SRC.findall(_all_text(q))) & set(by_url):
            image = by_url[url]
            name = posixpath.basename(image.file.name)
            with image.open_file() as handle:
                q.files[name] = handle.read()
            swap = f"@@PLUGINFILE@@/{name}"
            q.text = q.text.replace(url, swap)
            q.general_feedback = q.general_feedback.replace(url, swap)
            for c in q.choices:
                c.text, c.feedback = c.text.replace(url, swap), c.feedback.replace(url, swap)


def _all_text(q) -> str:
    return " ".join([q.text, q.general_feedback, *(c.text + c.feedback for c in q.choices)])


def bank_category_ids(name: str) -> list[int]:
    """The categories of the bank `name`: that category and every one below it
    ("Kỹ năng số" holds "Kỹ năng số/Lừa đảo"). The command line's `--bank`."""
    name = name.strip().strip("/")
    return list(
        QuestionCategory.objects.filter(Q(name=name) | Q(name__startswith=f"{name}/")).values_list(
            "id", flat=True
        )
    )


def quizzes_with_attempt_counts():
    """Quizzes with `graded_count` (graded attempts, every context): the statistics list."""
    return Quiz.objects.annotate(
        graded_count=Count("attempts", filter=Q(attempts__state=AttemptState.GRADED))
    ).order_by("title")
