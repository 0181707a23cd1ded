"""Site page types. Dependency direction: cms is the ground floor and imports no other app."""

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site's root page: the campaign's welcome, and later its counters and features."""

    lead = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(
        _("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


def validate_webvtt(file):
    """A WebVTT file starts with the "WEBVTT" signature (an optional BOM before it)."""
    head = file.read(16)
    file.seek(0)
    if isinstance(head, bytes):
        head = head.decode("utf-8", "replace")
    if not head.lstrip("\ufeff").startswith("WEBVTT"):
        raise ValidationError(_("Captions must be a WebVTT (.vtt) file starting with WEBVTT."))


class Video(models.Model):
    """A video shown in lessons and in the video library.

    The original upload is kept as it came; the media-library work adds renditions (360p and
    720p) made by a Celery task. `duration_seconds` lets the server refuse a "watched 90%"
    claim that arrives sooner than 90% of the video after the lesson was opened.
    """

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(
        _("video file"),
        upload_to="videos/originals/",
        validators=[FileExtensionValidator(["mp4", "webm", "mov", "m4v"])],
    )
    poster = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    captions = models.FileField(
        _("captions (WebVTT)"),
        upload_to="videos/captions/",
        blank=True,
        validators=[FileExtensionValidator(["vtt"]), validate_webvtt],
    )
    captions_language = models.CharField(_("captions language"), max_length=10, default="vi")
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), help_text=_("Length of the video; used to check watch progress.")
    )
    transcript = models.TextField(_("transcript"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("file"),
        FieldPanel("poster"),
        FieldPanel("captions"),
        FieldPanel("captions_language"),
        FieldPanel("duration_seconds"),
        FieldPanel("transcript"),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("transcript")]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_seconds__gt=0), name="video_duration_positive"
            )
        ]

    def __str__(self):
        return self.title
