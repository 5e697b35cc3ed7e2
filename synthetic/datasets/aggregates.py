"""Aggregate returns: NRS population estimates, council family support spend, SG indicator values.

Population estimates are counted from the same population the records come
from (people reported on, by council, sex and single year of age at 30 June),
so rates per 1,000 children computed by the pipeline have exact synthetic
denominators. Spend is in real pounds at every scale (only the share on
preventative whole family support matters: about 1-4% and rising slowly, short of
the 5% ambition). Indicator values are the published reference values, sent as
the national producer would: one file per release (vintage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.output import AgencyFile, not_about_people
from synthetic.world import World

POPULATION = "population_estimates"
SPEND = "family_support_spend"
INDICATORS = "indicator_values"
POPULATION_COLUMNS = ("year", "la_code", "sex", "age", "population")
SPEND_COLUMNS = ("financial_year", "la_code", "community_health_social_care_spend_gbp", "preventative_whole_family_support_spend_gbp")
INDICATOR_COLUMNS = (
    "indicator_id", "geography_code", "period", "value", "numerator", "denominator", "unit", "source", "vintage", "last_updated", "next_update_due",
)
COMMUNITY_SPEND_NATIONAL_2019 = 3_200_000_000  # GBP, community health and social care, 2019-20
SPEND_GROWTH = 0.04


def _population_files(world: World) -> list[AgencyFile]:
    """NRS mid-year estimates counted from the reported population: every council, sex and age 0-17."""
    pop, councils = world.population, world.councils
    everyone = np.flatnonzero(world.reported)
    files: list[AgencyFile] = []
    for year in periods.POPULATION_YEARS:
        age = pop.age_on(everyone, periods.day(year, 6, 30))
        child = (age >= 0) & (age <= 17)
        cell = (pop.council[everyone[child]].astype(np.int64) * 2 + pop.male[everyone[child]]) * 18 + age[child]
        counts = np.bincount(cell, minlength=len(councils) * 2 * 18)
        frame = pd.DataFrame({
            "year": str(year),
            "la_code": np.repeat(councils.codes, 36),
            "sex": np.tile(np.repeat(np.array(["F", "M"], dtype=object), 18), len(councils)),
            "age": np.tile(np.arange(18), 2 * len(councils)).astype(str),
            "population": counts.astype(str),
        })
        files.append(AgencyFile("NRS", POPULATION, str(year), frame[list(POPULATION_COLUMNS)], not_about_people(len(frame))))
    return files


def _spend_files(world: World) -> list[AgencyFile]:
    """One single-row file per council and financial year, as each council would return it."""
    rng = world.rng(SPEND)
    councils = world.councils
    share_start = rng.uniform(0.010, 0.030, size=len(councils))
    share_rise = rng.uniform(0.0010, 0.0030, size=len(councils))
    size = councils.child_share * rng.lognormal(0.0, 0.08, size=len(councils))
    files: list[AgencyFile] = []
    for step, start_year in enumerate(periods.FINANCIAL_YEAR_STARTS):
        total = COMMUNITY_SPEND_NATIONAL_2019 * (1 + SPEND_GROWTH) ** step * size * rng.lognormal(0.0, 0.02, size=len(councils))
        share = np.clip(share_start + step * share_rise + rng.normal(0.0, 0.0015, size=len(councils)), 0.005, 0.045)
        total = np.round(total, -3).astype(np.int64)
        preventative = np.round(total * share, -3).astype(np.int64)
        for index, code in enumerate(councils.codes):
            frame = pd.DataFrame({
                "financial_year": [periods.two_year_label(start_year)],
                "la_code": [code],
                "community_health_social_care_spend_gbp": [str(total[index])],
                "preventative_whole_family_support_spend_gbp": [str(preventative[index])],
            })
            files.append(AgencyFile(code, SPEND, periods.two_year_label(start_year), frame[list(SPEND_COLUMNS)], not_about_people(1)))
    return files


def _indicator_files(world: World) -> list[AgencyFile]:
    """The reference indicator values, one file per release, with release and next-due dates."""
    values = world.reference.indicator_values
    files: list[AgencyFile] = []
    for vintage, rows in values.groupby("vintage", sort=True):
        year, month = (int(part) for part in vintage.split("-"))
        frame = pd.DataFrame({
            "indicator_id": rows["indicator_id"].to_numpy(),
            "geography_code": rows["geography_code"].to_numpy(),
            "period": rows["period"].to_numpy(),
            "value": rows["value"].to_numpy(),
            "numerator": "",
            "denominator": "",
            "unit": rows["unit"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "vintage": vintage,
            "last_updated": f"{year}-{month:02d}-01",
            "next_update_due": f"{year + 1}-{month:02d}-01",
        })
        files.append(AgencyFile("SG", INDICATORS, vintage, frame[list(INDICATOR_COLUMNS)], not_about_people(len(frame))))
    return files


def build(world: World) -> list[AgencyFile]:
    """Population estimates, spend and indicator values."""
    return _population_files(world) + _spend_files(world) + _indicator_files(world)
