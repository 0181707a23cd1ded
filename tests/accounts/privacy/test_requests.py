"""Issue 14, privacy requests: the person asks (deletion, correction) from "My data"; the
admin's queue shows the deadline (the privacy notice's 15 days) and flags 3 days left; the
admin downloads the person's data, anonymises the account or closes the request. Each rule
through the services and HTTP, with the audit entries each leaves."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts import privacy
from accounts.models import PrivacyRequest, User
from campaigns import services
from campaigns.models import LearnerProfile, Notice, RollupDay, RollupMonth, RollupTotal
from campaigns.reporting.rollups import rollups_rebuild
from courses.certificates.models import Certificate
from tests import factories


def entries(action: str) -> int:
    return ModelLogEntry.objects.filter(action=action).count()


def rollup_rows() -> list:
    return [
        sorted(
            model.objects.values_list(*[f.attname for f in model._meta.fields if f.name != "id"])
        )
        for model in (RollupDay, RollupMonth, RollupTotal)
    ]


@pytest.fixture
def anh(tree, learner_in, completed):  # noqa: F811 - conftest fixtures
    person = learner_in(
        tree["unit"], name="Trần Thị Ánh", employee_code="NV-042", phone="0912345678"
    )
    _user, course, certificate = completed(user=person)
    services.notice_create(user_id=person.pk, message="Chào Trần Thị Ánh", url="/", kind="other")
    return {"person": person, "certificate": certificate, "course": course}


@pytest.fixture
def officer(user_factory):
    return user_factory(is_superuser=True, is_staff=True, full_name="Cán Bộ Bảo Vệ Dữ Liệu")


def test_a_deletion_request_is_due_in_15_days_and_made_once(client, anh, settings):
    assert settings.PRIVACY_REQUEST_DAYS == 15
    client.force_login(anh["person"])
    for _click in range(2):
        response = client.post(reverse("my_data_request"), {"kind": "delete", "confirmed": "1"})
        assert response.status_code == 302
    (made,) = PrivacyRequest.objects.all()
    assert (made.user, made.kind, made.status) == (anh["person"], "delete", "open")
    assert abs(made.due_at - (made.created_at + dt.timedelta(days=15))) < dt.timedelta(seconds=1)
    assert entries("hocso.privacy_request_made") == 1
    page = client.get(reverse("my_data")).content.decode()
    assert 'data-request-kind="delete" data-request-status="open"' in page


def test_a_deletion_is_asked_on_a_confirmation_page_and_can_be_withdrawn(client, anh):
    """Walker #7: one tap on "My data" makes no deletion request; the confirmation page
    says what goes and asks (POST, CSRF); an open request is withdrawn by its person."""
    client.force_login(anh["person"])
    page = client.get(reverse("my_data")).content.decode()
    assert f'href="{reverse("my_data_delete")}"' in page
    response = client.post(reverse("my_data_request"), {"kind": "delete"})
    assert response.status_code == 302 and response["Location"] == reverse("my_data_delete")
    assert not PrivacyRequest.objects.exists()
    confirm = client.get(reverse("my_data_delete")).content.decode()
    assert "không thể hoàn tác" in confirm and 'name="confirmed" value="1"' in confirm
    assert "csrfmiddlewaretoken" in confirm
    client.post(reverse("my_data_request"), {"kind": "delete", "confirmed": "1"})
    (made,) = PrivacyRequest.objects.all()
    page = client.get(reverse("my_data")).content.decode()
    assert 'data-withdraw-kind="delete"' in page and "Rút lại yêu cầu" in page
    assert client.get(reverse("my_data_request_withdraw")).status_code == 405
    for _click in range(2):
        response = client.post(reverse("my_data_request_withdraw"), {"kind": "delete"})
        assert response.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.handled_by) == ("withdrawn", anh["person"])
    assert entries("hocso.privacy_request_withdrawn") == 1
    page = client.get(reverse("my_data")).content.decode()
    assert 'data-request-status="withdrawn"' in page and "Đã rút lại" in page
    assert 'data-withdraw-kind="delete"' not in page
    client.post(reverse("my_data_request"), {"kind": "delete", "confirmed": "1"})
    assert PrivacyRequest.objects.filter(status="open").count() == 1  # may ask again


def test_nobody_withdraws_another_persons_request(client, anh, user_factory):
    made = privacy.privacy_request_create(user=anh["person"], kind="delete")
    client.force_login(user_factory())
    client.post(reverse("my_data_request_withdraw"), {"kind": "delete", "user": anh["person"].pk})
    made.refresh_from_db()
    assert made.status == "open"


def test_a_correction_request_must_say_what_to_correct(anh):
    with pytest.raises(ValidationError):
        privacy.privacy_request_create(user=anh["person"], kind="correct", details="  ")
    with pytest.raises(ValidationError):
        privacy.privacy_request_create(user=anh["person"], kind="forget_me", details="x")
    made = privacy.privacy_request_create(
        user=anh["person"], kind="correct", details="Mã cán bộ đúng là NV-024"
    )
    assert made.details == "Mã cán bộ đúng là NV-024"


def test_the_queue_flags_requests_with_3_days_left(client, anh, officer, user_factory):
    near = privacy.privacy_request_create(user=anh["person"], kind="delete")
    PrivacyRequest.objects.filter(pk=near.pk).update(
        due_at=timezone.now() + dt.timedelta(days=2, hours=1)
    )
    far = privacy.privacy_request_create(user=user_factory(), kind="correct", details="Tên sai")
    client.force_login(officer)
    html = client.get(reverse("privacy_requests:index")).content.decode()
    assert f'data-request="{near.pk}" data-urgent="1"' in html
    assert f'data-request="{far.pk}">' in html and "Trần Thị Ánh" in html
    assert html.index(f'data-request="{near.pk}"') < html.index(f'data-request="{far.pk}"')


def test_anonymising_keeps_the_totals_and_the_certificate_and_removes_the_identity(
    client, tree, anh, officer, manager_of
):
    person, certificate = anh["person"], anh["certificate"]
    manager = manager_of(tree["snv"])
    client.force_login(manager)
    client.get(reverse("campaigns:learner", args=[person.pk]))  # an entry naming her
    made = privacy.privacy_request_create(user=person, kind="delete")
    before = rollup_rows()

    client.force_login(officer)
    url = reverse("privacy_requests:anonymise", args=[made.pk])
    client.post(url, {})  # not confirmed: nothing happens
    assert User.objects.get(pk=person.pk).full_name == "Trần Thị Ánh"
    assert client.post(url, {"confirm": "yes"}).status_code == 302

    person.refresh_from_db()
    assert (person.full_name, person.email, person.phone) == ("Đã ẩn danh", None, None)
    assert not person.is_active and not person.has_usable_password()
    assert LearnerProfile.objects.get(user=person).employee_code is None
    assert not Notice.objects.filter(user=person).exists()
    assert rollup_rows() == before  # the dashboards' totals, every grain
    rollups_rebuild()
    assert rollup_rows() == before  # and a rebuild from the raw rows agrees
    certificate.refresh_from_db()
    assert certificate.full_name == "" and not certificate.is_revoked and not certificate.pdf
    verify = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "HỢP LỆ" in verify and "thông tin người được cấp đã được rút lại" in verify.lower()
    assert "Trần Thị Ánh" not in verify
    made.refresh_from_db()
    assert made.status == "done" and made.handled_by == officer
    assert entries("hocso.person_anonymised") == entries("hocso.privacy_request_handled") == 1
    assert not ModelLogEntry.objects.filter(label__contains="Trần Thị Ánh").exists()

    client.force_login(manager)
    people = client.get(reverse("campaigns:people", args=[tree["snv"].pk])).content.decode()
    assert "Đã ẩn danh" in people and "Trần Thị Ánh" not in people and "NV-042" not in people
    assert not privacy.person_anonymise(user=person, by=officer)  # idempotent
    assert entries("hocso.person_anonymised") == 1
    assert not client.login(email=person.email or "", password=factories.PASSWORD)


def test_the_admin_downloads_the_persons_data_and_closes_or_refuses(client, anh, officer):
    made = privacy.privacy_request_create(user=anh["person"], kind="correct", details="Tên sai")
    client.force_login(officer)
    response = client.get(reverse("privacy_requests:export", args=[made.pk]))
    assert b"NV-042" in response.content and entries("hocso.person_data_exported") == 1
    close = reverse("privacy_requests:close", args=[made.pk])
    client.post(close, {"status": "refused", "outcome": ""})  # a refusal says why
    made.refresh_from_db()
    assert made.status == "open"
    client.post(close, {"status": "done", "outcome": "Đã sửa tên."})
    made.refresh_from_db()
    assert (made.status, made.outcome, made.handled_by) == ("done", "Đã sửa tên.", officer)
    client.post(close, {"status": "refused", "outcome": "Lần hai"})  # closed stays closed
    made.refresh_from_db()
    assert made.status == "done" and entries("hocso.privacy_request_handled") == 1
    detail = client.get(reverse("privacy_requests:detail", args=[made.pk])).content.decode()
    assert "Đã sửa tên." in detail
    assert not Certificate.objects.filter(full_name="").exists()
