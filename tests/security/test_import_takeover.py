"""Issue 13 finding 1, as the attack: a manager of one agency uploads a learner file whose
row carries the phone or e-mail of someone outside their agencies (the superuser, an
editor, another manager, a learner of another agency, a citizen with no agency, an account
with no learner profile). The import used to "update" that account: new e-mail, new name,
moved into the manager's agency; a password reset to the new address then handed the
account over. Now such a row is refused, with a reason that says nothing of the account.

An e-mail change of an account that has signed in is never applied by an import: a message
to the old address asks its owner to confirm.
"""

# ruff: noqa: F811 - fixtures imported from the campaigns tests are test arguments here

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campaigns import services
from campaigns.models import ImportJob, LearnerProfile, Membership
from tests.campaigns.conftest import (  # noqa: F401 - fixtures of the campaigns tests
    learner_in,
    manager_of,
    private_import_dir,
    tree,
)

pytestmark = pytest.mark.django_db

HEADER = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"
REFUSAL = "Số điện thoại hoặc email này không thể dùng cho người học trong đơn vị của bạn."
ATTACKER_MAIL = "ke-tan-cong@evil.example"


def upload(client, body: str, capture):
    """The attacker's request: the learner file through the upload page, then (if the dry
    run lets it) the start button. Returns the job."""
    with capture(execute=True):
        response = client.post(
            reverse("campaigns:import_upload"),
            {"file": SimpleUploadedFile("hoc-vien.csv", (HEADER + body).encode("utf-8"))},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    job = ImportJob.objects.latest("pk")
    if job.status == ImportJob.Status.READY:
        with capture(execute=True):
            client.post(reverse("campaigns:import_start", args=[job.pk]))
    job.refresh_from_db()
    return job


def snapshot(user) -> tuple:
    user.refresh_from_db()
    profile = LearnerProfile.objects.filter(user=user).values_list("agency_id", "audience")
    memberships = Membership.objects.filter(user=user).values_list("agency_id", "valid_to")
    return (user.email, user.full_name, user.phone, user.is_staff, user.is_superuser,
            list(profile), sorted(memberships, key=str))  # fmt: skip


def _target(kind, *, user_factory, tree, learner_in, manager_of):
    phone = "0987000111"
    if kind == "superuser":
        return user_factory(is_superuser=True, is_staff=True, phone=phone, email="root@hocso.vn")
    if kind == "editor":
        return user_factory(is_staff=True, phone=phone, email="editor@hocso.vn")
    if kind == "manager_elsewhere":
        other = manager_of(tree["syt"])
        other.phone, other.email = phone, "ql-syt@hocso.vn"
        other.save()
        return other
    if kind == "manager_with_profile_inside":
        # A manager of another agency who is also a learner of the attacker's agency.
        other = learner_in(tree["unit"], phone=phone, email="ql-kiem@hocso.vn")
        services.manager_role_grant(user=other, agency=tree["syt"], granted_by=None)
        return other
    if kind == "learner_other_agency":
        return learner_in(tree["syt"], phone=phone, email="chi@hocso.vn")
    if kind == "citizen_no_agency":
        user = user_factory(phone=phone, email="dan@hocso.vn")
        services.learner_profile_set(user=user, agency=None, audience="citizen")
        return user
    if kind == "no_profile":
        return user_factory(phone=phone, email="chua-co-ho-so@hocso.vn")
    raise AssertionError(kind)


TARGETS = ["superuser", "editor", "manager_elsewhere", "manager_with_profile_inside",
           "learner_other_agency", "citizen_no_agency", "no_profile"]  # fmt: skip


@pytest.mark.parametrize("key", ["phone", "email"])
@pytest.mark.parametrize("kind", TARGETS)
def test_an_import_row_matching_someone_outside_the_scope_is_refused_and_changes_nothing(
    kind, key, client, tree, user_factory, learner_in, manager_of,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    target = _target(
        kind, user_factory=user_factory, tree=tree, learner_in=learner_in, manager_of=manager_of
    )
    target.last_login = timezone.now()
    target.full_name = "Nạn Nhân Bí Mật"
    target.save(update_fields=["last_login", "full_name"])
    before = snapshot(target)
    attacker = manager_of(tree["snv"])
    client.force_login(attacker)
    row = (
        f"Kẻ Chiếm Quyền,{ATTACKER_MAIL},{target.phone},SNV,Công chức,,\n"
        if key == "phone"
        else f"Kẻ Chiếm Quyền,{target.email},0900999888,SNV,Công chức,,\n"
    )
    job = upload(client, row, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.INVALID
    assert snapshot(target) == before
    assert not User.objects.filter(email=ATTACKER_MAIL).exists()
    problems = job.rows.get().problems
    assert problems == REFUSAL
    # The page the attacker reads says no more than the reason: nothing of the account.
    page = client.get(reverse("campaigns:import_detail", args=[job.pk])).content.decode()
    assert REFUSAL in page
    for secret in (target.full_name, target.email if key == "phone" else target.phone):
        assert secret not in page
    assert not mail.outbox


def test_the_scope_is_checked_again_when_the_import_runs(
    client, tree, learner_in, manager_of, django_capture_on_commit_callbacks
):
    """A learner of the agency at the dry run who became a manager before the run."""
    person = learner_in(tree["unit"], phone="0987000222", email="nam@hocso.vn")
    attacker = manager_of(tree["snv"])
    client.force_login(attacker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("campaigns:import_upload"),
            {"file": SimpleUploadedFile(
                "a.csv", (HEADER + f"Tên Mới,{ATTACKER_MAIL},0987000222,SNV,Công chức,,\n")
                .encode())},
        )  # fmt: skip
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READY
    services.manager_role_grant(user=person, agency=tree["syt"], granted_by=None)
    before = snapshot(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert REFUSAL in job.message
    assert snapshot(person) == before


def test_an_email_change_of_a_learner_who_has_signed_in_waits_for_the_old_address(
    client, tree, learner_in, manager_of, django_capture_on_commit_callbacks
):
    learner = learner_in(tree["unit"], name="Trần Thị Hoa", phone="0987000333",
                         email="hoa@hocso.vn")  # fmt: skip
    learner.last_login = timezone.now()
    learner.save(update_fields=["last_login"])
    manager = manager_of(tree["snv"])
    client.force_login(manager)
    job = upload(
        client,
        f"Trần Thị Hoa Mới,{ATTACKER_MAIL},0987000333,SNV-TC,Công chức,Chuyên viên,\n",
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.DONE, job.message
    learner.refresh_from_db()
    assert learner.email == "hoa@hocso.vn"  # not changed by the import
    assert learner.full_name == "Trần Thị Hoa Mới"  # the rest of the row is applied
    assert learner.learner_profile.job_title == "Chuyên viên"
    assert "xác nhận" in job.message
    # The owner of the old address is asked; the new address gets nothing.
    assert [m.to for m in mail.outbox] == [["hoa@hocso.vn"]]
    body = mail.outbox[0].body
    assert ATTACKER_MAIL in body
    link = re.search(r"https?://[^\s]+/xac-nhan-email/[^\s]+/", body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    # The manager cannot confirm it for them (the link is needed), and a forged token fails.
    forged = path.rstrip("/").rsplit("/", 1)[0] + "/gia-mao/"
    client.logout()
    assert client.post(forged).status_code == 404
    learner.refresh_from_db()
    assert learner.email == "hoa@hocso.vn"

    # GET only shows what would change (mail scanners open links); POST applies it.
    page = client.get(path)
    assert page.status_code == 200 and ATTACKER_MAIL in page.content.decode()
    learner.refresh_from_db()
    assert learner.email == "hoa@hocso.vn"
    assert client.post(path).status_code == 200
    learner.refresh_from_db()
    assert learner.email == ATTACKER_MAIL
    # Used once: the same link does nothing more.
    assert client.post(path).status_code == 404


def test_a_learner_never_signed_in_is_still_updated_by_the_import(
    client, tree, learner_in, manager_of, django_capture_on_commit_callbacks
):
    """The fix keeps the import useful: people of the manager's agencies are updated."""
    learner = learner_in(tree["unit"], name="Lê Văn Tâm", phone="0987000444",
                         email="tam.cu@hocso.vn")  # fmt: skip
    client.force_login(manager_of(tree["snv"]))
    job = upload(
        client,
        "Lê Văn Tâm,tam.moi@hocso.vn,0987000444,SNV,Công chức,,\n",
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.DONE, job.message
    learner.refresh_from_db()
    assert learner.email == "tam.moi@hocso.vn"
    assert learner.learner_profile.agency == tree["snv"]
