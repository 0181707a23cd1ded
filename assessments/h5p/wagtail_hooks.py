"""Wagtail admin for H5P: the package snippet (upload, status, reasons) and the library pool."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from assessments.h5p.models import H5PPackage


class H5PPackageViewSet(SnippetViewSet):
    model = H5PPackage
    icon = "code"
    menu_label = "H5P"
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["title", "status", "main_library", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title"]


register_snippet(H5PPackageViewSet)
