"""Template tags of the campaigns floor for everyone's pages (cms/templates/base.html, the
profile page): the notices bell and the learner's agency. Lower floors' templates reach
campaigns data only through these."""

from django import template

from campaigns.models import LearnerProfile
from campaigns.notices import notices_unread_count

register = template.Library()


@register.inclusion_tag("campaigns/includes/notices_bell.html", takes_context=True)
def notices_bell(context):
    """The header's bell with the unread count (one COUNT query, signed-in users only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": notices_unread_count(user=user), "show": bool(user and user.is_authenticated)}


@register.simple_tag
def learner_profile_of(user):
    """`{% learner_profile_of user as profile %}`: the learner's profile with its agency
    (None for people outside the campaign's lists). One query."""
    if user is None or not user.is_authenticated:
        return None
    return LearnerProfile.objects.select_related("agency").filter(user=user).first()
