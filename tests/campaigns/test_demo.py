import io

import pytest

from accounts.models import User
from campaigns import demo
from campaigns.models import Agency, Assignment, Campaign, LearnerProfile, ManagerRole


@pytest.mark.django_db
def test_demo_is_idempotent_and_makes_the_province_tree(home_page):
    from cms.demo import load as cms_load

    cms_load(io.StringIO())
    demo.load(io.StringIO())
    counts = (Agency.objects.count(), LearnerProfile.objects.count(), ManagerRole.objects.count(),
              Assignment.objects.count(), User.objects.count())  # fmt: skip
    demo.load(io.StringIO())
    assert counts == (Agency.objects.count(), LearnerProfile.objects.count(),
                      ManagerRole.objects.count(), Assignment.objects.count(),
                      User.objects.count())  # fmt: skip
    assert Agency.objects.filter(kind="department").count() == 13
    assert Agency.objects.filter(name="Phường Hòa Bình").exists()
    assert 300 <= LearnerProfile.objects.count() <= 500
    manager = User.objects.get(email="manager@hocso.local")
    assert ManagerRole.objects.get(user=manager).agency.name == "Sở Nội vụ"
    assert manager.has_perm("assessments.grade_essay")  # the essay grading queue (issue 18)
    campaign = Campaign.objects.get(name="Bình dân học vụ số 2026")
    assert Assignment.objects.filter(campaign=campaign).count() > 200


@pytest.mark.django_db
def test_demo_learners_completed_only_what_they_finished():
    """Walker finding: demo learners were shown as having completed a course with no lesson
    done. After the demo command, every completed enrolment has each live lesson of its
    course completed (the course rule met, the counters agreeing), and the lessons were
    finished no later than the course."""
    from django.core.management import call_command

    from courses.models import Enrolment, LessonPage, LessonProgress
    from courses.services import course_rule_met

    call_command("seed_demo", stdout=io.StringIO())
    completed = list(Enrolment.objects.filter(completed_at__isnull=False).select_related("course"))
    assert len(completed) > 50
    lessons = {}
    for enrolment in completed:
        course = enrolment.course
        if course.pk not in lessons:
            lessons[course.pk] = set(
                LessonPage.objects.live().child_of(course).values_list("pk", flat=True)
            )
        done = LessonProgress.objects.filter(
            user_id=enrolment.user_id, course=course, completed_at__isnull=False
        )
        assert set(done.values_list("lesson_id", flat=True)) == lessons[course.pk], enrolment
        assert max(done.values_list("completed_at", flat=True)) <= enrolment.completed_at
        assert (enrolment.lessons_done, enrolment.percent) == (len(lessons[course.pk]), 100)
        assert course_rule_met(user=enrolment.user_id, course=course)[0], enrolment
