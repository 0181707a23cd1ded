"""Admin forms of the cms floor."""

import math

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.widgets import SlugInput

from cms import antivirus
from cms.text import SLUG_JS_FORMATTERS, ascii_slug

# --- Slugs: ASCII, folded the Vietnamese way, filled in from the title ------------------


class VietnameseSlugInput(SlugInput):
    """Wagtail's slug input (title → slug sync, slugify on blur) with Vietnamese folding
    first: "Đăng ký" gives "dang-ky", not "djang-ky" or "ang-ky"."""

    def __init__(self, attrs=None, formatters=None, locale=None):
        super().__init__(attrs=attrs, formatters=formatters or SLUG_JS_FORMATTERS, locale=locale)


class FoldingSlugField(forms.SlugField):
    """A slug typed with diacritics or spaces ("Zalo an toàn") is folded to an ASCII slug
    ("zalo-an-toan") instead of being refused. Used for every SlugField of the admin
    (registered in cms.wagtail_hooks). Page.slug allows Unicode in its model field; the
    setting WAGTAIL_ALLOW_UNICODE_SLUGS = False makes it ASCII here too."""

    def __init__(self, *args, allow_unicode=False, **kwargs):
        allow_unicode = allow_unicode and getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
        super().__init__(*args, allow_unicode=allow_unicode, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value and not self.allow_unicode:
            value = ascii_slug(value, max_length=self.max_length or 255)
        return value


def _unique_slug(base: str, taken) -> str:
    """`base`, or `base-2`, `base-3`... the first that `taken(slug)` says is free."""
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


class HocSoPageForm(WagtailAdminPageForm):
    """The base form of our page types: a draft saved before the slug was filled in gets
    one from its title (folded, unique among its siblings) instead of an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        from wagtail.models import Page

        title = self.cleaned_data.get("title")
        if "slug" in self.fields and not self.cleaned_data.get("slug") and title:
            base = ascii_slug(title) or "trang"
            self.cleaned_data["slug"] = _unique_slug(
                base, lambda s: not Page._slug_is_available(s, self.parent_page, self.instance)
            )
        return super().clean()


class SlugFromTitleForm(WagtailAdminModelForm):
    """Base form of snippets with a unique slug: left empty, it is made from `slug_source`
    (folded, unique in the table)."""

    slug_source = "title"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get(self.slug_source)
        if "slug" in self.fields and not cleaned.get("slug") and source:
            model = self._meta.model
            others = model._default_manager.exclude(pk=self.instance.pk)
            max_length = model._meta.get_field("slug").max_length
            base = ascii_slug(source, max_length=max_length - 4) or "muc"
            cleaned["slug"] = _unique_slug(base, lambda s: others.filter(slug=s).exists())
        return cleaned


class NameSlugForm(SlugFromTitleForm):
    slug_source = "name"


class VideoForm(WagtailAdminModelForm):
    """The video library's upload form: the file is checked by its first bytes, scanned by
    ClamAV when CLAMAV_SOCKET is set and decoded by ffmpeg before anything is stored (an
    invalid form saves nothing; cms.services.video_upload_validate), and the duration is
    measured when left empty. Captions are scanned too (their content: validate_webvtt)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._probe = None
        if "duration_seconds" in self.fields:
            self.fields["duration_seconds"].required = False
            self.fields["duration_seconds"].help_text = _(
                "Leave empty to measure it from the file."
            )

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            from cms import services  # cms.models imports this module for its page forms

            self._probe = services.video_upload_validate(file=file)
        return file

    def clean_captions(self):
        captions = self.cleaned_data.get("captions")
        if isinstance(captions, UploadedFile):  # served as they are: scanned (their content
            problem = antivirus.scan_refusal(captions)  # is checked by validate_webvtt)
            if problem:
                raise forms.ValidationError(problem)
        return captions

    def clean(self):
        cleaned = super().clean()
        if self._probe is not None:
            if not cleaned.get("duration_seconds"):
                cleaned["duration_seconds"] = max(1, math.ceil(self._probe.duration_seconds))
            self.instance.width = self._probe.width
            self.instance.height = self._probe.height
        elif not cleaned.get("duration_seconds") and not self.errors.get("file"):
            if not self.instance.duration_seconds:
                self.add_error("duration_seconds", _("Enter the length of the video in seconds."))
            else:
                cleaned["duration_seconds"] = self.instance.duration_seconds
        return cleaned


# Wagtail ships almost no Vietnamese for its image upload errors, and Django none for its
# file-extension error; marking the msgids here keeps them in our catalogue (locale/vi),
# which Django reads before theirs.
THIRD_PARTY_UPLOAD_MESSAGES = (
    gettext_noop(
        "File extension “%(extension)s” is not allowed. Allowed extensions are: "
        "%(allowed_extensions)s."
    ),
    gettext_noop("Not a supported image format. Supported formats: %(supported_formats)s."),
    gettext_noop(
        "Not a valid .%(extension)s image. The extension does not match the file format "
        "(%(image_format)s)"
    ),
    gettext_noop("This file is too big (%(file_size)s). Maximum filesize %(max_filesize)s."),
    gettext_noop(
        "This file has too many pixels (%(num_pixels)s). Maximum pixels %(max_pixels_count)s."
    ),
    gettext_noop("This file is too big. Maximum filesize %(max_filesize)s."),
    gettext_noop(
        "Supported formats: %(supported_formats)s. Maximum filesize: %(max_upload_size)s."
    ),
)
