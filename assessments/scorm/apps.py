from django.apps import AppConfig


class ScormConfig(AppConfig):
    """SCORM 1.2 and 2004 packages: manifest validation (and, next, the runtime's data)."""

    name = "assessments.scorm"
    label = "scorm"
    verbose_name = "SCORM"
