"""What approving a course does: its lessons are published with it.

One moderation round per course (LessonPage has no workflow of its own): when a workflow
that has a CourseApprovalTask step finishes approved on a CoursePage, the latest drafts of
the course's lessons are published (`courses.services.course_lessons_publish`). Wagtail
sends `workflow_approved` inside the approval's transaction (CourseApprovalTask.on_action
opens it), so the course and its lessons are published together or not at all.
Connected in CoursesConfig.ready().
"""

from wagtail.signals import workflow_approved

from courses.models import CourseApprovalTask, CoursePage
from courses.services import course_lessons_publish


def publish_lessons_with_course(sender, instance, user=None, **kwargs):
    course = instance.content_object
    if not isinstance(course, CoursePage):
        course = getattr(course, "specific", course)
    if not isinstance(course, CoursePage):
        return
    tasks = instance.workflow.tasks.all()
    if not any(isinstance(task.specific, CourseApprovalTask) for task in tasks):
        return
    course_lessons_publish(course=course, user=user)


def connect() -> None:
    workflow_approved.connect(publish_lessons_with_course, dispatch_uid="course_lessons_publish")
