"""Admin form of the H5P package snippet: the title plus the .h5p file (stored by services)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from assessments.h5p.validation import limits


class H5PPackageForm(WagtailAdminModelForm):
    archive = forms.FileField(
        label=_("H5P file (.h5p)"),
        required=False,
        help_text=_(
            "The file is checked in the background: the status below shows the result and "
            "every reason if it is refused."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new package needs a file; an existing one keeps its file unless a new one comes.
        self.fields["archive"].required = self.instance.pk is None

    def clean_archive(self):
        upload = self.cleaned_data.get("archive")
        if not upload:
            return upload
        if not upload.name.lower().endswith(".h5p"):
            raise forms.ValidationError(_("Choose a file whose name ends in .h5p."))
        max_bytes = limits()["max_total_bytes"]
        if upload.size > max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MiB.") % {"max": max_bytes // (1024 * 1024)}
            )
        return upload
