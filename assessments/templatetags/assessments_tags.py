"""Template tags of the assessments floor, for pages of higher floors (a lesson's quiz
block) that show a learner's standing at a quiz."""

from django import template

from assessments import question_types
from assessments.selectors import quiz_state as quiz_state_selector

register = template.Library()


@register.filter
def question_type_label(code: str) -> str:
    """A question type's name in words ("single" -> "Một lựa chọn"); unknown codes as is."""
    return question_types.label(code)


@register.simple_tag(takes_context=True)
def quiz_state(context, quiz, *context_parts):
    """`{% quiz_state quiz "lesson" page.pk block_id as state %}`: the QuizState of the
    request's user, the context key being the parts joined with ":" (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if quiz is None or user is None:
        return None
    key = ":".join(str(part) for part in context_parts)
    return quiz_state_selector(user=user, quiz=quiz, context_key=key)
