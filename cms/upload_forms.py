"""The Wagtail admin's document form, checked by content (cms.uploads) and by ClamAV when
CLAMAV_SOCKET is set (cms.antivirus), as every upload is: a document named .pdf that is not
a PDF, or one with a virus, is refused with the reason, in Vietnamese.
Set as WAGTAILDOCS_DOCUMENT_FORM_BASE (single and multiple uploads both use it). Images
need no such form: Wagtail opens each one with Willow, which refuses what is not an image.
"""

from django import forms
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm

from cms import antivirus
from cms.uploads import upload_problem


class CheckedDocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "content_type"):  # a new upload only
            problem = upload_problem(upload) or _scan_problem(upload)
            if problem:
                raise forms.ValidationError(problem)
        return upload


def _scan_problem(upload) -> str | None:
    """ClamAV's verdict (cms.antivirus); a document is refused while the scanner is down,
    since Wagtail serves it as soon as it is saved."""
    if not antivirus.enabled():
        return None
    try:
        upload.seek(0)
        signature = antivirus.scan_stream(upload)
    except antivirus.ScannerUnavailable:
        return _("The virus scanner is not available: try again in a few minutes.")
    finally:
        upload.seek(0)
    return antivirus.infected_message(signature) if signature else None
