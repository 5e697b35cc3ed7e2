"""The intruder audit (assets/disclosure/intruder_audit.py) on tables small enough to work out by hand,
and against brute force: every whole-number filling of the hidden cells consistent with what
is published, enumerated, gives each cell's least and greatest value for both intruders.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from unittest.mock import patch

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from assets.disclosure import intruder_audit as disclosure_audit
from assets.disclosure.intruder_audit import audit_disclosure

SCOTLAND = "S92000003"
COUNCILS = ("S12000005", "S12000006", "S12000008", "S12000010", "S12000011", "S12000013")


@dataclass(frozen=True)
class Figure:
    measure_id: str
    geography_code: str
    breakdown: str
    category: str
    numerator: float | None
    denominator: float | None = None
    hidden: bool = False
    unit: str = "children"
    period: str = "2021"
    publish_numerator: bool = True
    publish_denominator: bool = True


def edition(figures: list[Figure]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(published, truth) as the mart would hold them: a count's value is its numerator, a
    rate's is numerator / denominator times the unit's scale, rounded; a hidden row shows
    only ``[c]`` (and its denominator where that is public)."""
    truth, published = [], []
    for f in figures:
        level = "scotland" if f.geography_code == SCOTLAND else "council"
        if f.denominator is None:
            value = float(f.numerator)
            display = f"{value:,.0f}"
        else:
            scale = 100.0 if f.unit == "percent" else 1000.0
            value = round(scale * f.numerator / f.denominator, 1)
            display = f"{value:.1f}"
        key = {"measure_id": f.measure_id, "period": f.period, "geography_code": f.geography_code, "geography_level": level,
               "breakdown": f.breakdown, "category": f.category, "unit": f.unit}
        truth.append({**key, "numerator": f.numerator, "denominator": f.denominator, "value": value})
        published.append({
            **key,
            "numerator_published": None if f.hidden or not f.publish_numerator else f.numerator,
            "denominator_published": f.denominator if f.publish_denominator else None,
            "value_published": None if f.hidden else value,
            "value_display": "[c]" if f.hidden else display,
        })
    truth_frame = pd.DataFrame(truth).astype({"numerator": "Int64", "denominator": "Float64", "value": "Float64"})
    published_frame = pd.DataFrame(published).astype({"numerator_published": "Int64", "denominator_published": "Float64", "value_published": "Float64"})
    return published_frame, truth_frame


def interval(audit, measure_id: str, geography_code: str, category: str) -> tuple[float, float, float, float]:
    rows = audit.intervals
    [row] = rows[(rows["measure_id"] == measure_id) & (rows["geography_code"] == geography_code) & (rows["category"] == category)].itertuples()
    return row.low_a, row.high_a, row.low_b, row.high_b


def breakdown(measure_id: str, place: str, counts: dict[str, int], hidden: set[str], **kw) -> list[Figure]:
    """A place's published headline and its categories by sex (or any names), some of them hidden."""
    return [Figure(measure_id, place, "total", "total", sum(counts.values()), **kw)] + [
        Figure(measure_id, place, "sex", c, n, hidden=c in hidden, **kw) for c, n in counts.items()
    ]


# --- by hand -----------------------------------------------------------------------------

def test_a_single_hidden_cell_beside_its_published_total_is_pinned():
    published, truth = edition(breakdown("looked_after", COUNCILS[0], {"F": 3, "M": 7}, hidden={"F"}))
    audit = audit_disclosure(published, truth)
    assert audit.cells_audited == 1
    assert interval(audit, "looked_after", COUNCILS[0], "F") == (3, 3, 3, 3)
    assert not audit.passed
    [failure] = audit.failures
    assert "looked_after, 2021, S12000005, sex=F" in failure and "intruder (a) pins it exactly" in failure


def test_two_small_cells_hidden_in_a_sum_of_two_are_pinned_by_intruder_b_only():
    published, truth = edition(breakdown("looked_after", COUNCILS[0], {"F": 1, "M": 1, "X": 20}, hidden={"F", "M"}))
    audit = audit_disclosure(published, truth, allow_provably_small=True, exact_intervals=True)
    assert audit.cells_audited == 2
    assert interval(audit, "looked_after", COUNCILS[0], "F") == (0, 2, 1, 1)
    assert len(audit.failures) == 2
    assert all("intruder (b) pins it exactly" in f and "intruder (a) pins" not in f for f in audit.failures)
    # Without the configuration, intruder (a) proving it is below 5 is a failure of its own.
    strict = audit_disclosure(published, truth)
    assert all("intruder (a) proves it is below 5" in f for f in strict.failures)


def test_an_earlier_verdict_is_given_again_only_for_exactly_the_same_figures_and_settings():
    """The publication gate audits the mart as stored; when that is what the suppression's judge
    last audited, read the same way (row order and dtypes aside), its verdict is given again."""
    published, truth = edition(breakdown("looked_after", COUNCILS[0], {"F": 3, "M": 7}, hidden={"F"}))
    first = audit_disclosure(published, truth)
    assert not first.passed and not first.repeated
    reordered = published.iloc[::-1].reset_index(drop=True).astype({"numerator_published": "float64", "value_published": "float64"})
    again = audit_disclosure(reordered, truth, earlier=first)
    assert again.repeated and again.failures == first.failures
    # The total hidden too: other figures, so audited afresh (and now the cell is safe).
    both = published.assign(value_display=["[c]", "[c]", "7"], value_published=pd.array([None, None, 7.0], dtype="Float64"), numerator_published=pd.array([None, None, 7], dtype="Int64"))
    fresh = audit_disclosure(both, truth, earlier=first)
    assert not fresh.repeated and fresh.passed
    # The same figures under another setting are audited afresh too.
    assert not audit_disclosure(published, truth, allow_provably_small=True, earlier=first).repeated
    assert not audit_disclosure(published, truth.assign(numerator=truth["numerator"].where(truth["category"] != "M", 8)), earlier=first).repeated


def test_a_part_an_earlier_audit_settled_is_not_solved_again_and_a_changed_part_is():
    """Two independent parts: a safe table (one council's four inner cells hidden around
    published margins) and a pinned one. Audited again with the first audit's memo, both parts
    are taken from it with the same verdict; once the safe table's margins change so that its
    small cell is pinned, that part alone is solved again, and the edition fails as a fresh
    audit says it does."""
    def figures(b_count: int, hide_b: bool) -> list[Figure]:
        safe = []
        for council, (a, b) in zip(COUNCILS, ((2, b_count), (8, 9))):
            safe += breakdown("looked_after", council, {"A": a, "B": b}, hidden={"A", "B"} if hide_b or council != COUNCILS[0] else {"A"})
        safe += breakdown("looked_after", SCOTLAND, {"A": 10, "B": b_count + 9}, hidden=set())
        pinned = breakdown("restraint_incidents", COUNCILS[2], {"F": 3, "M": 7}, hidden={"F"}, unit="incidents")
        return safe + pinned

    published, truth = edition(figures(10, hide_b=True))
    first = audit_disclosure(published, truth)
    assert first.components == 2 and first.components_reused == 0 and len(first.memo) == 2
    again = audit_disclosure(published, truth, memo=first.memo)
    assert again.components_reused == 2 and again.failures == first.failures and len(again.failures) == 1
    # The first council's B published: its hidden A is now pinned by subtraction.
    changed, changed_truth = edition(figures(10, hide_b=False))
    with_memo = audit_disclosure(changed, changed_truth, memo=first.memo)
    fresh = audit_disclosure(changed, changed_truth)
    assert with_memo.components_reused == 1
    assert sorted(with_memo.failures) == sorted(fresh.failures) and len(fresh.failures) == 2
    # Another setting is another question: nothing is reused.
    assert audit_disclosure(published, truth, allow_provably_small=True, memo=first.memo).components_reused == 0


def restraint_example(seclusion: dict[str, int], others: dict[str, dict[str, int]]) -> list[Figure]:
    """Restraint incidents by practice: each council's seclusion and its total hidden, its other
    practices published; Scotland's figures all published."""
    figures = []
    for council, count in seclusion.items():
        counts = {"seclusion": count, **others[council]}
        figures.append(Figure("restraint_incidents", council, "total", "total", sum(counts.values()), hidden=True, unit="incidents"))
        figures += [Figure("restraint_incidents", council, "practice", p, n, hidden=p == "seclusion", unit="incidents") for p, n in counts.items()]
    practices = ["seclusion", *next(iter(others.values()))]
    scotland = {p: sum(({"seclusion": seclusion[c], **others[c]})[p] for c in seclusion) for p in practices}
    figures.append(Figure("restraint_incidents", SCOTLAND, "total", "total", sum(scotland.values()), unit="incidents"))
    figures += [Figure("restraint_incidents", SCOTLAND, "practice", p, n, unit="incidents") for p, n in scotland.items()]
    return figures


def test_restraint_example_from_issue_11_is_pinned_by_intruder_b():
    # Five councils' seclusion hidden (1, 1, 1, 1, 2), Scotland's 6 published, each council's
    # other practices published. The council with 2 has 3 other incidents, so its hidden total
    # is 5: intruder (b), knowing that total is not small, puts its seclusion at 2 or more, and
    # with the other four at 1 or more the six are spoken for.
    seclusion = dict(zip(COUNCILS[:5], (2, 1, 1, 1, 1)))
    others = {c: {"physical_restraint": 3 if c == COUNCILS[0] else 10 + i, "other_restrictive": 0} for i, c in enumerate(COUNCILS[:5])}
    published, truth = edition(restraint_example(seclusion, others))
    audit = audit_disclosure(published, truth, exact_intervals=True)
    assert audit.cells_audited == 5
    for council, count in seclusion.items():
        low_a, high_a, low_b, high_b = interval(audit, "restraint_incidents", council, "seclusion")
        assert (low_b, high_b) == (count, count)
        assert (low_a, high_a) == (0, 5)  # 6 or less, shown as "5 or more"
    assert len(audit.failures) == 5 and all("intruder (b) pins it exactly" in f for f in audit.failures)
    assert "[2, 2]" in audit.narrowest or "[1, 1]" in audit.narrowest


def test_restraint_example_passes_once_the_councils_totals_leave_room():
    # Same table but every council has many other incidents: no hidden total is near 5, and
    # five small counts adding up to 9 leave each of them room.
    seclusion = dict(zip(COUNCILS[:5], (2, 1, 3, 1, 2)))
    others = {c: {"physical_restraint": 10 + i, "other_restrictive": 2} for i, c in enumerate(COUNCILS[:5])}
    published, truth = edition(restraint_example(seclusion, others))
    audit = audit_disclosure(published, truth)
    assert audit.cells_audited == 5
    assert audit.passed, audit.failures


def test_a_composite_ties_two_measures_together():
    # at home (3) and foster (4) hidden, their sum known from the total; the published share in
    # family settings (at home + kinship) gives at home away.
    placements = {"at_home": 3, "kinship": 10, "foster": 4, "residential": 13}
    figures = [Figure("looked_after", COUNCILS[0], "total", "total", sum(placements.values()))]
    figures += [Figure("looked_after", COUNCILS[0], "placement_type", p, n, hidden=p in ("at_home", "foster")) for p, n in placements.items()]
    figures.append(Figure("family_settings", COUNCILS[0], "total", "total", 13))
    published, truth = edition(figures)
    without = audit_disclosure(published, truth)
    assert without.passed, without.failures
    composed = audit_disclosure(published, truth, compositions={"family_settings": ("looked_after", "placement_type", ("at_home", "kinship"))})
    assert interval(composed, "looked_after", COUNCILS[0], "at_home")[:2] == (3, 3)
    assert any("looked_after, 2021, S12000005, placement_type=at_home" in f for f in composed.failures)


def test_a_count_shared_by_a_count_measure_and_its_rate_is_pinned_through_the_rounded_rate():
    # Count: 9 = F 3 (hidden) + M 6 (hidden). Rate per 1,000: M's 3.0 over a public 2,000
    # puts M at 6 (5.9 to 6.1), so F is 3 in both measures.
    count = breakdown("looked_after", COUNCILS[0], {"F": 3, "M": 6}, hidden={"F", "M"})
    population = {"total": 4000, "F": 2000, "M": 2000}
    rate = [Figure("looked_after_rate", COUNCILS[0], f.breakdown, f.category, f.numerator, population[f.category], hidden=f.category == "F",
                   unit="per 1,000 children aged 0-17", publish_numerator=False) for f in count]
    published, truth = edition(count + rate)
    alone = audit_disclosure(*edition(count))
    assert alone.passed, alone.failures
    audit = audit_disclosure(published, truth)
    assert audit.cells_audited == 2  # F in both measures
    assert {f.split(":")[0] for f in audit.failures} == {"looked_after, 2021, S12000005, sex=F", "looked_after_rate, 2021, S12000005, sex=F"}
    assert all("intruder (a) pins it exactly" in f for f in audit.failures)


def test_a_share_whose_denominator_is_a_count_hidden_elsewhere_gives_it_away():
    # Looked after: 20 = F 3 (hidden) + M 17 (hidden). The share of boys at home, 10 of 17 =
    # 58.8%, is published with its numerator: its denominator is 1000/58.85 to 1000/58.75,
    # so 17, and that is M's hidden count.
    count = breakdown("looked_after", COUNCILS[0], {"F": 3, "M": 17}, hidden={"F", "M"})
    share = [
        Figure("at_home_share", COUNCILS[0], "total", "total", 11, 20, unit="percent", publish_denominator=False),
        Figure("at_home_share", COUNCILS[0], "sex", "F", 1, 3, hidden=True, unit="percent", publish_denominator=False),
        Figure("at_home_share", COUNCILS[0], "sex", "M", 10, 17, unit="percent", publish_denominator=False),
    ]
    assert audit_disclosure(*edition(count)).passed
    audit = audit_disclosure(*edition(count + share))
    assert interval(audit, "looked_after", COUNCILS[0], "F")[:2] == (3, 3)
    assert any(f.startswith("looked_after, 2021, S12000005, sex=F") for f in audit.failures)


def test_a_hidden_share_is_capped_by_its_group_published_in_another_measure():
    # The same care-experienced leavers, by sex, in two measures. At follow-up: girls 8 of 9,
    # boys 5 of 5, published. At first: 13 of 14 in all, published, and by sex hidden with
    # their groups. No more than all 9 girls, so at least 4 boys; no more than all 5 boys:
    # a reader who knows the boys' count is small has it at 4.
    place = COUNCILS[1]
    initial = [
        Figure("initial_share", place, "total", "total", 13, 14, unit="percent"),
        Figure("initial_share", place, "sex", "F", 9, 9, hidden=True, unit="percent", publish_denominator=False),
        Figure("initial_share", place, "sex", "M", 4, 5, hidden=True, unit="percent", publish_denominator=False),
    ]
    followup = [
        Figure("followup_share", place, "total", "total", 13, 14, unit="percent"),
        Figure("followup_share", place, "sex", "F", 8, 9, unit="percent"),
        Figure("followup_share", place, "sex", "M", 5, 5, unit="percent"),
    ]
    assert audit_disclosure(*edition(initial)).passed
    audit = audit_disclosure(*edition(initial + followup))
    low_a, high_a, low_b, high_b = interval(audit, "initial_share", place, "M")
    assert (low_a, high_a) == (4, 5) and (low_b, high_b) == (4, 4)
    assert any(f.startswith(f"initial_share, 2021, {place}, sex=M") and "intruder (b) pins it exactly" in f for f in audit.failures)


def test_a_well_protected_table_passes():
    # Two councils by two categories, all four inner cells hidden, margins published: each
    # small cell can move with the others around the table.
    figures = []
    for council, (a, b) in zip(COUNCILS, ((2, 10), (8, 9))):
        figures += breakdown("looked_after", council, {"A": a, "B": b}, hidden={"A", "B"})
    figures += breakdown("looked_after", SCOTLAND, {"A": 10, "B": 19}, hidden=set())
    published, truth = edition(figures)
    audit = audit_disclosure(published, truth, exact_intervals=True)
    assert audit.cells_audited == 1
    assert interval(audit, "looked_after", COUNCILS[0], "A") == (0, 5, 1, 4)
    assert audit.passed and audit.failures == []
    assert "[1, 4]" in audit.narrowest
    # The default (verdict only) mode agrees.
    assert audit_disclosure(published, truth).passed


def test_an_edition_with_nothing_hidden_passes():
    published, truth = edition(breakdown("looked_after", COUNCILS[0], {"F": 30, "M": 7}, hidden=set()))
    audit = audit_disclosure(published, truth)
    assert audit.passed and audit.cells_audited == 0 and audit.intervals.empty


def test_a_count_leaked_beside_its_c_is_pinned():
    published, truth = edition(breakdown("looked_after", COUNCILS[0], {"F": 3, "M": 9, "X": 8}, hidden={"F", "M"}))
    published.loc[published["category"] == "F", "numerator_published"] = 3
    audit = audit_disclosure(published, truth)
    assert any("sex=F" in f and "pins it exactly" in f for f in audit.failures)


def left_out(published: pd.DataFrame, measure_id: str, geography_code: str, category: str) -> pd.DataFrame:
    """The edition without one figure (disclosure control can leave a figure out altogether)."""
    gone = published["measure_id"].eq(measure_id) & published["geography_code"].eq(geography_code) & published["category"].eq(category)
    return published[~gone]


def test_a_figure_left_out_is_still_pinned_by_subtraction():
    published, truth = edition(breakdown("looked_after", COUNCILS[0], {"F": 3, "M": 7}, hidden=set()))
    audit = audit_disclosure(left_out(published, "looked_after", COUNCILS[0], "F"), truth)
    assert audit.cells_audited == 1 and not audit.passed
    assert "intruder (a) pins it exactly" in audit.failures[0]


def test_a_figure_left_out_shows_no_c_so_intruder_b_cannot_use_its_smallness():
    # Four councils' 1s under Scotland's hidden 4: intruder (b), knowing all five are small,
    # pins every one (four cells of at least 1 adding up to at most 4). Left out, a council's
    # figure is no [c], so (b) knows only that it is 0 or more, and the others can move.
    figures = []
    for i, council in enumerate(COUNCILS[:4]):
        figures += breakdown("looked_after", council, {"A": 1, "B": 20 + i}, hidden={"A", "B"})
    figures += breakdown("looked_after", COUNCILS[4], {"A": 0, "B": 30}, hidden=set())
    figures += [Figure("looked_after", SCOTLAND, "total", "total", 4 + 20 + 21 + 22 + 23 + 30), Figure("looked_after", SCOTLAND, "sex", "A", 4, hidden=True), Figure("looked_after", SCOTLAND, "sex", "B", 116, hidden=True)]
    published, truth = edition(figures)
    pinned = audit_disclosure(published, truth)
    assert any("S12000005, sex=A" in f and "intruder (b) pins it exactly" in f for f in pinned.failures)
    audit = audit_disclosure(left_out(published, "looked_after", COUNCILS[0], "A"), truth)
    assert audit.cells_audited == 5  # the left-out figure is audited too
    assert audit.passed, audit.failures


# --- against brute force -----------------------------------------------------------------

CATEGORIES = ("A", "B", "C")


@st.composite
def small_tables(draw):
    """Two councils by three categories (counts 0..8), with margins and Scotland: every
    small figure hidden, as primary suppression would, and some others beside them (but
    never Scotland's total, so every hidden count is bounded)."""
    inner = np.array(draw(st.lists(st.integers(0, 8), min_size=6, max_size=6))).reshape(2, 3)
    table = full_table(inner)
    cells = [(c, k) for c in range(3) for k in range(4) if (c, k) != (2, 3)]  # council 2 is Scotland, category 3 the total
    small = {cell for cell in cells if 1 <= table[cell] < 5}
    hidden = small | draw(st.sets(st.sampled_from(cells), max_size=5))
    assume(small)
    return inner, hidden


def full_table(inner: np.ndarray) -> np.ndarray:
    table = np.zeros((3, 4), dtype=int)
    table[:2, :3] = inner
    table[:2, 3] = inner.sum(axis=1)
    table[2] = table[:2].sum(axis=0)
    return table


def fillings(inner: np.ndarray, hidden: set) -> np.ndarray:
    """Every whole-number table (fillings x 3 x 4) that shows what the edition shows.

    The hidden inner cells are enumerated, each from 0 to the smallest published figure it
    is part of (Scotland's total always is); the margins follow from them."""
    truth = full_table(inner)
    free = [(c, k) for c in range(2) for k in range(3) if (c, k) in hidden]
    shown = [cell for cell in itertools.product(range(3), range(4)) if cell not in hidden]
    limits = [min(truth[cell] for cell in shown if cell in ((c, 3), (2, k), (2, 3))) for c, k in free]
    grid = np.stack(np.meshgrid(*[np.arange(m + 1) for m in limits], indexing="ij"), axis=-1).reshape(-1, len(free)) if free else np.zeros((1, 0), dtype=int)
    tables = np.broadcast_to(full_table(inner), (len(grid), 3, 4)).copy()
    for i, (c, k) in enumerate(free):
        tables[:, c, k] = grid[:, i]
    tables[:, :2, 3] = tables[:, :2, :3].sum(axis=2)
    tables[:, 2] = tables[:, :2].sum(axis=1)
    consistent = np.all([tables[:, c, k] == truth[c, k] for c, k in shown], axis=0)
    return tables[consistent]


def brute_force(inner: np.ndarray, hidden: set, smallest_safe: int) -> dict:
    """Each hidden small cell's least and greatest value for both intruders, by enumeration
    (intruder (a)'s greatest stops at smallest_safe, as the audit reports it)."""
    truth = full_table(inner)
    tables = fillings(inner, hidden)
    small = [cell for cell in hidden if 1 <= truth[cell] < smallest_safe]
    others = [cell for cell in hidden if cell not in small]
    knows = np.all([(tables[:, c, k] >= 1) & (tables[:, c, k] < smallest_safe) for c, k in small]
                   + [(tables[:, c, k] == 0) | (tables[:, c, k] >= smallest_safe) for c, k in others], axis=0)
    result = {}
    for c, k in small:
        a, b = tables[:, c, k], tables[knows, c, k]
        result[(c, k)] = (a.min(), min(a.max(), smallest_safe), b.min(), b.max())
    return result


def enumerable(table) -> bool:
    inner, hidden = table
    truth = full_table(inner)
    free = [(c, k) for c in range(2) for k in range(3) if (c, k) in hidden]
    shown = [cell for cell in itertools.product(range(3), range(4)) if cell not in hidden]
    return math.prod(1 + min(truth[cell] for cell in shown if cell in ((c, 3), (2, k), (2, 3))) for c, k in free) <= 200_000


def table_figures(inner: np.ndarray, hidden: set, period: str = "2021") -> list[Figure]:
    table = full_table(inner)
    places = (*COUNCILS[:2], SCOTLAND)
    figures = []
    for c, place in enumerate(places):
        figures.append(Figure("looked_after", place, "total", "total", int(table[c, 3]), hidden=(c, 3) in hidden, period=period))
        figures += [Figure("looked_after", place, "placement", CATEGORIES[k], int(table[c, k]), hidden=(c, k) in hidden, period=period) for k in range(3)]
    return figures


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(small_tables().filter(enumerable), min_size=1, max_size=3))
def test_intervals_match_brute_force_on_tiny_tables(tables):
    """Each period is a table of its own; audited together, their components are solved side by side."""
    periods = [str(2019 + p) for p in range(len(tables))]
    published, truth = edition([f for period, (inner, hidden) in zip(periods, tables) for f in table_figures(inner, hidden, period)])
    audit = audit_disclosure(published, truth, exact_intervals=True)
    quick = audit_disclosure(published, truth)
    # Every component counted as large: improvement rounds ask four cells at a time for a witness.
    with patch.object(disclosure_audit, "BATCH_UNKNOWNS", 1), patch.object(disclosure_audit, "CHOSEN_PER_PROOF", 4):
        as_large = audit_disclosure(published, truth, exact_intervals=True)
    pd.testing.assert_frame_equal(as_large.intervals, audit.intervals)
    fails = {tuple(f.split(":")[0].split(", ")[1:4]) for f in quick.failures}
    places = (*COUNCILS[:2], SCOTLAND)
    categories = (*CATEGORIES, "total")
    audited = 0
    for period, (inner, hidden) in zip(periods, tables):
        expected = brute_force(inner, hidden, 5)
        audited += len(expected)
        for (c, k), bounds in expected.items():
            [row] = audit.intervals[(audit.intervals["period"] == period) & (audit.intervals["geography_code"] == places[c])
                                   & (audit.intervals["category"] == categories[k])].itertuples()
            assert (row.low_a, row.high_a, row.low_b, row.high_b) == bounds, (inner.tolist(), hidden, (c, k))
            # The quick mode reaches the same verdict on every cell.
            low_a, high_a, low_b, high_b = bounds
            failing = low_a == high_a or high_a < 5 or low_b == high_b
            cell = (period, places[c], f"{'total' if k == 3 else 'placement'}={categories[k]}")
            assert (cell in fails) == failing, (inner.tolist(), hidden, cell)
    assert audit.cells_audited == audited


@st.composite
def counts_and_rates(draw):
    """A council's looked after children by sex (counts 0..9) and the same counts as rates
    per 1,000 of a public population (so the rounding of a published rate narrows its count);
    each measure hides every small figure and, independently, some others."""
    counts = draw(st.lists(st.integers(0, 9), min_size=2, max_size=2))
    population = draw(st.lists(st.integers(5_000, 60_000), min_size=2, max_size=2))
    figures = {"total": (sum(counts), sum(population)), "F": (counts[0], population[0]), "M": (counts[1], population[1])}
    hidden = {}
    for measure_id in ("looked_after", "looked_after_rate"):
        small = {c for c, (n, _) in figures.items() if 1 <= n < 5}
        hidden[measure_id] = small | draw(st.sets(st.sampled_from(sorted(figures)), max_size=2))
    assume(any(1 <= n < 5 for n, _ in figures.values()))
    return figures, hidden


def rate_figures(figures: dict, hidden: dict) -> list[Figure]:
    out = []
    for category, (n, pop) in figures.items():
        breakdown_name = "total" if category == "total" else "sex"
        out.append(Figure("looked_after", COUNCILS[0], breakdown_name, category, n, hidden=category in hidden["looked_after"]))
        out.append(Figure("looked_after_rate", COUNCILS[0], breakdown_name, category, n, pop, hidden=category in hidden["looked_after_rate"],
                          unit="per 1,000 children aged 0-17", publish_numerator=False))
    return out


def rate_brute_force(figures: dict, hidden: dict, smallest_safe: int) -> dict:
    """(measure, category) -> intervals, enumerating F and M (the total is their sum)."""
    published, _ = edition(rate_figures(figures, hidden))
    shown = {(r.measure_id, r.category): r.value_published for r in published.itertuples() if r.value_display != "[c]"}
    truth = {c: n for c, (n, _) in figures.items()}
    # A rate of v per 1,000 allows at most v + 0.05 per 1,000 more; past that and 2 * smallest_safe
    # nothing changes the intervals (intruder (a)'s greatest stops at smallest_safe).
    limit = max(truth.values()) + math.ceil(max(p for _, p in figures.values()) * 0.05 / 1000) + 2 * smallest_safe + 2
    points = []
    for f, m in itertools.product(range(limit), repeat=2):
        counts = {"F": f, "M": m, "total": f + m}
        fits = all(
            counts[c] == v if measure_id == "looked_after" else abs(1000 * counts[c] / figures[c][1] - v) <= 0.05 + 1e-9
            for (measure_id, c), v in shown.items()
        )
        if fits:
            points.append(counts)
    cells = [(m, c) for m, cats in hidden.items() for c in cats if 1 <= truth[c] < smallest_safe]
    hidden_counts = {c for cats in hidden.values() for c in cats}
    knows = [p for p in points if all((1 <= p[c] < smallest_safe) if 1 <= truth[c] < smallest_safe else (p[c] == 0 or p[c] >= smallest_safe) for c in hidden_counts)]
    return {(m, c): (min(p[c] for p in points), min(max(p[c] for p in points), smallest_safe), min(p[c] for p in knows), max(p[c] for p in knows))
            for m, c in cells}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(counts_and_rates())
# Boys' rate printed "1.0" (8 of 7,620 per 1,000): a tenth either way pins 8, and the total 9 leaves the girls 1.
@example(({"total": (9, 12620), "F": (1, 5000), "M": (8, 7620)}, {"looked_after": {"F", "M"}, "looked_after_rate": {"F", "total"}}))
def test_rates_sharing_counts_match_brute_force(case):
    figures, hidden = case
    expected = rate_brute_force(figures, hidden, 5)
    audit = audit_disclosure(*edition(rate_figures(figures, hidden)), exact_intervals=True)
    assert audit.cells_audited == len(expected)
    for (measure_id, category), bounds in expected.items():
        assert interval(audit, measure_id, COUNCILS[0], category) == bounds, (figures, hidden, measure_id, category)
