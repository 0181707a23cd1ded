"""Exact query counts: the lesson page and the catalogue cost the same whatever their size."""

import pytest
from django.urls import reverse

from courses import services
from tests.courses.conftest import image_block, lessons_of, make_image, text_block

pytestmark = pytest.mark.django_db

# Shared by both pages (Wagtail serving a page to a logged-in user):
#   1 site for the request host
#   2 routing: the home page row, 3 its specific row (Site.root_page.specific),
#   4 the child by slug (CourseIndexPage.route / CoursePage.route fetch the specific child
#     in one query instead of Wagtail's two per level),
#   view restrictions: 1 ancestors' alias ids + 1 restrictions on those ancestors,
#   1 session, 1 user,
#   1 the navigation's manager check in base.html (campaigns floor: agencies the user manages).
# Lesson page, on top of that:
#   +1 the lesson (specific, one query through CoursePage.route),
#   lesson_state: +1 the course's lessons (only list columns), +1 active enrolment,
#   +1 the learner's progress rows in the course, +1 prerequisites with their done flag.
#   The content blocks' HTML comes from the cache (views.lesson_body_items), so their
#   images, renditions and videos cost nothing after the first view.
LESSON_PAGE_QUERIES = 15
# Catalogue, on top of the shared part:
#   +1 page view restrictions again (the .public() filter), +1 COUNT for the paginator,
#   +1 the page of courses, +1 their audiences (prefetch), +1 their cover images
#   (prefetch), +1 the covers' renditions (prefetch_renditions), +1 the learner's active
#   enrolments among the courses shown.
CATALOGUE_QUERIES = 16


@pytest.mark.parametrize("lessons", [5, 50])
def test_lesson_page_queries_do_not_grow_with_the_course(
    client, user_factory, course_factory, django_assert_num_queries, lessons
):
    user = user_factory()
    picture = make_image()
    body = [text_block(), image_block(picture), text_block("<p>Phần hai.</p>")]
    course = course_factory(lessons=lessons, bodies=[body] * lessons)
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    lesson = lessons_of(course)[2]
    services.lesson_progress_record(user=user, lesson=lessons_of(course)[0], evidence="read")
    client.get(lesson.url)  # first visit: records opened_at, makes the renditions
    with django_assert_num_queries(LESSON_PAGE_QUERIES):
        response = client.get(lesson.url)
    assert response.status_code == 200
    assert response.content.decode().count('class="lesson-image"') == 1


@pytest.mark.parametrize("courses", [10, 500])
def test_catalogue_queries_do_not_grow_with_the_catalogue(
    client, user_factory, course_factory, catalogue, django_assert_num_queries, courses
):
    user = user_factory()
    cover = make_image()
    # publish=False: pages are live without a revision, which keeps 500 of them quick.
    made = [course_factory(lessons=0, cover_image=cover, publish=False) for _ in range(courses)]
    services.enrolment_create(user=user, course=made[0], source="self")
    client.force_login(user)
    url = catalogue.url + "?q=khoa+hoc&audience=citizens"
    client.get(url)  # makes the cover renditions
    with django_assert_num_queries(CATALOGUE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="course-card"') == min(courses, 24)


def test_my_learning_queries_do_not_grow(
    client, user_factory, course_factory, django_assert_num_queries
):
    user = user_factory()
    for _ in range(6):
        services.enrolment_create(user=user, course=course_factory(lessons=3), source="self")
    client.force_login(user)
    url = reverse("courses:my_learning")
    client.get(url)
    # session, user, enrolments with courses, lessons of those courses, completed lesson ids,
    # the navigation's manager check (campaigns), one Site lookup for the {% pageurl %} links.
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("learning-item") == 6
