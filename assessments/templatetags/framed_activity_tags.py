"""Template tags of the lesson blocks of framed activities (H5P, SCORM): the stored result
of a block, the messages its relay script shows (assessments/activity-relay.js reads them
from the block's JSON) and the block's static texts, all in the assessments catalogue. One
library for both kinds: the lesson templates load it as `h5p_tags` and `scorm_tags`."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

# The relay scripts' messages: what every kind shows, then each kind's own.
_SHARED_MESSAGES = {
    "loading": gettext_lazy("Loading the activity…"),
    "error": gettext_lazy(
        "The activity could not be loaded. Check your connection and reload the page."
    ),
}
_KIND_MESSAGES = {
    "h5p": {
        "saved": gettext_lazy("Your progress in this activity is saved."),
        "passed": gettext_lazy("Passed: %(score)s%%. Well done!"),
        "failed": gettext_lazy(
            "Your score: %(score)s%%. You need %(pass)s%% to pass; you can try again."
        ),
        "lesson_done": gettext_lazy("You have completed this lesson."),
        "refused": gettext_lazy("Your result could not be saved: %(reason)s"),
        "offline": gettext_lazy("No connection: your answer was not saved. Please try again."),
    },
    "scorm": {
        "saved": gettext_lazy("Your progress is saved: you can continue where you left off."),
        "continue": gettext_lazy("Continue the activity"),
        "parts": gettext_lazy("Parts of this activity"),
        "part_done": gettext_lazy("done"),
        "parts_count": gettext_lazy("(%(done)s of %(total)s done)"),
        "completed": gettext_lazy("Activity completed."),
        "passed": gettext_lazy("Passed. Well done!"),
        "passed_score": gettext_lazy("Passed with %(score)s%%. Well done!"),
        "failed": gettext_lazy("Not passed yet; you can try again."),
        "failed_score": gettext_lazy("Your score: %(score)s%%. Not passed yet; you can try again."),
        "refused": gettext_lazy("Your progress could not be saved: %(reason)s"),
        "offline": gettext_lazy("No connection: your progress was not saved. Please try again."),
        "frame_title": gettext_lazy("SCORM activity"),
    },
}


def relay_messages(kind: str) -> dict:
    """The messages the relay script of a `kind` block shows, in the page's language."""
    return {key: str(text) for key, text in {**_SHARED_MESSAGES, **_KIND_MESSAGES[kind]}.items()}


def block_result(lesson_state, block_id) -> dict:
    """The stored result of one activity block for the current learner, or {}."""
    if lesson_state is None:
        return {}
    return (lesson_state.activity_results or {}).get(str(block_id), {}) or {}


def block_texts(**own) -> dict:
    """A block's static texts, in the page's language: what every kind shows and `own`."""
    return {
        "needs_js": _("This activity needs JavaScript."),
        "enrol": _("Enrol in the course to do this activity."),
        **own,
    }


@register.simple_tag
def h5p_ui_messages() -> dict:
    return relay_messages("h5p")


@register.simple_tag
def scorm_ui_messages() -> dict:
    return relay_messages("scorm")


@register.simple_tag
def h5p_block_result(lesson_state, block_id) -> dict:
    return block_result(lesson_state, block_id)


@register.simple_tag
def h5p_block_texts(result: dict) -> dict:
    """The H5P block's texts: its best score (`result`, h5p_block_result) and title."""
    best = (result or {}).get("best_score_percent")
    score = f"{best:g}" if isinstance(best, (int, float)) else "—"
    return block_texts(
        passed=_("Passed, best score %(score)s%%.") % {"score": score},
        frame_title=_("Interactive activity"),
    )


@register.simple_tag
def scorm_block_texts(lesson_state, block_id) -> dict:
    """The SCORM block's texts and whether its stored result passed."""
    return block_texts(
        passed=bool(block_result(lesson_state, block_id).get("passed")),
        done=_("Activity completed."),
        required=_("Required: complete this activity to finish the lesson."),
    )
