"""Statistical disclosure control for every published figure, in one place.

Rule (configurable; default as in DOMAIN.md): counts from 1 to 4 are confidential and shown
as ``[c]`` (primary suppression); zero is shown as 0. Where a suppressed count could be
worked out by subtraction, another count in the same sum is suppressed too (secondary
suppression). The sums that matter are the additive structure of the long format: a
breakdown's categories add up to the geography's headline row, and councils add up to
Scotland. A rate or percentage is suppressed with its count. Values from published sources
with no count behind them (``numerator`` missing, value present) are already public and are
left alone; a missing value is ``[x]``, and a unit of ``not_applicable`` is ``[z]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class DisclosureRule:
    min_count: int = 1
    max_suppressed_count: int = 4
    suppress_derived: bool = True


def _memberships(table: pd.DataFrame) -> pd.DataFrame:
    """Rows (by index) and the additive group each belongs to; a row may be in several groups."""
    additive = table["additive"].astype(bool) & table["numerator"].notna()
    base = table["measure_id"] + "|" + table["period"]
    within = table[additive & (table["breakdown"] != "total")]
    members = [pd.DataFrame({"row": within.index, "group": "w|" + (base + "|" + table["geography_code"] + "|" + table["breakdown"])[within.index]})]
    # Each headline row joins the sum of every breakdown of its geography.
    headlines = table[additive & (table["breakdown"] == "total")]
    breakdowns = within[["measure_id", "period", "geography_code", "breakdown"]].drop_duplicates()
    joined = headlines.reset_index().merge(breakdowns, on=["measure_id", "period", "geography_code"], suffixes=("", "_of"))
    members.append(pd.DataFrame({"row": joined["index"], "group": "w|" + joined["measure_id"] + "|" + joined["period"] + "|" + joined["geography_code"] + "|" + joined["breakdown_of"]}))
    # Councils add up to Scotland for each measure, period, breakdown and category.
    across = (base + "|" + table["breakdown"] + "|" + table["category"])[additive]
    members.append(pd.DataFrame({"row": across.index, "group": "a|" + across}))
    return pd.concat(members, ignore_index=True)


def _secondary(table: pd.DataFrame, suppressed: pd.Series, members: pd.DataFrame) -> pd.Series:
    """Suppress more cells until no additive group has exactly one suppressed member."""
    suppressed = suppressed.copy()
    secondary = pd.Series(False, index=table.index)
    numerator = table["numerator"].astype("Float64")
    is_total = table["breakdown"].eq("total") | table["geography_level"].eq("scotland")
    while True:
        flagged = members.assign(hidden=suppressed.loc[members["row"]].to_numpy())
        counts = flagged.groupby("group")["hidden"].sum()
        singles = counts[counts == 1].index
        if singles.empty:
            return secondary
        candidates = flagged[flagged["group"].isin(singles) & ~flagged["hidden"]].copy()
        if candidates.empty:
            raise ValueError("a suppressed cell stands alone in its sum and nothing else can be hidden")
        candidates["zero"] = numerator.loc[candidates["row"]].to_numpy() == 0
        candidates["total"] = is_total.loc[candidates["row"]].to_numpy()
        candidates["n"] = numerator.loc[candidates["row"]].to_numpy()
        # Prefer the smallest non-zero count that is not itself a total; ties broken by row order.
        chosen = candidates.sort_values(["group", "zero", "total", "n", "row"]).groupby("group")["row"].first()
        suppressed.loc[chosen.to_numpy()] = True
        secondary.loc[chosen.to_numpy()] = True


def _display(value: object, unit: str) -> str:
    if not (unit.startswith("per ") or unit == "percent"):  # a count
        return f"{int(round(float(value))):,}"
    return f"{float(value):,.1f}"


def apply_disclosure_control(measures: pd.DataFrame, rule: DisclosureRule = DisclosureRule()) -> pd.DataFrame:
    table = measures.reset_index(drop=True).copy()
    numerator = table["numerator"].astype("Int64")
    primary = numerator.between(rule.min_count, rule.max_suppressed_count).fillna(False).astype(bool)
    members = _memberships(table)
    secondary = _secondary(table, primary, members) & ~primary
    table["suppression"] = ""
    table.loc[primary, "suppression"] = "primary"
    table.loc[secondary, "suppression"] = "secondary"
    hidden = primary | secondary
    table["numerator_published"] = numerator.mask(hidden)
    table["value_published"] = table["value"].astype("Float64").mask(hidden if rule.suppress_derived else primary)
    table["value_display"] = [
        "[z]" if unit == "not_applicable" else "[c]" if h else "[x]" if pd.isna(v) else _display(v, unit)
        for unit, h, v in zip(table["unit"], hidden, table["value_published"])
    ]
    table["suppression_reason"] = ""
    table.loc[primary, "suppression_reason"] = f"fewer than {rule.max_suppressed_count + 1}: hidden so that no one can be identified"
    table.loc[secondary, "suppression_reason"] = "hidden so that another hidden figure cannot be worked out from a total"
    return table


def verify_no_disclosure(published: pd.DataFrame, rule: DisclosureRule = DisclosureRule()) -> list[str]:
    """Every way the published table breaks the rule, in words; empty when it is safe."""
    violations: list[str] = []
    shown = published["numerator_published"].astype("Int64")
    small = published[shown.between(rule.min_count, rule.max_suppressed_count).fillna(False).astype(bool)]
    violations += [f"{r.measure_id} {r.period} {r.geography_code} {r.breakdown}={r.category}: count {r.numerator_published} published" for r in small.itertuples()]
    hidden = published["suppression"].ne("")
    derived = published[hidden & published["value_published"].notna()]
    violations += [f"{r.measure_id} {r.period} {r.geography_code} {r.breakdown}={r.category}: value published although its count is hidden" for r in derived.itertuples()]
    members = _memberships(published.reset_index(drop=True))
    flagged = members.assign(hidden=hidden.reset_index(drop=True).loc[members["row"]].to_numpy())
    counts = flagged.groupby("group")["hidden"].sum()
    violations += [f"{g[2:]}: exactly one hidden figure, so it can be worked out by subtraction" for g in counts[counts == 1].index]
    return violations
