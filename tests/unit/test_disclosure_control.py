"""Disclosure control: small counts hidden, and no hidden count recoverable from what is published.

The sums and the recoverability audit here are written independently of the module, so the
tests check the published tables rather than the module's own bookkeeping.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import assets.disclosure.disclosure_control as disclosure
from assets.disclosure.disclosure_control import DisclosureRule, apply_disclosure_control, verify_no_disclosure

SCOTLAND = "S92000003"
GLASGOW = "S12000049"
EDINBURGH = "S12000036"
NAMES = {GLASGOW: "Glasgow City", EDINBURGH: "City of Edinburgh", SCOTLAND: "Scotland"}
KEY = ["measure_id", "period", "geography_code", "breakdown", "category"]


def long_table(children: dict[str, dict[tuple[str, str], int]], breakdowns: tuple[str, ...] = ("placement_type",), measure_id: str = "looked_after") -> pd.DataFrame:
    """Long-format counts from council -> (placement type, sex) -> children.

    Each breakdown's categories add up to the council's headline row, and Scotland is the sum
    of the councils, as in the pipeline's measures.
    """
    cells = pd.DataFrame(
        [(council, placement, sex, n) for council, per in children.items() for (placement, sex), n in per.items()],
        columns=["geography_code", "placement_type", "sex", "numerator"],
    )
    pieces = [cells.groupby("geography_code", as_index=False)["numerator"].sum().assign(breakdown="total", category="total")]
    for breakdown in breakdowns:
        pieces.append(
            cells.groupby(["geography_code", breakdown], as_index=False)["numerator"].sum()
            .rename(columns={breakdown: "category"}).assign(breakdown=breakdown)
        )
    councils = pd.concat(pieces, ignore_index=True).assign(geography_level="council")
    scotland = councils.groupby(["breakdown", "category"], as_index=False)["numerator"].sum().assign(geography_code=SCOTLAND, geography_level="scotland")
    table = pd.concat([councils, scotland], ignore_index=True)
    table["numerator"] = table["numerator"].astype("Int64")
    return table.assign(
        measure_id=measure_id, period="2021", denominator=pd.array([pd.NA] * len(table), dtype="Float64"),
        value=table["numerator"].astype("Float64"), unit="children", additive=True,
    )


def rates_of(counts: pd.DataFrame, per_children: float = 1000.0) -> pd.DataFrame:
    """The same numerators as a rate per 1,000 children (additive: its numerators add up)."""
    denominator = pd.array(np.full(len(counts), 5000.0), dtype="Float64")
    return counts.assign(
        measure_id=counts["measure_id"] + "_rate", denominator=denominator,
        value=(per_children * counts["numerator"].astype("Float64") / denominator).round(1),
        unit="per 1,000 children aged 0-17",
    )


def one_breakdown(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    return long_table({council: {(placement, "female"): n for placement, n in per.items()} for council, per in counts.items()})


def sums(table: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """(total, parts) by position: each geography's breakdowns, councils to Scotland, and
    (as a sum of one part) the same count in a second measure built from the same children.
    """
    table = table.reset_index(drop=True)
    is_total = table.breakdown.eq("total").to_numpy()
    is_scotland = table.geography_level.eq("scotland").to_numpy()
    found = []
    for (*geography, breakdown), rows in table.groupby(["measure_id", "period", "geography_code", "breakdown"]).indices.items():
        if breakdown != "total":
            headline = table.index[is_total & (table.geography_code == geography[2]) & (table.measure_id == geography[0]) & (table.period == geography[1])]
            found.append((int(headline[0]), list(rows)))
    for rows in table.groupby(["measure_id", "period", "breakdown", "category"]).indices.values():
        found.append((int(rows[is_scotland[rows]][0]), list(rows[~is_scotland[rows]])))
    for rows in table.groupby(["period", "geography_code", "breakdown", "category"]).indices.values():
        found += [(int(rows[0]), [int(other)]) for other in rows[1:]]
    return found


def audit(published: pd.DataFrame) -> tuple[list[tuple[int, list[int]]], list[int]]:
    """The sums with exactly one hidden member, and every hidden cell fixed by the published cells.

    The hidden cells x satisfy A x = (known), one equation per sum; cell i is fixed exactly
    when every null vector of A is zero at i: this catches cells pinned down by several sums
    together, which no single sum gives away.
    """
    hidden_mask = published["suppression"].ne("").to_numpy()
    all_sums = sums(published)
    single = [(total, parts) for total, parts in all_sums if hidden_mask[[total, *parts]].sum() == 1]
    hidden = np.flatnonzero(hidden_mask)
    if len(hidden) == 0:
        return single, []
    column = {row: i for i, row in enumerate(hidden)}
    equations = np.zeros((len(all_sums), len(hidden)))
    for e, (total, parts) in enumerate(all_sums):
        for row, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            if row in column:
                equations[e, column[row]] += sign
    _, singular, vt = np.linalg.svd(equations)
    null_space = vt[int((singular > 1e-9).sum()):]
    return single, [int(row) for row, weight in zip(hidden, (null_space**2).sum(axis=0)) if weight < 1e-9]


def pinned_by_range(published: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """Sums with a published total whose hidden members are two or more counts of 1-4 that can only be all 1s or all 4s."""
    hidden = published["suppression"].ne("").to_numpy()
    counts = published["numerator"].astype(float).to_numpy()
    pinned = []
    for total, parts in sums(published):
        hidden_parts = [p for p in parts if hidden[p]]
        if hidden[total] or len(hidden_parts) < 2 or not all(1 <= counts[p] <= 4 for p in hidden_parts):
            continue
        if counts[hidden_parts].sum() in (len(hidden_parts), 4 * len(hidden_parts)):
            pinned.append((total, parts))
    return pinned


def discloses(published: pd.DataFrame) -> bool:
    return audit(published) != ([], []) or bool(pinned_by_range(published))


def row(published: pd.DataFrame, geography: str, category: str, breakdown: str = "placement_type") -> pd.Series:
    match = published[(published.geography_code == geography) & (published.breakdown == breakdown) & (published.category == category)]
    return match.iloc[0]


# Hand-made tables -------------------------------------------------------------------------

TWO_COUNCILS = one_breakdown({GLASGOW: {"foster": 3, "kinship": 40, "home": 20}, EDINBURGH: {"foster": 10, "kinship": 30, "home": 12}})


def test_a_count_of_three_is_confidential():
    out = apply_disclosure_control(TWO_COUNCILS, geography_names=NAMES)
    foster = row(out, GLASGOW, "foster")
    assert (foster.suppression, foster.value_display, foster.suppression_reason) == ("primary", "[c]", "fewer than 5 children")
    assert pd.isna(foster.numerator_published) and pd.isna(foster.value_published)


def test_a_sibling_category_is_hidden_so_the_council_total_cannot_be_differenced():
    out = apply_disclosure_control(TWO_COUNCILS, geography_names=NAMES)
    home = row(out, GLASGOW, "home")  # 20 is Glasgow's smallest other category
    assert home.suppression == "secondary" and home.value_display == "[c]"
    assert home.suppression_reason == "suppressed so that the suppressed Glasgow City figure for foster cannot be worked out from the Glasgow City total"
    assert row(out, GLASGOW, "total", "total").value_display == "63"


def test_a_figure_the_previous_edition_hid_stays_hidden_whatever_its_count_now():
    # After a correction Glasgow fosters 6, no longer a small count: shown now, the previous edition's [c] would be its difference.
    table = one_breakdown({GLASGOW: {"foster": 6, "kinship": 40, "home": 20}, EDINBURGH: {"foster": 10, "kinship": 30, "home": 12}})
    assert apply_disclosure_control(table)["suppression"].eq("").all()
    held = ((table.geography_code == GLASGOW) & (table.category == "foster")).to_numpy()
    out = apply_disclosure_control(table, geography_names=NAMES, keep_hidden=held)
    foster = row(out, GLASGOW, "foster")
    assert (foster.suppression, foster.value_display) == ("secondary", "[c]")
    assert foster.suppression_reason == "hidden as in the previous edition, so that the two editions side by side show nothing more than one"
    assert out["suppression"].eq("secondary").sum() > 1  # and protected like any hidden figure: not worked out from the totals
    assert verify_no_disclosure(out) == []


def test_the_scotland_total_cannot_be_differenced_back_to_glasgow():
    out = apply_disclosure_control(TWO_COUNCILS, geography_names=NAMES)
    edinburgh_foster = row(out, EDINBURGH, "foster")
    assert edinburgh_foster.suppression == "secondary"
    assert edinburgh_foster.suppression_reason == "suppressed so that the suppressed Glasgow City figure for foster cannot be worked out from the Scotland total"
    assert row(out, SCOTLAND, "foster").value_display == "13"
    assert not discloses(out)
    assert verify_no_disclosure(out) == []


def test_zero_is_shown_as_0_and_counts_get_thousands_separators():
    out = apply_disclosure_control(one_breakdown({GLASGOW: {"foster": 0, "kinship": 7400}, EDINBURGH: {"foster": 0, "kinship": 7058}}))
    assert set(out[out.category == "foster"].value_display) == {"0"}
    assert set(out[out.category == "foster"].suppression) == {""}
    assert row(out, SCOTLAND, "total", "total").value_display == "14,458"


def test_rates_are_hidden_with_their_counts():
    counts = one_breakdown({GLASGOW: {"foster": 3, "kinship": 40, "home": 20}, EDINBURGH: {"foster": 10, "kinship": 30, "home": 12}})
    out = apply_disclosure_control(pd.concat([counts, rates_of(counts)], ignore_index=True))
    rates = out[out.measure_id == "looked_after_rate"]
    assert row(rates, GLASGOW, "foster").suppression_reason == "made from a count of fewer than 5"
    assert row(rates, GLASGOW, "kinship").value_display == "8.0"  # one decimal place for rates
    hidden_rates = rates[rates.suppression != ""]
    assert hidden_rates.value_published.isna().all() and set(hidden_rates.value_display) == {"[c]"}
    # The same numerators get the same pattern, so one measure cannot be used to undo the other.
    assert (rates.suppression.to_numpy() == out[out.measure_id == "looked_after"].suppression.to_numpy()).all()


def test_a_count_hidden_in_one_measure_is_hidden_in_a_measure_that_shares_it():
    # Glasgow's total is hidden in the count measure (its only other part is 0); the rate by
    # sex alone would publish the same 8 children and give Glasgow's foster figure away.
    children = {GLASGOW: {("foster", "female"): 8, ("kinship", "female"): 0}, EDINBURGH: {("foster", "male"): 3, ("kinship", "female"): 20}}
    counts = long_table(children, ("placement_type", "sex"))
    out = apply_disclosure_control(pd.concat([counts, rates_of(long_table(children, ("sex",)))], ignore_index=True), geography_names=NAMES)
    glasgow_rate = row(out[out.measure_id == "looked_after_rate"], GLASGOW, "total", "total")
    assert row(out[out.measure_id == "looked_after"], GLASGOW, "total", "total").suppression == "secondary"
    assert glasgow_rate.suppression == "secondary" and glasgow_rate.value_display == "[c]"
    assert glasgow_rate.suppression_reason == "suppressed because the same Glasgow City figure is suppressed in looked_after"
    assert not discloses(out) and verify_no_disclosure(out) == []


def test_a_rate_of_a_group_smaller_than_five_is_hidden_even_when_its_count_is_zero():
    table = one_breakdown({GLASGOW: {"foster": 0, "kinship": 40}}).assign(measure_id="positive_destinations", additive=False, unit="percent")
    table["denominator"] = pd.array(np.where(table.category == "foster", 3.0, 40.0), dtype="Float64")
    table["value"] = (100 * table["numerator"].astype("Float64") / table["denominator"]).round(1)
    out = apply_disclosure_control(table)
    tiny = out[out.denominator == 3.0]
    assert set(tiny.suppression) == {"primary"} and set(tiny.value_display) == {"[c]"}
    assert set(tiny.suppression_reason) == {"worked out from a group of fewer than 5"}
    assert row(out, GLASGOW, "total", "total").value_display == "100.0"


def test_published_values_without_a_count_and_the_symbols():
    table = pd.DataFrame({
        "measure_id": ["leavers_positive", "leavers_positive", "secure_places"],
        "period": ["2024", "2023", "2024"],
        "geography_code": [SCOTLAND] * 3,
        "geography_level": ["scotland"] * 3,
        "breakdown": ["total"] * 3,
        "category": ["total"] * 3,
        "numerator": pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64"),
        "denominator": pd.array([pd.NA, pd.NA, pd.NA], dtype="Float64"),
        "value": pd.array([87.0, pd.NA, 3.0], dtype="Float64"),
        "unit": ["percent", "percent", "Not applicable"],
        "additive": [False, False, False],
    })
    out = apply_disclosure_control(table)
    assert out.value_display.tolist() == ["87.0", "[x]", "[z]"]
    assert out.suppression.tolist() == ["", "", ""]
    assert out.value_published.isna().tolist() == [False, True, True]


def test_the_second_figure_hidden_is_the_smallest_positive_part_not_a_zero_or_the_total():
    out = apply_disclosure_control(one_breakdown({GLASGOW: {"a": 3, "b": 0, "c": 7, "d": 50}, EDINBURGH: {"a": 0, "b": 0, "c": 0, "d": 9}}))
    glasgow = out[out.geography_code == GLASGOW].set_index("category").suppression
    assert glasgow.to_dict() == {"a": "primary", "b": "", "c": "secondary", "d": "", "total": ""}


def test_the_total_is_hidden_before_a_zero_when_no_other_part_is_left():
    # Edinburgh's 3 foster places hide Glasgow's 8 (Scotland sum); Glasgow then has only a zero and its total left.
    out = apply_disclosure_control(one_breakdown({GLASGOW: {"foster": 8, "kinship": 0}, EDINBURGH: {"foster": 3, "kinship": 20}}), geography_names=NAMES)
    assert row(out, GLASGOW, "foster").suppression == "secondary"
    assert row(out, GLASGOW, "total", "total").suppression == "secondary"
    assert row(out, GLASGOW, "kinship").value_display == "0"
    assert verify_no_disclosure(out) == [] and not discloses(out)


def test_the_sum_rule_alone_can_leave_a_cell_recoverable_and_the_exact_check_closes_it(monkeypatch: pytest.MonkeyPatch):
    # Found by search: each sum ends with two or more hidden cells, yet combining sums pins one down.
    table = one_breakdown({"S12000000": {"p0": 8, "p1": 0, "p2": 0}, "S12000001": {"p0": 20, "p1": 8, "p2": 20}, "S12000002": {"p0": 3, "p1": 0, "p2": 8}})
    with monkeypatch.context() as patched:
        patched.setattr(disclosure, "_recoverable", lambda sums, hidden, *_: (np.zeros(len(hidden), dtype=bool), np.arange(len(hidden))))
        sum_rule_only = apply_disclosure_control(table)
    assert audit(sum_rule_only)[0] == [] and audit(sum_rule_only)[1] != []
    assert any("can be worked out from the published ones" in v for v in verify_no_disclosure(sum_rule_only))
    out = apply_disclosure_control(table)
    assert not discloses(out) and verify_no_disclosure(out) == []


def test_the_result_does_not_depend_on_row_order_and_keeps_the_index():
    table = long_table({GLASGOW: {("foster", "f"): 3, ("kinship", "m"): 40, ("home", "f"): 1}, EDINBURGH: {("foster", "m"): 10, ("home", "f"): 12}}, ("placement_type", "sex"))
    shuffled = table.sample(frac=1, random_state=3)
    out, out_shuffled = apply_disclosure_control(table), apply_disclosure_control(shuffled)
    assert (out_shuffled.index == shuffled.index).all()
    assert out.set_index(KEY).suppression.sort_index().equals(out_shuffled.set_index(KEY).suppression.sort_index())


def test_the_rule_is_configurable():
    out = apply_disclosure_control(TWO_COUNCILS, DisclosureRule(max_suppressed_count=10))
    assert row(out, EDINBURGH, "foster").suppression == "primary"
    assert row(out, EDINBURGH, "foster").suppression_reason == "fewer than 11 children"
    with pytest.raises(ValueError):
        DisclosureRule(min_count=0)


def test_a_figure_listed_twice_is_refused():
    with pytest.raises(ValueError, match="more than once"):
        apply_disclosure_control(pd.concat([TWO_COUNCILS, TWO_COUNCILS.iloc[:1]]))


def test_verify_catches_broken_tables():
    counts = one_breakdown({GLASGOW: {"foster": 3, "kinship": 40}, EDINBURGH: {"foster": 10, "kinship": 30}})
    out = apply_disclosure_control(pd.concat([counts, rates_of(counts)], ignore_index=True))
    assert verify_no_disclosure(out) == []

    unhidden = out.copy()
    secondary = unhidden.suppression == "secondary"
    unhidden.loc[secondary, "suppression"] = ""
    unhidden.loc[secondary, "numerator_published"] = unhidden.loc[secondary, "numerator"]
    assert any("exactly one figure is suppressed" in v for v in verify_no_disclosure(unhidden))

    leaked_count = out.copy()
    leaked_count.loc[leaked_count.suppression == "primary", "numerator_published"] = 3
    assert any("a count 3 is published" in v for v in verify_no_disclosure(leaked_count))

    one_measure_only = out.copy()
    rate_hidden = (one_measure_only.measure_id == "looked_after_rate") & (one_measure_only.suppression == "secondary")
    one_measure_only.loc[rate_hidden, ["suppression", "value_display"]] = ["", "x"]
    one_measure_only.loc[rate_hidden, "numerator_published"] = one_measure_only.loc[rate_hidden, "numerator"]
    assert any("suppressed in one measure and published in another" in v for v in verify_no_disclosure(one_measure_only))

    leaked_rate = out.copy()
    leaked_rate.loc[(leaked_rate.measure_id == "looked_after_rate") & (leaked_rate.suppression != ""), "value_published"] = 0.6
    assert any("value is published although its count is suppressed" in v for v in verify_no_disclosure(leaked_rate))


# Random tables ----------------------------------------------------------------------------

small_or_large = st.one_of(st.integers(0, 6), st.integers(0, 60))
random_children = st.dictionaries(
    keys=st.sampled_from([f"S1200{n:04d}" for n in range(8)]),
    values=st.dictionaries(st.tuples(st.sampled_from(["foster", "kinship", "home", "residential"]), st.sampled_from(["female", "male"])), small_or_large, min_size=1),
    min_size=1,
    max_size=6,
)


def random_table(children: dict[str, dict[tuple[str, str], int]], by_sex: bool, with_rates: bool) -> pd.DataFrame:
    """Counts by placement type (and sex), and optionally a rate by sex alone from the same children."""
    counts = long_table(children, ("placement_type", "sex") if by_sex else ("placement_type",))
    if not with_rates:
        return counts
    return pd.concat([counts, rates_of(long_table(children, ("sex",) if by_sex else ()))], ignore_index=True)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_children, st.booleans(), st.booleans())
def test_no_small_count_is_published_and_none_can_be_recovered(children, by_sex, with_rates):
    out = apply_disclosure_control(random_table(children, by_sex, with_rates))
    # (i) no published count from 1 to 4, whether as the count, the value or the display
    assert not out.numerator_published.dropna().between(1, 4).any()
    counts = out[out.measure_id == "looked_after"]
    assert not counts.value_published.dropna().between(1, 4).any()
    assert not counts.value_display.isin(["1", "2", "3", "4"]).any()
    # (ii) no sum has exactly one hidden member, and no hidden cell is fixed by combining sums
    assert audit(out) == ([], [])
    # rates are hidden exactly where the same counts are, though the rate has fewer breakdowns
    if with_rates:
        rates = out[out.measure_id == "looked_after_rate"].set_index(KEY[1:]).suppression.ne("")
        assert rates.equals(counts.set_index(KEY[1:]).suppression.ne("").loc[rates.index])
        assert out[out.suppression != ""].value_published.isna().all()
    # (iii) the blocking check agrees
    assert verify_no_disclosure(out) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_children, st.booleans(), st.data())
def test_verify_flags_a_hidden_cell_put_back_exactly_when_it_discloses(children, by_sex, data):
    out = apply_disclosure_control(random_table(children, by_sex, with_rates=False))
    hidden = np.flatnonzero(out.suppression.ne("").to_numpy())
    assume(len(hidden) > 0)
    broken = out.copy()
    put_back = int(data.draw(st.sampled_from(list(hidden))))
    broken.loc[put_back, ["suppression", "suppression_reason", "value_display"]] = ["", "", str(broken.loc[put_back, "numerator"])]
    broken.loc[put_back, "numerator_published"] = broken.loc[put_back, "numerator"]
    broken.loc[put_back, "value_published"] = broken.loc[put_back, "value"]
    shows_small_count = 1 <= broken.loc[put_back, "numerator"] <= 4
    assert bool(verify_no_disclosure(broken)) == (shows_small_count or discloses(broken))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_children, st.booleans())
def test_verify_flags_primary_suppression_alone(children, by_sex):
    out = apply_disclosure_control(random_table(children, by_sex, with_rates=False))
    secondary = out.suppression == "secondary"
    assume(secondary.any())
    broken = out.copy()
    broken.loc[secondary, ["suppression", "suppression_reason"]] = ""
    broken.loc[secondary, "numerator_published"] = broken.loc[secondary, "numerator"]
    broken.loc[secondary, "value_published"] = broken.loc[secondary, "value"]
    broken.loc[secondary, "value_display"] = broken.loc[secondary, "numerator"].astype(str)
    assert verify_no_disclosure(broken) != []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_children, st.randoms(use_true_random=False))
def test_suppression_is_deterministic_whatever_the_row_order(children, random):
    table = random_table(children, by_sex=True, with_rates=True)
    shuffled = table.iloc[random.sample(range(len(table)), len(table))]
    first = apply_disclosure_control(table).set_index(KEY).suppression.sort_index()
    second = apply_disclosure_control(shuffled).set_index(KEY).suppression.sort_index()
    assert first.equals(second)


def test_a_share_is_hidden_when_its_denominator_is_a_count_hidden_elsewhere():
    # Glasgow's 8 looked after girls are hidden in the count measure (Edinburgh's 3 boys force it);
    # 5 girls in family settings and 62.5% would say 5 / 0.625 = 8.
    counts = long_table({GLASGOW: {("foster", "female"): 8, ("kinship", "male"): 40}, EDINBURGH: {("foster", "male"): 3, ("kinship", "female"): 20}}, ("sex",))
    share = counts.assign(measure_id="family_settings_share", unit="percent", denominator=counts["numerator"].astype("Float64"), additive=False)
    share["numerator"] = pd.array(np.where(share.geography_code.eq(GLASGOW) & share.category.eq("female"), 5, share["numerator"]), dtype="Int64")
    share["value"] = (100 * share["numerator"].astype("Float64") / share["denominator"]).round(1)
    table = pd.concat([counts, share], ignore_index=True)
    out = apply_disclosure_control(table, geography_names=NAMES)
    girls = row(out[out.measure_id == "looked_after"], GLASGOW, "female", "sex")
    assert girls.suppression == "secondary"
    share_girls = row(out[out.measure_id == "family_settings_share"], GLASGOW, "female", "sex")
    assert share_girls.value_display == "[c]" and pd.isna(share_girls.numerator_published)
    assert share_girls.suppression_reason == "suppressed because its denominator is the same Glasgow City figure that is suppressed in looked_after"
    assert verify_no_disclosure(out) == []
    # A rate per head of a public population is exempt; without the rule the check catches the leak.
    leaked = apply_disclosure_control(table, public_denominators={"family_settings_share"})
    assert row(leaked[leaked.measure_id == "family_settings_share"], GLASGOW, "female", "sex").suppression == ""
    assert any("its count and value give away its denominator, suppressed in looked_after" in v for v in verify_no_disclosure(leaked, public_denominators=()))


def test_two_hidden_counts_that_can_only_be_ones_are_protected_by_a_third():
    # Glasgow: foster 1 and kinship 1 hidden, home 40 and the total 42 shown: the hidden two add
    # up to 2, and a reader who knows [c] means 1-4 would know both are 1.
    table = one_breakdown({GLASGOW: {"foster": 1, "kinship": 1, "home": 40, "residential": 30}, EDINBURGH: {"foster": 9, "kinship": 20, "home": 12, "residential": 7}})
    out = apply_disclosure_control(table, geography_names=NAMES)
    glasgow = out[out.geography_code == GLASGOW].set_index("category").suppression
    assert glasgow.to_dict() == {"foster": "primary", "kinship": "primary", "home": "", "residential": "secondary", "total": ""}
    assert verify_no_disclosure(out) == []
    exposed = out.copy()
    exposed.loc[exposed.suppression == "secondary", "suppression"] = ""
    assert any("are all fewer than 5 and their sum pins each of them down" in v for v in verify_no_disclosure(exposed))


def survey_share(rows: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    """A share table from (geography, breakdown, category, positive, respondents), additive as declared."""
    table = pd.DataFrame(rows, columns=["geography_code", "breakdown", "category", "numerator", "denominator"])
    table["numerator"] = table["numerator"].astype("Int64")
    table["denominator"] = table["denominator"].astype("Float64")
    return table.assign(
        measure_id="experience", period="2025", geography_level=np.where(table.geography_code.eq(SCOTLAND), "scotland", "council"),
        value=(100 * table["numerator"].astype("Float64") / table["denominator"]).round(1), unit="percent", additive=True,
    )


def test_councils_that_do_not_add_up_to_scotland_are_not_used_as_a_sum():
    # Survey respondents with no council count in Scotland only: the one workforce respondent
    # has no council, so Scotland's 11 respondents are not Glasgow's 5 plus Edinburgh's 5.
    # Taken as a sum, councils to Scotland would fix Scotland's workforce count at 0 whatever
    # was hidden, so apply could never satisfy verify; a reader cannot use such a "sum" either.
    table = survey_share([
        (GLASGOW, "total", "total", 1, 5), (GLASGOW, "respondent_group", "child", 1, 5),
        (EDINBURGH, "total", "total", 1, 5), (EDINBURGH, "respondent_group", "parent", 1, 5),
        (SCOTLAND, "total", "total", 2, 11), (SCOTLAND, "respondent_group", "child", 1, 5),
        (SCOTLAND, "respondent_group", "parent", 1, 5), (SCOTLAND, "respondent_group", "workforce", 0, 1),
    ])
    out = apply_disclosure_control(table)
    assert verify_no_disclosure(out) == []
    # Where councils do add up to Scotland the sum is still used.
    additive = table[table.category.ne("workforce")].copy()
    additive.loc[additive.geography_code.eq(SCOTLAND) & additive.breakdown.eq("total"), "denominator"] = 10.0
    assert (disclosure._disclosure_sums(additive.reset_index(drop=True)).kind == disclosure.ACROSS).any()


def test_the_same_hidden_count_in_two_measures_with_no_total_row():
    # Two measures share their counts (x 2, y 8) and have no headline row: the only sums are
    # "the same count in both", and solving the hidden pair as one unknown left nothing to solve.
    table = pd.DataFrame(
        [(m, category, n) for m in ("a", "b") for category, n in (("x", 2), ("y", 8))], columns=["measure_id", "category", "numerator"],
    ).assign(period="2025", geography_code=SCOTLAND, geography_level="scotland", breakdown="theme", unit="people", additive=True)
    table["numerator"] = table["numerator"].astype("Int64")
    table["denominator"] = pd.array([pd.NA] * len(table), dtype="Float64")
    table["value"] = table["numerator"].astype("Float64")
    out = apply_disclosure_control(table)
    assert out.set_index(["measure_id", "category"]).suppression.to_dict() == {("a", "x"): "primary", ("a", "y"): "", ("b", "x"): "primary", ("b", "y"): ""}
    assert verify_no_disclosure(out) == []


def family_settings(counts: pd.DataFrame) -> pd.DataFrame:
    """A share in family settings (home + kinship of ``counts``'s placement types) per geography, headline only."""
    placements = counts[counts.breakdown.eq("placement_type")]
    family = placements[placements.category.isin(["home", "kinship"])].groupby("geography_code")["numerator"].sum()
    share = counts[counts.breakdown.eq("total")].copy()
    share["denominator"] = share["numerator"].astype("Float64")
    share["numerator"] = pd.array(family.reindex(share.geography_code).to_numpy(), dtype="Int64")
    share["value"] = (100 * share["numerator"].astype("Float64") / share["denominator"]).round(1)
    return share.assign(measure_id="family_share", unit="percent")


FAMILY = {"family_share": ("looked_after", "placement_type", ("home", "kinship"))}


def test_a_composite_count_is_one_more_sum_so_it_cannot_give_a_part_away():
    # Glasgow's kinship 3 is hidden, with foster 5 and home 6 beside it; the family-settings 9
    # (home + kinship) published would give foster away (44 - 30 - 9) unless it is a sum too.
    counts = one_breakdown({GLASGOW: {"home": 6, "kinship": 3, "foster": 5, "residential": 30}, EDINBURGH: {"home": 10, "kinship": 12, "foster": 15, "residential": 20}})
    table = pd.concat([counts, family_settings(counts)], ignore_index=True)
    unaware = apply_disclosure_control(table)
    assert verify_no_disclosure(unaware) == [] and verify_no_disclosure(unaware, compositions=FAMILY) != []
    out = apply_disclosure_control(table, geography_names=NAMES, compositions=FAMILY)
    assert verify_no_disclosure(out, compositions=FAMILY) == []
    glasgow_home = row(out[out.measure_id == "looked_after"], GLASGOW, "home")
    assert glasgow_home.suppression_reason == "suppressed so that the suppressed Glasgow City figure for kinship in looked_after cannot be worked out from the Glasgow City figure in family_share"
    # A composite whose figures do not add up (a wrong declaration) is no sum a reader could use.
    wrong = {"family_share": ("looked_after", "placement_type", ("home", "foster"))}
    assert not (disclosure._disclosure_sums(table.reset_index(drop=True), wrong).kind == disclosure.COMPOSED).any()
