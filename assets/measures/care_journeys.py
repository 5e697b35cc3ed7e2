"""Q2 measures of journeys into, through and out of care, from councils' looked after returns.

A council's return for year Y (1 August Y-1 to 31 July Y) holds every placement open at some
point in that year, so an episode running over several years appears in several returns.
Each measure therefore reads only the return of the year it reports, and only the events
dated inside that year: an episode that started in 2019 and is still open is a start in
2019 only. Children are counted by each council's own (pseudonymised) child reference, as
in the official return, and Scotland is the sum of councils.

Ages use year and month of birth only (the warehouse holds no date of birth): age at the
end of the month of the event. No dataset holds deprivation (SIMD), so there is no
deprivation breakdown.

Aftercare uptake is not measured: the looked after return records whether a young person
left into continuing care, but no dataset records who receives aftercare afterwards.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import (
    LOOKED_AFTER_RETURNS,
    NO_DEPRIVATION,
    age_at_month_end,
    age_band,
    counts_by_breakdown,
    rates_per_1000,
    shares_by_breakdown,
)
from assets.measures.looked_after import AT_31_JULY, CHILDREN_0_17
from assets.model.measures import measure

IN_YEAR = "BETWEEN make_date(year_ending - 1, 8, 1) AND make_date(year_ending, 7, 31)"

# A child who starts (or ceases) twice in a year is counted once, at the first start (last end).
STARTED = f"""
(SELECT CAST(year_ending AS VARCHAR) AS period, la_code, sex, {age_band(age_at_month_end('episode_start'))} AS age_band
 FROM analysis.looked_after_episodes
 WHERE episode_start {IN_YEAR}
 QUALIFY row_number() OVER (PARTITION BY la_code, year_ending, child_ref_key ORDER BY episode_start, placement_start) = 1)
"""

CEASED = f"""
(SELECT CAST(year_ending AS VARCHAR) AS period, la_code, sex, {age_band(age_at_month_end('episode_end'))} AS age_band
 FROM analysis.looked_after_episodes
 WHERE episode_end {IN_YEAR}
 QUALIFY row_number() OVER (PARTITION BY la_code, year_ending, child_ref_key ORDER BY episode_end DESC, placement_start DESC) = 1)
"""

# Placements in the year: every placement row of the child's return for that year.
PLACEMENTS_IN_YEAR = f"""
(SELECT at_31_july.*, placements
 FROM {AT_31_JULY} AS at_31_july
 JOIN (SELECT CAST(year_ending AS VARCHAR) AS period, la_code, child_ref_key,
              count(DISTINCT (episode_start, placement_start)) AS placements
       FROM analysis.looked_after_episodes GROUP BY ALL) USING (period, la_code, child_ref_key))
"""

# Young people who stopped being looked after in the year, aged 16 or over, from a placement
# away from home: those entitled to stay on in their placement under continuing care.
LEFT_CARE_ELIGIBLE_FOR_CONTINUING_CARE = f"""
(SELECT CAST(year_ending AS VARCHAR) AS period, la_code, sex, continuing_care
 FROM analysis.looked_after_episodes
 WHERE episode_end {IN_YEAR}
   AND {age_at_month_end('episode_end')} >= 16
 QUALIFY row_number() OVER (PARTITION BY la_code, year_ending, child_ref_key ORDER BY episode_end DESC, placement_start DESC) = 1
     AND placement_type <> 'at_home_with_parents')
"""


# Flows by age band only: by sex, a council's starts and ends with its children looked after by
# sex at both ends of the year would make an exact balance for each sex (docs/disclosure-control.md).
FLOW_BREAKDOWNS = ("age_band",)


def _rate_of_children(con: duckdb.DuckDBPyConnection, relation: str) -> pd.DataFrame:
    breakdowns = FLOW_BREAKDOWNS
    counts = counts_by_breakdown(con, relation, breakdowns, reporting=LOOKED_AFTER_RETURNS)
    population = counts_by_breakdown(con, CHILDREN_0_17, breakdowns, count="sum(population)")
    return rates_per_1000(counts, population)


@measure(
    id="started_looked_after_rate_per_1000",
    question="Q2",
    vision_id=1,
    theme="Where children live",
    title="Children who started to be looked after during the year, per 1,000 children aged 0-17",
    numerator="Children who started an episode of being looked after between 1 August and 31 July (counted once however many times they started)." + NO_DEPRIVATION,
    denominator="Children aged 0-17 in the council (National Records of Scotland mid-year estimate for the year the social work year ends)",
    unit="per 1,000 children aged 0-17",
    breakdowns=FLOW_BREAKDOWNS,
    desired_direction="down",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes", "population_estimates"),
    progress_framework=("V1-O1-C2",),
    public_denominator=True,
)
def started_looked_after_rate_per_1000(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _rate_of_children(con, STARTED)


@measure(
    id="ceased_looked_after_rate_per_1000",
    question="Q2",
    vision_id=1,
    theme="Where children live",
    title="Children who stopped being looked after during the year, per 1,000 children aged 0-17",
    numerator="Children whose episode of being looked after ended between 1 August and 31 July (counted once); age at leaving, 18-year-olds in 16-17." + NO_DEPRIVATION,
    denominator="Children aged 0-17 in the council (National Records of Scotland mid-year estimate for the year the social work year ends)",
    unit="per 1,000 children aged 0-17",
    breakdowns=FLOW_BREAKDOWNS,
    desired_direction="none",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes", "population_estimates"),
    public_denominator=True,
)
def ceased_looked_after_rate_per_1000(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _rate_of_children(con, CEASED)


@measure(
    id="three_or_more_placements_share",
    question="Q2",
    vision_id=2,
    theme="Stability",
    title="Share of children looked after on 31 July who had three or more placements during the year",
    numerator="Children looked after on 31 July with three or more placements between 1 August and 31 July (any episode in the council's return)." + NO_DEPRIVATION,
    denominator="Children looked after on 31 July",
    unit="percent",
    breakdowns=("sex", "age_band"),
    desired_direction="down",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes",),
    progress_framework=("V2-O2",),
)
def three_or_more_placements_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return shares_by_breakdown(con, PLACEMENTS_IN_YEAR, ("sex", "age_band"), condition="placements >= 3")


@measure(
    id="continuing_care_uptake_share",
    question="Q2",
    vision_id=9,
    theme="Moving on and lifelong support",
    title="Share of young people leaving care at 16 or over from a placement away from home who stayed on in continuing care",
    numerator="Young people whose episode ended in the year into continuing care (continuing care recorded)." + NO_DEPRIVATION,
    denominator="Young people who stopped being looked after in the year aged 16 or over whose last placement was away from home (foster, kinship, residential or other); aftercare receipt is not held in any dataset",
    unit="percent",
    breakdowns=("sex",),
    desired_direction="up",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes",),
    progress_framework=("V9-O1",),
)
def continuing_care_uptake_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return shares_by_breakdown(con, LEFT_CARE_ELIGIBLE_FOR_CONTINUING_CARE, ("sex",), condition="continuing_care = 'Y'")
