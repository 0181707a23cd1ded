"""Wagtail admin of the courses floor: a course is submitted with its lessons."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import SubmitForModerationMenuItem

from courses.models import CoursePage


class CourseSubmitMenuItem(SubmitForModerationMenuItem):
    """Says what submitting a course does: it goes to the moderators with its lessons'
    drafts, and one approval publishes them all (CourseApprovalTask)."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        state = context["page"].current_workflow_state if context.get("page") else None
        if not (state and state.status == state.STATUS_NEEDS_CHANGES):
            context["label"] = _("Submit the course with its lessons")
        return context


@hooks.register("construct_page_action_menu")
def submit_course_with_lessons(menu_items, request, context):
    if context.get("view") not in ("create", "edit"):
        return
    page = context.get("page")
    is_course = isinstance(page, CoursePage) or (
        page is None and getattr(context.get("page_class"), "__name__", "") == "CoursePage"
    )
    if not is_course:
        return
    for i, item in enumerate(menu_items):
        if item.name == "action-submit" and not isinstance(item, CourseSubmitMenuItem):
            menu_items[i] = CourseSubmitMenuItem(order=item.order)
