"""Property tests: on random additive tables, no suppressed count can be worked out.

The attacker's view is rebuilt here from scratch (not with the module's own sums or verify
function): every published count is a constant, every hidden count an unknown whole number
of at least zero, and every sum a reader can form is an equation (each breakdown adds up to
its geography's total, councils add up to Scotland, a rate publishes its count measure's
numerators). For each hidden count, integer programming finds the smallest and largest value
consistent with all of it; a count whose smallest and largest values agree has been
recovered. This is stronger than a rank test: it also uses the fact that counts are never
negative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from assets.disclosure.disclosure_control import apply_disclosure_control

SCOTLAND = "S92000003"
BREAKDOWNS = ("placement_type", "sex", "age_band")
KEY = ["measure_id", "period", "geography_code", "breakdown", "category"]


def additive_table(cells: pd.DataFrame, measure_id: str, breakdowns: tuple[str, ...]) -> pd.DataFrame:
    """Long-format counts from child-level cells (council x placement x sex x age band -> children)."""
    pieces = [cells.groupby("geography_code", as_index=False)["children"].sum().assign(breakdown="total", category="total")]
    pieces += [
        cells.groupby(["geography_code", b], as_index=False)["children"].sum().rename(columns={b: "category"}).assign(breakdown=b)
        for b in breakdowns
    ]
    councils = pd.concat(pieces, ignore_index=True).assign(geography_level="council")
    scotland = councils.groupby(["breakdown", "category"], as_index=False)["children"].sum().assign(geography_code=SCOTLAND, geography_level="scotland")
    table = pd.concat([councils, scotland], ignore_index=True).rename(columns={"children": "numerator"})
    table["numerator"] = table["numerator"].astype("Int64")
    return table.assign(measure_id=measure_id, period="2024", unit="children", additive=True,
                        denominator=pd.array([pd.NA] * len(table), dtype="Float64"), value=table["numerator"].astype("Float64"))


@st.composite
def random_tables(draw) -> pd.DataFrame:
    """2-5 councils, 2-4 placement types x 2 sexes x 2 age bands, many small counts; sometimes a rate by sex."""
    councils = [f"S1200{n:04d}" for n in range(draw(st.integers(2, 5)))]
    placements = ["foster", "kinship", "home", "residential"][: draw(st.integers(2, 4))]
    cells = pd.DataFrame(
        [(c, p, s, a) for c in councils for p in placements for s in ("female", "male") for a in ("0-11", "12-17")],
        columns=["geography_code", "placement_type", "sex", "age_band"],
    )
    # Counts from a drawn seed: hypothesis's own integers start (and shrink) towards zero.
    # Cells are mostly empty or tiny, so the published one-way breakdowns (sums of cells)
    # often hold counts of 1-4 beside large ones.
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    empty, tiny = draw(st.sampled_from([(0.3, 0.4), (0.5, 0.3), (0.7, 0.2)]))
    kind = rng.random(len(cells))
    cells["children"] = np.where(kind < empty, 0, np.where(kind < empty + tiny, rng.integers(1, 3, len(cells)), rng.integers(3, 40, len(cells))))
    table = additive_table(cells, "looked_after", BREAKDOWNS)
    if draw(st.booleans()):
        rate = additive_table(cells, "looked_after_rate", ("sex",)).assign(unit="per 1,000 children aged 0-17")
        rate["denominator"] = pd.array(np.full(len(rate), 5000.0), dtype="Float64")
        rate["value"] = (1000 * rate["numerator"].astype("Float64") / rate["denominator"]).round(1)
        table = pd.concat([table, rate], ignore_index=True)
    return table


def reader_equations(table: pd.DataFrame) -> list[dict[int, float]]:
    """Every sum a reader can form, as {row: coefficient} with the equation sum(coefficient * count) = 0."""
    table = table.reset_index(drop=True)
    equations = []
    headline = table[table.breakdown == "total"].set_index(["measure_id", "geography_code"]).index
    headline_row = dict(zip(headline, table.index[table.breakdown == "total"]))
    for (measure, geography, _), rows in table[table.breakdown != "total"].groupby(["measure_id", "geography_code", "breakdown"]).groups.items():
        equations.append({headline_row[(measure, geography)]: 1.0} | {r: -1.0 for r in rows})
    for _, rows in table.groupby(["measure_id", "breakdown", "category"]).groups.items():
        scotland = [r for r in rows if table.at[r, "geography_code"] == SCOTLAND]
        equations.append({scotland[0]: 1.0} | {r: -1.0 for r in rows if r != scotland[0]})
    for _, rows in table.groupby(["geography_code", "breakdown", "category"]).groups.items():
        equations += [{rows[0]: 1.0, other: -1.0} for other in rows[1:]]
    return equations


def feasible_range(published: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """For each hidden row, the smallest and largest whole count consistent with what is published."""
    table = published.reset_index(drop=True)
    hidden = np.flatnonzero(table.suppression.ne("").to_numpy())
    if len(hidden) == 0:
        return {}
    column = {row: i for i, row in enumerate(hidden)}
    known = table.numerator_published.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    a, rhs = [], []
    for equation in reader_equations(table):
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for row, sign in equation.items():
            if row in column:
                coefficients[column[row]] += sign
            else:
                constant += sign * known[row]
        if coefficients.any():
            a.append(coefficients)
            rhs.append(-constant)
    constraints = LinearConstraint(np.array(a), rhs, rhs) if a else None
    bounds = Bounds(np.zeros(len(hidden)), np.full(len(hidden), np.inf))
    ranges = {}
    for i, row in enumerate(hidden):
        objective = np.zeros(len(hidden))
        objective[i] = 1.0
        low = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(hidden)))
        high = milp(-objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(hidden)))
        assert low.status == 0, low.message  # the true counts always satisfy the equations
        # Feasible (the minimum was found), so "unbounded or infeasible" (3, 4) means unbounded.
        assert high.status in (0, 3, 4), high.message
        ranges[int(row)] = (low.fun, -high.fun if high.status == 0 else np.inf)
    return ranges


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(random_tables())
def test_no_suppressed_count_can_be_worked_out_from_the_published_ones(table):
    out = apply_disclosure_control(table)
    shown = out.numerator_published.astype("Float64")
    assert not shown.between(1, 4).fillna(False).any()
    for row, (low, high) in feasible_range(out).items():
        true_count = out.numerator.iloc[row]
        assert low <= true_count <= high
        if true_count > 0:  # a hidden zero identifies nobody
            assert high > low, f"{out.iloc[row][KEY].tolist()} is pinned to {true_count}"


def test_the_independent_check_sees_a_count_given_away_by_subtraction():
    # Glasgow: 3 in foster care hidden, 40 in kinship care and the total 43 shown: 43 - 40 = 3.
    cells = pd.DataFrame({"geography_code": ["S12000049", "S12000049", "S12000036"], "placement_type": ["foster", "kinship", "kinship"],
                          "sex": "female", "age_band": "0-11", "children": [3, 40, 30]})
    table = additive_table(cells, "looked_after", ("placement_type",))
    leaky = table.assign(suppression=np.where(table.numerator == 3, "primary", ""))
    leaky["numerator_published"] = leaky.numerator.mask(leaky.suppression != "")
    # Hidden: Glasgow's 3 and Scotland's foster figure (the same 3); both are pinned.
    assert set(feasible_range(leaky).values()) == {(3.0, 3.0)}
