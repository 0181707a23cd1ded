"""Issue 14, the audit log's remaining gaps: role changes recorded by signals carry the
client address of the request that made them (allauth's request context); MFA and
certificate entries carry the person's agency, so the managers of that scope see them and
no other manager does."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from campaigns import selectors, services
from campaigns.models import ManagerRole
from tests.accounts.privacy.conftest import mfa_change_sent


def only_entry(action: str) -> ModelLogEntry:
    (entry,) = ModelLogEntry.objects.filter(action=action)
    return entry


def visible(manager, action: str) -> bool:
    return selectors.audit_entries_visible_to(manager).filter(action=action).exists()


def test_role_changes_in_the_admin_carry_the_client_address(client, tree, user_factory):
    admin = user_factory(is_superuser=True, is_staff=True)
    person = user_factory(full_name="Đỗ Thị Mai")
    client.force_login(admin)
    response = client.post(
        reverse("campaigns_manager_role:add"),
        {"user": person.pk, "agency": tree["ward"].pk},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    granted = only_entry("hocso.role_granted")
    assert granted.user == admin and granted.data["ip"] == "203.0.113.9"
    role = ManagerRole.objects.get(user=person)
    response = client.post(
        reverse("campaigns_manager_role:delete", args=[role.pk]), REMOTE_ADDR="203.0.113.10"
    )
    assert response.status_code == 302
    revoked = only_entry("hocso.role_revoked")
    assert revoked.user == admin and revoked.data["ip"] == "203.0.113.10"
    assert revoked.data["agency"] == tree["ward"].pk


def test_a_role_change_outside_a_request_has_no_address(tree, user_factory):
    """A command or a task: no request, so no address (and nothing made up)."""
    person = user_factory(full_name="Đỗ Thị Mai")
    services.manager_role_grant(user=person, agency=tree["syt"], granted_by=None)
    assert only_entry("hocso.role_granted").data["ip"] is None


@pytest.mark.parametrize("change", ["added", "removed", "reset"])
def test_second_factor_changes_reach_the_managers_of_the_persons_agency(
    tree, learner_in, manager_of, change
):
    person = learner_in(tree["unit"], name="Trần Thị Ánh")  # under Sở Nội vụ
    mfa_change_sent(person, change, "198.51.100.4")
    action = f"hocso.mfa_{change}"
    assert only_entry(action).data["agency"] == tree["unit"].pk
    assert visible(manager_of(tree["snv"]), action)  # the unit is in Sở Nội vụ's subtree
    assert not visible(manager_of(tree["syt"]), action)


def test_certificate_entries_reach_the_managers_of_the_holders_agency(
    client, tree, learner_in, manager_of, completed, user_factory
):
    holder = learner_in(tree["ward"], name="Nguyễn Thị Hồng Nhung")
    _user, _course, certificate = completed(user=holder)
    admin = user_factory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    client.post(f"/admin/certificates/{certificate.pk}/thu-hoi/", {"reason": "Nhầm người"})
    client.post(f"/admin/certificates/{certificate.pk}/cap-lai/")
    assert client.get(f"/admin/certificates/{certificate.pk}/pdf/").status_code == 200
    ward_manager, other = manager_of(tree["ward"]), manager_of(tree["snv"])
    for action in ("revoked", "reissued", "downloaded"):
        entry = only_entry(f"hocso.certificate_{action}")
        assert entry.data["agency"] == tree["ward"].pk and entry.data["person"] == holder.pk
        assert visible(ward_manager, entry.action) and not visible(other, entry.action)


def test_a_person_without_an_agency_gives_no_agency(user_factory, completed, client):
    """Someone with no learner profile (an editor, say): the entry is the admins' alone."""
    user, _course, certificate = completed()
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    client.post(f"/admin/certificates/{certificate.pk}/cap-lai/")
    assert only_entry("hocso.certificate_reissued").data["agency"] is None
