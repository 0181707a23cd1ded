"""The dashboards' snapshot (campaigns.reporting.aggregates, issue 16) holds the whole
province's sums by agency, and the root's page reads their sum over every agency: a manager of
one department must never be served the province's figures nor a neighbour's, whoever warmed
the snapshot first (the beat task, a provincial manager, a neighbour). Moved here from
tests/campaigns/test_dashboard_cache.py with the attacks on the shared snapshot."""

import json
import re

import pytest
from django.urls import reverse

from campaigns import tasks
from tests.campaigns.conftest import learner_in, manager_of, tree
from tests.campaigns.test_dashboard import cells, course, world
from tests.campaigns.test_dashboard_cache import headline, page

FIXTURES = (course, learner_in, manager_of, tree, world)  # imported pytest fixtures


@pytest.fixture
def rollup_cache(settings):
    settings.ROLLUP_CACHE = True


def trend_last(html) -> dict:
    data = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(data.group(1))[-1]


def course_row(html) -> list[str]:
    table = html[html.index("<h2>Theo khóa học</h2>") :]
    row = table[table.index("<tbody>") :]
    row = row[: row.index("</tr>")]
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]


@pytest.mark.parametrize("warmed_by", ["beat", "province", "neighbour"])
def test_a_department_manager_sees_only_their_own_figures(
    world, client, manager_of, rollup_cache, warmed_by
):
    """Sở Y tế: 3 assigned, 2 completed; Sở Nội vụ: 4 assigned, 2 completed; the province:
    4 course completions. Whoever read the snapshot first, each manager's headline, course
    table and trend are their own subtree's."""
    syt_manager = manager_of(world["syt"])
    if warmed_by == "beat":
        tasks.dashboard_snapshot()
    elif warmed_by == "province":
        client.force_login(manager_of(world["province"]))
        province = page(client, reverse("campaigns:dashboard"))[0]
        assert trend_last(province)["completed"] == 4  # the province's, now in the snapshot
    else:
        client.force_login(world["manager"])
        page(client, reverse("campaigns:dashboard"))
    client.force_login(syt_manager)
    syt, _count, read = page(client, reverse("campaigns:dashboard"))
    assert read == []  # the shared snapshot, read by someone else
    assert "Sở Y tế" in syt and "Sở Nội vụ" not in syt
    assert cells(syt, "SYT")[3:5] == ["3", "2 (25,0%)"]
    assert course_row(syt)[1:3] == ["3", "2"] and trend_last(syt)["completed"] == 2
    client.force_login(world["manager"])
    snv = page(client, reverse("campaigns:dashboard"))[0]
    assert "Sở Y tế" not in snv
    assert cells(snv, "SNV")[3:5] == ["4", "2 (20,0%)"]
    assert course_row(snv)[1:3] == ["4", "2"] and trend_last(snv)["completed"] == 2
    unit = page(client, reverse("campaigns:agency", args=[world["unit"].pk]))[0]
    assert headline(unit)[4] == "1" and trend_last(unit)["completed"] == 1


def test_a_guessed_agency_is_404_with_a_warm_snapshot(world, client, rollup_cache):
    tasks.dashboard_snapshot()
    client.force_login(world["manager"])
    for agency in ("syt", "province", "ward"):
        url = reverse("campaigns:agency", args=[world[agency].pk])
        assert client.get(url).status_code == 404
