"""Q2 justice measures: children under 18 in custody, and admissions to secure care.

Custody comes from the Scottish Prison Service's census (one census date a year, 31 March);
the census says nothing about councils, so it is published for Scotland only, by the
census year. Should a year hold more than one census date, the latest is used, so a child
is never counted twice in a year.

Secure care admissions are counted in the social work year of admission (1 August to 31
July), by the authority that placed the child. Councils' admissions add up to Scotland's.
Children placed in Scottish secure care by authorities in England, Wales or Northern
Ireland have no Scottish council, so they are a measure of their own for Scotland (by
placing country), rather than a Scotland total that councils would not add up to: that
gap would give away a small cross-border count by subtraction.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import (
    NO_DEPRIVATION,
    age_at_month_end,
    age_band,
    counts_by_breakdown,
    every_council_in_periods_of,
    national_counts_by_breakdown,
    social_work_year,
)
from assets.model.measures import measure

# Placing authority code prefixes (GSS): S12 Scottish councils; the rest by country.
PLACING_COUNTRY = """CASE
    WHEN placing_authority_code LIKE 'S12%' THEN 'Scotland'
    WHEN placing_authority_code LIKE 'W%' THEN 'Wales'
    WHEN placing_authority_code LIKE 'N%' THEN 'Northern Ireland'
    ELSE 'England' END"""

IN_CUSTODY = f"""
(SELECT CAST(year(census_date) AS VARCHAR) AS period, status,
        {age_band(age_at_month_end('census_date'))} AS age_band
 FROM analysis.custody_under_18
 QUALIFY census_date = max(census_date) OVER (PARTITION BY year(census_date)))
"""

SECURE_ADMISSIONS = f"""
(SELECT CAST({social_work_year('admission_date')} AS VARCHAR) AS period,
        placing_authority_code, {PLACING_COUNTRY} AS placing_country, route, sex,
        {age_band(age_at_month_end('admission_date'))} AS age_band
 FROM analysis.secure_admissions)
"""


@measure(
    id="children_in_custody_under_18",
    question="Q2",
    vision_id=8,
    theme="Justice",
    title="Children under 18 in custody on the census date (Scotland)",
    numerator="People under 18 held in Scottish Prison Service establishments on the annual census date (31 March), remanded or sentenced; no council is recorded." + NO_DEPRIVATION,
    denominator=None,
    unit="children",
    breakdowns=("status", "age_band"),
    desired_direction="down",
    baseline_period="2020",
    counted_in="calendar_year",
    sources=("custody_under_18",),
)
def children_in_custody_under_18(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return national_counts_by_breakdown(con, IN_CUSTODY, ("status", "age_band"))


@measure(
    id="secure_care_admissions",
    question="Q2",
    vision_id=8,
    theme="Justice",
    title="Admissions to secure care placed by Scottish councils",
    numerator="Admissions to secure care between 1 August and 31 July placed by the council, on welfare or justice grounds." + NO_DEPRIVATION,
    denominator=None,
    unit="admissions",
    breakdowns=("route", "sex", "age_band"),
    desired_direction="down",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("secure_admissions", "population_estimates"),
)
def secure_care_admissions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    scottish = f"(SELECT *, placing_authority_code AS la_code FROM {SECURE_ADMISSIONS} WHERE placing_country = 'Scotland')"
    return counts_by_breakdown(con, scottish, ("route", "sex", "age_band"), reporting=every_council_in_periods_of(SECURE_ADMISSIONS))


@measure(
    id="secure_care_admissions_from_outside_scotland",
    question="Q2",
    vision_id=8,
    theme="Justice",
    title="Admissions to Scottish secure care placed by authorities outside Scotland",
    numerator="Admissions to secure care in Scotland between 1 August and 31 July placed by authorities in England, Wales or Northern Ireland." + NO_DEPRIVATION,
    denominator=None,
    unit="admissions",
    breakdowns=("placing_country", "route"),
    desired_direction="down",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("secure_admissions",),
)
def secure_care_admissions_from_outside_scotland(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    outside = f"(SELECT * FROM {SECURE_ADMISSIONS} WHERE placing_country <> 'Scotland')"
    return national_counts_by_breakdown(con, outside, ("placing_country", "route"))
