"""Admin forms of the package snippets: `PackageForm` (title and file, H5P and SCORM alike),
and H5P's, with the optional maximum score the editor sets (services.package_max_score_set)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from assessments.h5p.validation import limits


class PackageForm(WagtailAdminModelForm):
    """A package's title and file (stored by services): a new package needs one, an existing
    one keeps its file unless a new one comes. Subclasses give the field's label and help and
    may require a name ending (`suffix`)."""

    archive = forms.FileField(required=False)
    suffix = ""
    wrong_name = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["archive"].required = self.instance.pk is None

    def clean_archive(self):
        upload = self.cleaned_data.get("archive")
        if not upload:
            return upload
        if self.suffix and not upload.name.lower().endswith(self.suffix):
            raise forms.ValidationError(self.wrong_name)
        max_bytes = limits()["max_total_bytes"]
        if upload.size > max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MiB.") % {"max": max_bytes // (1024 * 1024)}
            )
        return upload


def archive_field(label, help_text) -> forms.FileField:
    """The package file field (required for a new package: PackageForm)."""
    return forms.FileField(label=label, required=False, help_text=help_text)


class H5PPackageForm(PackageForm):
    archive = archive_field(
        _("H5P file (.h5p)"),
        _(
            "The file is checked in the background: the status below shows the result and "
            "every reason if it is refused."
        ),
    )
    suffix = ".h5p"
    wrong_name = _("Choose a file whose name ends in .h5p.")

    def clean_max_score(self):
        value = self.cleaned_data.get("max_score")
        if value is not None and not (0 < value < float("inf")):
            raise forms.ValidationError(_("The maximum score must be a number above 0."))
        return value
