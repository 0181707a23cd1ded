"""What the package snippets share in the Wagtail admin (H5P and SCORM): the viewset's
defaults and the add and edit views, which save through the app's `services` module
(`package_create`, `package_replace_archive`: stored privately, checked in the background).
"""

from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet


class PackageCreateView(CreateView):
    services = None  # the app's services module

    def create_kwargs(self, data: dict) -> dict:
        """More keyword arguments for package_create (H5P: the editor's maximum score)."""
        return {}

    def save_instance(self):
        data = self.form.cleaned_data
        upload = data["archive"]
        instance = self.services.package_create(
            title=data["title"], fileobj=upload, uploaded_by=self.request.user,
            original_filename=upload.name, **self.create_kwargs(data),
        )  # fmt: skip
        self.form.instance = instance
        return instance


class PackageEditView(EditView):
    services = None

    def before_archive(self, instance):
        """A change of the kind's own fields, before a new file (H5P: the maximum score)."""
        return instance

    def save_instance(self):
        instance = self.before_archive(self.form.save())
        upload = self.form.cleaned_data.get("archive")
        if upload:
            instance = self.services.package_replace_archive(
                package=instance, fileobj=upload, original_filename=upload.name
            )
        return instance


class PackageViewSet(SnippetViewSet):
    icon = "code"
    add_to_admin_menu = True
    list_filter = ["status"]
    search_fields = ["title"]
