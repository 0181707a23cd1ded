import datetime as dt

import pytest
from django.urls import reverse

from campaigns.models import Agency, AgencyHeadcount, Campaign, Membership
from tests import factories


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    return client


def test_create_and_move_an_agency_in_the_admin(admin_client, tree):
    data = {"name": "Phòng Hành chính", "code": "SNV-HC", "kind": "unit",
            "parent": tree["snv"].pk, "headcount_civil_servant": "12"}  # fmt: skip
    response = admin_client.post(reverse("campaigns_agency:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = Agency.objects.get(code="SNV-HC")
    assert unit.get_parent() == tree["snv"] and unit.search_key == "phong hanh chinh"
    assert AgencyHeadcount.objects.get(agency=unit, audience="civil_servant").count == 12
    data["parent"] = tree["syt"].pk
    response = admin_client.post(reverse("campaigns_agency:edit", args=[unit.pk]), data)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.get_parent() == tree["syt"]
    assert admin_client.get(reverse("campaigns_agency:index")).status_code == 200


def test_merge_and_split_in_the_admin(admin_client, tree, learner_in):
    person = learner_in(tree["ward"], name="Người Phường", employee_code="CB-7")
    response = admin_client.post(
        reverse("campaigns_agency_split"),
        {"source": tree["ward"].pk, "parts": "P-HB2; Phường Hòa Bình 2",
         "people": "CB-7; P-HB2", "on": "2026-07-01"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Agency.objects.get(code="P-HB2")
    assert Membership.objects.get(user=person, valid_to__isnull=True).agency == new
    response = admin_client.post(
        reverse("campaigns_agency_merge"),
        {"source": new.pk, "target": tree["ward"].pk, "on": "2026-09-01"},
    )
    assert response.status_code == 302
    assert Membership.objects.on(dt.date(2026, 8, 1)).get(user=person).agency == new
    assert Membership.objects.on(dt.date(2026, 9, 2)).get(user=person).agency == tree["ward"]
    refused = admin_client.post(
        reverse("campaigns_agency_merge"),
        {"source": tree["snv"].pk, "target": tree["unit"].pk, "on": "2026-09-01"},
    )
    assert refused.status_code == 200
    assert "đơn vị trực thuộc" in refused.content.decode()


def test_campaign_admin_saves_target_groups(admin_client, tree):
    response = admin_client.post(
        reverse("campaigns_campaign:add"),
        {"name": "Chiến dịch thử", "description": "", "starts_on": "2026-01-01",
         "ends_on": "2026-12-31", "due_on": "2026-12-31", "target_percent": "90",
         "agencies": [tree["snv"].pk], "is_active": "on",
         "target_audiences": ["civil_servant", "leader"]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(name="Chiến dịch thử")
    assert set(campaign.audiences.values_list("audience", flat=True)) == {"civil_servant", "leader"}


def test_editing_a_campaign_in_the_admin_replaces_its_groups_and_orders_its_courses(
    admin_client, tree
):
    first, second, third = (factories.course(lessons=1) for _ in range(3))
    data = {"name": "Chiến dịch sửa", "description": "", "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", "due_on": "2026-12-31", "target_percent": "90",
            "agencies": [tree["snv"].pk], "is_active": "on", "target_audiences": ["leader"],
            "required_courses": [first.pk, second.pk]}  # fmt: skip
    assert admin_client.post(reverse("campaigns_campaign:add"), data).status_code == 302
    campaign = Campaign.objects.get(name="Chiến dịch sửa")
    data |= {"target_audiences": ["civil_servant"], "required_courses": [third.pk, second.pk]}
    edited = admin_client.post(reverse("campaigns_campaign:edit", args=[campaign.pk]), data)
    assert edited.status_code == 302, edited.content.decode()[:3000]
    assert list(campaign.audiences.values_list("audience", flat=True)) == ["civil_servant"]
    # Unticked courses go; the others are in the order of the form's choices (by title).
    ordered = campaign.courses.order_by("sort_order").values_list("course_id", flat=True)
    expected = [c.pk for c in sorted((second, third), key=lambda c: c.title)]
    assert list(ordered) == expected


def test_non_admin_cannot_merge(client, tree, manager_of):
    client.force_login(manager_of(tree["snv"]))
    response = client.post(
        reverse("campaigns_agency_merge"),
        {"source": tree["unit"].pk, "target": tree["snv"].pk, "on": "2026-09-01"},
    )
    assert response.status_code in (302, 403)
    assert Agency.objects.get(pk=tree["unit"].pk).is_active
