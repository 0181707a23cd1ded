"""Wagtail admin for SCORM: the package snippet (upload, status, SCOs, reasons)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet

from assessments.h5p.snippets import PackageCreateView, PackageEditView, PackageViewSet
from assessments.scorm import services
from assessments.scorm.forms import ScormPackageForm
from assessments.scorm.models import ScormPackage
from assessments.scorm.panels import ScormStatusPanel


class ScormPackageViewSet(PackageViewSet):
    model = ScormPackage
    menu_label = _("SCORM packages")
    menu_order = 262
    list_display = ["title", "status", "version", "updated_at"]
    list_filter = ["status", "version"]
    add_view_class = type("ScormCreateView", (PackageCreateView,), {"services": services})
    edit_view_class = type("ScormEditView", (PackageEditView,), {"services": services})
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("archive"), ScormStatusPanel(heading=_("Check result"))],
        base_form_class=ScormPackageForm,
    )


register_snippet(ScormPackageViewSet)
