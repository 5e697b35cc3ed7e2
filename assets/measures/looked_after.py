"""Q2 measures from councils' looked after episodes: the looked after population at 31 July.

The social work year runs 1 August to 31 July and is labelled by its end year; stock counts
are taken on 31 July. A child is looked after at 31 July when an episode covers that day
(started on or before it and not ended by it); the placement covering that day gives the
placement type. Each council counts its own children, by its own (pseudonymised) child
reference, as in the official return, and Scotland is the sum of councils.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from assets.measures.long_format import KNOWN_CATEGORIES, NO_DEPRIVATION, age_at_month_end, age_band, counts_by_breakdown, rates_per_1000, shares_by_breakdown
from assets.model.contracts import Contract
from assets.model.measures import Measure, measure

# Placements in a family: at home with parents, or with kinship carers (friends or relatives).
FAMILY_SETTINGS = ("at_home_with_parents", "kinship_friends_relatives")

AT_31_JULY = f"""
(SELECT
    CAST(year_ending AS VARCHAR) AS period,
    la_code,
    child_ref_key,
    sibling_group_ref_key,
    placement_type,
    placement_start,
    sex,
    {age_band('age')} AS age_band
FROM (
    SELECT *,
        -- 31 July is the last day of its month, so year and month of birth give the exact age.
        {age_at_month_end('make_date(year_ending, 7, 31)')} AS age
    FROM analysis.looked_after_episodes
    WHERE episode_start <= make_date(year_ending, 7, 31)
      AND (episode_end IS NULL OR episode_end > make_date(year_ending, 7, 31))
      AND placement_start <= make_date(year_ending, 7, 31)
      AND (placement_end IS NULL OR placement_end > make_date(year_ending, 7, 31))
)
QUALIFY row_number() OVER (PARTITION BY la_code, year_ending, child_ref_key ORDER BY placement_start DESC) = 1)
"""

CHILDREN_0_17 = f"""
(SELECT CAST(year AS VARCHAR) AS period, la_code, sex, {age_band('age')} AS age_band, population
 FROM analysis.population_estimates)
"""


def looked_after_31_july(con: duckdb.DuckDBPyConnection, placement_types: tuple[str, ...]) -> pd.DataFrame:
    """Every placement type the contract lists is shown, 0 where a council has no child in it."""
    return counts_by_breakdown(con, AT_31_JULY, ("placement_type", "sex", "age_band"), known=KNOWN_CATEGORIES | {"placement_type": placement_types})


def declare_looked_after_31_july(reference_dir: Path, contracts: Mapping[str, Contract]) -> list[Measure]:
    """Declared with the looked after contract, whose code list (every year's, in the analysis tables' one set) gives the placement types."""
    placement_types = tuple(dict.fromkeys(contracts["looked_after_episodes"].analysis_codes("placement_type").values()))
    return [Measure(
        id="looked_after_31_july",
        question="Q2",
        vision_id=1,
        theme="Where children live",
        title="Children looked after on 31 July",
        numerator="Children looked after by the council on 31 July (an episode covering that day)." + NO_DEPRIVATION,
        denominator=None,
        unit="children",
        breakdowns=("placement_type", "sex", "age_band"),
        desired_direction="down",
        baseline_period="2020",
        counted_in="social_work_year",
        sources=("looked_after_episodes",),
        figures=partial(looked_after_31_july, placement_types=placement_types),
        progress_framework=("V1-O1-C1",),
        # The headline balances: the flows are not published by sex (care_journeys.FLOW_BREAKDOWNS),
        # and an age band's children move up a band between the two days.
        stock_and_flow=("started_looked_after_rate_per_1000", "ceased_looked_after_rate_per_1000", ("total",)),
    )]


@measure(
    id="looked_after_rate_per_1000",
    question="Q2",
    vision_id=1,
    theme="Where children live",
    title="Children looked after on 31 July per 1,000 children aged 0-17",
    numerator="Children looked after on 31 July." + NO_DEPRIVATION,
    denominator="Children aged 0-17 in the council (National Records of Scotland mid-year estimate for the same year)",
    unit="per 1,000 children aged 0-17",
    breakdowns=("sex", "age_band"),
    desired_direction="down",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes", "population_estimates"),
    public_denominator=True,
    progress_framework=("V1-O1-C1",),
)
def looked_after_rate_per_1000(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    breakdowns = ("sex", "age_band")
    counts = counts_by_breakdown(con, AT_31_JULY, breakdowns)
    population = counts_by_breakdown(con, CHILDREN_0_17, breakdowns, count="sum(population)")
    return rates_per_1000(counts, population)


@measure(
    id="looked_after_family_settings_share",
    question="Q2",
    vision_id=1,
    theme="Where children live",
    title="Share of children looked after on 31 July who live in a family setting (at home with parents or in kinship care)",
    numerator="Children looked after on 31 July placed at home with parents or with friends or relatives (kinship care)." + NO_DEPRIVATION,
    denominator="Children looked after on 31 July",
    unit="percent",
    breakdowns=("sex", "age_band"),
    desired_direction="up",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes",),
    composed_of=("looked_after_31_july", "placement_type", FAMILY_SETTINGS),
    progress_framework=("V1-O1",),
)
def looked_after_family_settings_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    family = ", ".join(f"'{t}'" for t in FAMILY_SETTINGS)
    return shares_by_breakdown(con, AT_31_JULY, ("sex", "age_band"), condition=f"placement_type IN ({family})")
