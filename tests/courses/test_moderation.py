"""One moderation round per course (issue 22, editor): the editor submits the course once,
with its lessons' drafts; the moderators see one item; one approval publishes them all."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from courses.models import CourseAudience, CoursePage, LessonPage
from courses.services import course_workflow_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_course(catalogue, editor):
    course_workflow_ensure(index=catalogue)
    course = CoursePage(title="Zalo an toàn", slug="zalo-an-toan", summary="Tóm tắt.",
                        topic="online_safety", live=False, owner=editor)  # fmt: skip
    course.audience_links = [CourseAudience(audience="citizens")]
    catalogue.add_child(instance=course)
    course.save_revision(user=editor)
    for n in (1, 2):
        lesson = LessonPage(title=f"Bài {n}", slug=f"bai-{n}", live=False, owner=editor,
                            body=[{"type": "text", "value": "<p>Nội dung.</p>"}])  # fmt: skip
        course.add_child(instance=lesson)
        lesson.save_revision(user=editor)
    return course


def test_lessons_are_not_submitted_on_their_own(draft_course, editor):
    lesson = LessonPage.objects.child_of(draft_course).first()
    assert lesson.get_workflow() is None
    assert not lesson.permissions_for_user(editor).can_submit_for_moderation()
    assert draft_course.permissions_for_user(editor).can_submit_for_moderation()


def test_one_submit_one_approval_publishes_the_course_and_its_lessons(
    client, draft_course, editor, moderator
):
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=(draft_course.pk,))
    page = client.get(edit_url).content.decode()
    assert "Gửi khoá học cùng các bài học" in page or "Submit the course with its lessons" in page

    # The editor submits the course once (the form as the browser posts it).
    data = {}
    data.update({
        "title": "Zalo an toàn", "slug": "zalo-an-toan", "summary": "Tóm tắt.",
        "topic": "online_safety", "level": "basic", "estimated_minutes": "30",
        "completion_rule": "required_lessons", "action-submit": "1",
        "audience_links-TOTAL_FORMS": "1", "audience_links-INITIAL_FORMS": "1",
        "audience_links-MIN_NUM_FORMS": "1", "audience_links-MAX_NUM_FORMS": "1000",
        "audience_links-0-id": str(draft_course.audience_links.get().pk),
        "audience_links-0-audience": "citizens", "audience_links-0-ORDER": "1",
    })  # fmt: skip
    assert client.post(edit_url, data).status_code == 302

    # The moderator has one item to review, not three.
    states = TaskState.objects.reviewable_by(moderator)
    assert states.count() == 1
    state = states.get()
    assert int(state.workflow_state.object_id) == draft_course.pk

    client.force_login(moderator)
    url = reverse("wagtailadmin_pages:workflow_action",
                  args=(draft_course.pk, "approve", state.pk))  # fmt: skip
    response = client.post(url, {"comment": ""}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code in (200, 302)

    course = CoursePage.objects.get(pk=draft_course.pk)
    lessons = list(LessonPage.objects.child_of(course))
    assert course.live
    assert [lesson.live for lesson in lessons] == [True, True]
    assert not any(lesson.has_unpublished_changes for lesson in lessons)
    assert TaskState.objects.reviewable_by(moderator).count() == 0
    assert client.get("/khoa-hoc/zalo-an-toan/").status_code == 200
