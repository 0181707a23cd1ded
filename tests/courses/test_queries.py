"""Exact query counts: the lesson page and the catalogue cost the same whatever their size."""

import pytest
from django.urls import reverse

from courses import services
from courses.models import LessonProgress
from tests.courses.conftest import image_block, lessons_of, make_image, text_block

pytestmark = pytest.mark.django_db

# Shared by both pages (Wagtail serving a page to a logged-in learner, issue 16): none.
#   No query for: the session (cached_db sessions), the user (its row from the cache,
#   accounts.middleware.CachedUserMiddleware), the notices bell's unread count in base.html
#   (per person in the cache, campaigns.notice_counts), the Site (cms.middleware memo), the
#   walk down the tree (the route memo loads the page itself, below), view restrictions
#   (cms.pages.view_restrictions, a cached table), the navigation's manager check (a flag in
#   the cache for learners).
# Lesson page, on top of that (the page and its course are the same for every learner: from
# the cache until a page, a restriction or an image changes, cms.pages.cached_for_everyone):
#   no query for the lesson (its specific row, by id from the route memo) nor its course
#   (selectors.course_of, with has_prerequisites: no prerequisites query for a course
#   without any) nor the course's lessons (list columns, tree order: the same for everyone,
#   cached likewise and given to selectors.lesson_state); lesson_state: +1 active
#   enrolment, +1 the learner's progress rows in the course.
#   The content blocks' HTML comes from the cache (views.lesson_body_items: one entry per
#   lesson version and language under the pages generation), so their images, renditions
#   and videos cost nothing after the first view. (What is the same for everyone is read
#   from the process's own copy: tests/courses/test_request_cache_reads.py.)
LESSON_PAGE_QUERIES = 2
# Catalogue, on top of the shared part: the catalogue page (route memo) and its page of
# cards (courses with covers, audiences, renditions, the paginator's COUNT: rendered once
# for everyone, views.catalogue_listing) come from the cache; +1 the learner's active
# enrolments (all of them, by SQL built once per process: courses.selectors
# .ACTIVE_ENROLMENTS_OF, matched to the cards shown in Python).
CATALOGUE_QUERIES = 1
# A search (the visitor's own words) is not cached: the catalogue page (cached row) and, on
# top of the shared part, the COUNT, the courses with their covers, their audiences, the
# covers' renditions and the learner's enrolments.
CATALOGUE_SEARCH_QUERIES = 5


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
    client.get(lesson.url)  # routed by the memo: its page row goes to the cache
    with django_assert_num_queries(LESSON_PAGE_QUERIES) as captured:
        response = client.get(lesson.url)
    assert response.status_code == 200
    assert response.content.decode().count('class="lesson-image"') == 1
    # The active enrolment is unique (a constraint): read without an ORDER BY to build.
    [enrolment_sql] = [
        q["sql"] for q in captured.captured_queries if "courses_enrolment" in q["sql"]
    ]
    assert "ORDER BY" not in enrolment_sql


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
    url = catalogue.url + "?audience=citizens"
    client.get(url)  # makes the cover renditions and caches the cards
    client.get(url)  # routed by the memo: the catalogue's page row goes to the cache
    with django_assert_num_queries(CATALOGUE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="course-card"') == min(courses, 24)
    with django_assert_num_queries(CATALOGUE_SEARCH_QUERIES):
        response = client.get(url + "&q=khoa+hoc")
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
    # enrolments with courses, lessons of those courses, completed lesson ids. The session,
    # the user, the notices bell's count, the navigation's manager flag and the Site for the
    # {% pageurl %} links come from the cache and the per-process memo (no completed course:
    # no certificate query).
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.content.decode().count("learning-item") == 6


# --- What the memos and caches behind these numbers must never get wrong ---------------------


def test_a_memoised_route_follows_moves_unpublishing_and_renames(
    client, user_factory, course_factory
):
    """The route memo (cms.middleware) answers only while the page it remembers still lives
    at that address: Wagtail's walk decides again otherwise."""
    user = user_factory()
    course = course_factory(lessons=2)
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    first, second = lessons_of(course)
    old_url = first.url
    assert client.get(old_url).status_code == 200  # routed by Wagtail, then remembered
    assert client.get(old_url).status_code == 200  # from the memo
    first.slug = "bai-mot-moi"
    first.save_revision().publish()
    assert client.get(old_url).status_code == 404
    first.refresh_from_db()
    assert client.get(first.url).status_code == 200
    assert client.get(second.url).status_code == 200
    second.unpublish()
    assert client.get(second.url).status_code == 404
    second.save_revision().publish()
    assert client.get(second.url).status_code == 200
    # A new lesson at a remembered address is found by the walk, not mistaken for the old one.
    moved_url = first.url
    first.delete()
    assert client.get(moved_url).status_code == 404


def test_a_view_restriction_added_after_the_cache_is_warm_applies_at_once(
    client, user_factory, course_factory, catalogue
):
    """The cached restriction table (cms.pages) is forgotten when a restriction is saved or
    deleted: the lesson page and the catalogue's .public() list follow at once."""
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    user = user_factory()
    course = course_factory(lessons=1, title="Khoá học riêng")
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    lesson = lessons_of(course)[0]
    assert client.get(lesson.url).status_code == 200
    assert "Khoá học riêng" in client.get(catalogue.url).content.decode()
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Nhóm khác"))
    response = client.get(lesson.url)
    assert response.status_code == 302 and "next=" in response["Location"]
    assert "Khoá học riêng" not in client.get(catalogue.url).content.decode()
    restriction.delete()
    assert client.get(lesson.url).status_code == 200
    assert "Khoá học riêng" in client.get(catalogue.url).content.decode()


def test_the_manage_link_follows_a_role_granted_and_removed(client, user_factory, catalogue):
    """The navigation's manager flag is cached for learners (campaigns.context_processors)
    and forgotten when one of the person's roles is saved or deleted."""
    from campaigns.models import ManagerRole
    from tests import factories

    user = user_factory()
    client.force_login(user)
    manage = reverse("campaigns:dashboard")
    assert manage not in client.get(catalogue.url).content.decode()
    role = ManagerRole.objects.create(user=user, agency=factories.agency())
    assert manage in client.get(catalogue.url).content.decode()
    role.delete()
    assert manage not in client.get(catalogue.url).content.decode()


def test_a_session_ended_elsewhere_is_not_served_from_the_cache(client, user_factory, catalogue):
    """cached_db sessions: ending a session (allauth.usersessions, log-out) deletes the
    cached copy with the row; the next request is anonymous."""
    from django.contrib.sessions.backends.cached_db import SessionStore

    user = user_factory()
    client.force_login(user)
    assert 'data-testid="user-name"' in client.get(catalogue.url).content.decode()
    SessionStore().delete(client.cookies["sessionid"].value)  # what UserSession.end() does
    assert 'data-testid="user-name"' not in client.get(catalogue.url).content.decode()


def test_the_site_memo_stays_small_whatever_host_headers_come(client, settings, catalogue):
    """Host headers are the client's to choose: the Site memo keeps a bound."""
    from cms import middleware

    settings.ALLOWED_HOSTS = ["*"]
    for n in range(middleware.SITE_MEMO_SIZE + 20):
        assert client.get(catalogue.url, HTTP_HOST=f"h{n}.example").status_code == 200
    assert len(middleware._sites) <= middleware.SITE_MEMO_SIZE


def test_first_view_of_a_lesson_records_its_opening_in_one_statement(
    client, user_factory, course_factory, django_assert_num_queries
):
    user = user_factory()
    course = course_factory(lessons=1)
    client.force_login(user)
    lesson = lessons_of(course)[0]
    # Not enrolled yet: refused, nothing recorded; warms the route memo, the cached
    # restrictions and the navigation's flag.
    assert client.get(lesson.url).status_code == 403
    assert client.get(lesson.url).status_code == 403  # by the route memo: the row cached
    services.enrolment_create(user=user, course=course, source="self")
    # LESSON_PAGE_QUERIES (2) + lesson_open_record: INSERT ... ON CONFLICT DO UPDATE
    # opened_at where empty ... RETURNING the row (1).
    with django_assert_num_queries(LESSON_PAGE_QUERIES + 1):
        response = client.get(lesson.url)
    assert response.status_code == 200
    opened = LessonProgress.objects.get(user=user, lesson=lesson)
    assert opened.opened_at is not None and opened.course_id == course.pk


def test_reading_a_lesson_takes_its_progress_row_in_one_statement_opened_or_not(
    user_factory, course_factory
):
    """'I have read this lesson': the progress row is made or locked by one INSERT ... ON
    CONFLICT ... RETURNING, whether the lesson page was opened first or not (it was a
    get_or_create, with a savepoint of its own when new, then a SELECT ... FOR UPDATE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = user_factory()
    course = course_factory(lessons=4)  # none of the readings below completes the course
    services.enrolment_create(user=user, course=course, source="self")
    first, second, third, _fourth = lessons_of(course)
    services.lesson_progress_record(user=user, lesson=first, evidence="read")  # warms up
    services.lesson_open_record(user=user, lesson=third)
    counts = []
    for lesson in (second, third):  # never opened, then opened
        with CaptureQueriesContext(connection) as ctx:
            services.lesson_progress_record(user=user, lesson=lesson, evidence="read")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert LessonProgress.objects.filter(user=user, read_confirmed=True).count() == 3


# --- What the pages cached for everyone must never get wrong ---------------------------------


def test_a_new_revision_shows_at_once_on_the_lesson_page_and_in_the_catalogue(
    client, user_factory, course_factory, catalogue
):
    """The lesson's page row, its course and the catalogue's cards are cached for everyone
    (cms.pages.cached_for_everyone): publishing forgets them, so the next request shows
    the new text, the new lesson title and the new course title."""
    user = user_factory()
    course = course_factory(lessons=1, title="Khoá học cũ", bodies=[[text_block("<p>Bản cũ.</p>")]])
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    lesson = lessons_of(course)[0]
    for _ in range(3):  # Wagtail's walk, then the route memo: everything cached
        page = client.get(lesson.url).content.decode()
        listing = client.get(catalogue.url).content.decode()
    assert "Bản cũ." in page and "Khoá học cũ" in page and "Khoá học cũ" in listing

    lesson.body = [text_block("<p>Bản mới.</p>")]
    lesson.title = "Bài đã sửa"
    lesson.save_revision().publish()
    page = client.get(lesson.url).content.decode()
    assert "Bản mới." in page and "Bản cũ." not in page and "Bài đã sửa" in page

    course.refresh_from_db()
    course.title = "Khoá học mới"
    course.save_revision().publish()
    assert "Khoá học mới" in client.get(lesson.url).content.decode()  # breadcrumb: the course
    listing = client.get(catalogue.url).content.decode()
    assert "Khoá học mới" in listing and "Khoá học cũ" not in listing

    course.unpublish()
    assert "Khoá học mới" not in client.get(catalogue.url).content.decode()


def test_two_learners_see_their_own_progress_on_cached_pages(
    client, user_factory, course_factory, catalogue
):
    """Only what is the same for everyone is cached: each learner's progress (the lesson
    page's bar and done note, the catalogue card's percent) is their own."""
    ahead, behind = user_factory(), user_factory()
    course = course_factory(lessons=2, title="Khoá học chung")
    for user in (ahead, behind):
        services.enrolment_create(user=user, course=course, source="self")
    first = lessons_of(course)[0]
    services.lesson_progress_record(user=ahead, lesson=first, evidence="read")
    for _ in range(3):  # both learners, alternately, on warm caches
        for user, percent, done in ((ahead, 50, True), (behind, 0, False)):
            client.force_login(user)
            page = client.get(first.url).content.decode()
            assert f'max="100" value="{percent}"' in page
            assert ('data-testid="lesson-done"' in page) is done
            assert ('data-testid="confirm-read"' in page) is not done
            listing = client.get(catalogue.url).content.decode()
            assert f"đã học {percent}%</strong>" in listing  # "{percent}% done" in Vietnamese


def test_the_lesson_list_follows_a_lesson_added_renamed_or_unpublished_at_once(
    client, user_factory, course_factory
):
    """The course's lessons are cached for everyone (views.lesson_serve gives them to
    selectors.lesson_state): a lesson published, renamed or unpublished changes the
    lesson's number, the lesson count and the next-lesson link on the next request."""
    from courses.models import LessonPage
    from tests.factories import text_block as body_text

    user = user_factory()
    course = course_factory(lessons=2)
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    first, second = lessons_of(course)
    for _ in range(3):  # Wagtail's walk, then the route memo: everything cached
        page = client.get(first.url).content.decode()
    assert "Bài 1/2" in page and f'href="{second.url}" rel="next"' in page

    added = LessonPage(title="Bài thêm", slug="bai-them", body=[body_text()])
    course.add_child(instance=added)
    added.save_revision().publish()
    assert "Bài 1/3" in client.get(first.url).content.decode()

    second.unpublish()
    page = client.get(first.url).content.decode()
    assert "Bài 1/2" in page and f'href="{added.url}" rel="next"' in page

    added.slug = "bai-da-doi"
    added.save_revision().publish()
    added.refresh_from_db()
    assert f'href="{added.url}" rel="next"' in client.get(first.url).content.decode()
