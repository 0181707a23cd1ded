"""Agencies part: the tree of agencies, people in it over time, manager roles, imports.

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

from cms.models import TimestampedModel
from cms.text import fold
from cms.vocabularies import Subgroup


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
    audience = models.CharField(_("audience"), max_length=32, choices=Subgroup.choices)
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
    audience = models.CharField(_("audience"), max_length=32, choices=Subgroup.choices)
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


class PendingEmailChange(models.Model):
    """An import asked to change the e-mail of someone who has already signed in. An import
    never does that by itself (a manager could otherwise point an account at an address of
    theirs and reset its password): the owner of `old_email` gets a signed link, and the
    change is made only when they confirm it, while the account still has that address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_email = models.EmailField()
    new_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "new_email"], name="pending_email_user_idx")]

    def __str__(self):
        return f"{self.user_id}: {self.old_email} -> {self.new_email}"


def agency_search_key(name: str) -> str:
    return fold(name)
