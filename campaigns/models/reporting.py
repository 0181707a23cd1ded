"""Reporting part: the rollup tables (campaigns.reporting.rollups keeps them) and the
background exports and scheduled reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models.agencies import Agency
from campaigns.models.campaigns import Campaign
from cms.models import TimestampedModel
from cms.vocabularies import Subgroup


class RollupCounts(models.Model):
    """Counters shared by the three rollup tables.

    Every row is a sum of *deltas* for one key, attributed to the agency the learner
    belonged to on the event's day and to the learner's audience:
    - registered: +1 on the first day of a membership, -1 on the day after it ends (so the
      running sum up to a day is the number of members that day);
    - enrolled: +1 on the day of a course enrolment (campaign rows: of an assignment); an
      enrolment cancelled before completion is taken back from its day;
    - completed: +1 on the day a course (campaign rows: every required course) was completed;
    - certified: +1 on the day a certificate was issued, taken back if it is revoked
      (campaign rows: +1 on the completion day while the person holds a valid certificate
      for every required course, so never more than `completed` for the same key).
    Rows with course_id = campaign_id = 0 carry `registered`; course rows have course_id,
    campaign rows campaign_id. Plain integers, not foreign keys: rollups are statistics and
    never block deleting a course or a campaign."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=32, choices=Subgroup.choices)
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
    settings.REPORTS_DIR and served only to its owner (campaigns.reporting.exports).

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
