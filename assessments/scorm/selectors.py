"""Reads of the SCORM app (the lesson's SCORM block asks which SCOs a learner completed)."""

from assessments.scorm.models import ScormAttempt, ScormPackage


def sco_completion(*, user, package: ScormPackage, context_key: str) -> dict[str, bool]:
    """SCO identifier -> completed, for the SCOs this learner launched in this place."""
    return dict(
        ScormAttempt.objects.filter(
            user=user, package=package, context_key=context_key
        ).values_list("sco", "completed")
    )
