"""H5P packages, the approved library pool, launches, xAPI statements and saved state.

Dependency direction: assessments.h5p imports accounts and cms only; courses (above) chooses
an `H5PPackage` in a lesson block and records lesson progress from the result our services
return. Writes go through `assessments.h5p.services`; nothing here has logic in save().

Files never live under MEDIA_ROOT: uploads, extracted content and library code sit under
settings.H5P_STORAGE_ROOT (private) and are reachable only through the content origin with
a signed token (see `serving.py`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from cms.models import TimestampedModel


class H5PLibrary(TimestampedModel):
    """One version of one H5P library (Machine-Major.Minor.Patch) found in an upload.

    Files are stored content-addressed under `libraries/<files_sha256>/`; they are served only
    while the row is APPROVED. At most one approved row per (machine_name, major, minor): an
    approval of a higher patch supersedes the lower one (the PHP core's rule).

    `library_json` is library.json as parsed. `file_hashes` shape:
    {"version": 1, "files": {"<relative path>": "<sha256 hex>", ...}}.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Replaced by a newer patch")
        REJECTED = "rejected", _("Rejected")

    machine_name = models.CharField(_("machine name"), max_length=255)
    major_version = models.PositiveIntegerField(_("major version"))
    minor_version = models.PositiveIntegerField(_("minor version"))
    patch_version = models.PositiveIntegerField(_("patch version"))
    title = models.CharField(_("title"), max_length=255)
    runnable = models.BooleanField(_("runnable"), default=False)
    core_api = models.CharField(_("core API"), max_length=20, blank=True)
    library_json = models.JSONField(_("library.json"), default=dict)
    files_sha256 = models.CharField(_("files hash"), max_length=64)
    file_hashes = models.JSONField(_("file hashes"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    first_package = models.ForeignKey(
        "h5p.H5PPackage",
        verbose_name=_("first seen in package"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="libraries_introduced",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        ordering = ["machine_name", "-major_version", "-minor_version", "-patch_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version", "patch_version"],
                name="h5p_library_unique_version",
            ),
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version"],
                condition=Q(status="approved"),
                name="h5p_library_one_approved_per_minor",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="h5p_library_status_idx")]

    def __str__(self):
        return f"{self.machine_name} {self.version}"

    @property
    def version(self) -> str:
        return f"{self.major_version}.{self.minor_version}.{self.patch_version}"

    @property
    def folder_name(self) -> str:
        """The folder name h5p-standalone asks for: Machine-Major.Minor."""
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"


def uploaded_by_field(related_name: str) -> models.ForeignKey:
    """Who uploaded a package (each package model names its reverse accessor)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class UploadedPackage(TimestampedModel, index.Indexed):
    """What every uploaded package (H5P, SCORM) has: its private file (content-addressed in
    assessments.h5p.storage), the check's status and reasons; `uploaded_by_field` for who
    uploaded it.

    Lifecycle: PENDING (stored, task queued; also while the virus scanner is down) ->
    PROCESSING -> READY or FAILED. Only READY is ever played.
    `errors` shape: {"version": 1, "messages": ["<Vietnamese reason>", ...]}.
    """

    Status = models.TextChoices(
        "Status",
        {
            "PENDING": ("pending", _("Waiting to be checked")),
            "PROCESSING": ("processing", _("Being checked")),
            "READY": ("ready", _("Ready")),
            "FAILED": ("failed", _("Refused")),
        },
    )

    title = models.CharField(_("title"), max_length=255)
    archive_sha256 = models.CharField(_("archive hash"), max_length=64, blank=True)
    archive_size = models.PositiveBigIntegerField(_("archive size (bytes)"), default=0)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    errors = models.JSONField(_("reasons"), default=dict, blank=True)
    processed_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    panels = [FieldPanel("title")]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def error_messages(self) -> list[str]:
        return list((self.errors or {}).get("messages", []))


class H5PPackage(UploadedPackage):
    """An uploaded .h5p activity, chosen in lessons (SnippetChooserBlock("h5p.H5PPackage")).

    The upload's lifecycle is UploadedPackage's; READY means validated and extracted, and
    it plays once every library in `dependencies` is approved.
    `dependencies` shape: {"version": 1, "libraries": [["H5P.TrueFalse", 1, 6], ...]}
    (the preloaded closure, main library included, in load order not guaranteed).
    `max_score` is the activity's maximum, never taken from a learner's statement:
    `max_score_source` says where it came from (assessments.h5p.scoring): the editor, the
    package's content, or neither ("learner": each learner's first graded statement pins
    that learner's own maximum). "" means not checked yet (packages from before this rule;
    checked at the next graded statement).
    """

    class MaxScoreSource(models.TextChoices):
        UNCHECKED = "", _("Not checked yet")
        EDITOR = "editor", _("Set by the editor")
        PACKAGE = "package", _("From the package's content")
        LEARNER = "learner", _("Each learner's first result")

    slug = models.SlugField(
        _("stable identifier"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Optional; lets demo data and imports find this package again."),
    )
    main_library = models.CharField(_("main library"), max_length=255, blank=True)
    h5p_json = models.JSONField(_("h5p.json"), default=dict, blank=True)
    dependencies = models.JSONField(_("dependencies"), default=dict, blank=True)
    max_score = models.FloatField(
        _("maximum score"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to take it from the package: True/False, Multiple choice, Fill in "
            "the blanks, and Question sets made of these. For other types, type the score "
            "the activity gives for a perfect answer; if you leave it empty, each learner's "
            "first result fixes that learner's maximum."
        ),
    )
    max_score_source = models.CharField(
        _("maximum score from"),
        max_length=10,
        choices=MaxScoreSource.choices,
        blank=True,
        default=MaxScoreSource.UNCHECKED,
    )
    uploaded_by = uploaded_by_field("h5p_packages")

    class Meta(UploadedPackage.Meta):
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(max_score__gt=0),
                name="h5p_package_max_score_positive",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="h5p_package_status_idx")]

    @property
    def dependency_keys(self) -> list[tuple[str, int, int]]:
        return [tuple(x) for x in (self.dependencies or {}).get("libraries", [])]

    @property
    def content_key(self) -> str:
        """Folder of the extracted content under the storage root (content-addressed)."""
        return f"content/{self.archive_sha256}"


class H5PLaunch(TimestampedModel):
    """One attempt of one learner at one package in one place (context_key, e.g. a lesson
    block: "lesson:<page id>:<block id>"). The browser only ever sends `public_id`; identity
    comes from the session and must equal `user`.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        COMPLETED = "completed", _("Completed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_launches"
    )
    package = models.ForeignKey(H5PPackage, on_delete=models.PROTECT, related_name="launches")
    context_key = models.CharField(max_length=200)
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    score_raw = models.FloatField(null=True, blank=True)
    score_max = models.FloatField(null=True, blank=True)
    score_scaled = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    statement_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("H5P attempt")
        verbose_name_plural = _("H5P attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "context_key", "attempt"],
                name="h5p_launch_unique_attempt",
            ),
            models.CheckConstraint(
                condition=Q(score_raw__isnull=True)
                | (
                    Q(score_raw__gte=0)
                    & Q(score_max__gt=0)
                    & Q(score_raw__lte=models.F("score_max"))
                ),
                name="h5p_launch_score_in_range",
            ),
            models.CheckConstraint(
                condition=Q(score_scaled__isnull=True)
                | (Q(score_scaled__gte=0) & Q(score_scaled__lte=1)),
                name="h5p_launch_scaled_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "package", "context_key"], name="h5p_launch_lookup_idx")
        ]

    def __str__(self):
        return f"{self.user_id}/{self.package_id}/{self.context_key}#{self.attempt}"

    @property
    def score_percent(self) -> float | None:
        if self.score_scaled is None:
            return None
        return round(self.score_scaled * 100, 2)


class H5PStatement(models.Model):
    """An xAPI statement as the browser relayed it (audit and analytics).

    `raw` shape: {"version": 1, "statement": {...the xAPI statement as received...}}; the
    received JSON is capped (settings.H5P_STATEMENT_MAX_BYTES). `digest` is the SHA-256 of
    the canonical JSON: the same statement twice in one launch is stored once.
    """

    launch = models.ForeignKey(H5PLaunch, on_delete=models.CASCADE, related_name="statements")
    verb = models.CharField(max_length=255)
    top_level = models.BooleanField(default=False)
    graded = models.BooleanField(default=False)
    digest = models.CharField(max_length=64)
    raw = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        constraints = [
            models.UniqueConstraint(fields=["launch", "digest"], name="h5p_statement_idempotent")
        ]

    def __str__(self):
        return f"{self.launch_id}: {self.verb}"


class H5PState(models.Model):
    """Saved H5P user data (H5P's `contentUserData`) so an activity resumes where it stopped.

    Keyed by (user, package, context_key, data_type, sub_content_id); `data` is the JSON
    string H5P produced, capped at settings.H5P_STATE_MAX_BYTES.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_states"
    )
    package = models.ForeignKey(H5PPackage, on_delete=models.CASCADE, related_name="states")
    context_key = models.CharField(max_length=200)
    data_type = models.CharField(max_length=50, default="state")
    sub_content_id = models.PositiveIntegerField(default=0)
    data = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("H5P saved state")
        verbose_name_plural = _("H5P saved states")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "context_key", "data_type", "sub_content_id"],
                name="h5p_state_unique",
            )
        ]

    def __str__(self):
        return f"{self.user_id}/{self.package_id}/{self.context_key}"
