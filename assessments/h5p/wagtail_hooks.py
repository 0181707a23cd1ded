"""Wagtail admin for H5P: the package snippet (upload, status, reasons) and the library pool."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from assessments.h5p import admin_views, services
from assessments.h5p.forms import H5PPackageForm
from assessments.h5p.models import H5PPackage
from assessments.h5p.panels import PackageStatusPanel


class PackageCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        upload = data["archive"]
        # The service stores the file privately and queues validation on commit.
        instance = services.package_create(
            title=data["title"], fileobj=upload, uploaded_by=self.request.user,
            original_filename=upload.name,
        )  # fmt: skip
        self.form.instance = instance
        return instance


class PackageEditView(EditView):
    def save_instance(self):
        instance = self.form.save()
        upload = self.form.cleaned_data.get("archive")
        if upload:
            instance = services.package_replace_archive(
                package=instance, fileobj=upload, original_filename=upload.name
            )
        return instance


class H5PPackageViewSet(SnippetViewSet):
    model = H5PPackage
    icon = "code"
    menu_label = _("H5P activities")
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["title", "status", "main_library", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    add_view_class = PackageCreateView
    edit_view_class = PackageEditView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("archive"),
            PackageStatusPanel(heading=_("Check result")),
        ],
        base_form_class=H5PPackageForm,
    )


register_snippet(H5PPackageViewSet)


@hooks.register("register_admin_urls")
def register_h5p_admin_urls():
    return [path("h5p/", include((admin_views.urlpatterns, "h5p_admin")))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_h5p_libraries_menu_item():
    return SuperuserMenuItem(
        _("H5P libraries"), reverse("h5p_admin:libraries"), icon_name="code", order=261
    )
