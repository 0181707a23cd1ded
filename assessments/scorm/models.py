"""SCORM packages (1.2 and 2004), chosen in lessons like H5P packages.

A package's upload, status and reasons are UploadedPackage's (assessments.h5p.models); its
file and extracted folder live in the same private, content-addressed storage
(assessments.h5p.storage: uploads/<sha256>.zip, content/<sha256>/), reachable only through
the content origin. Writes go through `assessments.scorm.services`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.h5p.models import UploadedPackage, uploaded_by_field
from assessments.scorm.validation import SCORM12, SCORM2004
from cms.models import TimestampedModel


class ScormPackage(UploadedPackage):
    """`version`: "scorm12" or "scorm2004" (`edition`: the manifest's schemaversion);
    `scos`: the launchable items in the manifest's order,
    {"version": 1, "items": [{"identifier", "title", "href", "scorm_type"}, ...]}."""

    class Version(models.TextChoices):
        SCORM12 = SCORM12, "SCORM 1.2"
        SCORM2004 = SCORM2004, "SCORM 2004"

    version = models.CharField(
        _("SCORM version"), max_length=10, choices=Version.choices, blank=True
    )
    edition = models.CharField(_("edition"), max_length=30, blank=True)
    manifest_title = models.CharField(_("title in the package"), max_length=255, blank=True)
    scos = models.JSONField(_("SCOs"), default=dict, blank=True)
    uploaded_by = uploaded_by_field("scorm_packages")

    class Meta(UploadedPackage.Meta):
        verbose_name = _("SCORM package")
        verbose_name_plural = _("SCORM packages")
        indexes = [models.Index(fields=["status"], name="scorm_package_status_idx")]

    @property
    def sco_items(self) -> list[dict]:
        return list((self.scos or {}).get("items", []))


ONE_ATTEMPT_PER_SCO = ["user", "package", "context_key", "sco"]  # resumed, never duplicated
SCALED_RANGE = Q(scaled__isnull=True) | (Q(scaled__gte=-1) & Q(scaled__lte=1))


class ScormAttempt(TimestampedModel):
    """One learner's run of one SCO of a package in one place (context_key, e.g. a lesson
    block: "lesson:<page id>:<block id>"). `cmi` holds only values checked by
    assessments.scorm.cmi (resume reads them back); the outcome columns are computed on the
    server from them. The browser only ever sends `public_id` and the launch's `session`
    (with `session_seq`, replays are refused); identity is the Django session's."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_attempts"
    )
    package = models.ForeignKey(ScormPackage, on_delete=models.PROTECT, related_name="attempts")
    context_key = models.CharField(max_length=200)
    sco = models.CharField(_("SCO"), max_length=255)
    cmi = models.JSONField(default=dict, blank=True)
    commits = models.PositiveIntegerField(default=0)
    # The open run-time session (a launch): its commits carry it and a rising sequence
    # number; Finish/Terminate closes it (None), so a commit replayed later is refused.
    session = models.UUIDField(null=True, blank=True, editable=False)
    session_seq = models.PositiveIntegerField(default=0, editable=False)
    completed = models.BooleanField(default=False)
    passed = models.BooleanField(null=True, blank=True)
    scaled = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCORM attempt")
        verbose_name_plural = _("SCORM attempts")
        constraints = [
            models.UniqueConstraint(fields=ONE_ATTEMPT_PER_SCO, name="scorm_attempt_unique_sco"),
            models.CheckConstraint(condition=SCALED_RANGE, name="scorm_attempt_scaled_range"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.package_id} {self.sco}"
