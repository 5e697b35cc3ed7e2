"""Q2 education measures: school leavers' destinations and exclusions, care-experienced and all pupils.

Method notes: docs/publication.md, "Notes on `assets/measures/education.py`".
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import (
    FIGURE,
    NO_DEPRIVATION,
    age_at_month_end,
    age_band,
    counts_by_breakdown,
    every_council_in_periods_of,
    shares_by_breakdown,
)
from assets.model.measures import measure

POSITIVE_DESTINATIONS = (
    "higher_education", "further_education", "training", "employment", "voluntary_work", "personal_skills_development",
)
POSITIVE = ", ".join(f"'{d}'" for d in POSITIVE_DESTINATIONS)


def _looked_after_in_school_year(school_year: str) -> str:
    """SQL: true when the row's person was in a looked after return for the year ending with ``school_year``."""
    return f"""EXISTS (SELECT 1 FROM analysis.looked_after_episodes AS e
                       WHERE e.person_id = pupil.person_id
                         AND e.year_ending = CAST(left({school_year}, 4) AS INTEGER) + 1)"""


LEAVERS = f"""
(SELECT leaver_year AS period, la_code, sex, initial_destination, followup_destination,
        {_looked_after_in_school_year('leaver_year')} AS care_experienced
 FROM analysis.school_leavers AS pupil)
"""

EXCLUSIONS = f"""
(SELECT school_year AS period, la_code, {age_band(age_at_month_end('exclusion_date'))} AS age_band,
        {_looked_after_in_school_year('school_year')} AS care_experienced
 FROM analysis.school_exclusions AS pupil)
"""

DESTINATION_WORDS = {"initial": "initial destination (about three months after leaving)", "followup": "follow-up destination (about nine months after leaving)"}


def _leavers(care_experienced_only: bool, followup: bool) -> str:
    conditions = ["care_experienced"] if care_experienced_only else []
    if followup:
        conditions.append("followup_destination IS NOT NULL")
    return f"(SELECT * FROM {LEAVERS} WHERE {' AND '.join(conditions) or 'true'})"


def _positive_shares(con: duckdb.DuckDBPyConnection, care_experienced_only: bool, followup: bool) -> pd.DataFrame:
    destination = "followup_destination" if followup else "initial_destination"
    return shares_by_breakdown(con, _leavers(care_experienced_only, followup), ("sex",), condition=f"{destination} IN ({POSITIVE})")


def _gap(con: duckdb.DuckDBPyConnection, followup: bool) -> pd.DataFrame:
    care_experienced = _positive_shares(con, True, followup)
    everyone = _positive_shares(con, False, followup)[[*FIGURE, "value"]].rename(columns={"value": "all_leavers"})
    gap = care_experienced.merge(everyone, on=FIGURE)
    gap["value"] = (gap["all_leavers"] - gap["value"]).astype("Float64").round(1)
    return gap.drop(columns="all_leavers")


def _declare(stage: str, group: str) -> dict:
    """The declaration shared by the six destination measures (stage: initial/followup; group: care_experienced/all/gap)."""
    who = {"care_experienced": "care-experienced school leavers (looked after during their last school year)", "all": "all school leavers", "gap": "care-experienced school leavers"}[group]
    followed = " followed up" if stage == "followup" else ""
    return dict(
        question="Q2",
        vision_id=3,
        theme="Education",
        numerator=f"Of {who}{followed}, those in a positive {DESTINATION_WORDS[stage]}." + NO_DEPRIVATION,
        denominator=f"The {who}{followed} in the school year",
        unit="percentage points" if group == "gap" else "percent",
        breakdowns=("sex",),
        desired_direction={"care_experienced": "up", "all": "up", "gap": "down"}[group],
        baseline_period="2019-20",
        counted_in="school_year",
        sources=("school_leavers", "looked_after_episodes"),
    )


@measure(id="leavers_positive_initial_destination_care_experienced", title="Care-experienced school leavers in a positive initial destination", progress_framework=("V3-O2",), **_declare("initial", "care_experienced"))
def leavers_positive_initial_destination_care_experienced(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _positive_shares(con, True, False)


@measure(id="leavers_positive_initial_destination_all", title="All school leavers in a positive initial destination", **_declare("initial", "all"))
def leavers_positive_initial_destination_all(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _positive_shares(con, False, False)


@measure(
    id="leavers_positive_initial_destination_gap",
    title="Gap in positive initial destinations: all school leavers minus care-experienced leavers (percentage points)",
    **_declare("initial", "gap"),
)
def leavers_positive_initial_destination_gap(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _gap(con, False)


@measure(id="leavers_positive_followup_destination_care_experienced", title="Care-experienced school leavers in a positive follow-up destination", progress_framework=("V3-O2-X3",), **_declare("followup", "care_experienced"))
def leavers_positive_followup_destination_care_experienced(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _positive_shares(con, True, True)


@measure(id="leavers_positive_followup_destination_all", title="All school leavers in a positive follow-up destination", core_wellbeing=("CWI04",), **_declare("followup", "all"))
def leavers_positive_followup_destination_all(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _positive_shares(con, False, True)


@measure(
    id="leavers_positive_followup_destination_gap",
    title="Gap in positive follow-up destinations: all school leavers minus care-experienced leavers (percentage points)",
    **_declare("followup", "gap"),
)
def leavers_positive_followup_destination_gap(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _gap(con, True)


def _exclusion_declaration(who: str) -> dict:
    return dict(
        question="Q2",
        vision_id=3,
        theme="Education",
        numerator=f"Exclusions of {who} in the school year; age at the end of the month of the exclusion." + NO_DEPRIVATION,
        denominator=None,
        unit="exclusions",
        breakdowns=("age_band",),
        desired_direction="down",
        baseline_period="2019-20",
        counted_in="school_year",
        sources=("school_exclusions", "looked_after_episodes", "population_estimates"),
    )


@measure(
    id="school_exclusions_care_experienced",
    title="Exclusions of care-experienced pupils (the rate per 1,000 pupils needs pupil numbers no dataset holds)",
    progress_framework=("V3-O1",),
    **_exclusion_declaration("pupils looked after at any time in that school year"),
)
def school_exclusions_care_experienced(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return counts_by_breakdown(con, f"(SELECT * FROM {EXCLUSIONS} WHERE care_experienced)", ("age_band",), reporting=every_council_in_periods_of(EXCLUSIONS))


@measure(
    id="school_exclusions_all",
    title="Exclusions of all pupils (the rate per 1,000 pupils needs pupil numbers no dataset holds)",
    **_exclusion_declaration("all pupils"),
)
def school_exclusions_all(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return counts_by_breakdown(con, EXCLUSIONS, ("age_band",), reporting=every_council_in_periods_of(EXCLUSIONS))
