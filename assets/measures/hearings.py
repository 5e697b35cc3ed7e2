"""Q2 Voice measure: the share of children's hearings where the child's views were recorded.

From the Children's Reporter's referrals (SCRA): a referral with a hearing date is a
hearing. Hearings are counted in the social work year in which they were held (1 August to
31 July), which can be after the year of the referral; a year is reported only up to the
latest year of referrals received, so a year whose hearings are still mostly to come is not
published half counted. A hearing with nothing recorded about the child's views counts as
views not recorded. The council is the child's.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.catalogue import measure
from assets.measures.long_format import NO_DEPRIVATION, age_at_month_end, age_band, shares_by_breakdown, social_work_year

HEARINGS = f"""
(SELECT CAST({social_work_year('hearing_date')} AS VARCHAR) AS period, la_code, sex,
        {age_band(age_at_month_end('hearing_date'))} AS age_band, child_views_recorded
 FROM analysis.hearings_referrals
 WHERE hearing_date IS NOT NULL
   AND {social_work_year('hearing_date')} <= (SELECT max(CAST(_period AS INTEGER)) FROM analysis.hearings_referrals))
"""


@measure(
    id="hearings_child_views_recorded_share",
    question="Q2",
    vision_id=None,
    theme="Listening",
    title="Share of children's hearings where the child's views were recorded",
    numerator="Hearings held between 1 August and 31 July at which the child's views were recorded." + NO_DEPRIVATION,
    denominator="Hearings held between 1 August and 31 July (referrals to the Children's Reporter with a hearing date)",
    unit="percent",
    breakdowns=("sex", "age_band"),
    desired_direction="up",
    baseline_period="2020",
    sources=("hearings_referrals",),
)
def hearings_child_views_recorded_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return shares_by_breakdown(con, HEARINGS, ("sex", "age_band"), condition="child_views_recorded = 'Y'")
