"""The Wagtail admin's document form, checked by content (cms.uploads) and by ClamAV when
CLAMAV_SOCKET is set (cms.antivirus), as every upload is: a document named .pdf that is not
a PDF, or one with a virus, is refused with the reason, in Vietnamese.
Set as WAGTAILDOCS_DOCUMENT_FORM_BASE (single and multiple uploads both use it). Images
need no such form: Wagtail opens each one with Willow, which refuses what is not an image.
"""

from django import forms
from wagtail.documents.forms import BaseDocumentForm

from cms.uploads import upload_refusal


class CheckedDocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "content_type"):  # a new upload only
            problem = upload_refusal(upload)
            if problem:
                raise forms.ValidationError(problem)
        return upload
