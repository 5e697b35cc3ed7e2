"""Councils' education returns: school leavers and exclusions.

Each child starts P1 in the August after turning 4.5-5.5 (a quarter of January
and February births defer a year) and leaves at the end of S4, S5 or S6, or
leaves unrecorded (moved away, special provision). Children looked after around
S4 leave earlier; leavers looked after at any time in their last school year
have lower attainment and fewer positive destinations (about 70-75% nine months
on, against about 93% for all leavers, as published). Exclusions fall mostly in
S1-S4, on boys, on children from families with higher need, and - several times
over - on pupils looked after during the school year. None fall in holidays or
in the 2020 and early-2021 school closures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.output import AgencyFile
from synthetic.sampling import choose_by_probability
from synthetic.world import World

LEAVERS = "school_leavers"
EXCLUSIONS = "school_exclusions"
LEAVER_COLUMNS = (
    "scn", "forename", "surname", "date_of_birth", "sex", "la_code", "school_code", "leaver_year", "stage_left",
    "highest_scqf_level", "initial_destination", "followup_destination",
)
EXCLUSION_COLUMNS = ("scn", "date_of_birth", "la_code", "school_year", "exclusion_date", "days_excluded")
STAGES = ("S4", "S5", "S6")
DESTINATIONS = (
    "higher_education", "further_education", "training", "employment", "voluntary_work", "personal_skills_development",
    "unemployed_seeking", "unemployed_not_seeking", "unknown",
)
POSITIVE = 6  # the first six destinations are positive
SECONDARY_SCHOOLS_NATIONAL = 360
DEFERRAL = 0.25
# Chance of leaving at S4, S5, S6, or unrecorded, for pupils not / looked after in their S4 year.
_STAGE_CHANCE = {False: np.array([0.10, 0.25, 0.60, 0.05]), True: np.array([0.45, 0.28, 0.19, 0.08])}
# Highest SCQF level 0..7 by stage left, for leavers not / looked after in their last school year.
_SCQF = {
    False: np.array([
        [0.06, 0.01, 0.02, 0.10, 0.33, 0.48, 0.0, 0.0],
        [0.02, 0.005, 0.01, 0.035, 0.14, 0.39, 0.40, 0.0],
        [0.005, 0.0, 0.005, 0.02, 0.05, 0.17, 0.50, 0.25],
    ]),
    True: np.array([
        [0.18, 0.04, 0.08, 0.20, 0.30, 0.20, 0.0, 0.0],
        [0.08, 0.02, 0.05, 0.15, 0.25, 0.30, 0.15, 0.0],
        [0.03, 0.01, 0.03, 0.08, 0.15, 0.25, 0.36, 0.09],
    ]),
}
# Chance of a positive initial destination by SCQF band (<=3, 4, 5, 6+), not / looked after.
_POSITIVE_INITIAL = {False: np.array([0.80, 0.90, 0.94, 0.975]), True: np.array([0.58, 0.72, 0.80, 0.88])}
_STAYS_POSITIVE = {False: 0.97, True: 0.88}
_BECOMES_POSITIVE = {False: 0.40, True: 0.25}
# Positive destination mix by SCQF band (<=4, 5, 6, 7), then the mix of other destinations.
_POSITIVE_MIX = np.array([
    [0.0, 0.45, 0.15, 0.25, 0.01, 0.14],
    [0.03, 0.42, 0.12, 0.37, 0.01, 0.05],
    [0.45, 0.18, 0.04, 0.30, 0.01, 0.02],
    [0.75, 0.06, 0.02, 0.15, 0.01, 0.01],
])
_OTHER_MIX = np.array([0.6, 0.3, 0.1])
EXCLUSIONS_NATIONAL = {2019: 14_900, 2020: 11_000, 2021: 9_800, 2022: 11_700, 2023: 14_200, 2024: 14_500}
_EXCLUSION_BY_STAGE = np.array([0.05, 0.05, 0.05, 0.2, 0.2, 0.2, 0.2, 1.0, 1.0, 1.2, 1.2, 0.4, 0.4])  # P1..S6
_EXCLUSION_DAYS = np.array([0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 15, 20])
_EXCLUSION_DAYS_WEIGHT = np.array([14, 22, 6, 16, 4, 12, 7, 8, 3, 2, 2, 2, 1, 0.5])
LOOKED_AFTER_EXCLUSION_FACTOR = 3.0


@dataclass(frozen=True)
class SchoolCareers:
    """Per person: P1 start year, stage index left (10 = S4 .. 12 = S6), recorded leaver or not, school."""

    start: np.ndarray
    leaves_after: np.ndarray
    recorded: np.ndarray
    school: np.ndarray  # index into codes
    codes: np.ndarray


def _school_codes(rng: np.random.Generator, world: World) -> tuple[np.ndarray, np.ndarray]:
    """7-digit school codes per council (code array, council of each code)."""
    counts = np.maximum(2, np.round(world.councils.child_share * SECONDARY_SCHOOLS_NATIONAL)).astype(int)
    codes = rng.choice(np.arange(5_100_000, 8_999_999), size=int(counts.sum()), replace=False)
    return np.array([f"{c:07d}" for c in codes], dtype=object), np.repeat(np.arange(len(counts)), counts)


def school_careers(world: World) -> SchoolCareers:
    """When each child starts P1 and when (and whether) they leave school with a leaver record."""
    rng = world.rng("school_careers")
    pop = world.population
    start = pop.dob_y + np.where(pop.dob_m >= 3, 5, 4)
    start = start + ((pop.dob_m <= 2) & (rng.random(len(pop)) < DEFERRAL))
    # Looked after in the S4 year; before the first simulated year, being in the opening stock stands in for it.
    opening = periods.CENSUS_YEARS[0]
    looked_after_in_s4 = np.zeros(len(pop), dtype=bool)
    looked_after_in_s4[world.care.at_census(opening)["person"].to_numpy()] = True
    looked_after_in_s4 &= start + 11 <= opening
    for year in periods.CENSUS_YEARS[1:]:
        looked_after_in_s4 |= world.looked_after_during(year) & (start + 11 == year)
    chance = np.where(looked_after_in_s4[:, None], _STAGE_CHANCE[True], _STAGE_CHANCE[False])
    stage = choose_by_probability(rng, chance)
    codes, code_council = _school_codes(rng, world)
    first = np.searchsorted(code_council, np.arange(len(world.councils)))
    count = np.bincount(code_council, minlength=len(world.councils))
    council = np.maximum(pop.council, 0)
    school = first[council] + (rng.random(len(pop)) * count[council]).astype(np.int64)
    leaves_after = 10 + np.minimum(stage, 2) * (stage < 3)
    recorded = stage < 3
    for year in periods.SCHOOL_YEAR_ENDS:
        # At small scales a council may have no leaver in a year; the pipeline refuses empty files,
        # so one pupil then in S4-S6 leaves that year instead.
        leaving = world.reported & recorded & (start + leaves_after + 1 == year)
        for council in np.flatnonzero(np.bincount(pop.council[leaving], minlength=len(world.councils)) == 0):
            in_senior_school = (year - 1 - start >= 10) & (year - 1 - start <= 12) & (~recorded | (start + leaves_after + 1 > year))
            senior = np.flatnonzero(world.reported & (pop.council == council) & in_senior_school)
            if len(senior):
                chosen = senior[rng.integers(0, len(senior))]
                leaves_after[chosen], recorded[chosen] = year - 1 - start[chosen], True
    return SchoolCareers(start=start, leaves_after=leaves_after, recorded=recorded, school=school, codes=codes)


def _destinations(rng: np.random.Generator, level: np.ndarray, looked_after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Initial and nine-month destinations: lower attainment and care experience both cut positive outcomes."""
    band = np.clip(level - 3, 0, 3)
    positive_initial = rng.random(len(level)) < np.where(looked_after, _POSITIVE_INITIAL[True][band], _POSITIVE_INITIAL[False][band])
    mix = _POSITIVE_MIX[np.clip(level - 4, 0, 3)]
    positive_kind = choose_by_probability(rng, mix)
    other_kind = POSITIVE + choose_by_probability(rng, np.tile(_OTHER_MIX, (len(level), 1)))
    initial = np.where(positive_initial, positive_kind, other_kind)
    stays = rng.random(len(level)) < np.where(looked_after, _STAYS_POSITIVE[True], _STAYS_POSITIVE[False])
    becomes = rng.random(len(level)) < np.where(looked_after, _BECOMES_POSITIVE[True], _BECOMES_POSITIVE[False])
    positive_followup = np.where(positive_initial, stays, becomes)
    same = rng.random(len(level)) < 0.8
    followup_positive = np.where(positive_initial & same, initial, choose_by_probability(rng, mix))
    followup_other = np.where(~positive_initial & same, initial, POSITIVE + choose_by_probability(rng, np.tile(_OTHER_MIX, (len(level), 1))))
    return initial, np.where(positive_followup, followup_positive, followup_other)


def _leavers(world: World, careers: SchoolCareers) -> list[AgencyFile]:
    """One file per council and leaver year: every child whose recorded leaving falls in that school year."""
    rng = world.rng(LEAVERS)
    pop, councils = world.population, world.councils
    labels = np.array(DESTINATIONS, dtype=object)
    files: list[AgencyFile] = []
    for year in periods.SCHOOL_YEAR_ENDS:
        leaving = world.reported & careers.recorded & (careers.start + careers.leaves_after + 1 == year)
        person = np.flatnonzero(leaving)
        stage = careers.leaves_after[person] - 10
        looked_after = world.looked_after_during(year)[person]
        level = np.where(
            looked_after,
            choose_by_probability(rng, _SCQF[True][stage]),
            choose_by_probability(rng, _SCQF[False][stage]),
        )
        initial, followup = _destinations(rng, level, looked_after)
        ids = world.errors.apply(LEAVERS, rng, person, periods.day(year, 6, 30), ("scn", "forename", "surname", "date_of_birth", "sex"), education=True)
        frame = pd.DataFrame({
            **{k: ids[k] for k in ("scn", "forename", "surname", "date_of_birth", "sex")},
            "la_code": councils.codes[pop.council[person]],
            "school_code": careers.codes[careers.school[person]],
            "leaver_year": periods.two_year_label(year - 1),
            "stage_left": np.array(STAGES, dtype=object)[stage],
            "highest_scqf_level": level.astype(str),
            "initial_destination": labels[initial],
            "followup_destination": labels[followup],
            "_person": person,
            "_council": pop.council[person],
        }).sort_values(["school_code", "surname", "forename"], kind="stable")
        for council, part in frame.groupby("_council", sort=True):
            rows = part[list(LEAVER_COLUMNS)].reset_index(drop=True)
            files.append(AgencyFile(councils.codes[council], LEAVERS, periods.two_year_label(year - 1), rows, part["_person"].to_numpy()))
    return files


def school_days(year: int) -> np.ndarray:
    """Days pupils were in school in the school year ending ``year``: weekdays outside holidays and closures."""
    days = np.arange(periods.day(year - 1, 8, 18), periods.day(year, 6, 28) + 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    closed = [
        (periods.day(year - 1, 10, 13), periods.day(year - 1, 10, 24)),
        (periods.day(year - 1, 12, 22), periods.day(year, 1, 6)),
        (periods.day(year, 4, 1), periods.day(year, 4, 14)),
        (periods.day(2020, 3, 20), periods.day(2020, 8, 11)),
        (periods.day(2021, 1, 5), periods.day(2021, 3, 14)),
    ]
    open_day = weekday < 5
    for first, last in closed:
        open_day &= (days < first) | (days > last)
    return days[open_day]


def _exclusions(world: World, careers: SchoolCareers) -> list[AgencyFile]:
    """Poisson counts per pupil scaled to the national total, dated on school days."""
    rng = world.rng(EXCLUSIONS)
    pop, councils = world.population, world.councils
    files: list[AgencyFile] = []
    for year in periods.SCHOOL_YEAR_ENDS:
        stage = year - 1 - careers.start
        pupil = np.flatnonzero(world.reported & (stage >= 0) & (stage <= careers.leaves_after))
        rate = (
            _EXCLUSION_BY_STAGE[stage[pupil]]
            * np.where(pop.male[pupil], 2.3, 1.0)
            * np.exp(0.5 * pop.risk[pupil])
            * np.where(world.looked_after_during(year)[pupil], LOOKED_AFTER_EXCLUSION_FACTOR, 1.0)
        )
        rate *= world.scaled(EXCLUSIONS_NATIONAL[year]) / rate.sum()
        count = rng.poisson(rate)
        council = pop.council[pupil]
        for c in np.flatnonzero(np.bincount(council, weights=count, minlength=len(councils)) == 0):
            in_council = np.flatnonzero(council == c)  # every council reports at least one exclusion
            count[in_council[np.argmax(rate[in_council])]] = 1
        person = np.repeat(pupil, count)
        days = school_days(year)
        when = days[rng.integers(0, len(days), size=len(person))]
        ids = world.errors.apply(EXCLUSIONS, rng, person, when, ("scn", "date_of_birth"), education=True)
        length = rng.choice(_EXCLUSION_DAYS, size=len(person), p=_EXCLUSION_DAYS_WEIGHT / _EXCLUSION_DAYS_WEIGHT.sum())
        frame = pd.DataFrame({
            "scn": ids["scn"],
            "date_of_birth": ids["date_of_birth"],
            "la_code": councils.codes[pop.council[person]],
            "school_year": periods.two_year_label(year - 1),
            "exclusion_date": periods.iso(when),
            "days_excluded": [f"{d:g}" for d in length],
            "_person": person,
            "_council": pop.council[person],
        }).sort_values(["exclusion_date", "scn"], kind="stable")
        for c, part in frame.groupby("_council", sort=True):
            rows = part[list(EXCLUSION_COLUMNS)].reset_index(drop=True)
            files.append(AgencyFile(councils.codes[c], EXCLUSIONS, periods.two_year_label(year - 1), rows, part["_person"].to_numpy()))
    return files


def build(world: World) -> list[AgencyFile]:
    """School leavers and exclusions share one set of school careers, so a pupil excluded in S3 is the same child who leaves later."""
    careers = school_careers(world)
    return _leavers(world, careers) + _exclusions(world, careers)
