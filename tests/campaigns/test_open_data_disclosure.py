"""Open data cannot be recovered by subtraction: an independent solver (scipy's linear
programming, `linprog`) bounds every hidden count from everything published, and each range
must hold more than one value.

The attacker's knowledge, over the columns (headcount, registered, enrolled, completed,
certified): every number published anywhere (the page, the JSON and the CSV at every
depth, and the public ranking), the tree (parent codes), that a parent's count is its
children's plus a residual of its own people, which residuals are zero (the most careful
assumption: an org chart may tell that a department has no staff of its own), that a
non-zero residual is at least 1, that "<5" means 1 to 4 and "x" any count (a large one, a
small one whose "<5" would pin it, or a 0 beside a hidden count of its row), that counts
are not negative, and that certified <= completed in every row (where the data holds it,
as the site's always does).

The same solver shows the threat was real: with the small counts masked alone (the
previous behaviour), some "<5" cells of these trees come out exactly.
"""

import csv
import datetime as dt
import io
import random
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy.optimize import linprog

from campaigns import services
from campaigns.models import Agency
from campaigns.reporting import open_data, periods, rollups, suppression
from cms.vocabularies import Subgroup

MIN = 5
COUNTS = open_data.COUNT_COLUMNS
EPS = 1e-6


# --- The independent solver ----------------------------------------------------------------


def attacker_ranges(shown: dict, parents: dict, zero_residual: set, min_count: int = MIN,
                    leq=()):  # fmt: skip
    """{cell: (min, max)} of every hidden cell. `shown[cell]` is an integer, "<5" or "x";
    `parents[cell]` the parent cell or None; `zero_residual` the parents whose own
    residual is known to be 0; `leq` pairs of cells, the first never more than the second
    (several columns as (column, code) cells: certified <= completed). Two linear programs
    per hidden cell."""
    cells = sorted(shown)
    column = {cell: i for i, cell in enumerate(cells)}
    bounds = []
    for cell in cells:
        value = shown[cell]
        if value == f"<{min_count}":
            bounds.append((1, min_count - 1))
        elif value == open_data.HIDDEN_MARKER:
            bounds.append((0, None))
        else:
            bounds.append((value, value))
    children = {}
    for cell in cells:
        if parents.get(cell) in column:
            children.setdefault(parents[cell], []).append(cell)
    rows = []
    for parent, kids in children.items():
        row = {column[parent]: 1.0}
        row.update({column[kid]: -1.0 for kid in kids})
        if parent not in zero_residual:
            row[len(bounds)] = -1.0
            bounds.append((1, None))  # the residual: at least one person of its own
        rows.append(row)
    size = len(bounds)
    a_eq = [[row.get(i, 0.0) for i in range(size)] for row in rows] or None
    b_eq = [0.0] * len(rows) or None
    a_ub = [[1.0 if i == column[a] else -1.0 if i == column[b] else 0.0 for i in range(size)]
            for a, b in leq] or None  # fmt: skip
    b_ub = [0.0] * len(leq) or None
    out = {}
    for cell in cells:
        if isinstance(shown[cell], int):
            continue
        ends = []
        for sign in (1, -1):
            objective = [0.0] * size
            objective[column[cell]] = float(sign)
            result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                             bounds=bounds, method="highs")  # fmt: skip
            if result.status == 3:  # unbounded: only the maximum can be
                ends.append(float("inf"))
                continue
            assert result.status == 0, (cell, result.message)  # feasible: the truth is
            ends.append(sign * result.fun)
        out[cell] = (ends[0], ends[1])
    return out


def exposed(ranges: dict) -> dict:
    """The hidden cells the solver pins to one value."""
    return {cell: r for cell, r in ranges.items() if r[1] - r[0] < 1 - EPS}


def publish(values: dict, hidden: dict, min_count: int = MIN) -> dict:
    return {cell: open_data.marker(hidden.get(cell), v, min_count) for cell, v in values.items()}


def primary_only(values: dict, min_count: int = MIN) -> dict:
    """The previous masking: small counts alone."""
    return {c: suppression.SMALL for c, v in values.items() if suppression.is_small(v, min_count)}


def zero_residuals(values: dict, parents: dict) -> set:
    sums = {}
    for cell, parent in parents.items():
        if parent is not None:
            sums[parent] = sums.get(parent, 0) + values[cell]
    return {p for p, total in sums.items() if values[p] == total}


# --- Random trees ------------------------------------------------------------------------


def totals_of(own: list[int], parent_of: list[int | None]) -> dict:
    """{path-like cell: subtree total} of a tree given as parent indexes (parents first)."""
    names = []
    for i, parent in enumerate(parent_of):
        names.append(f"{names[parent]}.{i:02}" if parent is not None else f"{i:02}")
    totals = dict.fromkeys(names, 0)
    for i, amount in enumerate(own):
        node = i
        while node is not None:
            totals[names[node]] += amount
            node = parent_of[node]
    parents = {names[i]: (names[p] if p is not None else None) for i, p in enumerate(parent_of)}
    return totals, parents


@st.composite
def trees(draw):
    size = draw(st.integers(2, 24))
    parent_of, depth = [None], [0]
    for i in range(1, size):
        choices = [j for j in range(i) if depth[j] < 4]
        parent = draw(st.sampled_from(choices))
        parent_of.append(parent)
        depth.append(depth[parent] + 1)
    is_parent = {p for p in parent_of if p is not None}
    own = []
    for i in range(size):
        small = st.integers(0, 6)
        # Parents often have nobody of their own (a province, a department of units).
        if i in is_parent:
            own.append(draw(st.one_of(st.just(0), small, st.integers(0, 40))))
        else:
            own.append(draw(st.one_of(small, st.integers(0, 60))))
    return totals_of(own, parent_of)


def check_safe(values, parents):
    hidden = suppression.suppress(values, parents, min_count=MIN)
    for cell, value in values.items():
        if suppression.is_small(value, MIN):
            assert cell in hidden  # "<5", or "x" where "<5" would pin it
        if hidden.get(cell) == suppression.SMALL:
            assert suppression.is_small(value, MIN)
        if value == 0:
            assert hidden.get(cell) != suppression.SMALL
    ranges = attacker_ranges(publish(values, hidden), parents, zero_residuals(values, parents))
    assert not exposed(ranges), (values, hidden, exposed(ranges))
    # The module's own propagation finds exactly the solver's ranges (its docstring's claim).
    children = {}
    for cell in sorted(values):
        if parents[cell] is not None:
            children.setdefault(parents[cell], []).append(cell)
    residual = {p: values[p] - sum(values[c] for c in kids) for p, kids in children.items()}
    own = suppression._ranges(values, hidden, children, residual, parents, MIN)
    for cell, (low, high) in ranges.items():
        assert own[cell][0] == pytest.approx(low) and own[cell][1] == pytest.approx(high)
    return hidden, ranges


@hsettings(max_examples=150, deadline=None)
@given(tree=trees())
def test_no_hidden_count_is_solvable_in_random_trees(tree):
    values, parents = tree
    check_safe(values, parents)


@st.composite
def two_columns(draw):
    """A tree with completed and certified counts (certified <= completed, agency by
    agency), as one table of (column, cell) cells."""
    completed, parents = draw(trees())
    rng = random.Random(draw(st.integers(0, 10**6)))
    own = {}
    for cell in sorted(completed, key=len, reverse=True):  # each cell's own count
        kids = sum(completed[c] for c in completed if parents[c] == cell)
        own[cell] = completed[cell] - kids
    certified = dict.fromkeys(completed, 0)
    for cell, amount in own.items():
        mine = rng.randint(max(0, amount - 3), amount)
        node = cell
        while node is not None:
            certified[node] += mine
            node = parents[node]
    values = {("completed", c): v for c, v in completed.items()}
    values.update({("certified", c): v for c, v in certified.items()})
    tree = {(col, c): (col, p) if p else None for c, p in parents.items()
            for col in ("completed", "certified")}  # fmt: skip
    leq = [(("certified", c), ("completed", c)) for c in completed]
    return values, tree, leq


@hsettings(max_examples=100, deadline=None)
@given(table=two_columns())
def test_certified_never_above_completed_gives_nothing_back_either(table):
    """Anyone knows certified <= completed in every row: the solver uses it too."""
    values, tree, leq = table
    hidden = suppression.suppress(values, tree, min_count=MIN, leq=leq)
    shown = publish(values, hidden)
    ranges = attacker_ranges(shown, tree, zero_residuals(values, tree), leq=leq)
    assert not exposed(ranges), (values, hidden, exposed(ranges))


def test_the_province_total_is_hidden_only_as_a_last_resort():
    """The home page shows the province's totals, so hiding the top helps little: a deeper
    count is hidden instead when there is one (the top was hidden here before), the top only
    when nothing else can give a range."""
    parents = {"0": None, "0.1": "0", "0.2": "0", "0.2.3": "0.2"}
    hidden, _ranges = check_safe({"0": 12, "0.1": 3, "0.2": 9, "0.2.3": 9}, parents)
    assert hidden == {"0.1": suppression.SMALL, "0.2": suppression.HIDDEN,
                      "0.2.3": suppression.HIDDEN}  # fmt: skip
    parents = {"0": None, "0.1": "0", "0.2": "0"}
    hidden, _ranges = check_safe({"0": 8, "0.1": 3, "0.2": 5}, parents)
    assert hidden == {"0.1": suppression.SMALL, "0.2": suppression.HIDDEN}
    hidden, _ranges = check_safe({"0": 3, "0.1": 3, "0.2": 0}, parents)
    assert hidden == {"0": suppression.SMALL, "0.1": suppression.SMALL}
    parents = {"0": None, "0.1": "0"}
    hidden, _ranges = check_safe({"0": 8, "0.1": 3}, parents)  # 5 of the province's own
    assert hidden == {"0.1": suppression.SMALL}  # its own people (>= 1) give the range
    hidden, _ranges = check_safe({"0": 3, "0.1": 3}, parents)
    assert hidden == {"0": suppression.SMALL, "0.1": suppression.SMALL}


def demo_like(seed):
    """A tree shaped like the demo's Phú Thọ (province → 13 departments, 5 of them with a
    unit, and 6 communes and wards), one column's totals: mostly counts of 5 or more, a
    few small ones, as the demo's 2026 completions."""
    rng = random.Random(seed)
    own, parent_of = [0], [None]  # the province has nobody of its own

    def amount(parent: bool):
        if parent and rng.random() < 0.5:
            return 0  # a department whose people are all in its unit
        return rng.choice([1, 2, 3, 4]) if rng.random() < 0.15 else rng.randint(5, 60)

    for d in range(13):
        parent_of.append(0)
        own.append(amount(d < 5))
        if d < 5:
            parent_of.append(len(own) - 1)
            own.append(amount(False))
    for _c in range(6):
        parent_of.append(0)
        own.append(amount(False))
    return totals_of(own, parent_of)


@pytest.mark.parametrize("seed", range(10))
def test_demo_like_trees_are_safe(seed):
    check_safe(*demo_like(seed))


def test_the_solver_finds_what_the_previous_masking_gave_away():
    """Over ten demo-like trees, small counts masked alone leave some exactly solvable;
    with the secondary suppression none (the figures of the closing note)."""
    solved_before = extra = 0
    for seed in range(10):
        values, parents = demo_like(seed)
        zero = zero_residuals(values, parents)
        solved_before += len(
            exposed(attacker_ranges(publish(values, primary_only(values)), parents, zero))
        )
        hidden, after = check_safe(values, parents)
        assert not exposed(after)
        extra += sum(1 for kind in hidden.values() if kind == suppression.HIDDEN)
    assert (solved_before, extra) == (3, 3)


# --- Everything the site publishes ---------------------------------------------------------


CS = Subgroup.CIVIL_SERVANT
COURSE_ID = 101


def html_rows(body: str) -> dict:
    table = {}
    for code, row in re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>', body, re.S):
        table[code] = dict(re.findall(r'<td data-col="(\w+)">(.*?)</td>', row, re.S))
    return table


def cell(text: str):
    """A published cell as an int, "<5" or "x" (HTML and CSV text)."""
    text = text.replace("&lt;", "<").replace(".", "").strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


@pytest.fixture
def province(db, settings):
    """A demo-like tree in the database: the province, departments (some with units),
    communes, each column's counts drawn with a fixed seed so that many are small."""
    settings.OPEN_DATA_MIN_COUNT = MIN
    settings.REPORT_CUTOFF_DAY = 1
    cache.clear()
    rng = random.Random(14)
    top = services.agency_create(name="Tỉnh Phú Thọ", code="PT", kind=Agency.Kind.PROVINCE)
    places = []
    for d in range(8):
        department = services.agency_create(
            name=f"Sở {d:02}", code=f"S{d:02}", kind=Agency.Kind.DEPARTMENT, parent=top
        )
        places.append(department)
        for u in range(d % 3):
            places.append(
                services.agency_create(
                    name=f"Phòng {d:02}-{u}",
                    code=f"S{d:02}-{u}",
                    kind=Agency.Kind.UNIT,
                    parent=department,
                )  # fmt: skip
            )
    for c in range(5):
        places.append(
            services.agency_create(
                name=f"Xã {c:02}", code=f"X{c:02}", kind=Agency.Kind.COMMUNE_OR_WARD, parent=top
            )  # fmt: skip
        )
    # A department with nobody of its own and two units, one small: its total minus the
    # other unit gave the small one back before the secondary suppression.
    department = services.agency_create(name="Sở 99", code="S99",
                                        kind=Agency.Kind.DEPARTMENT, parent=top)  # fmt: skip
    day = dt.date(2026, 3, 10)
    for code, amount in (("S99-0", 20), ("S99-1", 2)):
        unit = services.agency_create(name=f"Phòng {code}", code=code, kind=Agency.Kind.UNIT,
                                      parent=department)  # fmt: skip
        services.headcount_set(agency=unit, audience=CS, count=amount)
        rollups.rollup_apply({
            (day, unit.pk, CS, 0, 0): [amount, 0, 0, 0],
            (day, unit.pk, CS, COURSE_ID, 0): [0, amount, amount, amount],
        })  # fmt: skip
    for agency in places:
        small = agency.kind == Agency.Kind.UNIT or rng.random() < 0.4
        draw = (lambda: rng.choice([0, 1, 2, 3, 4, 6])) if small else (lambda: rng.randint(0, 30))
        head = draw() if small else rng.randint(20, 80)
        if agency.kind == Agency.Kind.DEPARTMENT and rng.random() < 0.5:
            head = 0  # some departments have nobody of their own, only their units
        services.headcount_set(agency=agency, audience=CS, count=head)
        rollups.rollup_apply({
            (day, agency.pk, CS, 0, 0): [draw(), 0, 0, 0],
            (day, agency.pk, CS, COURSE_ID, 0): [0, draw(), draw(), draw()],
        })  # fmt: skip
    yield
    cache.clear()


def published_tables(client, period: str) -> list[dict]:
    """Every table published for `period` (all courses): JSON, CSV and page at every
    depth, as [{code: {column: int | "<5" | "x"}}]; the parent codes on the side."""
    tables = []
    for depth in range(open_data.MIN_DEPTH, open_data.MAX_DEPTH + 1):
        params = {"period": period, "campaign": "all", "depth": depth}
        data = client.get(reverse("open_data:json"), params).json()
        assert data["version"] == 2
        tables.append({r["agency_code"]: r for r in data["rows"]})
        body = client.get(reverse("open_data:csv"), params).content.decode("utf-8")[1:]
        lines = list(csv.DictReader(io.StringIO(body)))
        tables.append({r["agency_code"]: {k: cell(r[k]) for k in COUNTS} | {
            "completion_percent": r["completion_percent"]} for r in lines})  # fmt: skip
        page = client.get(reverse("open_data:index"), params).content.decode()
        tables.append({code: {k: cell(row[k]) for k in COUNTS}
                       for code, row in html_rows(page).items()})  # fmt: skip
    return tables


def test_everything_published_leaves_every_hidden_count_a_range(client, province):
    today = timezone.localdate()
    current = periods.period_containing(today, kind="month")
    for period in ("2026-m3", current.slug):
        tables = published_tables(client, period)
        if period == current.slug:
            # The public ranking reads the current period: the same cells, the same markers.
            for kind in open_data.RANKING_KINDS:
                body = client.get(reverse("open_data:ranking"), {"kind": kind, "campaign": "all"})
                for code, row in re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>',
                                            body.content.decode(), re.S):  # fmt: skip
                    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
                    rank, headcount, completed, rate = cells
                    tables.append({code: {"headcount": cell(headcount),
                                          "completed": cell(completed)}})  # fmt: skip
                    hidden = not isinstance(cell(headcount), int) or not isinstance(
                        cell(completed), int
                    )
                    if hidden:
                        assert (rank, rate) == ("–", "–"), code
        shown = {}
        for table in tables:
            for code, row in table.items():
                for column in COUNTS:
                    if column in row:
                        previous = shown.setdefault(code, {}).setdefault(column, row[column])
                        assert previous == row[column], (period, code, column)
        # The truth, for the residuals the attacker is granted and the previous masking.
        query = open_data.Query(campaign="all", period=periods.period_from_slug(period),
                                depth=open_data.MAX_DEPTH)  # fmt: skip
        rows = open_data.table(query)["rows"]
        parents = {r["agency_code"]: r["parent_code"] for r in rows}
        # One linear program over every column, with certified <= completed in each row.
        truth = {(column, r["agency_code"]): r[column] for r in rows for column in COUNTS}
        tree = {(column, code): (column, parent) if parent else None
                for code, parent in parents.items() for column in COUNTS}  # fmt: skip
        published = {(column, code): shown[code][column] for code in shown for column in COUNTS}
        leq = [(("certified", code), ("completed", code)) for code in parents
               if truth["certified", code] <= truth["completed", code]]  # fmt: skip
        ranges = attacker_ranges(published, tree, zero_residuals(truth, tree), leq=leq)
        assert not exposed(ranges), (period, exposed(ranges))
        widths = []
        for key, (low, high) in ranges.items():
            assert low - EPS <= truth[key] <= high + EPS
            widths.append(high - low)
        hidden_total = len(ranges)
        # The percent is never shown beside a hidden count (JSON: every third table of
        # the first twelve).
        for table in tables[0:12:3]:
            for code, row in table.items():
                if not (isinstance(row["completed"], int) and isinstance(row["headcount"], int)):
                    assert row["completion_percent"] is None, code
        assert hidden_total > 0 and min(widths) >= 1


def test_the_previous_masking_gave_small_counts_back(province):
    """The same tree, small counts masked alone: the solver pins some of them."""
    query = open_data.Query(campaign="all", period=periods.period_from_slug("2026-m3"),
                            depth=open_data.MAX_DEPTH)  # fmt: skip
    rows = open_data.table(query)["rows"]
    parents = {r["agency_code"]: r["parent_code"] for r in rows}
    solved = 0
    for column in COUNTS:
        truth = {r["agency_code"]: r[column] for r in rows}
        old = publish(truth, primary_only(truth))
        solved += len(exposed(attacker_ranges(old, parents, zero_residuals(truth, parents))))
    assert solved > 0
