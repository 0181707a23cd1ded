"""tests/factories.py: each factory makes real, valid rows; defaults are made only when not
given; two calls never clash."""

import pytest

from campaigns.models import LearnerProfile, ManagerRole
from courses.models import CoursePage
from tests import factories

pytestmark = pytest.mark.django_db


def test_people_log_in_and_never_clash(client):
    first, second = factories.user(), factories.user()
    assert first.email != second.email
    assert client.login(email=first.email, password=factories.PASSWORD)
    editor = factories.staff()
    assert editor.is_staff and editor.groups.filter(name="Editors").exists()
    assert factories.staff("Moderators").groups.filter(name="Moderators").exists()


def test_learners_and_managers_sit_in_the_agency_given_or_a_new_one():
    tree = factories.agency_tree()
    assert tree["unit"].get_parent() == tree["snv"]
    assert tree["snv"].get_parent() == tree["province"]
    person = factories.learner(tree["unit"], name="Lê Thị An")
    assert LearnerProfile.objects.get(user=person).agency == tree["unit"]
    boss = factories.manager(tree["snv"])
    assert ManagerRole.objects.get(user=boss).agency == tree["snv"]
    elsewhere = factories.learner()
    profile = LearnerProfile.objects.get(user=elsewhere)
    assert profile.agency not in tree.values()
    assert factories.agency().code != factories.agency().code


def test_courses_have_live_lessons_in_the_one_catalogue():
    first = factories.course(lessons=2, title="Zalo an toàn")
    second = factories.course(lessons=1)
    assert first.get_parent() == second.get_parent()  # one catalogue, made once
    assert [lesson.title for lesson in factories.lessons_of(first)] == ["Bài 1", "Bài 2"]
    assert all(lesson.live for lesson in factories.lessons_of(first))
    assert CoursePage.objects.live().count() == 2
    assert list(first.audience_links.values_list("audience", flat=True)) == ["citizens"]


def test_a_quiz_without_questions_gets_one_of_every_type():
    made = factories.quiz()
    types = [slot.question.qtype for slot in made.slots.order_by("sort_order")]
    assert types == ["single", "multiple", "true_false", "short_answer", "ordering", "matching"]
    two = factories.quiz(questions=[factories.question()])
    assert two.slots.count() == 1 and two.slug != made.slug


def test_a_campaign_runs_now_over_its_courses_and_agencies():
    from django.utils import timezone

    course = factories.course(lessons=1)
    agency = factories.agency()
    made = factories.campaign(courses=[course], agencies=[agency])
    today = timezone.localdate()
    assert made.starts_on < today < made.due_on < made.ends_on
    assert [c.course_id for c in made.courses.all()] == [course.pk]
    assert list(made.agencies.all()) == [agency]
    assert not made.audiences.exists()  # everyone
    for_civil_servants = factories.campaign(audiences=["civil_servant"])
    assert list(for_civil_servants.audiences.values_list("audience", flat=True)) == [
        "civil_servant"
    ]


def test_lessons_by_title_and_published_through_a_revision():
    made = factories.course(lessons=["Mật khẩu", "Mã OTP"], publish_lessons=True)
    lessons = factories.lessons_of(made)
    assert [(x.title, x.slug) for x in lessons] == [("Mật khẩu", "bai-1"), ("Mã OTP", "bai-2")]
    assert all(x.live and x.last_published_at is not None for x in lessons)
    plain = factories.lessons_of(factories.course(lessons=1))
    assert plain[0].live and plain[0].last_published_at is None  # live without a revision
