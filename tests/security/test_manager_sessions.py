"""Issue 22: managers create and edit in-person sessions in the manager pages, for their
agencies only (scoped by campaigns.selectors.agencies_visible_to). Written as the attacks:
another agency's session id, a forged agency in the POST."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Session
from tests import factories


@pytest.fixture
def tree(db):
    return factories.agency_tree()


def form(agency, **extra):
    start = timezone.localtime() + dt.timedelta(days=3)
    return {
        "kind": Session.Kind.TRAINING_CLASS, "title": "Lớp kỹ năng số", "place": "Hội trường A",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "agency": agency.pk, "campaign": "", **extra,
    }  # fmt: skip


@pytest.fixture
def neighbours_session(tree):
    start = timezone.now() + dt.timedelta(days=1)
    return Session.objects.create(
        kind=Session.Kind.SEMINAR, title="Hội thảo Sở Y tế", place="Sở Y tế",
        starts_at=start, ends_at=start + dt.timedelta(hours=2), agency=tree["syt"],
    )  # fmt: skip


def test_a_manager_creates_a_session_in_their_agency(tree, client):
    client.force_login(factories.manager(tree["snv"]))
    page = client.get(reverse("campaigns:session_create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sở Nội vụ" in html and "Phòng Tổ chức biên chế" in html
    assert "Sở Y tế" not in html  # only their agencies are offered
    response = client.post(reverse("campaigns:session_create"), form(tree["unit"]))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.agency == tree["unit"] and session.title == "Lớp kỹ năng số"
    edit = client.post(
        reverse("campaigns:session_edit", args=[session.pk]),
        form(tree["snv"], title="Lớp kỹ năng số (đổi phòng)", place="Phòng 201"),
    )
    assert edit.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.place, session.agency) == (
        "Lớp kỹ năng số (đổi phòng)", "Phòng 201", tree["snv"])  # fmt: skip


def test_forged_agency_in_the_post_is_refused(tree, client):
    client.force_login(factories.manager(tree["snv"]))
    response = client.post(reverse("campaigns:session_create"), form(tree["syt"]))
    assert response.status_code == 400
    assert "Hãy chọn một cơ quan, đơn vị bạn quản lý." in response.content.decode()
    assert not Session.objects.exists()


def test_forged_agency_when_editing_is_refused(tree, client):
    client.force_login(factories.manager(tree["snv"]))
    client.post(reverse("campaigns:session_create"), form(tree["snv"]))
    session = Session.objects.get()
    response = client.post(reverse("campaigns:session_edit", args=[session.pk]), form(tree["syt"]))
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.agency == tree["snv"]


def test_another_agencys_session_id_is_not_found(tree, client, neighbours_session):
    client.force_login(factories.manager(tree["snv"]))
    url = reverse("campaigns:session_edit", args=[neighbours_session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form(tree["snv"], title="Chiếm quyền")).status_code == 404
    neighbours_session.refresh_from_db()
    assert neighbours_session.title == "Hội thảo Sở Y tế"
    assert neighbours_session.agency == tree["syt"]


def test_end_before_start_is_refused_in_vietnamese(tree, client):
    client.force_login(factories.manager(tree["snv"]))
    data = form(tree["snv"])
    data["ends_at"], data["starts_at"] = data["starts_at"], data["ends_at"]
    response = client.post(reverse("campaigns:session_create"), data)
    assert response.status_code == 400
    assert "Buổi học phải kết thúc sau khi bắt đầu." in response.content.decode()


def test_a_learner_cannot_create_sessions(tree, client):
    client.force_login(factories.learner(tree["snv"]))
    assert client.post(reverse("campaigns:session_create"), form(tree["snv"])).status_code == 403
    assert not Session.objects.exists()
