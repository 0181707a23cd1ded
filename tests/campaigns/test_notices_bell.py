"""Issue 22, learner: a notices bell for everyone (new assignment, deadline near, certificate
ready), its unread count in the header, the page listing them, marking them read; and the
sign-up commune box (a picked commune keeps its name without the code)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campaigns import notify, services
from campaigns.models import Notice
from courses.services import course_complete, enrolment_create
from tests.courses.conftest import catalogue, course_factory  # noqa: F401 - fixtures

BELL = 'data-testid="notices-bell"'


@pytest.fixture
def campaign(campaign):
    """The campaigns tests' campaign, due in 5 days: its deadline is near."""
    campaign.due_on = timezone.localdate() + dt.timedelta(days=5)
    campaign.save(update_fields=["due_on"])
    return campaign


def _count(html):
    part = html.split(BELL)[1].split("</a>")[0]
    if 'data-testid="notices-count"' not in part:
        return 0
    return int(part.split('data-testid="notices-count">')[1].split("<")[0])


def test_a_new_assignment_rings_the_bell(client, campaign, tree, learner_in, home_page):
    learner = learner_in(tree["unit"], name="Lò Thị Ửng")
    services.campaign_assign(campaign=campaign)
    notice = Notice.objects.get(user=learner)
    assert notice.kind == Notice.Kind.ASSIGNMENT
    due = campaign.due_on.strftime("%d/%m/%Y")
    assert notice.message == f"Bạn được giao học các khoá của “Bình dân học vụ số 2026”, hạn {due}."
    assert notice.url == reverse("courses:my_learning")
    client.force_login(learner)
    html = client.get("/").content.decode()
    assert _count(html) == 1
    assert 'aria-label="Thông báo: 1 chưa đọc"' in html
    # Assigning again creates nothing new.
    services.campaign_assign(campaign=campaign)
    assert Notice.objects.filter(user=learner).count() == 1


def test_deadline_reminders_are_reminder_notices(campaign, tree, learner_in):
    learner = learner_in(tree["unit"])
    services.campaign_assign(campaign=campaign)
    notify.reminders_send(now=timezone.now() + dt.timedelta(days=1))
    kinds = sorted(Notice.objects.filter(user=learner).values_list("kind", flat=True))
    assert kinds == ["assignment", "reminder"]


def test_a_certificate_rings_the_bell(client, user_factory, course_factory, home_page):  # noqa: F811
    learner = user_factory()
    course = course_factory(lessons=1, title="An toàn trên mạng")
    enrolment = enrolment_create(user=learner, course=course, source="self")
    course_complete(enrolment=enrolment)
    notice = Notice.objects.get(user=learner)
    assert notice.kind == Notice.Kind.CERTIFICATE
    assert notice.message == "Chứng chỉ khoá “An toàn trên mạng” của bạn đã sẵn sàng."
    assert notice.url == reverse("certificates:mine")
    client.force_login(learner)
    assert _count(client.get("/").content.decode()) == 1


def test_the_notices_page_lists_opens_and_marks_read(client, user_factory, home_page):
    learner, other = user_factory(), user_factory()
    first = services.notice_create(user_id=learner.pk, message="Một", url="/hoc/cua-toi/")
    services.notice_create(user_id=learner.pk, message="Hai")
    services.notice_create(user_id=other.pk, message="Của người khác")
    client.force_login(learner)
    html = client.get(reverse("notices:list")).content.decode()
    assert "Một" in html and "Hai" in html and "Của người khác" not in html
    assert html.count("is-unread") == 2 and "Đánh dấu đã đọc tất cả" in html
    assert _count(html) == 2
    # Listing marks nothing; opening one marks it read and follows its link.
    response = client.get(reverse("notices:open", args=[first.pk]))
    assert response.status_code == 302 and response.url == "/hoc/cua-toi/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert _count(client.get(reverse("notices:list")).content.decode()) == 1
    client.post(reverse("notices:read_all"))
    html = client.get(reverse("notices:list")).content.decode()
    assert _count(html) == 0 and "is-unread" not in html
    # Someone else's notice cannot be opened.
    theirs = Notice.objects.get(user=other)
    assert client.get(reverse("notices:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_never_redirects_off_site(client, user_factory, home_page):
    learner = user_factory()
    notice = services.notice_create(user_id=learner.pk, message="x", url="//evil.example/")
    client.force_login(learner)
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response.url == reverse("notices:list")


def test_no_bell_for_visitors(client, home_page):
    assert BELL not in client.get("/").content.decode()


# --- Sign-up: the commune box -------------------------------------------------------------


def _signup(**kw):
    base = {
        "full_name": "Bùi Thị Lan", "email": "lan@example.vn", "phone": "",
        "password1": "Hoc-so-that-vui-2026", "password2": "Hoc-so-that-vui-2026",
        "consent": "on", "audience": "citizen",
    }  # fmt: skip
    base.update(kw)
    return base


def test_a_picked_commune_shows_its_name_and_sends_its_code_apart(client, tree, home_page):
    # What the page's script sends after a tap on a suggestion: the name in the box, the
    # code in the hidden field.
    response = client.post(
        "/tai-khoan/signup/", _signup(agency="Phường Hòa Bình", agency_code="P-HB")
    )
    assert response.status_code == 302
    assert User.objects.get(email="lan@example.vn").learner_profile.agency == tree["ward"]


def test_a_redisplayed_form_shows_the_commune_name_without_its_code(client, tree, home_page):
    response = client.post(
        "/tai-khoan/signup/",
        _signup(agency="Phường Hòa Bình", agency_code="P-HB", password2="khac-nhau-2026"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Phường Hòa Bình"' in html and "Phường Hòa Bình (P-HB)" not in html
    assert 'name="agency_code" value="P-HB"' in html


def test_suggestion_rows_are_styled_as_tappable_rows(client, tree):
    html = client.get("/tai-khoan/signup/").content.decode()
    assert "campaigns/agency_search.css" in html


# --- The bell's count from the cache (campaigns.notice_counts, issue 16) --------------------


def test_the_cached_count_follows_every_write_of_notices(
    client, campaign, tree, learner_in, home_page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.privacy import anonymise

    learner = learner_in(tree["unit"])
    client.force_login(learner)
    assert _count(client.get("/").content.decode()) == 0  # counted, then kept in the cache
    with CaptureQueriesContext(connection) as warm:
        assert _count(client.get("/").content.decode()) == 0
    # A warm page asks the database nothing for the bell.
    assert not [q for q in warm.captured_queries if "campaigns_notice" in q["sql"]]
    services.campaign_assign(campaign=campaign)  # the assignment notices' bulk insert
    assert _count(client.get("/").content.decode()) == 1
    services.notice_create(user_id=learner.pk, message="Một")
    assert _count(client.get("/").content.decode()) == 2
    first = Notice.objects.filter(user=learner).order_by("pk").first()
    services.notices_mark_read(user=learner, notice_id=first.pk)
    assert _count(client.get("/").content.decode()) == 1
    services.notice_create(user_id=learner.pk, message="Hai")
    services.notices_mark_read(user=learner)
    assert _count(client.get("/").content.decode()) == 0
    services.notice_create(user_id=learner.pk, message="Ba")
    assert _count(client.get("/").content.decode()) == 1
    anonymise(learner)  # the privacy deletion
    assert _count(client.get("/").content.decode()) == 0


def test_each_person_sees_their_own_count_on_warm_caches(client, user_factory, home_page):
    one, two = user_factory(), user_factory()
    services.notice_create(user_id=one.pk, message="Một")
    for _ in range(3):
        client.force_login(one)
        assert _count(client.get("/").content.decode()) == 1
        client.force_login(two)
        assert _count(client.get("/").content.decode()) == 0


def test_with_the_cache_down_the_database_counts(client, user_factory, home_page, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    learner = user_factory()
    services.notice_create(user_id=learner.pk, message="Một")
    client.force_login(learner)
    assert _count(client.get("/").content.decode()) == 1
    services.notices_mark_read(user=learner)
    assert _count(client.get("/").content.decode()) == 0
