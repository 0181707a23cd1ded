"""Cross-agency invisibility: a manager of Sở Nội vụ sees its subtree and nothing else, on
every entry point, including by guessing ids in URLs (404)."""

import pytest
from django.urls import reverse

from campaigns import selectors


@pytest.fixture
def setup(tree, learner_in, manager_of):
    inside = learner_in(tree["unit"], name="Trần Thị Trong Cây", employee_code="CB-1")
    outside = learner_in(tree["syt"], name="Phạm Văn Hàng Xóm", employee_code="CB-2")
    manager = manager_of(tree["snv"])
    return {"inside": inside, "outside": outside, "manager": manager, **tree}


def test_agencies_visible_to_is_the_subtree(setup):
    visible = set(selectors.agencies_visible_to(setup["manager"]).values_list("code", flat=True))
    assert visible == {"SNV", "SNV-TC"}


def test_non_manager_sees_nothing(setup, client):
    client.force_login(setup["inside"])
    assert not selectors.agencies_visible_to(setup["inside"]).exists()
    assert client.get(reverse("campaigns:dashboard")).status_code == 403


def test_dashboard_shows_only_own_numbers(setup, client):
    client.force_login(setup["manager"])
    html = client.get(reverse("campaigns:dashboard")).content.decode()
    assert "Sở Nội vụ" in html
    assert "Sở Y tế" not in html
    assert client.get(reverse("campaigns:agency", args=[setup["syt"].pk])).status_code == 404
    assert client.get(reverse("campaigns:agency", args=[setup["province"].pk])).status_code == 404


def test_people_list_and_export_are_scoped(setup, client):
    client.force_login(setup["manager"])
    html = client.get(reverse("campaigns:people", args=[setup["snv"].pk])).content.decode()
    assert "Trần Thị Trong Cây" in html and "Phạm Văn Hàng Xóm" not in html
    assert client.get(reverse("campaigns:people", args=[setup["syt"].pk])).status_code == 404
    response = client.get(reverse("campaigns:people_export", args=[setup["snv"].pk]))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert "Trần Thị Trong Cây" in body and "Phạm Văn Hàng Xóm" not in body
    response = client.get(reverse("campaigns:people_export", args=[setup["syt"].pk]))
    assert response.status_code == 404


def test_learner_detail_by_guessed_id_is_404(setup, client):
    client.force_login(setup["manager"])
    ok = client.get(reverse("campaigns:learner", args=[setup["inside"].pk]))
    assert ok.status_code == 200 and "Trần Thị Trong Cây" in ok.content.decode()
    assert client.get(reverse("campaigns:learner", args=[setup["outside"].pk])).status_code == 404
    assert client.get(reverse("campaigns:learner", args=[999999])).status_code == 404


def test_session_pages_are_scoped(setup, client, now):
    import datetime as dt

    from campaigns.models import Session

    theirs = Session.objects.create(
        kind=Session.Kind.SEMINAR, title="Hội thảo Sở Y tế", place="Hội trường",
        starts_at=now, ends_at=now + dt.timedelta(hours=2), agency=setup["syt"],
    )  # fmt: skip
    client.force_login(setup["manager"])
    assert client.get(reverse("campaigns:session", args=[theirs.pk])).status_code == 404
    assert "Hội thảo Sở Y tế" not in client.get(reverse("campaigns:sessions")).content.decode()
    response = client.post(reverse("campaigns:session_roster", args=[theirs.pk]))
    assert response.status_code == 404


def test_import_job_of_another_manager_is_404(setup, client, manager_of, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.agencies.imports import import_job_create

    other = manager_of(tree["syt"])
    job = import_job_create(
        user=other, uploaded_file=SimpleUploadedFile("a.csv", b"Ho va ten,Email\n")
    )
    client.force_login(setup["manager"])
    assert client.get(reverse("campaigns:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("campaigns:import_progress", args=[job.pk])).status_code == 404


def test_manage_link_only_for_managers(setup, client, home_page):
    url = reverse("campaigns:dashboard")
    client.force_login(setup["inside"])
    assert f'href="{url}"' not in client.get("/").content.decode()
    client.force_login(setup["manager"])
    assert f'href="{url}"' in client.get("/").content.decode()


def test_dashboard_query_count_is_constant(setup, client, django_assert_num_queries, learner_in):
    client.force_login(setup["manager"])
    client.get(reverse("campaigns:dashboard"))
    for i in range(5):
        learner_in(setup["unit"], name=f"Người Thêm {i}")
    # The session, the user and the notices bell's unread count (base.html) come from the cache;
    # 1: the manager's role agencies (memoised on the user, so the view's check, the scope, the
    # first level and base.html's nav link share it); 1: active campaigns (none here, so nothing
    # prefetched: "all courses"); 3: the subtree's agencies, rollup totals grouped by agency,
    # headcounts; 1: session attendances; 1: per-course rollup totals (no course titles to read
    # without courses); 1: the monthly trend. No raw progress row is read.
    with django_assert_num_queries(8):
        client.get(reverse("campaigns:dashboard"))


def test_people_search_by_a_phone_as_typed_stays_in_scope(tree, learner_in, manager_of, client):
    """Phones are stored in E.164 (issue 20): "0912 345 678" typed in the search finds
    +84912345678, and still only inside the manager's agencies."""
    learner_in(tree["unit"], name="Lò Thị Số Máy", phone="0912345678")
    learner_in(tree["syt"], name="Hà Văn Số Khác", phone="0987654321")
    client.force_login(manager_of(tree["snv"]))
    people = reverse("campaigns:people", args=[tree["snv"].pk])
    html = client.get(people, {"q": "0912 345 678"}).content.decode()
    assert "Lò Thị Số Máy" in html
    html = client.get(people, {"q": "0987654321"}).content.decode()
    assert "Hà Văn Số Khác" not in html
