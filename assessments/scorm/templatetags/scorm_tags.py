"""Template tags for pages that embed a SCORM activity (the lesson page's SCORM block)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def scorm_ui_messages() -> dict:
    """Messages the lesson page's relay script shows, in the page's language."""
    return {
        "loading": _("Loading the activity…"),
        "saved": _("Your progress is saved: you can continue where you left off."),
        "continue": _("Continue the activity"),
        "parts": _("Parts of this activity"),
        "part_done": _("done"),
        "parts_count": _("(%(done)s of %(total)s done)"),
        "completed": _("Activity completed."),
        "passed": _("Passed. Well done!"),
        "passed_score": _("Passed with %(score)s%%. Well done!"),
        "failed": _("Not passed yet; you can try again."),
        "failed_score": _("Your score: %(score)s%%. Not passed yet; you can try again."),
        "error": _("The activity could not be loaded. Check your connection and reload the page."),
        "refused": _("Your progress could not be saved: %(reason)s"),
        "offline": _("No connection: your progress was not saved. Please try again."),
        "frame_title": _("SCORM activity"),
    }


@register.simple_tag
def scorm_block_texts(lesson_state, block_id) -> dict:
    """Static texts of the lesson's SCORM block and its stored result (this app's catalogue)."""
    result = {}
    if lesson_state is not None:
        result = (lesson_state.activity_results or {}).get(str(block_id), {}) or {}
    return {
        "passed": bool(result.get("passed")),
        "done": _("Activity completed."),
        "required": _("Required: complete this activity to finish the lesson."),
        "needs_js": _("This activity needs JavaScript."),
        "enrol": _("Enrol in the course to do this activity."),
    }
