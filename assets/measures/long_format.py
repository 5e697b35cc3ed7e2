"""Turn record-level counts into the standard long format, for every council and Scotland.

Counts are made per council and summed to Scotland, as the official returns are, so a
breakdown's categories add up to its total and councils add up to Scotland: the additive
structure disclosure control relies on. Every category of a breakdown (seen in the period,
or known: both sexes) is given to every council counted or reporting that period, with 0
where it has none, so a zero is published as 0 rather than lost.

The SQL helpers below work on analysis tables, which hold year and month of birth only
(never the date): ages are therefore taken at the end of a month, where they are exact.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from assets.model.reference import SCOTLAND_CODE

# Said in every record-level measure's declaration: the breakdown DOMAIN.md asks for and the data cannot give.
NO_DEPRIVATION = " No deprivation breakdown: no dataset holds deprivation (SIMD)."

FIGURE = ["period", "geography_code", "geography_level", "breakdown", "category"]


def age_at_month_end(day: str) -> str:
    """SQL: age in completed years at the end of the month of ``day`` (a date expression).

    Exact with only year and month of birth held: by the month's last day the birthday of a
    child born that month has passed.
    """
    return f"(year({day}) - birth_year - CASE WHEN birth_month > month({day}) THEN 1 ELSE 0 END)"


def age_band(age: str) -> str:
    """SQL: the published age bands for an age in years.

    18 and over falls in 16-17: a young person who leaves care on their 18th birthday was 17
    the day before, and the bands stop at 17 as the population denominators do.
    """
    return f"CASE WHEN {age} < 5 THEN '0-4' WHEN {age} < 12 THEN '5-11' WHEN {age} < 16 THEN '12-15' ELSE '16-17' END"


def social_work_year(day: str) -> str:
    """SQL: the social work year (1 August to 31 July, labelled by its end year) holding ``day``."""
    return f"(year({day}) + CASE WHEN month({day}) >= 8 THEN 1 ELSE 0 END)"


def april_to_march_year(day: str) -> str:
    """SQL: the year 1 April to 31 March holding ``day`` (SCRA's reporting year, the financial year), labelled ``2023-24``."""
    first = f"(year({day}) - CASE WHEN month({day}) < 4 THEN 1 ELSE 0 END)"
    return f"(CAST({first} AS VARCHAR) || '-' || lpad(CAST(({first} + 1) % 100 AS VARCHAR), 2, '0'))"


# Categories a breakdown always has, so a council with none in one is shown as 0, not left out.
# (Age bands are not listed: some cannot occur in some measures, such as 0-4 in custody.) A
# measure adds the code lists of its data contract (``known``): the published looked after
# table lists crisis care at 0.
KNOWN_CATEGORIES = {"sex": ("F", "M")}

# Every council (National Records of Scotland estimate the population of all of them).
EVERY_COUNCIL = "(SELECT DISTINCT la_code FROM analysis.population_estimates)"


def every_council_in_periods_of(relation: str) -> str:
    """SQL (period, la_code): every council, in each period ``relation`` has, for counts of
    events a national body reports (a council with no admissions has 0, not no figure)."""
    return f"(SELECT DISTINCT r.period, c.la_code FROM {relation} AS r CROSS JOIN {EVERY_COUNCIL} AS c)"


# Councils that sent a looked after return for the year: one with nothing to count has 0.
LOOKED_AFTER_RETURNS = "(SELECT DISTINCT CAST(year_ending AS VARCHAR) AS period, la_code FROM analysis.looked_after_episodes)"


def _with_zero_categories(councils: pd.DataFrame, reporting: pd.DataFrame | None, known: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """Give every council counted in a period (or reporting, if given) every category of the
    period (seen in it, or ``known`` for the breakdown), 0 where it has none."""
    geographies = councils[["period", "la_code"]]
    if reporting is not None:
        geographies = pd.concat([geographies, reporting.astype({"period": str})])
    geographies = geographies.drop_duplicates()
    always = pd.DataFrame(
        [(b, c) for b in councils["breakdown"].unique() for c in known.get(b, ())], columns=["breakdown", "category"]
    )
    categories = pd.concat([councils[["period", "breakdown", "category"]], geographies[["period"]].drop_duplicates().merge(always, how="cross")])
    grid = geographies.merge(categories.drop_duplicates(), on="period")
    full = grid.merge(councils, on=["period", "la_code", "breakdown", "category"], how="left")
    full["numerator"] = full["numerator"].fillna(0)
    return full


def counts_by_breakdown(
    con: duckdb.DuckDBPyConnection, relation: str, breakdowns: tuple[str, ...], count: str = "count(*)", reporting: str | None = None,
    known: Mapping[str, tuple[str, ...]] = KNOWN_CATEGORIES,
) -> pd.DataFrame:
    """Counts from ``relation`` (with columns period, la_code and each breakdown) per council and Scotland.

    Returns period, geography_code, geography_level, breakdown, category, numerator; the
    headline row has breakdown and category 'total'. ``reporting`` (SQL giving period and
    la_code) names councils to show with 0 when they have nothing to count: those that sent
    a return, or every council for events a national body reports. ``known``: the categories
    each breakdown shows whether or not anyone is in them.
    """
    pieces = [f"SELECT period, la_code, 'total' AS breakdown, 'total' AS category, {count} AS numerator FROM counted GROUP BY ALL"]
    pieces += [
        f"SELECT period, la_code, '{b}' AS breakdown, CAST({b} AS VARCHAR) AS category, {count} AS numerator FROM counted GROUP BY ALL"
        for b in breakdowns
    ]
    every = con.execute(f"SELECT period, la_code FROM {reporting}").df() if reporting else None
    # Materialized: the relation (often a join, say who is care-experienced) is worked out once, not once per breakdown.
    counted = f"WITH counted AS MATERIALIZED (SELECT * FROM {relation}) "
    councils = _with_zero_categories(con.execute(counted + " UNION ALL ".join(pieces)).df(), every, known)
    councils = councils.rename(columns={"la_code": "geography_code"}).assign(geography_level="council")
    scotland = (
        councils.groupby(["period", "breakdown", "category"], as_index=False)["numerator"].sum()
        .assign(geography_code=SCOTLAND_CODE, geography_level="scotland")
    )
    table = pd.concat([councils, scotland], ignore_index=True)
    table["period"] = table["period"].astype(str)
    table["numerator"] = table["numerator"].astype("Int64")
    return table


def national_counts_by_breakdown(con: duckdb.DuckDBPyConnection, relation: str, breakdowns: tuple[str, ...], count: str = "count(*)") -> pd.DataFrame:
    """Counts for Scotland only, for sources that say nothing about councils (``relation`` needs no la_code)."""
    national = f"(SELECT *, '{SCOTLAND_CODE}' AS la_code FROM {relation})"
    table = counts_by_breakdown(con, national, breakdowns, count)
    return table[table["geography_level"] == "council"].assign(geography_level="scotland").reset_index(drop=True)


def shares_by_breakdown(con: duckdb.DuckDBPyConnection, relation: str, breakdowns: tuple[str, ...], condition: str) -> pd.DataFrame:
    """Percentage of the rows of ``relation`` meeting ``condition`` (SQL), per council, Scotland and breakdown.

    Numerator and denominator are both counted, so each share travels with the counts
    disclosure control needs to hide it.
    """
    denominators = counts_by_breakdown(con, relation, breakdowns).rename(columns={"numerator": "denominator"})
    numerators = counts_by_breakdown(con, relation, breakdowns, count=f"count(*) FILTER (WHERE {condition})")
    # A group with nobody in it has no share (0 of 0), so it has no row.
    shares = numerators.merge(denominators[denominators["denominator"] > 0], on=FIGURE, how="inner")
    shares["value"] = (100 * shares["numerator"] / shares["denominator"]).astype("Float64").round(1)
    return shares


def rates_per_1000(counts: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Counts per 1,000 of ``population`` (the same figure columns, its count in ``numerator``).

    Scotland's rate is worked out from the councils counted, so a council whose return is
    missing is left out of the population too, not counted as having no children.
    """
    people = population[population["geography_level"] == "council"].rename(columns={"numerator": "denominator"})
    councils = counts[counts["geography_level"] == "council"].merge(people[[*FIGURE, "denominator"]], on=FIGURE)
    scotland = (
        councils.groupby(["period", "breakdown", "category"], as_index=False)[["numerator", "denominator"]].sum()
        .assign(geography_code=SCOTLAND_CODE, geography_level="scotland")
    )
    rates = pd.concat([councils, scotland], ignore_index=True)
    rates = rates[rates["denominator"] > 0].reset_index(drop=True)
    rates["value"] = (1000 * rates["numerator"] / rates["denominator"]).astype("Float64").round(1)
    return rates
