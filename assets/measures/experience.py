"""Q1 measures: does the care community feel the impact of the promise being kept?

One measure per vision statement (read from ``vision_statements.csv``, never listed here):
the share of respondents who feel positive about it, with a 95% Wilson score interval, for
Scotland and each council, by respondent group, for every collection year.

Method notes: docs/publication.md, "Notes on `assets/measures/experience.py`".
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from assets.measures.long_format import counts_by_breakdown
from assets.model.contracts import Contract
from assets.model.measures import Measure
from assets.model.reference import vision_statements

# Two-sided 95%: the 0.975 quantile of the standard normal distribution.
Z_95 = 1.959963984540054
UNIT = "percent of respondents"
BREAKDOWNS = ("respondent_group",)

POSITIVE_ANSWER = "answer IN ('4', '5', 'yes')"
# Stands in for a blank council while Scotland is summed, then dropped: never published.
NO_COUNCIL = "no_council_given"


def wilson_interval(positive: np.ndarray, total: np.ndarray, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion, as proportions in [0, 1] (NaN where ``total`` is 0).

    Chosen over the normal ("Wald") interval because it stays inside [0, 1] and keeps its
    coverage for small groups and shares near 0 or 1, which survey breakdowns often are
    (Newcombe 1998, Statistics in Medicine 17: 857-872, method 3).
    """
    positive = np.asarray(positive, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = positive / total
        z2_n = z * z / total
        centre = (share + z2_n / 2) / (1 + z2_n)
        half_width = z / (1 + z2_n) * np.sqrt(share * (1 - share) / total + z2_n / (4 * total))
    return np.clip(centre - half_width, 0.0, 1.0), np.clip(centre + half_width, 0.0, 1.0)


def respondents_on_vision(vision_id: int) -> str:
    """One row per respondent, year and vision statement: are most of their answers positive?"""
    return f"""
    (SELECT
        _period AS period,
        coalesce(nullif(la_code, ''), '{NO_COUNCIL}') AS la_code,
        respondent_group,
        CAST(count_if({POSITIVE_ANSWER}) * 2 > count(*) AS INTEGER) AS positive
     FROM analysis.experience_responses
     WHERE vision_id = {int(vision_id)}
     GROUP BY 1, 2, 3, respondent_ref_key)
    """


def share_positive(con: duckdb.DuckDBPyConnection, vision_id: int) -> pd.DataFrame:
    """The figures of one vision statement's share positive."""
    relation = respondents_on_vision(vision_id)
    keys = ["period", "geography_code", "geography_level", "breakdown", "category"]
    everyone = counts_by_breakdown(con, relation, BREAKDOWNS).rename(columns={"numerator": "denominator"})
    positive = counts_by_breakdown(con, relation, BREAKDOWNS, count="sum(positive)")
    table = everyone.merge(positive, on=keys, how="left")
    # Respondents who gave no council count in Scotland only; a group nobody answered for has no share.
    table = table[(table.geography_code != NO_COUNCIL) & (table.denominator > 0)].copy()
    table["numerator"] = table["numerator"].fillna(0).astype("Int64")
    lower, upper = wilson_interval(table["numerator"].to_numpy(dtype=float), table["denominator"].to_numpy(dtype=float))
    table["value"] = (100 * table["numerator"] / table["denominator"]).astype("Float64").round(1)
    table["lower"] = (100 * lower).round(1)
    table["upper"] = (100 * upper).round(1)
    return table


def measure_id_for(vision_id: int) -> str:
    return f"experience_positive_vision_{int(vision_id)}"


def vision_measures(reference_dir: Path, contracts: Mapping[str, Contract]) -> list[Measure]:
    """One share-positive measure per vision statement in the reference table."""
    return [
        Measure(
            id=measure_id_for(vision.vision_id),
            question="Q1",
            vision_id=int(vision.vision_id),
            title=f"Care community who feel positive about: {vision.short_title}",
            numerator="Respondents most of whose answers on this vision statement were positive (4 or 5 on the 1-5 scale; yes on yes / no / not sure)",
            denominator="Respondents who answered at least one item on this vision statement in the year",
            unit=UNIT,
            breakdowns=BREAKDOWNS,
            desired_direction="up",
            baseline_period="2020",
            counted_in="calendar_year",
            sources=("experience_responses",),
            figures=partial(share_positive, vision_id=vision.vision_id),
        )
        for vision in vision_statements(reference_dir).itertuples()
    ]
