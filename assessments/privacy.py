"""What the assessments floor holds about a person, for "My data" (accounts.privacy; named
in settings.HOCSO_PERSONAL_DATA_SECTIONS)."""

from django.db import transaction

from accounts.privacy import Section, label
from assessments import question_types
from assessments.h5p.models import H5PStatement
from assessments.models import Attempt, QuestionResult
from assessments.scorm.models import ScormAttempt
from assessments.scorm.services import attempt_data_strip


def personal_data(user) -> list[Section]:
    """The person's quiz attempts with their scores, and their SCORM attempts with the
    values the courses saved (one query each)."""
    attempts = Attempt.objects.filter(user=user).order_by("started_at", "pk")
    scorm = ScormAttempt.objects.filter(user=user).order_by("created_at", "pk")
    return [
        Section.of("attempts", label("Quiz attempts"), attempts, {
            "quiz__title": label("Quiz"), "number": label("Attempt"), "state": label("State"),
            "started_at": label("Started"), "submitted_at": label("Submitted"),
            "score_percent": label("Score (%)"), "passed": label("Passed"),
        }),
        Section.of("scorm_attempts", label("SCORM activities"), scorm, {
            "package__title": label("SCORM package"), "sco": label("Part"),
            "completed": label("Completed"), "passed": label("Passed"),
            "scaled": label("Score (-1 to 1)"), "updated_at": label("Last saved"),
            "cmi": label("Saved data"),
        }),
    ]  # fmt: skip


def anonymise(user) -> None:
    """The raw xAPI statements the browser relayed (they may carry the person's name or
    address as the statement's actor) are deleted; attempts and their scores stay (reports
    and item statistics count them), but the texts the person wrote in essays, and the
    graders' feedback on them, are blanked (a text may say anything about its author); of
    SCORM attempts only the outcome elements stay (assessments.scorm.services)."""
    H5PStatement.objects.filter(launch__user=user).delete()
    essay_answers_blank(user)
    attempt_data_strip(user=user)


BLANKED = "—"


def essay_answers_blank(user) -> int:
    """Blank the essay answers of `user`'s attempts (saved answers and graded results) and
    the feedback on them; the marks stay. Returns how many attempts changed."""
    manual = {k.code for k in question_types.kinds() if k.manual_grading}
    changed = 0
    with transaction.atomic():
        for attempt in Attempt.objects.select_for_update().filter(user=user):
            essay_ids = {str(e["id"]) for e in attempt.frozen.get("questions", [])
                         if e.get("type") in manual}  # fmt: skip
            responses = dict((attempt.answers or {}).get("responses") or {})
            touched = False
            for qid in essay_ids & set(responses):
                if responses[qid] != {"text": BLANKED}:
                    responses[qid], touched = {"text": BLANKED}, True
            if touched:
                attempt.answers = {**attempt.answers, "responses": responses}
                attempt.save(update_fields=["answers"])
                changed += 1
            QuestionResult.objects.filter(
                attempt=attempt, question_id__in=[int(q) for q in essay_ids], response__isnull=False
            ).update(response={"text": BLANKED}, feedback="")
    return changed


def statements_older_than(before):
    """Raw xAPI statements received before `before`: what retention deletes
    (campaigns.retention, in batches)."""
    return H5PStatement.objects.filter(received_at__lt=before)
