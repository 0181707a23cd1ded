"""Template tags of the courses floor, for lower floors' templates (the home page)."""

from django import template

from courses.models import CoursePage

register = template.Library()


@register.simple_tag
def featured_courses(count=4):
    """`{% featured_courses 4 as courses %}`: live courses flagged "featured" first, then
    the newest; one query (cover images are fetched with the courses)."""
    return list(
        CoursePage.objects.live()
        .public()
        .select_related("cover_image")
        .order_by("-featured", "-first_published_at", "-pk")[: int(count)]
    )
