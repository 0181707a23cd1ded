"""Read-only admin panel: a SCORM package's status, version, SCOs and every reason."""

from wagtail.admin.panels import Panel


class ScormStatusPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "scorm/admin/package_status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["package"] = self.instance if self.instance and self.instance.pk else None
            return context
