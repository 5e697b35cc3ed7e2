"""Q2 measure of spend: the share of community health and social care spend on preventative
whole family support (the ambition is at least 5% by 2030).

Councils report both amounts per financial year ("2020-21" = April 2020 to March 2021).
Scotland's share is its councils' spend added up, not an average of their shares, so a
large council weighs as much as it spends. Amounts are whole pounds; they describe money,
not people, so disclosure control has nothing to hide in them, but they still travel as
numerator and denominator so the share can be checked.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import FIGURE, counts_by_breakdown
from assets.model.measures import measure

SPEND = """
(SELECT financial_year AS period, la_code,
        preventative_whole_family_support_spend_gbp AS preventative, community_health_social_care_spend_gbp AS community
 FROM analysis.family_support_spend)
"""


@measure(
    id="preventative_spend_share",
    question="Q2",
    vision_id=1,
    theme="Money and commissioning",
    title="Share of community health and social care spend on preventative whole family support (ambition: at least 5% by 2030)",
    numerator="Council spend on preventative whole family support in the financial year (pounds)",
    denominator="Council spend on community health and social care in the financial year (pounds)",
    unit="percent",
    breakdowns=(),
    desired_direction="up",
    baseline_period="2019-20",
    counted_in="financial_year",
    sources=("family_support_spend",),
    progress_framework=("V1-O2",),
)
def preventative_spend_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    preventative = counts_by_breakdown(con, SPEND, (), count="CAST(round(sum(preventative)) AS BIGINT)")
    community = counts_by_breakdown(con, SPEND, (), count="CAST(round(sum(community)) AS BIGINT)").rename(columns={"numerator": "denominator"})
    shares = preventative.merge(community, on=FIGURE)
    shares["value"] = (100 * shares["numerator"] / shares["denominator"]).astype("Float64").round(1)
    return shares
