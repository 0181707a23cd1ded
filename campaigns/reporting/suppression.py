"""Cell suppression of a hierarchical count table (open data): which counts are hidden so
that no hidden count can be worked out from the ones shown.

One column of the open data table (headcount, registered, ...) is a tree of counts: every
published agency's count is the sum of its published children's counts plus a residual
(people attached to the agency itself, or to a merged agency under it), never published.

Primary suppression: a count from 1 to `min_count - 1` is SMALL (shown as "<5"). Zero is
shown (it describes nobody), unless rule 2 or 4 below hides it. Secondary suppression: more
counts are HIDDEN (shown as "x") until no hidden count can be solved from the published
ones. The standard approach of
statistical offices for hierarchical tables (e.g. τ-ARGUS's "hypercube" method on a
one-dimensional hierarchy), made exact here because, within a column, the equations form a
tree:

1. Each hidden count gets the range an attacker can compute: SMALL in [1, min_count - 1],
   HIDDEN in [0, ∞) (usually a large count, but a small one is shown as HIDDEN too when
   its "1 to 4" would pin it, see 3, or a 0, see 2 and 4), a residual 0 when it is 0 (the
   attacker is assumed to know which agencies have nobody of their own) and in [1, ∞)
   otherwise. The ranges are narrowed by
   interval propagation over the equations "parent = children + residual" until nothing
   changes. The equations form a tree (each count is in its parent's equation and its own),
   so the result is exactly the minimum and maximum a linear program would find
   (tests/campaigns/test_open_data_disclosure.py checks it with scipy's linprog).
2. A hidden count whose range is a single value is exposed. For each exposed count, one
   more count is hidden: the smallest shown count of an equation it is in (a 0 last; a
   sibling or a child first, its parent only when there is none: hiding a parent spreads
   the problem one level up), or, when its equations have none left, the nearest one
   reachable through hidden counts; the top of the tree (the province, whose totals the
   home page shows) only as a last resort. Then back to 1, until no hidden count is
   exposed.
3. When no shown count is left to hide (say a commune of four units, each with 1, all
   "<5": the total "<5" is at most 4, so each unit is exactly 1), a small count is shown as
   HIDDEN instead of SMALL (the parent's first), which tells nothing of its size.
4. Rows: certified <= completed in every row, and anyone knows it. Both counts of a row
   are hidden together (even a 0, unless its parent's is 0 too), and the ranges use the
   rule too.

The same pattern serves every depth of the table and the public ranking (each shows a part
of the whole tree, so nothing can be combined that the whole tree does not already hold).
The open data suppresses its five columns in one call (disjoint trees keyed by (column,
path)) with certified <= completed row by row (`leq`, rule 4). With those links the ranges
are no longer exactly a linear program's (the network has cycles) but stay sound; the test
module's solver checks the result against all of it.

Pure Python, no database: `suppress` takes plain counts and a parent map.
"""

import math
from collections.abc import Hashable, Mapping, Sequence

SMALL, HIDDEN = "small", "hidden"
INF = math.inf
# Propagation rounds before giving up narrowing (a tree converges in about twice its depth).
MAX_ROUNDS = 200


def is_small(value: int, min_count: int) -> bool:
    return 0 < value < min_count


def suppress(
    values: Mapping[Hashable, int],
    parents: Mapping[Hashable, Hashable | None],
    *,
    min_count: int,
    leq: Sequence[tuple[Hashable, Hashable]] = (),
) -> dict[Hashable, str]:
    """{cell: SMALL or HIDDEN} for the cells not to show. `values` holds every published
    cell's count (its subtree's total); `parents[cell]` is its nearest published ancestor
    (None at the top). Cells are sorted by their keys for ties, so keys must be comparable
    (agency paths). Several columns go in one call as disjoint trees keyed by (column,
    path); `leq` then lists the pairs of cells whose first is never more than its second
    (certified <= completed, row by row), which anyone may use too."""
    state = {cell: SMALL for cell, value in values.items() if is_small(value, min_count)}
    if not state:
        return state
    children: dict[Hashable, list] = {}
    for cell in sorted(values):
        parent = parents.get(cell)
        if parent is not None:
            children.setdefault(parent, []).append(cell)
    residual = {p: values[p] - sum(values[c] for c in kids) for p, kids in children.items()}
    for _step in range(2 * len(values) + 2):  # each step hides or widens at least one count
        _mirror(values, state, leq, parents)
        bounds = _ranges(values, state, children, residual, parents, min_count, leq)
        exposed = [c for c in sorted(state) if bounds[c][1] - bounds[c][0] < 1 - 1e-9]
        if not exposed:
            return state
        touched: set = set()  # equations that got a new hidden count this round
        added = False
        for cell in exposed:
            equations = {parents.get(cell), cell} - {None}
            if touched & equations:
                continue  # may be solved by this round's additions: look again first
            partner = _partner(cell, values, state, children, parents)
            if partner is None:
                partner = _widened(cell, state, children, parents)
            if partner is None:
                continue
            state[partner] = HIDDEN
            touched |= equations | {parents.get(partner), partner}
            added = True
        if not added:
            return state  # nothing left to hide (cannot happen with counts >= 0)
    return state


def _mirror(values, state, leq, parents) -> None:
    """The two cells of a `leq` pair are hidden together (a shown completed count bounds
    a hidden certified one, and sums of such bounds over siblings can pin it; so can a
    certified 0 beside a small completed count): the shown one is hidden too, even a 0
    (not a 0 under a 0: a total of 0 pins every count under it, and says nobody)."""
    for pair in leq:
        if any(c in state for c in pair):
            for c in pair:
                if c not in state and (values[c] or values.get(parents.get(c), 0)):
                    state[c] = HIDDEN


def _widened(cell, state, children, parents):
    """No shown count is left to hide: a SMALL count of `cell`'s equations is shown as
    HIDDEN instead, which says less (any count, not 1 to 4): the parent first (it bounds
    all its children), then the cell, its siblings, its children."""
    parent = parents.get(cell)
    order = [parent, cell, *children.get(parent, []), *children.get(cell, [])]
    return next((c for c in order if c is not None and state.get(c) == SMALL), None)


def _partner(cell, values, state, children, parents):
    """The count to hide so that `cell` gets a range: the smallest shown non-zero count in
    an equation of `cell` (siblings and children before the parent), else the nearest one
    reachable through hidden counts (breadth first). A top count (the province's) comes
    last of all: the home page shows the province's totals anyway."""

    def shown(c) -> bool:
        return c not in state

    def by_size(cells):  # the smallest count, a 0 last (it hides nobody, but tells less)
        return min(cells, key=lambda c: (values[c] == 0, values[c], c), default=None)

    def inner(c) -> bool:
        return parents.get(c) is not None

    parent = parents.get(cell)
    near = [c for c in children.get(parent, []) if c != cell] if parent is not None else []
    near += children.get(cell, [])
    best = by_size([c for c in near if shown(c)])
    if best is not None:
        return best
    if parent is not None and shown(parent) and inner(parent):
        return parent
    seen, frontier, tops = {cell}, [cell], []
    while frontier:
        reach = []
        for c in frontier:
            up = parents.get(c)
            linked = children.get(c, []) + ([up, *children.get(up, [])] if up is not None else [])
            reach += [x for x in linked if x not in seen]
        seen.update(reach)
        best = by_size([c for c in reach if shown(c) and inner(c)])
        if best is not None:
            return best
        tops += [c for c in reach if shown(c) and not inner(c)]
        frontier = [c for c in reach if c in state]
    return by_size(tops)


def _ranges(values, state, children, residual, parents, min_count, leq=()):
    """{cell: [low, high]} for every cell: shown cells their value, hidden ones the range
    the published counts leave them (interval propagation to a fixed point). With `leq`
    the network has cycles: the ranges are then still sound (never narrower than the
    truth allows) but may be wider than a linear program's."""
    bounds = {}
    for cell, value in values.items():
        kind = state.get(cell)
        if kind == SMALL:
            bounds[cell] = [1.0, float(min_count - 1)]
        elif kind == HIDDEN:
            bounds[cell] = [0.0, INF]  # any count: a large one, a small one widened, a 0
        else:
            bounds[cell] = [float(value), float(value)]
    # Residuals: ("r", parent) variables; 0 is known, anything else is only >= 1 (or its
    # value when negative, which rollups never give but which must not break the maths).
    for parent, value in residual.items():
        bounds[("r", parent)] = [1.0, INF] if value > 0 else [float(value), float(value)]
    # Only equations with a hidden cell can narrow anything; with a fixed point reached on
    # them, every other range is its shown value.
    equations = [
        (parent, kids)
        for parent, kids in children.items()
        if parent in state or any(c in state for c in kids) or residual[parent] > 0
    ]
    pairs = [(a, b) for a, b in leq if a in state or b in state]
    for _round in range(MAX_ROUNDS):
        changed = False
        for parent, kids in equations:
            # parent - sum(kids) - residual = 0, as sum(sign * x) = 0.
            terms = [(1, parent)] + [(-1, c) for c in kids] + [(-1, ("r", parent))]
            changed |= _narrow(terms, bounds)
        for low_cell, high_cell in pairs:
            changed |= _narrow_leq(bounds[low_cell], bounds[high_cell])
        if not changed:
            break
    return bounds


def _narrow_leq(low_cell: list, high_cell: list) -> bool:
    """x <= y: x's maximum is at most y's, y's minimum at least x's."""
    changed = False
    if high_cell[1] < low_cell[1] - 1e-9:
        low_cell[1] = high_cell[1]
        changed = True
    if low_cell[0] > high_cell[0] + 1e-9:
        high_cell[0] = low_cell[0]
        changed = True
    return changed


def _narrow(terms, bounds) -> bool:
    """Narrows each variable of sum(sign * x) = 0 to what the others allow. O(len(terms)):
    the sums of the other terms' bounds are the totals minus the term's own, with the
    infinite ends counted apart."""
    lows, highs = [], []
    for sign, x in terms:
        low, high = bounds[x]
        lows.append(sign * low if sign > 0 else sign * high)
        highs.append(sign * high if sign > 0 else sign * low)
    finite_low = sum(v for v in lows if v != -INF)
    finite_high = sum(v for v in highs if v != INF)
    inf_lows = sum(1 for v in lows if v == -INF)
    inf_highs = sum(1 for v in highs if v == INF)
    changed = False
    for (sign, x), low_i, high_i in zip(terms, lows, highs, strict=True):
        # The others' sum lies in [rest_low, rest_high]; sign * x = -(others).
        own_low = 0 if low_i == -INF else low_i
        own_high = 0 if high_i == INF else high_i
        rest_low = -INF if inf_lows - (low_i == -INF) else finite_low - own_low
        rest_high = INF if inf_highs - (high_i == INF) else finite_high - own_high
        # sign * x in [-rest_high, -rest_low]
        new_low, new_high = (-rest_high, -rest_low) if sign > 0 else (rest_low, rest_high)
        low, high = bounds[x]
        if new_low > low + 1e-9 or new_high < high - 1e-9:
            bounds[x] = [max(low, new_low), min(high, new_high)]
            changed = True
    return changed
