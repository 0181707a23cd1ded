"""Certificates and their templates.

Dependencies: courses.models (CoursePage), accounts (the user), wagtail images. Nothing on
a higher floor: a campaign certificate would need campaigns, which sits above; campaigns can
issue course certificates through `services.certificate_issue`.

A `Certificate` keeps a snapshot of what it certifies (name as entered, course title,
issuing agency) so that it stays verifiable when a course page is renamed or deleted, and
its PDF in private storage (`STORAGES["certificates"]`, never under a public URL; tests,
whose STORAGES have no such entry, use the default in-memory storage).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, PreviewableMixin
from wagtail.search import index

from cms.models import TimestampedModel, optional_image
from courses.certificates import render
from courses.models import CoursePage

# Codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^10 ≈ 2^49.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def certificate_storage():
    """Private storage for rendered PDFs (STORAGES["certificates"]), else the default."""
    return storages["certificates" if "certificates" in settings.STORAGES else "default"]


class CertificateTemplateQuerySet(models.QuerySet):
    def for_course(self, course_id: int | None) -> CertificateTemplate | None:
        """The template assigned to the course, else the default one, else None (the
        built-in design). Use this when issuing."""
        if course_id:
            assigned = self.filter(course_links__course_id=course_id).first()
            if assigned is not None:
                return assigned
        return self.filter(is_default=True).first()


# What a template's fingerprint is made of, in order: its text fields, then its images.
FINGERPRINT_TEXT = ("title", "body", "issuer", "signer_name", "signer_title")
FINGERPRINT_IMAGES = ("logo", "signature_image", "background")


def template_fingerprint(title, body, issuer, signer_name, signer_title, images) -> str:
    """`CertificateTemplate.fingerprint` from the values themselves: `images` gives, for
    each of FINGERPRINT_IMAGES, (id, file hash, file name) or None. The render task reads
    these columns with the certificate (services) and finds the template's assets by it."""
    parts = [f"layout:{render.RENDERER_VERSION}", title, body, issuer, signer_name, signer_title]
    for image in images:
        parts.append("-" if image is None else f"{image[0]}:{image[1] or image[2]}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def template_assets_key(template_id: int, fingerprint: str) -> str:
    """The renderer's cache key of a template version's assets (render.template_assets)."""
    return f"template-{template_id}-{fingerprint}"


class CertificateTemplate(PreviewableMixin, index.Indexed, TimestampedModel, ClusterableModel):
    """The design of a certificate, editable in the Wagtail admin (Snippets)."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("For editors only, e.g. “Default 2026”.")
    )
    title = models.CharField(_("certificate title"), max_length=120, default=render.DEFAULT_TITLE)
    body = models.TextField(
        _("body text"),
        max_length=600,
        default=render.DEFAULT_BODY,
        help_text=_(
            "Placeholders: {full_name}, {course}, {date}, {issuer}. "
            "The learner's name is also printed large above this text."
        ),
    )
    issuer = models.CharField(
        _("issuing agency"), max_length=200, help_text=_("e.g. “Sở Khoa học và Công nghệ”.")
    )
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    logo = optional_image(_("logo"))
    signature_image = optional_image(
        _("signature image"),
        help_text=_("A scan of the signature, ideally a PNG with a transparent background."),
    )
    background = optional_image(
        _("background"), help_text=_("Optional full-page background (A4 landscape, 297 × 210).")
    )
    is_default = models.BooleanField(
        _("default template"),
        default=False,
        help_text=_("Used for every course without a template of its own."),
    )
    objects = CertificateTemplateQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("is_default"),
        MultiFieldPanel(
            [FieldPanel("title"), FieldPanel("body"), FieldPanel("issuer")], heading=_("Text")
        ),
        MultiFieldPanel(
            [FieldPanel("signer_name"), FieldPanel("signer_title"), FieldPanel("signature_image")],
            heading=_("Signer"),
        ),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("background")], heading=_("Images")),
        InlinePanel("course_links", heading=_("Courses using this template"), label=_("Course")),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("issuer")]

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="certificate_template_one_default",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        unknown = render.unknown_placeholders(self.body)
        if unknown:
            raise ValidationError(
                {
                    "body": _(
                        "Unknown placeholder(s): %(names)s. Use {full_name}, {course}, "
                        "{date} or {issuer}."
                    )
                    % {"names": ", ".join(f"{{{name}}}" for name in unknown)}
                }
            )

    def fingerprint(self) -> str:
        """Changes whenever anything drawn from this template changes (its text, an image
        replaced or re-uploaded, the layout code): certificates with another fingerprint
        are out of date."""
        images = [
            (image.pk, image.file_hash, image.file.name) if image else None
            for image in (self.logo, self.signature_image, self.background)
        ]
        return template_fingerprint(
            self.title, self.body, self.issuer, self.signer_name, self.signer_title, images
        )

    def render_assets(self) -> render.TemplateAssets:
        """The renderer's cached assets for this version (images decoded once)."""

        def reader(image):
            if image is None:
                return None

            def read():
                with image.open_file() as handle:
                    return handle.read()

            return read

        return render.template_assets(
            template_assets_key(self.pk, self.fingerprint()),
            title=self.title,
            body=self.body,
            issuer=self.issuer,
            signer_name=self.signer_name,
            signer_title=self.signer_title,
            logo=reader(self.logo),
            signature=reader(self.signature_image),
            background=reader(self.background),
        )

    # Preview with sample data: the snippet editor's preview panel shows the PDF itself.
    def serve_preview(self, request, mode_name):
        pdf = render.sample_pdf(self.render_assets(), origin=settings.APP_ORIGIN)
        response = HttpResponse(pdf, "application/pdf")
        response["Content-Disposition"] = 'inline; filename="mau-chung-chi.pdf"'
        # The admin shows the preview in a same-origin iframe.
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


BUILTIN_FINGERPRINT = f"builtin-layout-{render.RENDERER_VERSION}"


def builtin_render_assets() -> render.TemplateAssets:
    """The built-in design, used when no template exists at all."""
    return render.template_assets(BUILTIN_FINGERPRINT)


class CertificateCourse(Orderable):
    """Assigns a template to a course; a course has at most one (database constraint)."""

    template = ParentalKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="course_links"
    )
    course = models.OneToOneField(
        CoursePage,
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="certificate_template_link",
    )

    panels = [FieldPanel("course")]

    class Meta(Orderable.Meta):
        verbose_name = _("course using the template")


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        """Not revoked: what a learner may download and show."""
        return self.filter(revoked_at__isnull=True)

    def out_of_date(self, *, template: CertificateTemplate):
        """Valid certificates of this template not rendered from its current version: what
        a template change re-renders."""
        return (
            self.valid()
            .filter(template=template)
            .exclude(template_fingerprint=template.fingerprint())
        )


class Certificate(TimestampedModel):
    """One per (user, course): issued inside the completion transaction, rendered by a
    Celery task on queue "certificates", verifiable at /chung-chi/<code>/."""

    class RenderStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be rendered")
        RENDERED = "rendered", _("Rendered")
        FAILED = "failed", _("Rendering failed")

    code = models.CharField(_("code"), max_length=16, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE,
        related_name="certificates",
    )  # fmt: skip
    # SET_NULL: a deleted course page leaves its certificates verifiable (snapshots below).
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), null=True, on_delete=models.SET_NULL,
        related_name="certificates",
    )  # fmt: skip
    template = models.ForeignKey(
        CertificateTemplate, verbose_name=_("template"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="certificates",
    )  # fmt: skip
    # Snapshots, NFC, printed and shown on the verification page.
    full_name = models.CharField(_("full name"), max_length=150)
    course_title = models.CharField(_("course title"), max_length=255)
    issuer = models.CharField(_("issuing agency"), max_length=200)
    # cms.text.fold(full_name): the admin search key (diacritics and case ignored).
    name_key = models.CharField(max_length=150, db_index=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    pdf = models.FileField(
        _("PDF"), storage=certificate_storage, upload_to="certificates/%Y/%m/", blank=True,
        max_length=200,
    )  # fmt: skip
    signed = models.BooleanField(_("digitally signed"), default=False)
    render_status = models.CharField(
        _("rendering"), max_length=20, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    # sha256 of everything the PDF was drawn from (template fingerprint, snapshots, code,
    # verification origin, signing): equal key → the stored PDF is current.
    render_key = models.CharField(max_length=64, blank=True, editable=False)
    # The template's fingerprint at the last render (finds certificates a change outdated).
    template_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_error = models.CharField(max_length=500, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="certificate_one_per_user_course"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revoked_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["template", "template_fingerprint"], name="certificate_render_idx")
        ]

    def __str__(self):
        return f"{self.code} · {self.full_name} · {self.course_title}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def verify_path(self) -> str:
        from django.urls import reverse

        return reverse("certificates:verify", args=[self.code])

    @property
    def verify_url(self) -> str:
        return settings.APP_ORIGIN.rstrip("/") + self.verify_path
