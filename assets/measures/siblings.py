"""Q2 measure for brothers and sisters: do looked after children live with their siblings?

Councils give brothers and sisters in their return the same ``sibling_group_ref`` (keyed in the
warehouse, ``sibling_group_ref_key``). Of the
children looked after on 31 July with at least one brother or sister also looked after by
the same council that day, the measure counts those living with all, some or none of them.

The return holds no carer or address reference, so "living together" is read from the
placement: siblings are together when their placements on 31 July are of the same type and
began on the same day (brothers and sisters placed together start their placements
together). A sibling who joined an existing placement later counts as apart, so the share
living together is, if anything, understated.

The categories add up to the children with a sibling looked after (the headline row, 100%),
which lets disclosure control protect each category; that is why there is one measure with
three categories rather than three separate shares, and why the headline carries no
direction: the direction wanted is more children in ``all`` and fewer in ``none``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import NO_DEPRIVATION, counts_by_breakdown
from assets.measures.looked_after import AT_31_JULY
from assets.model.measures import measure

WITH_SIBLINGS_LOOKED_AFTER = f"""
(SELECT period, la_code,
        CASE WHEN together = others THEN 'all' WHEN together > 0 THEN 'some' ELSE 'none' END AS living_with_siblings
 FROM (SELECT *,
              count(*) OVER (PARTITION BY period, la_code, sibling_group_ref_key) - 1 AS others,
              count(*) OVER (PARTITION BY period, la_code, sibling_group_ref_key, placement_type, placement_start) - 1 AS together
       FROM {AT_31_JULY} WHERE sibling_group_ref_key IS NOT NULL)
 WHERE others > 0)
"""


@measure(
    id="siblings_living_together",
    question="Q2",
    vision_id=4,
    theme="Relationships",
    title="Children looked after on 31 July with a brother or sister also looked after: share living with all, some or none of them",
    numerator="Children looked after on 31 July living with all, some or none of their looked after brothers and sisters (same placement type and start date)." + NO_DEPRIVATION,
    denominator="Children looked after on 31 July with at least one brother or sister looked after by the same council that day",
    unit="percent",
    breakdowns=("living_with_siblings",),
    desired_direction="none",
    baseline_period="2020",
    counted_in="social_work_year",
    sources=("looked_after_episodes",),
)
def siblings_living_together(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    counts = counts_by_breakdown(con, WITH_SIBLINGS_LOOKED_AFTER, ("living_with_siblings",))
    totals = counts[counts["breakdown"] == "total"][["period", "geography_code", "numerator"]].rename(columns={"numerator": "denominator"})
    shares = counts.merge(totals, on=["period", "geography_code"])
    shares["value"] = (100 * shares["numerator"] / shares["denominator"]).astype("Float64").round(1)
    return shares
