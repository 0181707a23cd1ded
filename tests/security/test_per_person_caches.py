"""Issue 16's per-person and per-request caches, as the attack: what one person's request
read ahead or cached is tried from another person in the same process, and an editor's
unsaved draft is tried from a learner.

- the read-ahead (cms.cache.read_ahead: the person's row, the bell's count, the manager
  flag in one get_many) and the cached user row (accounts.middleware): two people, each
  with their own client, alternate requests served by one process; each sees their own
  name, bell count and header, never the other's;
- the lesson's content blocks cached under the live revision (courses.views): an editor's
  preview renders an unsaved body with the same page id and revision; learners never get it.
"""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from campaigns.agencies.services import manager_role_grant
from campaigns.services import notice_create
from courses import services, views
from tests import factories
from tests.courses.conftest import catalogue, course_factory, lessons_of, text_block  # noqa: F401

pytestmark = pytest.mark.django_db

COUNT = re.compile(r'data-testid="notices-count">(\d+)<')


def _header(client, url):
    html = client.get(url).content.decode()
    count = COUNT.search(html)
    return html, int(count.group(1)) if count else 0


def test_one_persons_name_bell_and_manager_link_never_reach_another(user_factory):
    manager = user_factory(full_name="Lê Văn Quản Lý")
    manager_role_grant(user=manager, agency=factories.agency(), granted_by=None)
    learner = user_factory(full_name="Nguyễn Thị Học Viên")
    for n in range(3):
        notice_create(user_id=manager.pk, message=f"Thông báo {n}")
    as_manager, as_learner = Client(), Client()
    as_manager.force_login(manager)
    as_learner.force_login(learner)
    page, dashboard = reverse("privacy_notice"), reverse("campaigns:dashboard")
    for _ in range(3):  # warm: every person's entries cached and read ahead in turn
        html, unread = _header(as_manager, page)
        assert "Lê Văn Quản Lý" in html and unread == 3 and f'href="{dashboard}"' in html
        html, unread = _header(as_learner, page)
        assert "Nguyễn Thị Học Viên" in html and "Lê Văn Quản Lý" not in html
        assert unread == 0 and f'href="{dashboard}"' not in html
        assert as_learner.get(dashboard).status_code in (302, 403, 404)
    notice_create(user_id=learner.pk, message="Bạn có một khoá học mới")
    assert _header(as_learner, page)[1] == 1
    assert _header(as_manager, page)[1] == 3


def test_an_editors_unsaved_draft_never_reaches_learners(
    client,
    user_factory,
    course_factory,  # noqa: F811 - the fixture imported above
):
    """A preview is the live page's id and revision with an unsaved body: it is shown as
    edited, and learners keep seeing the published text (it was once cached under the live
    revision's keys and served to them)."""
    user = user_factory()
    course = course_factory(lessons=1, bodies=[[text_block("<p>Bản đã đăng.</p>")]])
    services.enrolment_create(user=user, course=course, source="self")
    lesson = lessons_of(course)[0]
    draft = type(lesson).objects.get(pk=lesson.pk)
    block = draft.body.raw_data[0]
    draft.body = [{**block, "value": "<p>Bản nháp chưa lưu.</p>"}]  # the same block id
    request = RequestFactory().get(lesson.url)
    request.user, request.is_preview = user, True
    previewed = views.lesson_body_items(request, draft)
    assert "Bản nháp chưa lưu." in str(previewed[0]["html"])

    client.force_login(user)
    for _ in range(2):
        page = client.get(lesson.url).content.decode()
        assert "Bản đã đăng." in page and "Bản nháp" not in page
