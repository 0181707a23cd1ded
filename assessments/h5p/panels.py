"""Read-only admin panel: a package's status, the libraries awaiting approval, every reason."""

from wagtail.admin.panels import Panel

from assessments.h5p.selectors import package_admin_status


class PackageStatusPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "h5p/admin/package_status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["package"] = instance
            context["status"] = package_admin_status(instance) if instance and instance.pk else None
            context["can_approve"] = bool(self.request and self.request.user.is_superuser)
            return context
