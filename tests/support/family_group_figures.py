"""Every figure the council pages print about councils like each council, as rows the intruder audit reads.

The pages work these out as they render (``assets.reports.family_groups``); here they are
listed for every council, comparable measure and period (more than any page prints), so an
audit can be given the edition with them. Their true value is their published one: they are
worked out from published figures only.
"""

from __future__ import annotations

import pandas as pd

from assets.model.measures import Measure
from assets.model.reference import FamilyGroups
from assets.reports.family_groups import compare_with_group
from assets.reports.measure_sections import comparable_with_scotland

STATISTICS = ("median", "low", "high")


def with_group_figures(published: pd.DataFrame, truth: pd.DataFrame, groups: FamilyGroups, entries: dict[str, Measure]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(published, truth) with the group figures appended (``geography_level`` ``family_group``)."""
    totals = published[(published["breakdown"] == "total") & (published["geography_level"] == "council")]
    figure = {
        (m, c, str(p)): (None if pd.isna(v) else float(v), str(d))
        for m, c, p, v, d in zip(totals["measure_id"], totals["geography_code"], totals["period"], totals["value_published"], totals["value_display"])
    }
    rows = []
    for measure_id, period in sorted({(m, p) for m, _, p in figure}):
        entry = entries[measure_id]
        if not comparable_with_scotland(entry):
            continue
        for council, group in groups.group_of.items():
            others = [figure.get((measure_id, c, period), (None, "[x]")) for c in groups.members(group) if c != council]
            compared = compare_with_group(council, figure.get((measure_id, council, period)), others, entry, period)
            if compared["median"] is None:
                continue
            for statistic in STATISTICS:
                rows.append({
                    "measure_id": measure_id, "period": period, "geography_code": f"like-{council}", "geography_level": "family_group",
                    "breakdown": "councils_like_it", "category": statistic, "unit": entry.unit, "value": float(compared[statistic].replace(",", "")),
                    "value_display": compared[statistic],
                })
    group = pd.DataFrame(rows, columns=["measure_id", "period", "geography_code", "geography_level", "breakdown", "category", "unit", "value", "value_display"])
    shown = group.assign(numerator_published=float("nan"), denominator_published=float("nan"), value_published=group["value"])
    true = group.assign(numerator=float("nan"), denominator=float("nan"))
    shown = shown[[c for c in published.columns if c in shown.columns]].astype({c: published[c].dtype for c in published.columns if c in shown.columns})
    true = true[[c for c in truth.columns if c in true.columns]].astype({c: truth[c].dtype for c in truth.columns if c in true.columns})
    return pd.concat([published, shown], ignore_index=True), pd.concat([truth, true], ignore_index=True)
