"""Wagtail admin for H5P: the package snippet (upload, status, reasons) and the library pool."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet

from assessments.h5p import admin_views, services
from assessments.h5p.forms import H5PPackageForm
from assessments.h5p.models import H5PPackage
from assessments.h5p.panels import PackageStatusPanel
from assessments.h5p.snippets import PackageCreateView, PackageEditView, PackageViewSet
from cms.admin_pages import SuperuserMenuItem


class H5PCreateView(PackageCreateView):
    services = services

    def create_kwargs(self, data):
        return {"max_score": data.get("max_score")}


class H5PEditView(PackageEditView):
    services = services

    def before_archive(self, instance):
        if "max_score" in self.form.changed_data:  # the editor typed or cleared it
            instance = services.package_max_score_set(
                package=instance, max_score=self.form.cleaned_data.get("max_score")
            )
        return instance


class H5PPackageViewSet(PackageViewSet):
    model = H5PPackage
    menu_label = _("H5P activities")
    menu_order = 260
    list_display = ["title", "status", "main_library", "updated_at"]
    add_view_class = H5PCreateView
    edit_view_class = H5PEditView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("archive"),
            FieldPanel("max_score"),
            PackageStatusPanel(heading=_("Check result")),
        ],
        base_form_class=H5PPackageForm,
    )


register_snippet(H5PPackageViewSet)


@hooks.register("register_admin_urls")
def register_h5p_admin_urls():
    return [path("h5p/", include((admin_views.urlpatterns, "h5p_admin")))]


@hooks.register("register_admin_menu_item")
def register_h5p_libraries_menu_item():
    return SuperuserMenuItem(
        _("H5P libraries"), reverse("h5p_admin:libraries"), icon_name="code", order=261
    )
