"""Q2 Voice measure: the share of children's hearings where the child's views were recorded.

From the Children's Reporter's referrals (SCRA): a referral with a hearing date is a
hearing. Hearings are counted in SCRA's own reporting year (1 April to 31 March, labelled
``2023-24``), the year SCRA sends its return for and publishes in, not the social work year;
a hearing counts in the year it was held, which can be after the year of the referral. A year
is reported only up to the latest year of referrals received, so a year whose hearings are
still mostly to come is not published half counted. A hearing with nothing recorded about the child's views counts as
views not recorded. The council is the child's.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import NO_DEPRIVATION, age_at_month_end, age_band, april_to_march_year, shares_by_breakdown
from assets.model.measures import measure

HEARINGS = f"""
(SELECT {april_to_march_year('hearing_date')} AS period, la_code, sex,
        {age_band(age_at_month_end('hearing_date'))} AS age_band, child_views_recorded
 FROM analysis.hearings_referrals
 WHERE hearing_date IS NOT NULL
   AND {april_to_march_year('hearing_date')} <= (SELECT max(_period) FROM analysis.hearings_referrals))
"""


@measure(
    id="hearings_child_views_recorded_share",
    question="Q2",
    vision_id=None,
    theme="Listening",
    title="Share of children's hearings where the child's views were recorded",
    numerator="Hearings held in SCRA's reporting year (1 April to 31 March) at which the child's views were recorded." + NO_DEPRIVATION,
    denominator="Hearings held in SCRA's reporting year, 1 April to 31 March (referrals to the Children's Reporter with a hearing date)",
    unit="percent",
    breakdowns=("sex", "age_band"),
    desired_direction="up",
    baseline_period="2019-20",
    counted_in="financial_year",
    sources=("hearings_referrals",),
)
def hearings_child_views_recorded_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return shares_by_breakdown(con, HEARINGS, ("sex", "age_band"), condition="child_views_recorded = 'Y'")
