import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Agency, Assignment, Campaign, Membership, RollupDay


def test_tree_and_move(tree):
    services.agency_move(agency=tree["unit"], new_parent=tree["syt"])
    tree["unit"].refresh_from_db()
    assert tree["unit"].get_parent().code == "SYT"
    with pytest.raises(ValidationError):
        services.agency_move(agency=tree["snv"], new_parent=tree["snv"])


def test_code_is_unique(tree):
    with pytest.raises(ValidationError):
        services.agency_create(name="Trùng", code="SNV", kind=Agency.Kind.UNIT)


def test_search_ignores_diacritics_and_case(tree):
    names = [a.name for a in selectors.agency_search("phuong hoa binh")]
    assert names == ["Phường Hòa Bình"]
    assert [a.code for a in selectors.agency_search("SO NOI VU")] == ["SNV"]
    assert [a.code for a in selectors.agency_search("p-hb")] == ["P-HB"]
    assert list(selectors.agency_search("x")) == []


def test_search_json_endpoint(tree, client):
    data = client.get("/quan-ly/co-quan/tim.json", {"q": "hoa binh"}).json()
    assert data["version"] == 1
    assert [r["code"] for r in data["results"]] == ["P-HB"]


def test_membership_periods_follow_agency_changes(tree, learner_in):
    user = learner_in(tree["snv"], on=dt.date(2026, 1, 1))
    services.learner_profile_set(
        user=user, agency=tree["syt"], audience="civil_servant", on=dt.date(2026, 3, 1)
    )
    rows = list(Membership.objects.filter(user=user).order_by("valid_from"))
    assert [(m.agency.code, m.valid_from, m.valid_to) for m in rows] == [
        ("SNV", dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
        ("SYT", dt.date(2026, 3, 1), None),
    ]
    assert Membership.objects.on(dt.date(2026, 2, 15)).get(user=user).agency.code == "SNV"


def completions_by_agency(*, campaign, start, end) -> dict[int, int]:
    """{agency id: campaign completions on days start <= day < end}, from the rollups (the
    agency of each learner's membership on the day of completion)."""
    rows = (
        RollupDay.objects.filter(campaign_id=campaign.pk, day__gte=start, day__lt=end)
        .values("agency_id")
        .annotate(n=Sum("completed"))
    )
    return {row["agency_id"]: row["n"] for row in rows if row["n"]}


def _campaign():
    return Campaign.objects.create(
        name="Bình dân học vụ số 2026", starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31), due_on=dt.date(2026, 12, 31),
    )  # fmt: skip


def test_merge_keeps_last_months_numbers(tree, learner_in):
    campaign = _campaign()
    people = [learner_in(tree["ward"], name=f"Người Phường {i}") for i in range(3)]
    tz = timezone.get_current_timezone()
    last_month = dt.datetime(2026, 10, 10, 9, tzinfo=tz)
    for user in people[:2]:
        a = Assignment.objects.create(campaign=campaign, user=user, due_at=last_month)
        services.assignment_mark_completed(assignment=a, completed_at=last_month)
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    before = completions_by_agency(campaign=campaign, start=start, end=end)
    assert before == {tree["ward"].pk: 2}

    other = services.agency_create(
        name="Xã Kỳ Sơn", code="X-KS", kind=Agency.Kind.COMMUNE_OR_WARD, parent=tree["province"]
    )
    services.agency_merge(source=tree["ward"], target=other, on=dt.date(2026, 11, 1))

    after = completions_by_agency(campaign=campaign, start=start, end=end)
    assert after == before  # last month's numbers unchanged
    tree["ward"].refresh_from_db()
    assert not tree["ward"].is_active and tree["ward"].merged_into_id == other.pk
    assert all(
        p.learner_profile.agency_id == other.pk for p in people if p.refresh_from_db() is None
    )
    # A completion after the merge counts under the new agency.
    a = Assignment.objects.create(campaign=campaign, user=people[2], due_at=last_month)
    services.assignment_mark_completed(
        assignment=a, completed_at=dt.datetime(2026, 11, 5, 9, tzinfo=tz)
    )
    november = completions_by_agency(campaign=campaign, start=end, end=dt.date(2026, 12, 1))
    assert november == {other.pk: 1}


def test_split_moves_listed_people_only(tree, learner_in):
    stay = learner_in(tree["ward"], name="Người Ở Lại")
    move = learner_in(tree["ward"], name="Người Chuyển Đi")
    (new,) = services.agency_split(
        source=tree["ward"],
        parts=[{"code": "P-HB2", "name": "Phường Hòa Bình 2", "kind": "commune_or_ward"}],
        assignments={move.pk: "P-HB2"},
        on=dt.date(2026, 7, 1),
    )
    move.learner_profile.refresh_from_db()
    stay.learner_profile.refresh_from_db()
    assert move.learner_profile.agency_id == new.pk
    assert stay.learner_profile.agency_id == tree["ward"].pk
    assert Membership.objects.on(dt.date(2026, 6, 30)).get(user=move).agency_id == tree["ward"].pk
