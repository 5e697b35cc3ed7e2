"""Disclosure control: small counts hidden, and no hidden count recoverable by subtraction."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.publication.suppression import DisclosureRule, apply_disclosure_control, verify_no_disclosure

SCOTLAND = "S92000003"


def table_from(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """council -> category -> count, with headline rows and Scotland built as sums."""
    rows = []
    categories = sorted({c for per in counts.values() for c in per})
    scotland = {c: 0 for c in categories}
    for council, per in counts.items():
        for category in categories:
            rows.append((council, "council", "placement_type", category, per.get(category, 0)))
            scotland[category] += per.get(category, 0)
        rows.append((council, "council", "total", "total", sum(per.values())))
    for category in categories:
        rows.append((SCOTLAND, "scotland", "placement_type", category, scotland[category]))
    rows.append((SCOTLAND, "scotland", "total", "total", sum(scotland.values())))
    frame = pd.DataFrame(rows, columns=["geography_code", "geography_level", "breakdown", "category", "numerator"])
    frame["numerator"] = frame["numerator"].astype("Int64")
    return frame.assign(measure_id="m", period="2021", denominator=pd.NA, value=frame["numerator"].astype("Float64"), unit="children", additive=True)


def recoverable(published: pd.DataFrame) -> list[str]:
    """Groups (category sums per council, council sums per category) with exactly one hidden cell."""
    hidden = published["suppression"] != ""
    problems = []
    for council, rows in published[published.geography_level == "council"].groupby("geography_code"):
        if hidden[rows.index].sum() == 1:
            problems.append(council)
    for category, rows in published[published.breakdown.isin(["placement_type", "total"])].groupby("category"):
        if hidden[rows.index].sum() == 1:
            problems.append(category)
    return problems


def test_small_count_is_hidden_with_a_sibling_and_the_rate():
    table = table_from({"S12000049": {"foster": 3, "kinship": 40, "home": 20}, "S12000036": {"foster": 10, "kinship": 30, "home": 12}})
    out = apply_disclosure_control(table)
    glasgow = out[out.geography_code == "S12000049"].set_index("category")
    assert glasgow.loc["foster", "value_display"] == "[c]"
    assert glasgow.loc["foster", "suppression"] == "primary"
    assert (glasgow["suppression"] == "secondary").sum() >= 1
    assert recoverable(out) == []
    assert verify_no_disclosure(out) == []


def test_zero_is_shown_and_large_numbers_are_formatted():
    table = table_from({"S12000049": {"foster": 0, "kinship": 1400}, "S12000036": {"foster": 0, "kinship": 1300}})
    out = apply_disclosure_control(table)
    assert set(out[out.category == "foster"].value_display) == {"0"}
    assert out[(out.geography_code == SCOTLAND) & (out.breakdown == "total")].value_display.item() == "2,700"


def test_verify_catches_a_broken_table():
    out = apply_disclosure_control(table_from({"S12000049": {"foster": 3, "kinship": 40}, "S12000036": {"foster": 10, "kinship": 30}}))
    broken = out.copy()
    broken.loc[broken.suppression == "secondary", "suppression"] = ""
    broken.loc[broken.suppression == "", "numerator_published"] = broken["numerator"]
    assert verify_no_disclosure(broken)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(
    keys=st.sampled_from([f"S1200{n:04d}" for n in range(12)]),
    values=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 30), min_size=1),
    min_size=1,
))
def test_no_hidden_count_can_be_recovered_by_subtraction(counts):
    out = apply_disclosure_control(table_from(counts))
    shown = out["numerator_published"].dropna()
    assert not shown.between(1, 4).any()
    assert recoverable(out) == []
    assert verify_no_disclosure(out, DisclosureRule()) == []
