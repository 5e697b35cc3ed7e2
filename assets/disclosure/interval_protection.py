"""Protection levels: hide more cells until no reader can narrow a hidden small count down.

Hiding enough cells that nothing is determined exactly (``disclosure_control``'s sums and
their linear algebra) is not enough. A reader also knows a hidden count is a whole number of
zero or more, and may guess which hidden cells are small; with every published relation at
once, a solver can then pin a small count or prove it is below 5. A small cell is protected
when the published figures admit other tables, equally consistent with everything shown,
in which it takes other values:

Method notes: docs/disclosure-control.md, "Notes on `assets/disclosure/interval_protection.py`".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

HOPS = (2, 4, None)  # how far the search looks, in sums; None: every cell the sums reach
MOVING_HIDDEN = 1e-3  # the cost of moving a cell that is already hidden (prefer short changes)
MOVING_ZERO = 10.0  # extra cost of hiding a zero
TIME_LIMIT = 10.0  # seconds for one cell's search


@dataclass(frozen=True)
class Relations:
    """The sums a reader could use, as an incidence matrix: one row per figure, one column per
    sum, +1 for a sum's total and -1 for each of its parts (so every true table has
    ``counts @ incidence == 0``)."""

    incidence: sparse.csr_array  # figures x sums
    by_sum: sparse.csr_array  # sums x figures (the transpose, for walking)

    @staticmethod
    def from_memberships(figure: np.ndarray, sum_id: np.ndarray, is_total: np.ndarray, figures: int, sums: int) -> Relations:
        coef = np.where(is_total, 1.0, -1.0)
        incidence = sparse.csr_array((coef, (figure, sum_id)), shape=(figures, sums))
        return Relations(incidence, incidence.T.tocsr())

    def reach(self, start: np.ndarray, hops: int | None) -> np.ndarray:
        """The figures within ``hops`` sums of ``start`` (every one the sums reach for None)."""
        seen = np.zeros(self.incidence.shape[0], dtype=bool)
        seen[start] = True
        frontier = start
        step = 0
        while len(frontier) and (hops is None or step < hops):
            sums = np.unique(self.incidence[frontier].indices)
            reached = np.unique(self.by_sum[sums].indices)
            frontier = reached[~seen[reached]]
            seen[frontier] = True
            step += 1
        return np.flatnonzero(seen)


@dataclass(frozen=True)
class Standard:
    """What a hidden small count must withstand: the small range and the first safe count."""

    low: int = 1
    high: int = 4

    @property
    def smallest_safe(self) -> int:
        return self.high + 1


def protect(relations: Relations, counts: np.ndarray, hidden: np.ndarray, cell: int, *, upwards: bool, standard: Standard = Standard(), unmarked: np.ndarray | None = None) -> np.ndarray | None:
    """The published figures to hide so that hidden small ``cell`` can move as the module doc
    says (``upwards`` to the first safe count, otherwise by one either way); an empty array when
    the hidden figures already allow it, None when no perturbation within reach does.

    ``counts``: every figure's true count (NaN for figures in no sum); ``hidden``: what is hidden
    now; ``unmarked``: hidden figures left out of the edition altogether, which show no ``[c]``,
    so a reader who guesses which ``[c]`` are small knows nothing more of them than that they
    are whole and not negative.
    """
    unmarked = np.zeros(len(hidden), dtype=bool) if unmarked is None else unmarked
    for hops in HOPS:
        cells = relations.reach(np.array([cell]), hops)
        moves = _cheapest_move(relations, counts, hidden, unmarked[cells], cell, cells, upwards, standard)
        if moves is not None:
            return moves[~hidden[moves]]
    return None


def _cheapest_move(relations: Relations, counts: np.ndarray, hidden: np.ndarray, unmarked: np.ndarray, cell: int, cells: np.ndarray, upwards: bool, standard: Standard) -> np.ndarray | None:
    """The figures (of ``cells``) the cheapest perturbation moves, or None if there is none.

    Unknowns are each figure's rise and fall (both >= 0, integers); every sum touching
    ``cells`` must still add up, with the figures outside ``cells`` held still.
    """
    x = np.nan_to_num(counts[cells])
    n = len(cells)
    sums = np.unique(relations.incidence[cells].indices)
    equations = relations.by_sum[sums][:, cells]
    at = int(np.searchsorted(cells, cell))
    rise_cap = np.full(n, np.inf)
    fall_cap = x.copy()
    if not upwards:
        small = (x >= standard.low) & (x <= standard.high) & ~unmarked
        rise_cap[small] = standard.high - x[small]
        fall_cap[small] = x[small] - standard.low
        safe = (x >= standard.smallest_safe) & ~unmarked
        fall_cap[safe] = x[safe] - standard.smallest_safe
        zero = (x == 0) & ~unmarked
        rise_cap[zero] = fall_cap[zero] = 0.0
    weight = np.where(hidden[cells], MOVING_HIDDEN, 1.0 + np.log1p(x) + MOVING_ZERO * (x == 0))
    rises_and_falls = sparse.hstack([equations, -equations]).tocsr()
    directions = [(standard.smallest_safe - x[at], 0.0)] if upwards else [(1.0, 0.0), (0.0, 1.0)]
    for rise, fall in directions:
        if rise > rise_cap[at] or fall > fall_cap[at]:
            continue
        lower = np.zeros(2 * n)
        upper = np.concatenate([rise_cap, fall_cap])
        lower[at], upper[at] = rise, rise
        lower[n + at], upper[n + at] = fall, fall
        change = _solve(weight, rises_and_falls, lower, upper)
        if change is not None:
            return cells[np.abs(change[:n] - change[n:]) > 0.5]
    return None


def _solve(cost: np.ndarray, equations: sparse.csr_array, lower: np.ndarray, upper: np.ndarray) -> np.ndarray | None:
    """The cheapest whole-number rises and falls (``cost`` per unit of each) that keep every
    equation, or None. The linear programme first: sums of cells make (nearly) a network, whose
    optimal corners are whole numbers, so the integer programme is needed only when they are
    not. A time limit can still leave a feasible point: any one is a valid witness."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # here: a fifth of a second that every run's process would pay to load the code

    both = np.concatenate([cost, cost])
    for integrality in (np.zeros(len(both)), np.ones(len(both))):
        result = milp(c=both, constraints=LinearConstraint(equations, 0.0, 0.0), integrality=integrality, bounds=Bounds(lower, upper), options={"time_limit": TIME_LIMIT})
        if result.x is None or result.status not in (0, 1):
            return None
        if np.allclose(result.x, np.round(result.x), atol=1e-6):
            return np.round(result.x)
    return None
