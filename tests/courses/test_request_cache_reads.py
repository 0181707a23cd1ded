"""What a signed-in learner's page asks of the shared cache (issue 16), and what the ways
of asking less must never get wrong.

A warm lesson page or catalogue reads the shared cache twice: the session, then one
get_many with the person's row and what the header and page read (the bell, the manager
flag, the pages generation: cms.cache.read_ahead). What is the same for everyone under the
current pages generation (the page row, the course and its lessons, the lesson's content
blocks, the catalogue's cards, the view restrictions, Wagtail's site root paths) comes from
the process's own copy (cms.pages, cms.middleware).
"""

import pytest
from django.core.cache import caches
from django.template import defaulttags

from accounts.middleware import USER_KEY
from campaigns.agencies.services import manager_role_grant
from campaigns.context_processors import manager_nav_flag
from campaigns.notice_counts import unread_count
from campaigns.services import notice_create
from cms.cache import ahead_begin, ahead_end, generation, read_ahead
from cms.pages import PAGES_GENERATION_KEY, pages_changed
from courses import services
from courses.models import Enrolment
from tests import factories
from tests.courses.conftest import lessons_of, text_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_reads(monkeypatch):
    """[(operation, key or keys)] of every read of the default cache from now on (a
    backend's get_many made of gets, as LocMemCache's, counts once)."""
    reads, inside = [], []
    backend = type(caches["default"])
    get, get_many = backend.get, backend.get_many

    def recorded_get(self, key, *args, **kwargs):
        if not inside:
            reads.append(("get", key))
        return get(self, key, *args, **kwargs)

    def recorded_get_many(self, keys, *args, **kwargs):
        reads.append(("get_many", sorted(keys)))
        inside.append(1)
        try:
            return get_many(self, keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(backend, "get", recorded_get)
    monkeypatch.setattr(backend, "get_many", recorded_get_many)
    return reads


def _person_keys(user, generation_too=True) -> list[str]:
    keys = [USER_KEY.format(user.pk), f"campaigns:manager-nav:v1:{user.pk}",
            f"campaigns:notices-unread:v1:{user.pk}"]  # fmt: skip
    return sorted([*keys, PAGES_GENERATION_KEY] if generation_too else keys)


@pytest.mark.parametrize("page", ["lesson", "catalogue"])
def test_a_warm_page_reads_the_shared_cache_twice(
    client, user_factory, course_factory, catalogue, cache_reads, page
):
    user = user_factory()
    course = course_factory(lessons=3, bodies=[[text_block(), text_block("<p>Hai.</p>")]] * 3)
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    url = lessons_of(course)[1].url if page == "lesson" else catalogue.url
    for _ in range(3):  # Wagtail's walk, then the route memo: everything cached and copied
        assert client.get(url).status_code == 200
    cache_reads.clear()
    response = client.get(url)
    assert response.status_code == 200
    [session_read, person_read] = cache_reads
    assert session_read[0] == "get" and "session" in session_read[1]
    assert person_read == ("get_many", _person_keys(user))


def test_a_post_reads_the_persons_row_alone(client, user_factory, course_factory, cache_reads):
    """A form or an API call (autosave, statements) renders no header: only the row is read."""
    user = user_factory()
    course = course_factory(lessons=1)
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    lesson = lessons_of(course)[0]
    client.get(lesson.url)
    cache_reads.clear()
    client.post(f"/hoc/bai/{lesson.pk}/tien-do/", {"evidence": "read"})
    assert ("get", USER_KEY.format(user.pk)) in cache_reads
    assert not [read for read in cache_reads if read[0] == "get_many"]


def test_a_write_earlier_in_the_request_is_not_hidden_by_what_was_read_ahead(user_factory):
    """The read-ahead serves what it read only until a write forgets the key: a notice made,
    a role granted, a page changed in the same request show in that request."""
    user = user_factory()
    assert unread_count(user.pk) == 0 and manager_nav_flag(user) is False  # now cached
    old_token = generation(PAGES_GENERATION_KEY)
    token = ahead_begin()
    try:
        read_ahead(user.pk, USER_KEY.format(user.pk))
        notice_create(user_id=user.pk, message="Có khoá học mới")
        manager_role_grant(user=user, agency=factories.agency(), granted_by=None)
        pages_changed()
        assert unread_count(user.pk) == 1
        assert manager_nav_flag(type(user).objects.get(pk=user.pk)) is True
        assert generation(PAGES_GENERATION_KEY) != old_token
    finally:
        ahead_end(token)


def test_what_was_read_ahead_is_served_once_and_only_in_its_request(user_factory):
    user = user_factory()
    unread_count(user.pk)
    token = ahead_begin()
    try:
        read_ahead(user.pk, USER_KEY.format(user.pk))
    finally:
        ahead_end(token)
    # Another request (or none): the count is read from the cache, not from a past request.
    caches["default"].set(f"campaigns:notices-unread:v1:{user.pk}", 7)
    assert unread_count(user.pk) == 7


def test_the_catalogue_marks_only_the_learners_active_enrolments(
    client, user_factory, course_factory, catalogue, django_assert_num_queries
):
    """The learner's active enrolments are read whole (SQL built once per process, no list
    of the page's courses to build) and matched to the cards: a course left, another
    learner's course and a course not on the page are not marked."""
    learner, other = user_factory(), user_factory()
    kept, left, theirs = (course_factory(lessons=1, title=t) for t in ("Giữ", "Bỏ", "Khác"))
    services.enrolment_create(user=learner, course=kept, source="self")
    services.enrolment_cancel(
        enrolment=services.enrolment_create(user=learner, course=left, source="self")
    )
    services.enrolment_create(user=other, course=theirs, source="self")
    client.force_login(learner)
    for _ in range(2):
        client.get(catalogue.url)
    with django_assert_num_queries(1) as captured:
        listing = client.get(catalogue.url).content.decode()
    [sql] = [q["sql"] for q in captured.captured_queries]
    assert "courses_enrolment" in sql and " IN (" not in sql
    assert listing.count("đã học 0%</strong>") == 1  # "0% done": the kept course only
    assert Enrolment.objects.filter(user=learner).count() == 2


def test_the_catalogue_filters_render_once_per_process_for_the_same_values(
    client, user_factory, catalogue, monkeypatch
):
    """The filters' options are markup the same for everyone with the same values: a warm
    catalogue runs only the cards' loop, and each visitor sees their own selection (an
    unknown value selects nothing)."""
    client.force_login(user_factory())
    for topic in ("", "online_safety", "nonsense"):
        client.get(catalogue.url + f"?topic={topic}")
    loops = []
    render = defaulttags.ForNode.render
    monkeypatch.setattr(defaulttags.ForNode, "render",
                        lambda self, context: loops.append(1) or render(self, context))  # fmt: skip
    for topic in ("online_safety", "", "nonsense"):
        html = client.get(catalogue.url + f"?topic={topic}").content.decode()
        assert ('<option value="online_safety" selected>' in html) is (topic == "online_safety")
        assert html.count('<option value="online_safety"') == 1
    assert len(loops) == 3  # the cards' loop, once per request


def test_a_warm_lesson_page_reverses_its_progress_address_once(
    client, user_factory, course_factory, monkeypatch
):
    """The lesson's progress address is reversed once for the article and the form, the
    profile link around the person's name is in the header memo: on a warm page only that
    and the bell's (the campaigns floor's template) are reversed by {% url %}; each person's
    name is still their own."""
    import django.urls
    from django.urls import reverse

    course = course_factory(lessons=1)
    lesson = lessons_of(course)[0]
    people = [user_factory(full_name=name) for name in ("Lê Thị Một", "Trần Văn Hai")]
    for user in people:
        services.enrolment_create(user=user, course=course, source="self")
        client.force_login(user)
        client.get(lesson.url)
    reversed_names = []

    # {% url %} imports django.urls.reverse as it renders.
    def counting(name, *args, **kwargs):
        reversed_names.append(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(django.urls, "reverse", counting)
    for user in people:
        client.force_login(user)
        html = client.get(lesson.url).content.decode()
        assert (f'<a class="user-name" href="{reverse("profile")}" data-testid="user-name">'
                f"{user.full_name}</a>") in html  # fmt: skip
        progress = reverse("courses:lesson_progress", args=[lesson.pk])
        assert f'data-progress-url="{progress}"' in html and f'action="{progress}"' in html
    assert sorted(reversed_names) == ["courses:lesson_progress"] * 2 + ["notices:list"] * 2


def test_a_learners_page_reverses_nothing_in_the_mfa_middleware(
    client, user_factory, course_factory, monkeypatch
):
    """MfaRequiredMiddleware looks for the admin's log-in loop (?next=/admin/...) before it
    reverses the log-in page's address: every other request reverses nothing there."""
    import accounts.middleware

    user = user_factory()
    course = course_factory(lessons=1)
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    reversed_names = []
    real = accounts.middleware.reverse

    def counting(name, *args, **kwargs):
        reversed_names.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(accounts.middleware, "reverse", counting)
    assert client.get(lessons_of(course)[0].url).status_code == 200
    assert reversed_names == []


def test_the_bells_count_on_a_miss_is_one_prepared_count_of_the_persons_unread(
    user_factory, django_assert_num_queries
):
    """A miss of the bell's count (a first page, or after a write) counts with SQL written
    once per process: only the person's unread notices, with no ORM aggregate to build."""
    from django.core.cache import cache

    from campaigns.notice_counts import UNREAD_KEY
    from campaigns.services import notices_mark_read

    me, other = user_factory(), user_factory()
    for text in ("Một", "Hai", "Ba"):
        notice_create(user_id=me.pk, message=text)
    notice_create(user_id=other.pk, message="Của người khác")
    notices_mark_read(user=me, notice_id=me.notices.order_by("pk").first().pk)
    cache.delete(UNREAD_KEY.format(me.pk))
    with django_assert_num_queries(1) as captured:
        assert unread_count(me.pk) == 2
    [sql] = [q["sql"] for q in captured.captured_queries]
    assert sql.startswith("SELECT COUNT(*) FROM") and "__count" not in sql
    assert unread_count(other.pk) == 1


def test_an_activitys_access_check_reads_the_enrolment_with_no_sql_to_build(
    user_factory, course_factory, monkeypatch
):
    """The quiz and H5P paths' access check (selectors.activity_lesson_state, the course
    given from the cache) reads the active enrolment by SQL built once per process."""
    from django.db.models.sql.compiler import SQLCompiler

    from courses.selectors import ACTIVITY_COURSE_FIELDS, activity_lesson_state, course_of

    user = user_factory()
    course = course_factory(lessons=1, sequential=False)
    services.enrolment_create(user=user, course=course, source="self")
    lesson = lessons_of(course)[0]
    known = course_of(lesson, fields=ACTIVITY_COURSE_FIELDS)
    activity_lesson_state(user=user, lesson=lesson, course=known)  # built once per process
    built = []
    real = SQLCompiler.as_sql

    def recorded(self, *args, **kwargs):
        built.append(self.query.model)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", recorded)
    state = activity_lesson_state(user=user, lesson=lesson, course=known)
    assert state.enrolment is not None and state.enrolment.course_id == course.pk
    assert state.enrolment.course is known and not state.locked
    assert built == []
    stranger = user_factory()
    assert activity_lesson_state(user=stranger, lesson=lesson, course=known).enrolment is None


def test_a_warm_view_that_links_to_pages_reads_no_site_root_paths(
    client, user_factory, course_factory, cache_reads
):
    """A view of its own app that links to Wagtail pages (my learning: `{% pageurl %}` of
    each course and lesson; the attempt page likewise) takes Wagtail's site root paths from
    the process's memo under the pages token, not from the shared cache; the links follow a
    renamed course at once."""
    from django.urls import reverse

    user = user_factory()
    course = course_factory(lessons=2, title="Khoá tên cũ")
    services.enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    url = reverse("courses:my_learning")
    for _ in range(2):
        html = client.get(url).content.decode()
    assert f'href="{course.url}"' in html
    cache_reads.clear()
    client.get(url)
    assert [read[0] for read in cache_reads] == ["get", "get_many"]  # the session, the person

    course.refresh_from_db()
    course.slug = "khoa-ten-moi"
    course.save_revision().publish()
    course.refresh_from_db()
    html = client.get(url).content.decode()
    assert f'href="{course.url}"' in html and "khoa-ten-moi" in course.url
