import datetime as dt

import pytest
from django.utils import timezone

from cms.vocabularies import Subgroup
from courses.models import CoursePage
from tests import factories
from tests.conftest import browser_log_in_with_form, mfa_enrol


@pytest.fixture
def tree(db):
    """Province → Sở Nội vụ (→ Phòng Tổ chức biên chế), Sở Y tế; Phường Hòa Bình:
    factories.agency_tree()."""
    return factories.agency_tree()


@pytest.fixture
def learner_in(db):
    """learner_in(agency, *, name=None, audience="civil_servant", on=None, employee_code=None,
    **user_fields): factories.learner, a member of `agency` from 2026-01-01."""
    return factories.learner


@pytest.fixture
def manager_of(db):
    """manager_of(agency): factories.manager, a manager of `agency`."""
    return factories.manager


@pytest.fixture
def campaign(tree):
    """The campaign "Bình dân học vụ số 2026" for Sở Nội vụ's civil servants: began 30 days
    ago, due in 30, ends in 60."""
    today = timezone.localdate()
    return factories.campaign(
        name="Bình dân học vụ số 2026", starts_on=today - dt.timedelta(days=30),
        agencies=[tree["snv"]], audiences=[Subgroup.CIVIL_SERVANT],
    )  # fmt: skip


def manager_logged_in(page, base: str, agency, email: str):
    """A manager of `agency` (password "Mat-khau-2026!", an authenticator enrolled, as
    managers must) logged in through the log-in form in `page`'s browser; returns them."""
    # A name without "Quản lý" in it: the header's link to the manager pages is named so.
    manager = factories.manager(
        agency, name="Phạm Thị Hạnh", email=email, password="Mat-khau-2026!"
    )
    secret = mfa_enrol(manager)
    browser_log_in_with_form(page, base, email, "Mat-khau-2026!", totp_secret=secret)
    return manager


def plain_course(title: str) -> CoursePage:
    """A live course page without lessons: what the campaigns floor reads of a course (its
    title, its enrolments and completions)."""
    return factories.course(
        lessons=0, title=title, publish=False, audiences=(), summary="Tóm tắt.",
        topic="public_services",
    )  # fmt: skip


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def private_import_dir(request, settings, tmp_path):
    """Import uploads in a temporary folder (the real worker test shares the default one
    with its worker process)."""
    if request.node.get_closest_marker("celery_worker") is None:
        settings.CAMPAIGNS_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: manual reminders claim (person, day) there, and
    user ids repeat from one test's rolled-back database to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
