"""What the campaigns floor holds about a person, for "My data" (accounts.privacy; named in
settings.HOCSO_PERSONAL_DATA_SECTIONS)."""

from django.utils import timezone

from accounts.privacy import Section, label
from campaigns.models import (
    Assignment,
    Attendance,
    LearnerProfile,
    Membership,
    Notice,
    PendingEmailChange,
)
from campaigns.notice_counts import notices_forget


def personal_data(user) -> list[Section]:
    """Learner profile, agency history, campaign assignments, attendance and notices (one
    query each)."""
    mine = {"user": user}
    return [
        Section.of("learner_profile", label("Learner profile"),
                   LearnerProfile.objects.filter(**mine), {
            "agency__name": label("Agency"), "audience": label("Audience"),
            "job_title": label("Job title"), "employee_code": label("Employee code"),
        }),
        Section.of("agency_history", label("Agency history"),
                   Membership.objects.filter(**mine).order_by("valid_from", "pk"), {
            "agency__name": label("Agency"), "valid_from": label("From"), "valid_to": label("To"),
        }),
        Section.of("assignments", label("Campaign assignments"),
                   Assignment.objects.filter(**mine).order_by("due_at", "pk"), {
            "campaign__name": label("Campaign"), "due_at": label("Due"),
            "completed_at": label("Completed"),
        }),
        Section.of("attendance", label("Attendance"),
                   Attendance.objects.filter(**mine).order_by("recorded_at", "pk"), {
            "session__title": label("Session"), "session__starts_at": label("Starts"),
            "recorded_at": label("Recorded"),
        }),
        Section.of("notices", label("Notices"),
                   Notice.objects.filter(**mine).order_by("created_at", "pk"), {
            "kind": label("Kind"), "message": label("Message"), "created_at": label("Sent"),
            "read_at": label("Read"),
        }),
    ]  # fmt: skip


def anonymise(user) -> None:
    """The employee code and job title go, and so do the person's notices (their texts) and
    e-mail changes waiting for a confirmation. Memberships, assignments and attendance stay:
    the reports count them (and the person's agency on each day)."""
    LearnerProfile.objects.filter(user=user).update(
        employee_code=None, job_title="", updated_at=timezone.now()
    )
    Notice.objects.filter(user=user).delete()
    notices_forget([user.pk])
    PendingEmailChange.objects.filter(user=user).delete()
