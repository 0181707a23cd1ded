"""The bank's questions as an attempt reads them, cached for every learner (issue 16).

A question's type, points, text and grading options with its choices in bank order: the
same for every learner, so cached per question under a *bank generation* token that any
save or deletion of a question or a choice forgets (at once and again on commit; a
question edited in the admin is saved, its choices with it). Read by quiz start (the
served order), the attempt page (what is served) and submit (grading against the bank as
it is now), in one query for the questions not cached. A quiz's *plan* (its lines, and
the question ids each random line draws from) is kept under the same token, which a quiz
line saved or deleted forgets too: quiz start draws without a query (`quiz_plan`).

Both are also kept in each process's memory under the token (`_memo`: what is cached
under a token never changes, a change makes a new token), so a request reads only the
token from the cache: no second round trip, nothing unpickled. With a per-process cache
(LocMemCache) another process keeps an entry at most cms.pages.pages_cache_seconds(), in
its cache and in its memory alike; with the cache down (no token), the database each
time. The signals are connected when this module is imported: assessments.services
imports it, and courses' activity kinds import that at start-up (CoursesConfig.ready).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from assessments.grading import ChoiceData, QuestionData
from assessments.models import Choice, Question, QuizSlot
from cms.cache import ProcessMemo, generation, generation_forget
from cms.pages import pages_cache_seconds

BANK_GENERATION_KEY = "assessments:bank-generation:v1"


@dataclass(frozen=True)
class BankQuestion:
    id: int
    points: int
    shuffle_choices: bool
    data: QuestionData  # type, grading options, choices in bank order
    text: str
    text_format: str
    min_words: int | None
    max_words: int | None


def bank_changed(**_kwargs) -> None:
    generation_forget(BANK_GENERATION_KEY)


for _model in (Question, Choice, QuizSlot):
    post_save.connect(bank_changed, sender=_model, dispatch_uid=f"bank_saved_{_model.__name__}")
    post_delete.connect(bank_changed, sender=_model, dispatch_uid=f"bank_deleted_{_model.__name__}")


def bank_generation() -> str | None:
    return generation(BANK_GENERATION_KEY)


# This process's copies, by (token, what, id): values never change under a token (frozen
# dataclasses and tuples: shared by every request without a copy).
_MEMO = ProcessMemo(size=8192)


_BANK_COLUMNS = ("id", "qtype", "points", "shuffle_choices", "partial_credit",
                 "ignore_diacritics", "case_sensitive", "choices__key", "choices__text",
                 "choices__weight", "choices__match_text", "choices__sort_order",
                 "choices__feedback", "text", "text_format", "min_words", "max_words")  # fmt: skip


def _bank_load(ids) -> dict[int, BankQuestion]:
    """The questions `ids` with their choices, in one query (a question without choices
    comes as one row with none)."""
    rows: dict[int, tuple] = {}
    choices: dict[int, list[ChoiceData]] = {}
    for row in (
        Question.objects.filter(pk__in=ids)
        .values_list(*_BANK_COLUMNS)
        .order_by("id", "choices__sort_order", "choices__id")
    ):
        rows.setdefault(row[0], row)
        if row[7] is not None:
            choices.setdefault(row[0], []).append(ChoiceData(*row[7:12], row[12] or ""))
    return {
        qid: BankQuestion(
            id=qid,
            points=row[2],
            shuffle_choices=row[3],
            data=QuestionData(
                row[1],
                tuple(choices.get(qid, ())),
                partial_credit=row[4],
                ignore_diacritics=row[5],
                case_sensitive=row[6],
            ),
            text=row[13],
            text_format=row[14],
            min_words=row[15],
            max_words=row[16],
        )
        for qid, row in rows.items()
    }


def bank_questions(ids) -> dict[int, BankQuestion]:
    """{question id: BankQuestion} of the questions `ids` still in the bank: from the cache,
    the ones not cached in one query."""
    return bank_questions_at(bank_generation(), ids)


def bank_questions_at(token: str | None, ids) -> dict[int, BankQuestion]:
    """bank_questions under a token the caller read (`bank_generation()`): this process's
    copies first, then the cache, then one query."""
    ids = list(dict.fromkeys(ids))
    result = {}
    if token:
        for qid in ids:
            found = _MEMO.get((token, "q", qid))
            if found is not None:
                result[qid] = found
    keys = {qid: f"assessments:bank:{token}:{qid}" for qid in ids if qid not in result}
    keys = keys if token else {}
    found = cache.get_many(list(keys.values())) if keys else {}
    shared = {qid: found[key] for qid, key in keys.items() if key in found}
    result.update(shared)
    missing = [qid for qid in ids if qid not in result]
    loaded = _bank_load(missing) if missing else {}
    result.update(loaded)
    if token and (shared or loaded):
        seconds = pages_cache_seconds()
        if loaded:
            cache.set_many({keys[qid]: q for qid, q in loaded.items()}, seconds)
        _MEMO.put_many({(token, "q", qid): q for qid, q in {**shared, **loaded}.items()}, seconds)
    return result


@dataclass(frozen=True)
class QuizPlan:
    """What a quiz draws: its lines in order, each (fixed question id or None, category id
    or None, how many to draw), and each random line's category's question ids (the fixed
    ones left out: never drawn twice in an attempt)."""

    lines: tuple[tuple[int | None, int | None, int], ...]
    pools: dict[int, tuple[int, ...]]


def _plan_load(quiz_id: int) -> QuizPlan:
    """The quiz's lines, and the random lines' pools: two queries (one without a random
    line), once per process and generation."""
    lines = tuple(
        QuizSlot.objects.filter(quiz_id=quiz_id)
        .order_by("sort_order", "id")
        .values_list("question_id", "category_id", "draw_count")
    )
    fixed = {question for question, _c, _n in lines if question}
    categories = {category for _q, category, _n in lines if category}
    pools: dict[int, list[int]] = {category: [] for category in categories}
    if categories:
        for qid, category in (
            Question.objects.filter(category_id__in=categories)
            .order_by("id")
            .values_list("id", "category_id")
        ):
            if qid not in fixed:
                pools[category].append(qid)
    return QuizPlan(lines, {category: tuple(ids) for category, ids in pools.items()})


def quiz_plan(token: str | None, quiz_id: int) -> QuizPlan:
    """The quiz's plan under the bank generation `token` (`bank_generation()`): from this
    process's memory, else the database, kept for the token."""
    if not token:
        return _plan_load(quiz_id)
    key = (token, "plan", quiz_id)
    plan = _MEMO.get(key)
    if plan is None:
        plan = _plan_load(quiz_id)
        _MEMO.put(key, plan, pages_cache_seconds())
    return plan
