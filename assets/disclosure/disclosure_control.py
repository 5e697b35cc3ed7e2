"""Statistical disclosure control: the one gate every figure passes before it is published.

The rule (configurable, because the published rule for these statistics was not found;
the default is the one in DOMAIN.md):

Method notes: docs/disclosure-control.md, "Notes on `assets/disclosure/disclosure_control.py`".
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.disclosure.interval_protection import Relations, Standard, protect

CONFIDENTIAL = "[c]"
WITHHELD = "withheld"  # the suppression of a figure left out of the edition
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"

REQUIRED_COLUMNS = (
    "measure_id", "period", "geography_code", "geography_level", "breakdown", "category",
    "numerator", "denominator", "value", "unit", "additive",
)
FIGURE_KEY = ["measure_id", "period", "geography_code", "breakdown", "category"]
RATE_UNIT = re.compile(r"^\s*(per\b|percent|%|rate\b)", re.IGNORECASE)


@dataclass(frozen=True)
class DisclosureRule:
    """Which counts are confidential, and whether rates made from them are hidden too."""

    min_count: int = 1
    max_suppressed_count: int = 4
    suppress_derived: bool = True
    # May a reader be able to prove a hidden count is small (without pinning it)? Not by
    # default: "fewer than 5" about a named council's children is itself a disclosure.
    allow_provably_small: bool = False

    def __post_init__(self) -> None:
        # Zero identifies nobody and is always shown, so the range starts at 1 or above.
        if not 1 <= self.min_count <= self.max_suppressed_count:
            raise ValueError(f"need 1 <= min_count <= max_suppressed_count, got {self.min_count} and {self.max_suppressed_count}")

    def is_small(self, counts: np.ndarray) -> np.ndarray:
        """True where a count (NaN for none) is in the confidential range."""
        with np.errstate(invalid="ignore"):
            return (counts >= self.min_count) & (counts <= self.max_suppressed_count)

    def in_words(self) -> str:
        """The confidential range as a reader would say it ("fewer than 5")."""
        if self.min_count == 1:
            return f"fewer than {self.max_suppressed_count + 1}"
        return f"between {self.min_count} and {self.max_suppressed_count}"


WITHIN, ACROSS, SAME, COMPOSED, BALANCE = 0, 1, 2, 3, 4  # the kinds of sum
Compositions = Mapping[str, tuple[str, str, Collection[str]]]  # composite measure -> (measure, breakdown, categories)
Balances = Mapping[str, tuple[str, str, Collection[str]]]  # stock measure -> (inflow measure, outflow measure, breakdowns)


@dataclass(frozen=True)
class _Sums:
    """The sums of a table a reader could use: which rows (by position) are in which sum.

    ``row``, ``sum_id`` and ``is_total`` have one entry per membership, ordered by sum; a row
    is usually in several sums (its breakdown's, and the one across councils). Per sum,
    ``kind`` and ``part`` (one of its rows that is not the total, which names the measure,
    period and breakdown it is about). An equality between the same count in two measures
    is a sum of two members, the first measure's row as its total. A stock's balance has two
    sides: stock(t) + outflow(t) (``is_total``, +1) = stock(t-1) + inflow(t) (-1).
    """

    row: np.ndarray
    sum_id: np.ndarray
    is_total: np.ndarray
    kind: np.ndarray
    part: np.ndarray

    @property
    def count(self) -> int:
        return len(self.kind)

    def total_row(self) -> np.ndarray:
        """Each sum's total (a row position)."""
        total = np.full(self.count, -1, dtype=np.int64)
        total[self.sum_id[self.is_total]] = self.row[self.is_total]
        return total

    def hidden_per_sum(self, hidden: np.ndarray) -> np.ndarray:
        return np.bincount(self.sum_id, weights=hidden[self.row], minlength=self.count).astype(np.int64)


def _mixed_radix(codes: list[np.ndarray]) -> np.ndarray:
    """One int64 per row that orders and groups like the tuple of (non-negative) codes."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for code in codes:
        key = key * (int(code.max(initial=0)) + 1) + code
    return key


def _disclosure_sums(table: pd.DataFrame, compositions: Compositions | None = None, counts_alone: bool = False, balances: Balances | None = None) -> _Sums:
    """Every sum a reader could use to work out a hidden figure.

    ``within``: a geography's breakdown categories with its headline row; ``across``: the
    councils with Scotland, for one measure, period, breakdown and category (both for
    additive rows with a count only, and only when the total is there, since without it
    nothing can be worked out by subtraction); ``same``: the same count in two measures,
    which must be hidden in both or neither. Two measures are taken to share counts for a
    period and breakdown when their counts agree in every geography and category (as a
    rate's numerators are its count measure's); a whole table cannot agree by chance, while
    single equal cells often do, and linking those would spread suppression between
    unrelated measures. A measure covering fewer geographies than the one it shares counts
    with is not recognised. ``composed``: a declared composite headline with the categories
    it adds up (``_composed_members``); ``balance``: a declared stock with the year's flows
    in and out (``_balance_members``).

    Keys are integer codes (sorted, so sums are numbered by content, not by row order).
    """
    measure, period, geography, breakdown, category = (pd.factorize(table[c].astype(str), sort=True)[0].astype(np.int64) for c in FIGURE_KEY)
    counted = table["numerator"].notna().to_numpy()
    additive = counted & table["additive"].fillna(False).astype(bool).to_numpy()
    headline = table["breakdown"].astype(str).eq("total").to_numpy()
    level = table["geography_level"].astype(str).to_numpy()
    scotland = level == "scotland"
    rows = np.arange(len(table))

    parts = rows[additive & ~headline]
    totals = rows[additive & headline]
    # The headline row is the total of every breakdown of its geography.
    geography_key = _mixed_radix([measure, period, geography])
    by_geography = pd.Series(totals, index=geography_key[totals])
    by_geography = by_geography[~by_geography.index.duplicated()]
    breakdowns = np.unique(_mixed_radix([measure, period, geography, breakdown])[parts], return_index=True)[1]
    headline_of = by_geography.reindex(geography_key[parts[breakdowns]]).to_numpy()
    has_headline = ~np.isnan(headline_of)
    within_totals = headline_of[has_headline].astype(np.int64)
    within_total_breakdown = breakdown[parts[breakdowns]][has_headline]
    counts = table["numerator"].astype("Int64").to_numpy(dtype=np.int64, na_value=-1)
    across_rows = rows[additive & np.isin(level, ["council", "scotland"]) & _councils_add_up(table, measure, period, breakdown, category, counts, additive, scotland, counts_alone)]

    cell = rows[counted]
    # A table's fingerprint: the sum of a strong hash of each (geography, category, count) cell.
    cell_hash = pd.util.hash_array(_mixed_radix([geography[cell], category[cell], counts[cell]]))
    tables, table_of_cell = np.unique(_mixed_radix([measure[cell], period[cell], breakdown[cell]]), return_inverse=True)
    table_hash = np.zeros(len(tables), dtype=np.uint64)
    np.add.at(table_hash, table_of_cell, cell_hash)
    table_size = np.bincount(table_of_cell)
    fingerprint = np.unique(np.column_stack([period[cell], breakdown[cell], table_hash[table_of_cell].view(np.int64), table_size[table_of_cell]]), axis=0, return_inverse=True)[1].ravel()
    order = np.lexsort((measure[cell], category[cell], geography[cell], fingerprint))
    same_cell = _mixed_radix([fingerprint, geography[cell], category[cell]])[order]
    first = np.ones(len(same_cell), dtype=bool)
    first[1:] = same_cell[1:] != same_cell[:-1]
    repeats = cell[order][~first]
    first_of_repeat = cell[order][np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))][~first]
    same_count = counts[repeats] == counts[first_of_repeat]  # a fingerprint collision links nothing
    repeats, first_of_repeat = repeats[same_count], first_of_repeat[same_count]

    composed_row, composite_of = _composed_members(table, counts, counted, compositions or {})
    balance_row, stock_of, left_side = _balance_members(table, counts, counted, balances or {})

    member_row = np.concatenate([parts, within_totals, across_rows, repeats, first_of_repeat, composed_row, balance_row])
    member_total = np.concatenate([np.zeros(len(parts), bool), np.ones(len(within_totals), bool), scotland[across_rows], np.zeros(len(repeats), bool), np.ones(len(repeats), bool), composed_row == composite_of, left_side])
    member_kind = np.repeat([WITHIN, WITHIN, ACROSS, SAME, SAME, COMPOSED, BALANCE], [len(parts), len(within_totals), len(across_rows), len(repeats), len(repeats), len(composed_row), len(balance_row)])
    # The row that names each membership's sum: itself, except a headline (its breakdown), the
    # first measure of a repeat, a composite's categories (the composite) and a balance's
    # members (the stock at its end).
    named_by = np.concatenate([parts, within_totals, across_rows, repeats, repeats, composite_of, stock_of])
    member_breakdown = np.concatenate([breakdown[parts], within_total_breakdown, breakdown[across_rows], breakdown[repeats], breakdown[repeats], breakdown[composite_of], breakdown[stock_of]])
    no_geography = np.where(member_kind == ACROSS, 0, geography[named_by])
    no_category = np.where(member_kind == WITHIN, 0, category[named_by])
    sum_key = _mixed_radix([member_kind, measure[named_by], period[named_by], member_breakdown, no_geography, no_category])
    sum_keys, sum_of_member = np.unique(sum_key, return_inverse=True)
    # A sum can be differenced only when its total is there and it has parts.
    has_total = np.bincount(sum_of_member, weights=member_total, minlength=len(sum_keys)) > 0
    size = np.bincount(sum_of_member, minlength=len(sum_keys))
    keep = (has_total & (size >= 2))[sum_of_member]
    kept_sums, sum_id = np.unique(sum_of_member[keep], return_inverse=True)
    order = np.lexsort((member_row[keep], sum_id))
    sum_id, member_row, member_total = sum_id[order], member_row[keep][order], member_total[keep][order]
    part = np.full(len(kept_sums), -1, dtype=np.int64)
    part[sum_id[~member_total]] = member_row[~member_total]
    kind = np.zeros(len(kept_sums), dtype=np.int64)
    kind[sum_id] = member_kind[keep][order]
    return _Sums(row=member_row, sum_id=sum_id, is_total=member_total, kind=kind, part=part)


def _composed_members(table: pd.DataFrame, counts: np.ndarray, counted: np.ndarray, compositions: Compositions) -> tuple[np.ndarray, np.ndarray]:
    """The declared composite sums: (member row, its composite's headline row) per membership.

    Each composite headline with a count is a sum of the named categories of the other
    measure's breakdown for the same period and place; the headline is a member of its own
    sum (row equal to composite). Only where the counts do add up: a declaration the figures
    do not bear out (a category renamed) is no sum a reader could use, and taken as one it
    could pin cells that are not pinned.
    """
    keys = table[["measure_id", "period", "geography_code", "breakdown", "category"]].astype(str).reset_index(drop=True).assign(row=np.arange(len(table)))[counted]
    pieces = []
    for composite, (measure, breakdown, categories) in sorted(compositions.items()):
        heads = keys[keys.measure_id.eq(composite) & keys.breakdown.eq("total")]
        parts = keys[keys.measure_id.eq(measure) & keys.breakdown.eq(breakdown) & keys.category.isin(list(categories))]
        pieces.append(heads.merge(parts, on=["period", "geography_code"], suffixes=("_composite", "_part"))[["row_composite", "row_part"]])
    pairs = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame({"row_composite": [], "row_part": []}, dtype=np.int64)
    composite, part = pairs["row_composite"].to_numpy(np.int64), pairs["row_part"].to_numpy(np.int64)
    added = pd.Series(counts[part]).groupby(composite).transform("sum").to_numpy()
    composite, part = composite[added == counts[composite]], part[added == counts[composite]]
    heads = np.unique(composite)
    return np.concatenate([part, heads]), np.concatenate([composite, heads])


def _balance_members(table: pd.DataFrame, counts: np.ndarray, counted: np.ndarray, balances: Balances) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The declared balances: (member row, the stock row at the period's end, on the left side) per membership.

    For each stock row of a declared breakdown (headline included) in a period t whose
    previous period (t-1, periods being years) is there too, with the inflow and outflow of
    the same period, place and category: stock(t) + outflow(t) = stock(t-1) + inflow(t).
    Only where the counts do balance, as for compositions.
    """
    keys = table[["measure_id", "period", "geography_code", "breakdown", "category"]].astype(str).reset_index(drop=True).assign(row=np.arange(len(table)))[counted]
    keys = keys[keys["period"].str.fullmatch(r"\d+")]
    same = ["period", "geography_code", "breakdown", "category"]
    pieces = []
    for stock, (inflow, outflow, breakdowns) in sorted(balances.items()):
        end = keys[keys.measure_id.eq(stock) & keys.breakdown.isin(list(breakdowns))]
        start = end.assign(period=(end["period"].astype(int) + 1).astype(str))
        flows = [keys[keys.measure_id.eq(m)][[*same, "row"]].rename(columns={"row": name}) for m, name in ((inflow, "inflow"), (outflow, "outflow"))]
        pieces.append(end[[*same, "row"]].merge(start[[*same, "row"]], on=same, suffixes=("", "_start")).merge(flows[0], on=same).merge(flows[1], on=same))
    quads = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame({c: [] for c in ("row", "row_start", "inflow", "outflow")}, dtype=np.int64)
    end, start, inflow, outflow = (quads[c].to_numpy(np.int64) for c in ("row", "row_start", "inflow", "outflow"))
    holds = counts[end] + counts[outflow] == counts[start] + counts[inflow]
    end, start, inflow, outflow = end[holds], start[holds], inflow[holds], outflow[holds]
    k = len(end)
    return np.concatenate([end, outflow, start, inflow]), np.tile(end, 4), np.repeat([True, False], 2 * k)


def _councils_add_up(table: pd.DataFrame, measure: np.ndarray, period: np.ndarray, breakdown: np.ndarray, category: np.ndarray, counts: np.ndarray, additive: np.ndarray, scotland: np.ndarray, counts_alone: bool = False) -> np.ndarray:
    """Per row: do the councils of its figure (measure, period, breakdown, category) add up to Scotland's?

    Not always: a survey's Scotland figures count respondents who gave no council, so
    Scotland can be more than its councils, and a group only such respondents are in (the
    workforce) has a Scotland row and no council rows at all. Taken as sums, those would be
    false equations, which can pin a hidden cell whatever else is hidden (Scotland's workforce
    count "must" be its councils' nothing). But where a figure's councils do add up to
    Scotland's, a reader may know it (the intruder audit assumes they do), so each figure is
    judged on its own: a sum where its counts, and its denominators where it has them (the
    respondents), add up; none where they do not (Scotland's respondents in all are more than
    its councils', so a headline's counts adding up there is chance, not structure). With
    ``counts_alone`` the counts decide by themselves, as they do for the intruder audit: the
    sums that protection levels must respect (a change that keeps more sums true is still a
    change a reader cannot rule out).
    """
    denominators = np.nan_to_num(table["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    level = table["geography_level"].astype(str).to_numpy()
    involved = additive & (scotland | (level == "council"))
    sign = np.where(scotland, 1.0, -1.0)[involved]
    _, figure = np.unique(_mixed_radix([measure, period, breakdown, category])[involved], return_inverse=True)
    count_gap = np.bincount(figure, weights=sign * counts[involved])
    denominator_gap = np.bincount(figure, weights=sign * denominators[involved])
    denominator_size = np.bincount(figure, weights=np.abs(denominators[involved]))
    adds_up = np.zeros(len(table), dtype=bool)
    adds_up[np.flatnonzero(involved)] = ((count_gap == 0) & (counts_alone | (np.abs(denominator_gap) <= 1e-9 * np.maximum(denominator_size, 1.0))))[figure]
    return adds_up


def _complete_sums(sums: _Sums, hidden: np.ndarray, counts: np.ndarray, identity_rank: np.ndarray, exposed: np.ndarray, because_of_sum: np.ndarray) -> None:
    """Hide more cells (in place) until no sum has exactly one hidden member.

    Each pass picks, for every sum with one hidden member, its best other member (vectorised),
    then walks only those sums: a pick made for one sum may already fix the next, and then
    nothing more is hidden there. For each cell hidden here, ``exposed`` records the cell it
    protects and ``because_of_sum`` the sum that would have given it away.
    """
    by_row = np.argsort(sums.row, kind="stable")
    sums_of_row = sums.sum_id[by_row]
    row_start = np.concatenate([[0], np.cumsum(np.bincount(sums.row, minlength=len(hidden)))])
    while True:
        hidden_count = sums.hidden_per_sum(hidden)
        in_single = hidden_count[sums.sum_id] == 1
        if not in_single.any():
            return
        member_hidden = hidden[sums.row]
        lone = np.full(sums.count, -1, dtype=np.int64)
        lone[sums.sum_id[in_single & member_hidden]] = sums.row[in_single & member_hidden]
        pick = _best_per_sum(sums, np.flatnonzero(in_single & ~member_hidden), counts, identity_rank)
        for sum_id in np.flatnonzero(hidden_count == 1):
            if hidden_count[sum_id] != 1:
                continue
            row = pick[sum_id]
            hidden[row] = True
            exposed[row] = lone[sum_id]
            because_of_sum[row] = sum_id
            hidden_count[sums_of_row[row_start[row]:row_start[row + 1]]] += 1


def _best_per_sum(sums: _Sums, candidates: np.ndarray, counts: np.ndarray, identity_rank: np.ndarray) -> np.ndarray:
    """For each sum, the row to hide next among ``candidates`` (membership positions); -1 for none.

    Positive before zero, parts before the sum's total, smallest count, then identity.
    """
    rows = sums.row[candidates]
    order = np.lexsort((identity_rank[rows], counts[rows], sums.is_total[candidates], counts[rows] == 0, sums.sum_id[candidates]))
    candidates = candidates[order]
    first = np.concatenate([[True], sums.sum_id[candidates][1:] != sums.sum_id[candidates][:-1]])
    pick = np.full(sums.count, -1, dtype=np.int64)
    pick[sums.sum_id[candidates[first]]] = sums.row[candidates[first]]
    return pick


def _recoverable(sums: _Sums, hidden: np.ndarray, newly_hidden: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hidden rows whose value follows exactly from the published figures and the sums.

    No sum with a single hidden member is not enough: where sums share cells, several sums
    together can pin down a cell (a hidden cell that is the only link between two otherwise
    separate sets of hidden cells, for instance). The hidden cells satisfy A x = (what the
    published cells imply), one equation per sum (+1 for its total, -1 for each part); cell
    i is determined exactly when the unit vector e_i lies in the row space of A. Hidden
    cells fall apart into small sets linked by shared sums, so each set is solved on its own.

    Given ``newly_hidden``, only sets holding one of those rows are solved: the others were
    solved before and have not changed.

    Returns (determined, linked): ``linked`` labels each hidden row with the smallest row of
    its set, so a fix can look beyond the determined cell's own sums.

    Stocks' balances are left out here: they link a place's hidden cells across every year
    into sets of thousands, too slow to solve again after each cell hidden. A balance with one
    hidden member is caught by the sums' rule, and combinations by the judge (the intruder
    audit), whose findings protection levels fix knowing the balances.
    """
    member = hidden[sums.row] & (sums.kind[sums.sum_id] != BALANCE)
    determined = np.zeros(len(hidden), dtype=bool)
    linked = np.arange(len(hidden))
    if not member.any():
        return determined, linked
    rows, sum_ids = sums.row[member], sums.sum_id[member]
    coefficient = np.where(sums.is_total[member], 1.0, -1.0)
    # Label each hidden cell with the smallest row it is linked to, spreading through sums.
    while True:
        smallest_in_sum = np.full(sums.count, len(hidden))
        np.minimum.at(smallest_in_sum, sum_ids, linked[rows])
        spread = linked.copy()
        np.minimum.at(spread, rows, smallest_in_sum[sum_ids])
        if np.array_equal(spread, linked):
            break
        linked = spread
    # The same count hidden in two measures is one unknown: solve for it once.
    hidden_count = sums.hidden_per_sum(hidden)
    contracted = (sums.kind[sum_ids] == SAME) & (hidden_count[sum_ids] == 2)
    unknown = np.arange(len(hidden))
    first_measure_row = np.full(sums.count, -1, dtype=np.int64)
    first_measure_row[sum_ids[contracted & (coefficient > 0)]] = rows[contracted & (coefficient > 0)]
    unknown[rows[contracted & (coefficient < 0)]] = first_measure_row[sum_ids[contracted & (coefficient < 0)]]
    rows, sum_ids, coefficient = rows[~contracted], sum_ids[~contracted], coefficient[~contracted]
    order = np.lexsort((rows, sum_ids, linked[rows]))
    rows, sum_ids, coefficient = rows[order], sum_ids[order], coefficient[order]
    # Where each set starts, and the end; once the shared counts are contracted there may be
    # no equations left at all (two measures sharing their counts, with no headline row).
    starts = np.append(np.flatnonzero(np.diff(linked[rows], prepend=-1)), len(rows))
    changed_set = np.zeros(len(hidden), dtype=bool)
    changed_set[linked[hidden if newly_hidden is None else newly_hidden & hidden]] = True
    for start, stop in zip(starts[:-1], starts[1:]):
        if not changed_set[linked[rows[start]]]:
            continue
        cells, column = np.unique(unknown[rows[start:stop]], return_inverse=True)
        equations, equation = np.unique(sum_ids[start:stop], return_inverse=True)
        a = np.zeros((len(equations), len(cells)))
        np.add.at(a, (equation, column), coefficient[start:stop])
        determined[cells[_unit_vectors_in_row_space(np.unique(a, axis=0))]] = True
    # A contracted count is determined in both measures or neither.
    determined[hidden] |= determined[unknown[hidden]]
    return determined, linked


def _unit_vectors_in_row_space(a: np.ndarray) -> np.ndarray:
    """Columns i for which e_i is a combination of the rows of ``a``.

    In reduced row echelon form, e_i is in the row space exactly when column i has a pivot
    whose row has no other non-zero entry. Elimination uses plain array arithmetic: LAPACK's
    threads cost more than they save on matrices this small.
    """
    a = a.copy()
    n_rows, n_columns = a.shape
    pivot_row = np.full(n_columns, -1)
    r = 0
    for column in range(n_columns):
        if r == n_rows:
            break
        best = r + int(np.argmax(np.abs(a[r:, column])))
        if abs(a[best, column]) < 1e-9:
            continue
        a[[r, best]] = a[[best, r]]
        a[r] /= a[r, column]
        factors = a[:, column].copy()
        factors[r] = 0.0
        a -= factors[:, None] * a[r]
        pivot_row[column] = r
        r += 1
    non_zero_per_row = (np.abs(a) > 1e-9).sum(axis=1)
    has_pivot = pivot_row >= 0
    pinned = np.zeros(n_columns, dtype=bool)
    pinned[has_pivot] = non_zero_per_row[pivot_row[has_pivot]] == 1
    return pinned


def _pinned_by_range(sums: _Sums, hidden: np.ndarray, counts: np.ndarray, small: tuple[int, int]) -> np.ndarray:
    """Sums whose hidden members are all confidential parts that the range pins down.

    A reader knows each ``[c]`` count lies in the confidential range (the reason says so).
    Where a sum's total is published and its only hidden members are k such counts, their
    sum S is known, and S = k x the smallest (or largest) count in the range fixes every one
    of them (two hidden cells adding up to 2 are both 1). Returns those sums' ids.
    """
    low, high = small
    member_hidden = hidden[sums.row]
    member_counts = np.nan_to_num(counts[sums.row])
    confidential_part = (member_counts >= low) & (member_counts <= high) & ~sums.is_total
    k = np.bincount(sums.sum_id, weights=member_hidden, minlength=sums.count)
    other_hidden = np.bincount(sums.sum_id, weights=member_hidden & ~confidential_part, minlength=sums.count)
    total = np.bincount(sums.sum_id, weights=member_hidden * member_counts, minlength=sums.count)
    pinned = (k >= 2) & (other_hidden == 0) & ((total == k * low) | (total == k * high)) & (sums.kind != SAME)
    return np.flatnonzero(pinned)


def _secondary_suppression(sums: _Sums, primary: np.ndarray, counts: np.ndarray, identity_rank: np.ndarray, small: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hide more cells until no hidden cell can be worked out from the published ones.

    Returns (hidden, exposed, because_of_sum): for each row hidden here, the row it protects
    and the sum that would have given it away (-1 when several sums together would), -1
    elsewhere. Alternates the cheap rule (no sum with one hidden member) with the exact
    check. For a cell still determined (per set of linked hidden cells, the first by
    identity), one more member of its own sums is hidden, or, when those are all hidden
    already, of a sum that touches its linked hidden cells; then the rule runs again.
    """
    n = len(primary)
    hidden = primary.copy()
    exposed = np.full(n, -1, dtype=np.int64)
    because_of_sum = np.full(n, -1, dtype=np.int64)
    checked = np.zeros(n, dtype=bool)
    while True:
        _complete_sums(sums, hidden, counts, identity_rank, exposed, because_of_sum)
        pinned = _pinned_by_range(sums, hidden, counts, small)
        if len(pinned):
            in_pinned = np.isin(sums.sum_id, pinned)
            pick = _best_per_sum(sums, np.flatnonzero(in_pinned & ~hidden[sums.row]), counts, identity_rank)
            lone = np.full(sums.count, -1, dtype=np.int64)
            lone[sums.sum_id[in_pinned & hidden[sums.row]]] = sums.row[in_pinned & hidden[sums.row]]
            for sum_id in pinned:
                if pick[sum_id] >= 0 and not hidden[pick[sum_id]]:
                    hidden[pick[sum_id]] = True
                    exposed[pick[sum_id]] = lone[sum_id]
                    because_of_sum[pick[sum_id]] = sum_id
            continue
        determined, linked = _recoverable(sums, hidden, hidden & ~checked)
        checked = hidden.copy()
        determined = np.flatnonzero(determined)
        if len(determined) == 0:
            return hidden, exposed, because_of_sum
        # The first determined cell of each linked set, taken in content order, not row order.
        determined = determined[np.lexsort((identity_rank[determined], linked[determined]))]
        first_per_set = determined[np.concatenate([[True], linked[determined][1:] != linked[determined][:-1]])]
        first_per_set = first_per_set[np.argsort(identity_rank[first_per_set])]
        hidden_before = hidden.sum()
        member_hidden = hidden[sums.row]
        for row in first_per_set:
            own_sums = sums.sum_id[sums.row == row]
            touching_sums = sums.sum_id[member_hidden & (linked[sums.row] == linked[row])]
            for search in (own_sums, touching_sums):
                options = np.flatnonzero(np.isin(sums.sum_id, search) & ~hidden[sums.row])
                if len(options):
                    rows = sums.row[options]
                    chosen = rows[np.lexsort((identity_rank[rows], counts[rows], sums.is_total[options], counts[rows] == 0))[0]]
                    hidden[chosen] = True
                    exposed[chosen] = row
                    break
        if hidden.sum() == hidden_before:
            # Nothing left to hide around these cells; verify_no_disclosure reports them.
            return hidden, exposed, because_of_sum


def _unit_flags(units: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row: is the unit 'not applicable', and is it a rate or percentage unit.

    Worked out once per distinct unit: a table has a handful of units and many rows.
    """
    distinct, position = np.unique(units.astype(str).to_numpy(), return_inverse=True)
    not_applicable = np.array([re.sub(r"[\s-]+", "_", u.strip().lower()) == "not_applicable" for u in distinct], dtype=bool)
    rate = np.array([RATE_UNIT.match(u) is not None for u in distinct], dtype=bool)
    return not_applicable[position], rate[position]


def _display(values: np.ndarray, hidden: np.ndarray, not_applicable: np.ndarray, as_rate: np.ndarray) -> np.ndarray:
    """Each figure as a reader sees it, or its symbol (the order is in the module doc)."""
    shown = np.full(len(values), NOT_AVAILABLE, dtype=object)
    shown[not_applicable] = NOT_APPLICABLE
    shown[hidden] = CONFIDENTIAL
    has_value = ~np.isnan(values)
    shown[has_value & as_rate] = [f"{v:,.1f}" for v in values[has_value & as_rate]]
    shown[has_value & ~as_rate] = [f"{int(v):,}" for v in values[has_value & ~as_rate]]
    return shown


def _place(code: str, level: str, names: Mapping[str, str]) -> str:
    return names.get(code, "Scotland" if level == "scotland" else code)


def _words(code: str) -> str:
    return code.replace("_", " ")


def _secondary_reasons(table: pd.DataFrame, sums: _Sums, secondary: np.ndarray, exposed: np.ndarray, because_of_sum: np.ndarray, names: Mapping[str, str]) -> list[str]:
    """Why each secondary cell is hidden, naming the figure it protects and the sum (-1: several) that would give it away."""
    measure, code, level, breakdown, category = (table[c].astype(str).to_numpy() for c in ("measure_id", "geography_code", "geography_level", "breakdown", "category"))
    total_of = sums.total_row()
    reasons = []
    for row in np.flatnonzero(secondary):
        protected, sum_id = exposed[row], because_of_sum[row]
        place = _place(code[protected], level[protected], names)
        figure = f"{place} figure" if breakdown[protected] == "total" else f"{place} figure for {_words(category[protected])}"
        if sum_id < 0:
            how = "by combining other published totals"
        elif sums.kind[sum_id] == SAME:
            reasons.append(f"suppressed because the same {figure} is suppressed in {measure[protected]}")
            continue
        elif sums.kind[sum_id] == BALANCE:
            figure, how = f"{figure} in {measure[protected]}", "from the counts at the start and end of a year and the year's flows in and out"
        elif sums.kind[sum_id] == COMPOSED and protected == total_of[sum_id]:
            part = sums.part[sum_id]
            figure, how = f"{place} figure in {measure[protected]}", f"by adding up its {_words(breakdown[part])} figures in {measure[part]}"
        elif sums.kind[sum_id] == COMPOSED:
            figure, how = f"{place} figure for {_words(category[protected])} in {measure[protected]}", f"from the {place} figure in {measure[total_of[sum_id]]}"
        elif sums.kind[sum_id] == WITHIN and breakdown[protected] == "total":
            figure, how = f"{place} total", f"by adding up its {_words(breakdown[sums.part[sum_id]])} figures"
        elif sums.kind[sum_id] == WITHIN:
            how = f"from the {place} total"
        elif level[protected] == "scotland":
            how = "by adding up the councils"
        else:
            how = "from the Scotland total"
        reasons.append(f"suppressed so that the suppressed {figure} cannot be worked out {how}")
    return reasons


def _check_columns(table: pd.DataFrame, extra: tuple[str, ...] = ()) -> None:
    missing = [c for c in REQUIRED_COLUMNS + extra if c not in table.columns]
    if missing:
        raise ValueError(f"disclosure control needs columns {missing}")


def _denominator_hidden_elsewhere(table: pd.DataFrame, hidden: np.ndarray, public_denominators: Collection[str]) -> tuple[np.ndarray, np.ndarray]:
    """Published rows with a count whose denominator equals a count hidden in another measure.

    Returns (flagged, partner): per row, whether it gives a hidden count away through its
    denominator, and the row of that hidden count (-1 elsewhere). Rows are positions.
    """
    keys = table[["period", "geography_code", "breakdown", "category"]].astype(str).reset_index(drop=True)
    counts = table["numerator"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    denominators = table["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    measure = table["measure_id"].astype(str).to_numpy()
    positions = np.arange(len(table))
    asking = ~hidden & ~np.isnan(counts) & ~np.isnan(denominators) & ~np.isin(measure, list(public_denominators))
    held = hidden & ~np.isnan(counts)
    matches = keys[asking].assign(count=denominators[asking], row=positions[asking]).merge(
        keys[held].assign(count=counts[held], partner=positions[held]), on=[*keys.columns, "count"],
    )
    matches = matches[measure[matches["row"]] != measure[matches["partner"]]].drop_duplicates("row")
    flagged = np.zeros(len(table), dtype=bool)
    partner = np.full(len(table), -1, dtype=np.int64)
    flagged[matches["row"].to_numpy()] = True
    partner[matches["row"].to_numpy()] = matches["partner"].to_numpy()
    return flagged, partner


Judge = Callable[[pd.DataFrame], pd.DataFrame]
MAX_JUDGED_ROUNDS = 12  # rounds of judge, then protect; a round that hides nothing ends it too


def apply_disclosure_control(
    measures: pd.DataFrame,
    rule: DisclosureRule = DisclosureRule(),
    *,
    geography_names: Mapping[str, str] | None = None,
    public_denominators: Collection[str] = (),
    compositions: Compositions | None = None,
    balances: Balances | None = None,
    judge: Judge | None = None,
    progress: Callable[[str], None] = lambda message: None,
    keep_hidden: np.ndarray | None = None,
) -> pd.DataFrame:
    """Return a copy of ``measures`` (long format) with the columns a publication may show.

    Adds ``suppression`` ('' published, 'primary' or 'secondary'), ``suppression_reason``
    (plain words), ``numerator_published`` and ``value_published`` (NA where hidden or not
    applicable; ``lower_published``/``upper_published`` likewise when the table has an
    interval in ``lower``/``upper``) and ``value_display`` (the formatted figure or symbol, see the module doc).
    The raw ``numerator`` and ``value`` stay in the copy for checking: publish only the
    added columns. ``geography_names`` (GSS code -> name) lets reasons name places;
    ``public_denominators`` names measures whose denominators are public, ``compositions``
    the composite counts (both in the module doc), ``balances`` the stocks whose year's flows
    in and out are published (``_balance_members``).

    ``judge`` (an intruder audit) is shown each candidate publication (this function's output
    so far) and returns the hidden small cells a reader could still narrow down: their
    ``FIGURE_KEY`` and two flags, ``intruder_a`` (pinned or proved small by a reader who knows
    only that counts are whole and not negative) and ``intruder_b`` (pinned by one who also
    guesses which hidden cells are small). Each is protected by hiding more
    (``interval_protection``), and the judge is asked again, until it finds nothing or a
    round hides nothing more (then the publication gate refuses the edition). ``progress`` is
    told how each round went. ``keep_hidden`` (a flag per row): figures hidden whatever their
    count, as the previous edition hid them, so that no figure is hidden in one edition and
    shown in the next.
    """
    _check_columns(measures)
    duplicated = measures.duplicated(FIGURE_KEY)
    if duplicated.any():
        # A figure listed twice could be published once and hidden once.
        raise ValueError(f"{int(duplicated.sum())} figures appear more than once, e.g. {measures.loc[duplicated, FIGURE_KEY].iloc[0].tolist()}")
    names = geography_names or {}
    table = measures.reset_index(drop=True)
    counts = table["numerator"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    denominators = table["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    derived = ~np.isnan(denominators)

    small_count = rule.is_small(counts)
    small_group = rule.suppress_derived & derived & rule.is_small(denominators)
    primary = small_count | small_group
    held = np.zeros(len(table), dtype=bool) if keep_hidden is None else np.asarray(keep_hidden, dtype=bool)
    sums = _disclosure_sums(table, compositions, balances=balances)
    identity_rank = np.empty(len(table), dtype=np.int64)
    identity_rank[table[FIGURE_KEY].astype(str).sort_values(FIGURE_KEY).index] = np.arange(len(table))
    every_sum = _disclosure_sums(table, compositions, counts_alone=True, balances=balances)
    relations = Relations.from_memberships(every_sum.row, every_sum.sum_id, every_sum.is_total, len(table), every_sum.count)
    standard = Standard(rule.min_count, rule.max_suppressed_count)
    gives_away = np.zeros(len(table), dtype=bool)
    gives_away_partner = np.full(len(table), -1, dtype=np.int64)
    exposed = np.full(len(table), -1, dtype=np.int64)
    because_of_sum = np.full(len(table), -1, dtype=np.int64)
    widened_for = np.full(len(table), -1, dtype=np.int64)
    withheld = np.zeros(len(table), dtype=bool)
    judged_before = np.zeros(len(table), dtype=bool)
    kept = primary | held  # what secondary suppression starts from: the small cells and those hidden before, then whatever protection hid
    rounds = 0
    settled = False  # no sum has one hidden member and nothing hidden is determined exactly
    while True:
        if not settled:
            hidden, exposed_now, because_now = _secondary_suppression(sums, kept | gives_away, counts, identity_rank, (rule.min_count, rule.max_suppressed_count))
            new = exposed < 0
            exposed[new], because_of_sum[new] = exposed_now[new], because_now[new]
            settled = True
        flagged, partner = _denominator_hidden_elsewhere(table, hidden, public_denominators) if rule.suppress_derived else (np.zeros(len(table), bool), None)
        if flagged.any():
            gives_away |= flagged
            gives_away_partner[flagged] = partner[flagged]
            settled = False
            continue
        if judge is None or rounds == MAX_JUDGED_ROUNDS:
            break
        rounds += 1
        started = time.perf_counter()
        # The judge sees what a reader would: the figures left out are not there.
        failing = _judged(table, judge(_presented(table, hidden, primary, rule, withheld)[~withheld]))
        judged = time.perf_counter()
        withheld_before = int(withheld.sum())
        added = _protect_all(sums, relations, counts, hidden, withheld, judged_before, failing, identity_rank, standard, widened_for)
        progress(
            f"protection round {rounds}: the judge found {len(failing):,} hidden small cells a reader could narrow down "
            f"({judged - started:.1f} s); {int(added.sum()):,} more cells hidden and {int(withheld.sum()) - withheld_before:,} left out "
            f"to protect them ({time.perf_counter() - judged:.1f} s)"
        )
        if not added.any() and int(withheld.sum()) == withheld_before:
            break
        # Every cell a perturbation moves can move, so none of them is determined exactly and
        # no sum it touches has one hidden member: the sums stay settled.
        hidden = kept = hidden | added | withheld
    published = _presented(table, hidden, primary, rule, withheld)
    published.index = measures.index
    secondary = hidden & ~primary & ~withheld
    rate_unit = _unit_flags(table["unit"])[1]
    reasons = np.full(len(table), "", dtype=object)
    counted_in_unit = ~derived & ~rate_unit
    reasons[small_count & counted_in_unit] = (f"{rule.in_words()} " + table["unit"].astype(str))[small_count & counted_in_unit]
    reasons[small_count & ~counted_in_unit] = f"made from a count of {rule.in_words()}"
    reasons[small_group & ~small_count] = f"worked out from a group of {rule.in_words()}"
    by_sums = secondary & ~gives_away & (widened_for < 0) & ~held
    reasons[by_sums] = _secondary_reasons(table, sums, by_sums, exposed, because_of_sum, names)
    for row in np.flatnonzero(secondary & (widened_for >= 0) & ~held):
        other = table.iloc[widened_for[row]]
        figure = _place(other.geography_code, other.geography_level, names) + (" figure" if other.breakdown == "total" else f" figure for {_words(other.category)}")
        reasons[row] = f"suppressed so that the suppressed {figure} in {other.measure_id} cannot be narrowed down by combining published figures"
    reasons[secondary & held] = "hidden as in the previous edition, so that the two editions side by side show nothing more than one"
    reasons[withheld] = "left out of the edition: whatever else is hidden, a reader could narrow it down from the published figures"
    for row in np.flatnonzero(gives_away & ~withheld & ~held):
        other = table.iloc[gives_away_partner[row]]
        reasons[row] = f"suppressed because its denominator is the same {_place(other.geography_code, other.geography_level, names)} figure that is suppressed in {other.measure_id}"
    published["suppression_reason"] = reasons
    return published


def _presented(table: pd.DataFrame, hidden: np.ndarray, primary: np.ndarray, rule: DisclosureRule, withheld: np.ndarray) -> pd.DataFrame:
    """``table`` with the publication's columns for this choice of hidden cells: 'withheld' rows
    are to be left out of the edition (they are hidden like the others here)."""
    published = table.copy()
    numerator = published["numerator"].astype("Int64")
    denominators = published["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    values = published["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    derived = ~np.isnan(denominators)
    not_applicable, rate_unit = _unit_flags(published["unit"])
    value_hidden = hidden & (~derived | rule.suppress_derived)
    shown_values = np.where(value_hidden | not_applicable, np.nan, values)
    as_rate = derived | rate_unit | (np.floor(values) != values)
    published["suppression"] = np.select([withheld, primary, hidden & ~primary], [WITHHELD, "primary", "secondary"], "")
    published["numerator_published"] = numerator.mask(hidden)
    published["value_published"] = pd.array(shown_values, dtype="Float64")
    for bound in ("lower", "upper"):
        # An interval around a hidden value would give the value away.
        if bound in published:
            published[f"{bound}_published"] = published[bound].astype("Float64").mask(value_hidden | not_applicable)
    published["value_display"] = _display(shown_values, value_hidden, not_applicable, as_rate)
    return published


def _judged(table: pd.DataFrame, failing: pd.DataFrame) -> pd.DataFrame:
    """The judge's failing cells as row positions of ``table`` with their two flags."""
    keys = table[FIGURE_KEY].astype(str).assign(row=np.arange(len(table)))
    found = failing.astype({k: str for k in FIGURE_KEY}).merge(keys, on=FIGURE_KEY, validate="one_to_one")
    return found[["row", "intruder_a", "intruder_b"]]


def _protect_all(sums: _Sums, relations: Relations, counts: np.ndarray, hidden: np.ndarray, withheld: np.ndarray, judged_before: np.ndarray, failing: pd.DataFrame, identity_rank: np.ndarray, standard: Standard, widened_for: np.ndarray) -> np.ndarray:
    """Protect each failing cell in turn (by identity, so the choice is deterministic); each
    sees what the ones before it hid. Returns the figures hidden and records whom they protect.

    A cell no perturbation can protect (a reader who guesses which cells are small would pin
    it whatever else is hidden: four councils' 1s under Scotland's 4) is left out of the
    edition, with the same count in any other measure (``withheld``, updated in place): a
    figure that is not there is no ``[c]`` to guess about. So is a cell the judge names again
    though it was protected in an earlier round (``judged_before``, updated in place): the
    judge knows a relation the sums here do not.
    """
    now = hidden.copy()
    failing = failing.iloc[np.argsort(identity_rank[failing["row"].to_numpy()], kind="stable")]
    for row, upwards, either_way in failing.itertuples(index=False):
        again = judged_before[row]
        judged_before[row] = True
        for up in [True] * bool(upwards) + [False] * bool(either_way):
            moves = protect(relations, counts, now, int(row), upwards=up, standard=standard, unmarked=withheld)
            if (moves is None or (again and not len(moves))) and not withheld[row]:
                withheld[_same_count(sums, int(row))] = True
            elif moves is not None and len(moves):
                now[moves] = True
                widened_for[moves] = row
    return now & ~hidden & ~withheld


def _same_count(sums: _Sums, row: int) -> np.ndarray:
    """``row`` and the rows holding the same count in other measures."""
    same = np.isin(sums.sum_id, sums.sum_id[(sums.row == row) & (sums.kind[sums.sum_id] == SAME)])
    return np.union1d([row], sums.row[same])


def _figure(row: tuple) -> str:
    """A figure's identity, for messages: a row from ``itertuples``."""
    return f"{row.measure_id} {row.period} {row.geography_code} {row.breakdown}={row.category}"


def _whole(count: float) -> str:
    return "" if np.isnan(count) else str(int(count))


def verify_no_disclosure(published: pd.DataFrame, rule: DisclosureRule = DisclosureRule(), public_denominators: Collection[str] = (), compositions: Compositions | None = None, balances: Balances | None = None) -> list[str]:
    """Every way a published table breaks the rule, in words; empty when it is safe to publish.

    Checks the output independently of how it was made: no count in the confidential range
    is shown, nothing hidden shows its count or (for derived values, when the rule hides
    them) its value, no rate from a group in that range is shown, no additive sum has
    exactly one hidden member, no hidden figure can be worked out from the published
    ones by combining sums, and no published share gives away its denominator where that
    count is hidden in another measure (``public_denominators`` exempt, as in
    ``apply_disclosure_control``). Declared composite counts (``compositions``) and stocks'
    balances (``balances``) are sums too.
    """
    _check_columns(published, ("suppression", "numerator_published", "value_published", "value_display"))
    table = published.reset_index(drop=True)
    hidden = table["suppression"].fillna("").ne("").to_numpy()
    counts = table["numerator"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    shown_counts = table["numerator_published"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    shown_values = table["value_published"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    denominators = table["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    derived = ~np.isnan(denominators)
    must_hide_value = hidden & (~derived | rule.suppress_derived)

    problems = [
        (rule.is_small(counts) & ~hidden, "a count {n} is not suppressed"),
        (rule.is_small(shown_counts), "a count {shown} is published"),
        (hidden & ~np.isnan(shown_counts), "the count is published although the figure is suppressed"),
        (must_hide_value & ~np.isnan(shown_values), "the value is published although its count is suppressed"),
        (must_hide_value & table["value_display"].ne(CONFIDENTIAL).to_numpy(), "the figure is suppressed but not shown as [c]"),
        (rule.suppress_derived & derived & rule.is_small(denominators) & ~hidden, "a rate from a group of {rule} is published"),
    ]
    violations = [
        f"{_figure(r)}: " + message.format(n=_whole(counts[i]), shown=_whole(shown_counts[i]), rule=rule.in_words())
        for flagged, message in problems
        for i, r in zip(np.flatnonzero(flagged), table.iloc[np.flatnonzero(flagged)].itertuples())
    ]
    sums = _disclosure_sums(table, compositions, balances=balances)
    measure = table["measure_id"].astype(str).to_numpy()
    total_of = sums.total_row()

    def where(kind: int, r, sum_id: int) -> str:
        if kind == WITHIN:
            return f"{r.measure_id} {r.period} {r.geography_code} {r.breakdown} categories and total"
        if kind == COMPOSED:
            return f"{measure[total_of[sum_id]]} {r.period} {r.geography_code} and the {r.breakdown} categories of {r.measure_id} it adds up"
        if kind == BALANCE:
            return f"{r.period} {r.geography_code} {r.breakdown}={r.category}: a stock at the year's end, at its start, and the year's flows in and out"
        return f"{r.measure_id} {r.period} {r.breakdown}={r.category} across councils and Scotland"

    single = np.flatnonzero(sums.hidden_per_sum(hidden) == 1)
    for sum_id, kind, r in zip(single, sums.kind[single], table.iloc[sums.part[single]].itertuples()):
        if kind == SAME:
            violations.append(f"{_figure(r)}: the same count is suppressed in one measure and published in another")
            continue
        violations.append(f"{where(kind, r, sum_id)}: exactly one figure is suppressed, so it can be worked out by subtraction")
    if rule.suppress_derived:
        flagged, partner = _denominator_hidden_elsewhere(table, hidden, public_denominators)
        violations += [
            f"{_figure(r)}: its count and value give away its denominator, suppressed in {table.measure_id.iloc[p]}"
            for r, p in zip(table.iloc[np.flatnonzero(flagged)].itertuples(), partner[flagged])
        ]
    pinned = _pinned_by_range(sums, hidden, counts, (rule.min_count, rule.max_suppressed_count))
    for sum_id, kind, r in zip(pinned, sums.kind[pinned], table.iloc[sums.part[pinned]].itertuples()):
        violations.append(f"{where(kind, r, sum_id)}: the suppressed figures are all {rule.in_words()} and their sum pins each of them down")
    recoverable = np.flatnonzero(_recoverable(sums, hidden)[0])
    violations += [f"{_figure(r)}: the suppressed figure can be worked out from the published ones" for r in table.iloc[recoverable].itertuples()]
    return violations
