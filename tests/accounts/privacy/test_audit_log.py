"""Issue 14, the personal-data audit log: each audited action, done for real (HTTP, the
services, the tasks), leaves exactly one `hocso.*` entry in Wagtail's log saying who did
it, what, to whose data (person and/or agency), when and from which address; the admin's
report lists them with filters, scoped like every manager page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from campaigns import services, tasks
from campaigns.models import ImportJob, ManagerRole, ReportExport, ReportSubscription
from campaigns.reporting import exports, periods
from cms import audit
from tests.accounts.privacy.conftest import mfa_change_sent

MONTH = periods.period_containing(timezone.localdate(), kind="month")


def only_entry(action: str) -> ModelLogEntry:
    """The one entry of `action` (fails when there are none or several)."""
    (entry,) = ModelLogEntry.objects.filter(action=action)
    return entry


@pytest.fixture
def people(tree, learner_in, manager_of):
    return {
        "anh": learner_in(tree["unit"], name="Trần Thị Ánh"),
        "chi": learner_in(tree["syt"], name="Phạm Văn Chi"),
        "manager": manager_of(tree["snv"]),
    }


def test_every_action_is_registered_in_wagtails_log_with_our_prefix():
    for action, label in audit.ACTIONS.items():
        assert action.startswith("hocso.")
        assert registry.action_exists(action)
        assert registry.get_action_label(action) == label
    with pytest.raises(ValueError):
        audit.audit_record(action="hocso.not_an_action", instance=None)


def test_a_manager_viewing_a_person_leaves_one_entry_with_who_whom_and_where(client, tree, people):
    client.force_login(people["manager"])
    anh = people["anh"]
    response = client.get(reverse("campaigns:learner", args=[anh.pk]), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    entry = only_entry("hocso.person_viewed")
    assert entry.user == people["manager"]
    assert entry.label == "Trần Thị Ánh" and entry.object_id == str(anh.pk)
    assert entry.data == {"version": 1, "ip": "203.0.113.7", "person": anh.pk,
                          "agency": tree["unit"].pk, "details": {}}  # fmt: skip
    assert abs(entry.timestamp - timezone.now()) < dt.timedelta(minutes=1)


def test_a_people_list_and_its_csv_each_leave_one_entry_on_the_agency(client, tree, people):
    client.force_login(people["manager"])
    snv = tree["snv"]
    assert client.get(reverse("campaigns:people", args=[snv.pk])).status_code == 200
    listed = only_entry("hocso.people_listed")
    assert (listed.user, listed.label) == (people["manager"], "Sở Nội vụ")
    assert listed.data["agency"] == snv.pk and listed.data["details"] == {"page": 1, "shown": 1}
    response = client.get(reverse("campaigns:people_export", args=[snv.pk]))
    assert "Trần Thị Ánh" in b"".join(response.streaming_content).decode("utf-8-sig")
    exported = only_entry("hocso.people_exported")
    assert exported.data["agency"] == snv.pk and exported.data["details"] == {"format": "csv"}
    assert exported.data["ip"] == "127.0.0.1"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_each_report_file_leaves_one_entry(client, tree, people, fmt):
    client.force_login(people["manager"])
    url = reverse("campaigns:report", args=[tree["snv"].pk])
    response = client.get(url, {"period": MONTH.slug, "format": fmt})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attach")
    entry = only_entry("hocso.report_exported")
    assert entry.data["details"] == {"format": fmt, "period": MONTH.slug}
    assert entry.data["agency"] == tree["snv"].pk and entry.user == people["manager"]
    client.get(url, {"period": MONTH.slug})  # the page itself is not an export
    assert ModelLogEntry.objects.filter(action="hocso.report_exported").count() == 1


def test_downloading_a_background_detail_export_leaves_one_entry(
    client, tree, people, settings, tmp_path, user_factory
):
    settings.REPORTS_DIR = tmp_path / "reports"
    export = exports.export_request(
        user=people["manager"], agency=tree["snv"], kind="detail", fmt="csv",
        params={"version": 1, "period": MONTH.slug, "campaign": None, "depth": 1},
    )  # fmt: skip
    assert tasks.report_export_build(export.pk)["status"] == "done"
    assert not ModelLogEntry.objects.filter(action="hocso.export_downloaded").exists()
    client.force_login(people["manager"])
    response = client.get(reverse("campaigns:export_download", args=[export.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = only_entry("hocso.export_downloaded")
    assert entry.object_id == str(export.pk) and entry.user == people["manager"]
    assert entry.data["details"] == {"kind": ReportExport.Kind.DETAIL, "format": "csv"}
    assert entry.data["agency"] == tree["snv"].pk
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    html = client.get(reverse("campaigns_audit")).content.decode()
    assert "định dạng: csv, loại: Học viên và khóa học" in html  # walker #11: no raw code


def test_a_scheduled_report_sent_leaves_one_entry_by_the_system(tree, people):
    subscription = exports.subscription_set(
        user=people["manager"], agency=tree["snv"], kind="month", fmt="xlsx"
    )
    assert tasks.report_subscriptions_send()["sent"] == 1
    assert tasks.report_subscriptions_send()["sent"] == 0  # sent once, logged once
    entry = only_entry("hocso.report_sent")
    assert entry.user is None and entry.object_id == str(subscription.pk)
    assert entry.data["person"] == people["manager"].pk
    assert entry.data["agency"] == tree["snv"].pk
    assert entry.data["details"] == {"period": MONTH.previous().slug, "format": "xlsx"}
    assert ReportSubscription.objects.get().last_sent_period == MONTH.previous().slug


def test_an_import_run_leaves_one_entry_and_a_refused_second_click_none(
    client, tree, people, django_capture_on_commit_callbacks
):
    client.force_login(people["manager"])
    body = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"
    body += "Ngô Văn Minh,minh@example.vn,,SNV,Công chức,,\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("campaigns:import_upload"),
            {"file": SimpleUploadedFile("ds.csv", body.encode())},
        )
    job = ImportJob.objects.get()
    assert not ModelLogEntry.objects.filter(action="hocso.import_run").exists()  # a dry run
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    client.post(reverse("campaigns:import_start", args=[job.pk]))  # done: nothing runs
    entry = only_entry("hocso.import_run")
    assert (entry.user, entry.label, entry.object_id) == (people["manager"], "ds.csv", str(job.pk))
    assert entry.data["agency"] == tree["snv"].pk and entry.data["details"] == {"rows": 1}


def test_granting_and_removing_a_manager_role_are_logged(tree, user_factory):
    admin = user_factory(is_superuser=True, is_staff=True)
    person = user_factory(full_name="Đỗ Thị Mai")
    role = services.manager_role_grant(user=person, agency=tree["syt"], granted_by=admin)
    services.manager_role_grant(user=person, agency=tree["syt"], granted_by=admin)  # no change
    granted = only_entry("hocso.role_granted")
    assert granted.user == admin and granted.data["person"] == person.pk
    assert granted.data["agency"] == tree["syt"].pk
    ManagerRole.objects.filter(pk=role.pk).delete()  # a queryset delete sends post_delete too
    revoked = only_entry("hocso.role_revoked")
    assert revoked.data["person"] == person.pk and revoked.data["agency"] == tree["syt"].pk


def test_granting_a_role_in_the_admin_logs_the_admin_as_the_actor(client, tree, user_factory):
    admin = user_factory(is_superuser=True, is_staff=True)
    person = user_factory(full_name="Đỗ Thị Mai")
    client.force_login(admin)
    response = client.post(
        reverse("campaigns_manager_role:add"), {"user": person.pk, "agency": tree["ward"].pk}
    )
    assert response.status_code == 302
    entry = only_entry("hocso.role_granted")
    assert entry.user == admin and entry.data["agency"] == tree["ward"].pk


@pytest.mark.parametrize("change", ["added", "removed", "reset"])
def test_second_factor_changes_are_logged_on_the_person(user_factory, change):
    person = user_factory()
    mfa_change_sent(person, change, "198.51.100.4")
    entry = only_entry(f"hocso.mfa_{change}")
    assert entry.user == person and entry.data["person"] == person.pk
    assert entry.data["ip"] == "198.51.100.4" and entry.data["details"] == {"type": "totp"}


def test_certificate_revoke_reissue_and_staff_download_are_logged(client, completed, user_factory):
    user, _course, certificate = completed()
    admin = user_factory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    client.post(f"/admin/certificates/{certificate.pk}/thu-hoi/", {"reason": "Nhầm người"})
    client.post(f"/admin/certificates/{certificate.pk}/cap-lai/")
    response = client.get(f"/admin/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200
    for action in ("revoked", "reissued", "downloaded"):
        entry = only_entry(f"hocso.certificate_{action}")
        assert entry.user == admin and entry.data["person"] == user.pk
        assert entry.object_id == str(certificate.pk)


def test_the_report_shows_the_trail_to_an_admin_with_filters(client, tree, people, user_factory):
    manager, anh, chi = people["manager"], people["anh"], people["chi"]
    client.force_login(manager)
    client.get(reverse("campaigns:learner", args=[anh.pk]))
    client.get(reverse("campaigns:people_export", args=[tree["snv"].pk]))
    other = user_factory(full_name="Vũ Văn Y")
    services.manager_role_grant(user=other, agency=tree["syt"], granted_by=None)
    client.force_login(other)
    client.get(reverse("campaigns:learner", args=[chi.pk]))

    admin = user_factory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("campaigns_audit")
    html = client.get(url).content.decode()
    assert "Trần Thị Ánh" in html and "Phạm Văn Chi" in html and "Sở Nội vụ" in html
    assert "127.0.0.1" in html
    assert "Xuất danh sách học viên (định dạng: csv)" in html  # the details, in Vietnamese
    only_viewed = client.get(url, {"action": "hocso.person_viewed"}).content.decode()
    assert only_viewed.count('data-audit-action="hocso.person_viewed"') == 2
    assert 'data-audit-action="hocso.people_exported"' not in only_viewed
    in_snv = client.get(url, {"agency": tree["snv"].pk}).content.decode()
    assert "Trần Thị Ánh" in in_snv and "Phạm Văn Chi" not in in_snv
    by_other = client.get(url, {"user": other.pk}).content.decode()
    assert "Phạm Văn Chi" in by_other and "Trần Thị Ánh" not in by_other
    export = client.get(url, {"export": "csv"})
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Trần Thị Ánh" in csv and "Phạm Văn Chi" in csv
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert url in menu


def test_the_purge_deletes_only_old_entries_of_ours(tree, people):
    old = audit.audit_record(action="hocso.people_listed", instance=tree["snv"], agency=tree["snv"])
    ModelLogEntry.objects.filter(pk=old.pk).update(
        timestamp=timezone.now() - dt.timedelta(days=800)
    )
    recent = audit.audit_record(action="hocso.people_listed", instance=tree["syt"])
    assert audit.audit_purge(older_than=dt.timedelta(days=730)) == 1
    assert audit.audit_purge(older_than=dt.timedelta(days=730)) == 0  # idempotent
    assert list(audit.audit_entries().filter(action="hocso.people_listed")) == [recent]


def test_admin_role_changes_in_the_user_admin_are_logged_and_a_name_change_is_not(
    client, user_factory
):
    from django.contrib.auth.models import Group

    admin = user_factory(is_superuser=True, is_staff=True)
    person = user_factory(full_name="Đỗ Thị Mai")
    editors = Group.objects.get(name="Editors")
    client.force_login(admin)
    url = reverse("wagtailusers_users:edit", args=[person.pk])
    form = {"email": person.email, "full_name": "Đỗ Thị Mai", "phone": "", "is_active": "on",
            "password1": "", "password2": ""}  # fmt: skip
    response = client.post(url, {**form, "groups": [editors.pk]})
    assert response.status_code == 302, response.content.decode()[-2000:]
    entry = only_entry("hocso.admin_roles_changed")
    assert entry.user == admin and entry.data["person"] == person.pk
    assert entry.data["details"] == {"groups": [[], ["Editors"]]}
    client.post(url, {**form, "full_name": "Đỗ Thị Mai Anh", "groups": [editors.pk]})
    assert ModelLogEntry.objects.filter(action="hocso.admin_roles_changed").count() == 1


def test_the_reports_details_and_objects_read_in_vietnamese(client, people, user_factory):
    """Walker #11: no raw code, no False, no "4 correct open" in the admin's report."""
    anh = people["anh"]
    client.force_login(anh)
    client.post(reverse("my_data_request"), {"kind": "correct", "details": "Sai ngày sinh"})
    client.post(reverse("my_data_consent"), {"purpose": "reminder_emails", "give": "0"})
    admin = user_factory(is_superuser=True, is_staff=True)
    audit.audit_record(
        action="hocso.admin_roles_changed", instance=admin, actor=admin, person=admin,
        details={"is_staff": [False, True], "groups": [[], ["Editors"]]},
    )  # fmt: skip
    client.force_login(admin)
    html = client.get(reverse("campaigns_audit")).content.decode()
    assert "(loại: Sửa dữ liệu của tôi)" in html
    assert "Sửa dữ liệu của tôi — Trần Thị Ánh" in html
    assert "đồng ý: Không, mục đích: Email nhắc hạn học tập" in html
    assert "Không → Có" in html and "— → Editors" in html
    for raw in ("correct open", ": correct", "False", "reminder_emails"):
        assert raw not in html, raw
