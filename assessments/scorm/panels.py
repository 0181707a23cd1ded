"""Read-only admin panel: a SCORM package's status, version, SCOs and every reason."""

from wagtail.admin.panels import Panel


def version_text(package) -> str:
    """The version once: "SCORM 1.2", "SCORM 2004 3rd Edition" (the edition repeats the
    version's number, "1.2" or "2004 3rd Edition"), "SCORM 2004 (CAM 1.3)" otherwise."""
    label = package.get_version_display() or package.version
    number = label.removeprefix("SCORM ").strip()
    edition = package.edition.strip()
    if not edition or edition == number:
        return label
    if number and edition.startswith(number):
        return f"SCORM {edition}"
    return f"{label} ({edition})"


class ScormStatusPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "scorm/admin/package_status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            package = self.instance if self.instance and self.instance.pk else None
            context["package"] = package
            context["version_text"] = version_text(package) if package else ""
            return context
