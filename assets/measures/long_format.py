"""Turn record-level counts into the standard long format, for every council and Scotland.

Counts are made per council and summed to Scotland, as the official returns are, so a
breakdown's categories add up to its total and councils add up to Scotland: the additive
structure disclosure control relies on.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.catalogue import LONG_FORMAT
from orchestration.settings import SCOTLAND_CODE


def counts_by_breakdown(con: duckdb.DuckDBPyConnection, relation: str, breakdowns: tuple[str, ...], count: str = "count(*)") -> pd.DataFrame:
    """Counts from ``relation`` (with columns period, la_code and each breakdown) per council and Scotland.

    Returns period, geography_code, geography_level, breakdown, category, numerator; the
    headline row has breakdown and category 'total'.
    """
    pieces = [f"SELECT period, la_code, 'total' AS breakdown, 'total' AS category, {count} AS numerator FROM {relation} GROUP BY ALL"]
    pieces += [
        f"SELECT period, la_code, '{b}' AS breakdown, CAST({b} AS VARCHAR) AS category, {count} AS numerator FROM {relation} GROUP BY ALL"
        for b in breakdowns
    ]
    councils = con.execute(" UNION ALL ".join(pieces)).df()
    councils = councils.rename(columns={"la_code": "geography_code"}).assign(geography_level="council")
    scotland = (
        councils.groupby(["period", "breakdown", "category"], as_index=False)["numerator"].sum()
        .assign(geography_code=SCOTLAND_CODE, geography_level="scotland")
    )
    table = pd.concat([councils, scotland], ignore_index=True)
    table["period"] = table["period"].astype(str)
    table["numerator"] = table["numerator"].astype("Int64")
    return table


def finish(table: pd.DataFrame, measure_id: str, unit: str, additive: bool) -> pd.DataFrame:
    """Add the identifying columns and return the long format in its canonical order."""
    table = table.assign(measure_id=measure_id, unit=unit, additive=additive)
    if "denominator" not in table:
        table["denominator"] = pd.NA
    if "value" not in table:
        table["value"] = table["numerator"].astype("Float64")
    for optional in ("lower", "upper", "vintage"):
        if optional not in table:
            table[optional] = pd.NA
    for number in ("denominator", "value", "lower", "upper"):
        table[number] = table[number].astype("Float64")
    table["vintage"] = table["vintage"].astype("string")
    return table[list(LONG_FORMAT)].sort_values(["period", "geography_code", "breakdown", "category"], ignore_index=True)
