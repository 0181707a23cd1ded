"""Campaigns part: campaigns, their assignments, reminders, notices and in-person sessions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models.agencies import Agency
from cms.models import TimestampedModel
from cms.vocabularies import Subgroup


class Campaign(TimestampedModel):
    """Who must learn what by when: target audiences, scope agencies, required courses."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_on = models.DateField(
        _("due date"), help_text=_("Learners must complete the required courses by this date.")
    )
    target_percent = models.PositiveSmallIntegerField(
        _("target (percent of headcount)"), default=100
    )
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("agencies"),
        blank=True,
        related_name="campaigns",
        help_text=_("The campaign covers these agencies and their subtrees (none: all)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order"
            ),
            models.CheckConstraint(
                condition=Q(target_percent__lte=100), name="campaign_target_percent_max"
            ),
        ]

    def __str__(self):
        return self.name


class CampaignAudience(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField(_("audience"), max_length=32, choices=Subgroup.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "audience"], name="campaign_aud_unique")
        ]

    def __str__(self):
        return self.audience


class CampaignCourse(models.Model):
    """A course the campaign requires (campaigns.courses_bridge is the one place that calls
    the courses floor's services)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="courses")
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="campaign_requirements",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "course"], name="campaign_course_unique")
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.course_id}"


class AgencyTarget(models.Model):
    """A per-agency override of the campaign's target (percent of headcount by a date)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="targets")
    percent = models.PositiveSmallIntegerField(_("target (percent of headcount)"))
    due_on = models.DateField(_("by"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "agency"], name="target_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="target_percent_max"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.agency_id} {self.percent}%"


class Assignment(TimestampedModel):
    """A learner must complete a campaign's required courses by `due_at`.

    One row per (campaign, user): the idempotency key of assignment. `completed_at` and
    `completed_agency` are the learner's campaign status (all required courses completed),
    with the agency the learner belonged to on that day, so merges never move it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_assignments"
    )
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="assignment_unique")
        ]
        indexes = [
            models.Index(fields=["due_at", "completed_at"], name="assignment_due_idx"),
            models.Index(fields=["campaign", "completed_at"], name="assignment_done_idx"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.user_id}"


class Reminder(models.Model):
    """One reminder sent: the (assignment, kind) pair is the idempotency key."""

    class Kind(models.TextChoices):
        DUE_IN_7_DAYS = "due_7", _("Due in 7 days")
        DUE_IN_1_DAY = "due_1", _("Due tomorrow")
        OVERDUE = "overdue", _("Overdue")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "kind"], name="reminder_once")]

    def __str__(self):
        return f"{self.assignment_id} {self.kind}"


class ManagerDigest(models.Model):
    """One weekly digest sent to a manager: (user, week) is the idempotency key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_digests"
    )
    week_start = models.DateField()
    overdue_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="digest_once_a_week")
        ]

    def __str__(self):
        return f"{self.user_id} {self.week_start}"


class Notice(models.Model):
    """An in-app notice shown to a user: the bell in the header counts the unread ones
    (campaigns.templatetags.learner_tags), /thong-bao/ lists them."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", _("New assignment")
        REMINDER = "reminder", _("Deadline reminder")
        CERTIFICATE = "certificate", _("Certificate ready")
        OTHER = "other", _("Other")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread_idx")]

    def __str__(self):
        return self.message


class Session(TimestampedModel):
    """An in-person conference, seminar or training class; attendance counts as participation."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        SEMINAR = "seminar", _("Seminar")
        TRAINING_CLASS = "training_class", _("Training class")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="sessions"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )

    class Meta:
        verbose_name = _("in-person session")
        verbose_name_plural = _("in-person sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_period_order"
            )
        ]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        ROSTER = "roster", _("Roster")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_once")]

    def __str__(self):
        return f"{self.session_id} {self.user_id}"
