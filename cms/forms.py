"""Admin forms of the cms floor."""

import math

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail.admin.forms import WagtailAdminModelForm

from cms import services


class VideoForm(WagtailAdminModelForm):
    """The video library's upload form: the file is decoded by ffmpeg before anything is
    stored (an invalid form saves nothing), and the duration is measured when left empty."""

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
            self._probe = services.video_upload_validate(file=file)
        return file

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
