"""What the assessments floor holds about a person, for "My data" (accounts.privacy; named
in settings.HOCSO_PERSONAL_DATA_SECTIONS)."""

from accounts.privacy import Section, label
from assessments.h5p.models import H5PStatement
from assessments.models import Attempt


def personal_data(user) -> list[Section]:
    """The person's quiz attempts with their scores (one query)."""
    attempts = Attempt.objects.filter(user=user).order_by("started_at", "pk")
    return [
        Section.of("attempts", label("Quiz attempts"), attempts, {
            "quiz__title": label("Quiz"), "number": label("Attempt"), "state": label("State"),
            "started_at": label("Started"), "submitted_at": label("Submitted"),
            "score_percent": label("Score (%)"), "passed": label("Passed"),
        }),
    ]  # fmt: skip


def anonymise(user) -> None:
    """The raw xAPI statements the browser relayed (they may carry the person's name or
    address as the statement's actor) are deleted; attempts and their scores stay (reports
    and item statistics count them)."""
    H5PStatement.objects.filter(launch__user=user).delete()


def statements_older_than(before):
    """Raw xAPI statements received before `before`: what retention deletes
    (campaigns.retention, in batches)."""
    return H5PStatement.objects.filter(received_at__lt=before)
