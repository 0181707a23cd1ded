"""Agencies, learner profiles, manager roles, campaigns, sessions, reminders and imports.

Dependency direction: campaigns -> courses -> assessments -> accounts -> cms. Nothing below
imports from here; lower pages get campaign figures through `campaigns.templatetags`.

History: a learner's agency over time lives in `Membership` rows (periods). The profile's
`agency` is the current one (denormalised for fast listing); reports ask the membership valid
on the date of the event, so merges, splits and moves never rewrite past figures.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from accounts.models import TimestampedModel
from cms.text import fold


class Audience(models.TextChoices):
    """Target groups (QĐ 757/QĐ-BKHCN's four groups, civil servants split the usual way)."""

    LEADER = "leader", _("Leader")
    CIVIL_SERVANT = "civil_servant", _("Civil servant")
    PUBLIC_EMPLOYEE = "public_employee", _("Public employee")
    WORKER = "worker", _("Worker of a state agency")
    ENTERPRISE_WORKER = "enterprise_worker", _("Enterprise worker")
    CITIZEN = "citizen", _("Citizen")
    PUPIL_STUDENT = "pupil_student", _("Pupil or student")


class AgencyQuerySet(MP_NodeQuerySet):
    def active(self):
        """Agencies still in use (merged-away agencies stay for history, inactive)."""
        return self.filter(is_active=True)

    def subtree_of(self, agencies):
        """The given agencies and everything below them (materialised-path prefixes)."""
        paths = [a.path for a in agencies]
        if not paths:
            return self.none()
        q = Q()
        for path in paths:
            q |= Q(path__startswith=path)
        return self.filter(q)


class AgencyManager(MP_NodeManager):
    def get_queryset(self):
        return AgencyQuerySet(self.model, using=self._db).order_by("path")

    def active(self):
        return self.get_queryset().active()

    def subtree_of(self, agencies):
        return self.get_queryset().subtree_of(agencies)


class Agency(MP_Node, TimestampedModel):
    """A node of the province's tree: department, commune or ward, unit, enterprise..."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        DEPARTMENT = "department", _("Department")
        COMMUNE_OR_WARD = "commune_or_ward", _("Commune or ward")
        UNIT = "unit", _("Unit")
        ENTERPRISE = "enterprise", _("Enterprise")
        MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
        CITIZEN_GROUP = "citizen_group", _("Citizen group")

    name = models.CharField(_("name"), max_length=200)
    # fold(name): diacritic-insensitive search key, kept by the services.
    search_key = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    code = models.CharField(
        _("official code"),
        max_length=32,
        unique=True,
        help_text=_("The agency's official code, used in import files."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    node_order_by = ["name"]

    objects = AgencyManager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name


class AgencyHeadcount(models.Model):
    """How many people of one audience an agency has: the denominator of every rate."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="headcounts")
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)
    count = models.PositiveIntegerField(_("headcount"), default=0)

    class Meta:
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        constraints = [
            models.UniqueConstraint(fields=["agency", "audience"], name="headcount_unique")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.audience} {self.count}"


class LearnerProfile(TimestampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="profiles",
    )
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    # NULL (not "") when absent, unique when present.
    employee_code = models.CharField(
        _("employee code"), max_length=64, null=True, blank=True, unique=True
    )

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")
        indexes = [models.Index(fields=["agency", "audience"], name="profile_agency_aud_idx")]

    def __str__(self):
        return f"{self.user_id} @ {self.agency_id}"


class MembershipQuerySet(models.QuerySet):
    def on(self, day):
        """Memberships valid on `day` (a date): use this to report an event under the agency
        the learner belonged to when it happened."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Membership(models.Model):
    """A learner belonged to an agency from valid_from to valid_to (inclusive; open = now)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(valid_to__isnull=True), name="membership_one_open"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_period_order",
            ),
        ]
        indexes = [models.Index(fields=["agency", "valid_from"], name="membership_agency_idx")]

    def __str__(self):
        return f"{self.user_id} @ {self.agency_id} {self.valid_from}..{self.valid_to or ''}"


class ManagerRole(models.Model):
    """The user manages `agency` and its whole subtree. Granted by an administrator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="manager_roles",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="manager_roles"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("manager role")
        verbose_name_plural = _("manager roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="manager_role_unique")
        ]

    def __str__(self):
        return f"{self.user} → {self.agency}"


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
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)

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
    """An in-app notice shown to a user (reminders, invitations)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
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


class PrivateImportStorage(FileSystemStorage):
    """Uploaded import files: on disk outside MEDIA (personal data, never served), shared by
    the web process and the Celery worker. The folder is read from settings on each use."""

    @property
    def base_location(self):
        return str(settings.CAMPAIGNS_IMPORT_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None  # never served over HTTP


def private_import_storage():
    """A callable, so migrations hold no path."""
    return PrivateImportStorage()


class ImportJob(TimestampedModel):
    """A bulk import of learners: upload → dry run (staged rows) → background run.

    `checkpoint_row` is the last staged row committed to the database: a failed run resumes
    after it. Every batch and its checkpoint commit together."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has errors")
        READY = "ready", _("Ready to import")
        RUNNING = "running", _("Importing")
        FAILED = "failed", _("Stopped")
        DONE = "done", _("Done")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(storage=private_import_storage, upload_to="learners/%Y/%m/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    send_invitations = models.BooleanField(default=True)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    checkpoint_row = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name


class ImportRow(models.Model):
    """One staged row of an import file (streamed in, checked, then applied in batches)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # line in the file (header = 1)
    full_name = models.CharField(max_length=150, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    agency_code = models.CharField(max_length=64, blank=True)
    audience = models.CharField(max_length=64, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    employee_code = models.CharField(max_length=64, blank=True)
    # Problems found, one Vietnamese sentence per line; empty when the row is fine.
    problems = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_row_unique")]

    def __str__(self):
        return f"{self.job_id}:{self.number}"


def agency_search_key(name: str) -> str:
    return fold(name)


# --- Rollups ------------------------------------------------------------------------------


class RollupCounts(models.Model):
    """Counters shared by the three rollup tables.

    Every row is a sum of *deltas* for one key, attributed to the agency the learner
    belonged to on the event's day and to the learner's audience:
    - registered: +1 on the first day of a membership, -1 on the day after it ends (so the
      running sum up to a day is the number of members that day);
    - enrolled: +1 on the day of a course enrolment (campaign rows: of an assignment); an
      enrolment cancelled before completion is taken back from its day;
    - completed: +1 on the day a course (campaign rows: every required course) was completed;
    - certified: +1 on the day a certificate was issued, taken back if it is revoked.
    Rows with course_id = campaign_id = 0 carry `registered`; course rows have course_id,
    campaign rows campaign_id. Plain integers, not foreign keys: rollups are statistics and
    never block deleting a course or a campaign."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=32, choices=Audience.choices)
    course_id = models.PositiveIntegerField(default=0)
    campaign_id = models.PositiveIntegerField(default=0)
    registered = models.IntegerField(default=0)
    enrolled = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    certified = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.agency_id} c{self.campaign_id} k{self.course_id} {self.audience}"


class RollupDay(RollupCounts):
    """Deltas per (agency, course or campaign, audience, day): any period, weekly trends."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "course_id", "agency", "audience", "day"],
                name="rollup_day_key",
            )
        ]
        indexes = [models.Index(fields=["campaign_id", "course_id", "day"], name="rollup_day_idx")]


class RollupMonth(RollupCounts):
    """The same deltas per report month (`month` = the first day of the calendar month the
    report month is named after; with a cut-off day, days from the cut-off on belong to the
    next month; settings.REPORT_CUTOFF_DAY). Month, quarter, half-year and year reports sum
    at most 12 rows per key. Changing the cut-off day needs `rollups_rebuild`."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "course_id", "agency", "audience", "month"],
                name="rollup_month_key",
            )
        ]


class RollupTotal(RollupCounts):
    """All-time sums per (agency, course or campaign, audience): the dashboards' "now"."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "course_id", "agency", "audience"],
                name="rollup_total_key",
            )
        ]


# --- Background exports and scheduled reports ---------------------------------------------


class ReportExport(TimestampedModel):
    """A file a manager asked for, built in the background (queue "reports") into
    settings.REPORTS_DIR and served only to its owner (campaigns.exports).

    `params` (version 1): {"version": 1, "period": a period slug ("2026-m10", "2026-q3",
    "20260101-20260315" for custom dates), "campaign": a campaign id or None (all courses),
    "depth": 1 or 2 (report levels below the agency)}. `file_name` is relative to
    REPORTS_DIR and set only once the file is complete."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Period report")
        DETAIL = "detail", _("Learners and courses")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    # CASCADE: an export is a disposable file; it never outlives its agency.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    fmt = models.CharField(max_length=8, choices=Format.choices)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="detail", fmt="pdf"), name="report_export_detail_no_pdf"
            )
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="report_export_user_idx")]

    def __str__(self):
        return f"{self.user_id} {self.kind}.{self.fmt} {self.status}"


class ReportSubscription(TimestampedModel):
    """A manager receives an agency's month or quarter report by e-mail once the period has
    ended. `last_sent_period` (a period slug) is the idempotency key: the daily beat run
    claims it with a conditional UPDATE before sending."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    fmt = models.CharField(max_length=8, choices=Format.choices, default=Format.XLSX)
    last_sent_period = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "campaign", "kind"], name="report_subscription_unique"
            ),
            # NULLs are distinct in a unique index: "all courses" needs its own.
            models.UniqueConstraint(
                fields=["user", "agency", "kind"],
                condition=Q(campaign__isnull=True),
                name="report_subscription_unique_all",
            ),
        ]
        indexes = [models.Index(fields=["active"], name="report_subscription_active_idx")]

    def __str__(self):
        return f"{self.user_id} {self.agency_id} {self.kind}"
