"""Template tags for pages that embed an H5P activity (the lesson page's H5P block)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def h5p_ui_messages() -> dict:
    """Messages the lesson page's relay script shows, in the page's language."""
    return {
        "loading": _("Loading the activity…"),
        "saved": _("Your progress in this activity is saved."),
        "passed": _("Passed: %(score)s%%. Well done!"),
        "failed": _("Your score: %(score)s%%. You need %(pass)s%% to pass; you can try again."),
        "lesson_done": _("You have completed this lesson."),
        "error": _("The activity could not be loaded. Check your connection and reload the page."),
        "refused": _("Your result could not be saved: %(reason)s"),
        "offline": _("No connection: your answer was not saved. Please try again."),
    }


@register.simple_tag
def h5p_block_result(lesson_state, block_id) -> dict:
    """The stored result of one activity block for the current learner, or {}."""
    if lesson_state is None:
        return {}
    return (lesson_state.activity_results or {}).get(str(block_id), {}) or {}


@register.simple_tag
def h5p_block_texts(result: dict) -> dict:
    """Static texts of the lesson's H5P block (kept in this app's catalogue)."""
    best = (result or {}).get("best_score_percent")
    return {
        "passed": _("Passed, best score %(score)s%%.")
        % {"score": f"{best:g}" if isinstance(best, (int, float)) else "—"},
        "needs_js": _("This activity needs JavaScript."),
        "enrol": _("Enrol in the course to do this activity."),
        "frame_title": _("Interactive activity"),
    }
