"""The bank's questions as an attempt reads them, cached for every learner (issue 16).

A question's type, points, text and grading options with its choices in bank order: the
same for every learner, so cached per question under a *bank generation* token that any
save or deletion of a question or a choice forgets (at once and again on commit; a
question edited in the admin is saved, its choices with it). Read by quiz start (the
served order), the attempt page (what is served) and submit (grading against the bank as
it is now), in one query for the questions not cached. With a per-process cache
(LocMemCache) another process keeps an entry at most cms.pages.pages_cache_seconds();
with the cache down, the database each time. The signals are connected when this module
is imported: assessments.services imports it, and courses' activity kinds import that at
start-up (CoursesConfig.ready).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from assessments.grading import ChoiceData, QuestionData
from assessments.models import Choice, Question
from cms.cache import generation, generation_forget
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


for _model in (Question, Choice):
    post_save.connect(bank_changed, sender=_model, dispatch_uid=f"bank_saved_{_model.__name__}")
    post_delete.connect(bank_changed, sender=_model, dispatch_uid=f"bank_deleted_{_model.__name__}")


def _bank_generation() -> str | None:
    return generation(BANK_GENERATION_KEY)


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
    ids = list(dict.fromkeys(ids))
    token = _bank_generation()
    keys = {qid: f"assessments:bank:{token}:{qid}" for qid in ids} if token else {}
    found = cache.get_many(list(keys.values())) if keys else {}
    result = {qid: found[key] for qid, key in keys.items() if key in found}
    missing = [qid for qid in ids if qid not in result]
    if missing:
        loaded = _bank_load(missing)
        result.update(loaded)
        if keys and loaded:
            cache.set_many({keys[qid]: q for qid, q in loaded.items()}, pages_cache_seconds())
    return result
