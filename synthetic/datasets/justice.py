"""Children's hearings referrals (SCRA), secure care admissions (providers) and young people in custody (SPS).

All three draw on the same children: referrals go mostly to children who are,
or are about to be, looked after; Scottish secure admissions are the secure
placements in the councils' care histories, plus a few young people remanded
without being looked after, plus young people placed from England, Wales and
Northern Ireland (about 15% of admissions); custody falls on 16- and
17-year-old boys from families with the highest need, many with care histories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.care_histories import SECURE
from synthetic.output import AgencyFile
from synthetic.sampling import choose_by_probability
from synthetic.world import World

REFERRALS = "hearings_referrals"
SECURE_ADMISSIONS = "secure_admissions"
CUSTODY = "custody_under_18"
REFERRAL_COLUMNS = (
    "referral_id", "chi", "scn", "forename", "surname", "date_of_birth", "sex", "la_code", "referral_date", "ground_type",
    "hearing_date", "outcome", "child_views_recorded", "child_attended",
)
SECURE_COLUMNS = ("admission_id", "chi", "forename", "surname", "date_of_birth", "sex", "placing_authority_code", "route", "admission_date", "discharge_date")
CUSTODY_COLUMNS = ("census_date", "establishment", "chi", "date_of_birth", "status")

REFERRALS_NATIONAL = {2019: 14_500, 2020: 12_800, 2021: 11_600, 2022: 11_900, 2023: 12_400, 2024: 12_600}
GROUND_TYPES = ("offence", "lack_of_parental_care", "exposed_to_harm", "school_attendance", "close_connection_with_offender", "other")
OUTCOMES = ("cso_made", "cso_varied", "cso_terminated", "discharged", "continued")
HEARING_SHARE = 0.35
LOOKED_AFTER_REFERRAL_FACTOR = 6.0
_REFERRAL_BY_AGE = np.array([1.0, 0.6, 0.7, 1.5, 0.8])  # under 1, 1-4, 5-11, 12-15, 16-17
_OUTCOME_MIX = np.array([0.35, 0.30, 0.12, 0.10, 0.13])

SECURE_PROVIDERS = ("SCP01", "SCP02", "SCP03", "SCP04", "SCP05")
_PROVIDER_MIX = np.array([0.30, 0.25, 0.20, 0.15, 0.10])
CROSS_BORDER_SHARE = 0.15
NOT_LOOKED_AFTER_SHARE = 0.12  # Scottish admissions of young people remanded without being looked after
MINIMUM_ADMISSIONS = len(SECURE_PROVIDERS)  # every provider admits someone each year
# GSS prefixes and how many councils each covers: English unitary, metropolitan, London, county; Welsh; NI.
_OTHER_UK_COUNCILS = (("E06", 66), ("E08", 36), ("E09", 33), ("E10", 21), ("W06", 22), ("N09", 11))

CUSTODY_NATIONAL = {2019: 38, 2020: 31, 2021: 24, 2022: 27, 2023: 29, 2024: 22}
ESTABLISHMENTS_MALE = ("HMYOI Polmont", "HMP Grampian", "HMP Edinburgh")
_ESTABLISHMENT_MIX = np.array([0.9, 0.05, 0.05])
ESTABLISHMENT_FEMALE = "HMP & YOI Stirling"


def _age_band(ages: np.ndarray) -> np.ndarray:
    """Same bands as the care simulation: under 1, 1-4, 5-11, 12-15, 16-17."""
    return np.searchsorted([1, 5, 12, 16], ages, side="right")


def _referrals(world: World) -> list[AgencyFile]:
    """SCRA referrals, one file per SCRA reporting year (1 April to 31 March): drawn with replacement, so some
    children are referred more than once a year. ``year`` is the social work year ending in the SCRA year's
    second calendar year, which most of it overlaps (for the national totals and who is looked after)."""
    rng = world.rng(REFERRALS)
    pop, councils = world.population, world.councils
    turns_18 = pop.birthday(np.arange(len(pop)), 18)
    files: list[AgencyFile] = []
    for first in periods.FINANCIAL_YEAR_STARTS:
        year, label = first + 1, periods.two_year_label(first)
        on, start = periods.day(first + 1, 3, 31), periods.day(first, 4, 1)
        candidate = np.flatnonzero(world.reported & (pop.dob <= on - 30) & (turns_18 > start + 30))
        looked_after = world.looked_after_during(year) | world.looked_after_during(year + 1)
        weight = (
            _REFERRAL_BY_AGE[_age_band(pop.age_on(candidate, periods.day(first, 10, 1)).clip(0))]
            * np.exp(1.3 * pop.risk[candidate])
            * np.where(looked_after[candidate], LOOKED_AFTER_REFERRAL_FACTOR, 1.0)
        )
        person = np.sort(rng.choice(candidate, size=world.scaled(REFERRALS_NATIONAL[year]), p=weight / weight.sum()))
        low = np.maximum(start, pop.dob[person] + 1)
        high = np.minimum(on, turns_18[person] - 1)
        referral = low + np.floor(rng.random(len(person)) * (high - low + 1)).astype(np.int64)
        age = pop.age_on(person, referral)
        ground = choose_by_probability(rng, np.column_stack([
            np.where(age >= 12, 0.45, 0.0) + np.where(age >= 8, 0.05, 0.0),
            np.full(len(age), 0.30),
            np.full(len(age), 0.30),
            np.where((age >= 5) & (age <= 15), 0.12, 0.0),
            np.full(len(age), 0.08),
            np.full(len(age), 0.05),
        ]))
        hearing = rng.random(len(person)) < HEARING_SHARE
        hearing_day = np.where(hearing, referral + 14 + np.floor(rng.exponential(40.0, size=len(person))).astype(np.int64), periods.OPEN)
        outcome = np.where(hearing, np.array(OUTCOMES, dtype=object)[choose_by_probability(rng, np.tile(_OUTCOME_MIX, (len(person), 1)))], "no_hearing")
        views = rng.random(len(person)) < 0.62 + 0.03 * (year - periods.SOCIAL_WORK_YEARS[0])
        attended = rng.random(len(person)) < np.clip(0.2 + 0.05 * age, 0.1, 0.9)
        ids = world.errors.apply(REFERRALS, rng, person, referral, ("chi", "scn", "forename", "surname", "date_of_birth", "sex"))
        order = np.lexsort((person, referral))
        frame = pd.DataFrame({
            "referral_id": "",
            **{k: ids[k] for k in ("chi", "scn", "forename", "surname", "date_of_birth", "sex")},
            "la_code": councils.codes[pop.council[person]],
            "referral_date": periods.iso(referral),
            "ground_type": np.array(GROUND_TYPES, dtype=object)[ground],
            "hearing_date": periods.iso(hearing_day),
            "outcome": outcome,
            "child_views_recorded": np.where(hearing, np.where(views, "Y", "N"), ""),
            "child_attended": np.where(hearing, np.where(attended, "Y", "N"), ""),
        }).iloc[order].reset_index(drop=True)
        frame["referral_id"] = [f"SCRA-{label}-{n:06d}" for n in range(1, len(frame) + 1)]
        files.append(AgencyFile("SCRA", REFERRALS, label, frame[list(REFERRAL_COLUMNS)], person[order]))
    return files


def _other_uk_codes(rng: np.random.Generator, count: int) -> np.ndarray:
    """Plausible GSS codes for placing councils in England, Wales and Northern Ireland."""
    sizes = np.array([n for _, n in _OTHER_UK_COUNCILS], dtype=float)
    prefix = rng.choice(len(sizes), size=count, p=sizes / sizes.sum())
    number = 1 + np.floor(rng.random(count) * sizes[prefix]).astype(int)
    return np.array([f"{_OTHER_UK_COUNCILS[p][0]}{n:06d}" for p, n in zip(prefix, number)], dtype=object)


def _secure(world: World) -> list[AgencyFile]:
    """One file per provider and year; every provider admits someone each year so no file is empty."""
    rng = world.rng(SECURE_ADMISSIONS)
    pop, councils = world.population, world.councils
    outsiders = np.flatnonzero(pop.council < 0)
    placing_code = np.empty(len(pop), dtype=object)
    placing_code[outsiders] = _other_uk_codes(rng, len(outsiders))
    placements = world.care.placements
    secure = placements[(placements["type"] == SECURE) & world.reported[placements["person"].to_numpy()]]
    files: list[AgencyFile] = []
    for year in periods.SOCIAL_WORK_YEARS:
        on, start = periods.census_day(year), periods.year_start(year)
        admitted = secure[(secure["start"] >= start) & (secure["start"] <= on)]
        looked_after_person = admitted["person"].to_numpy()
        looked_after_dates = (admitted["start"].to_numpy(), admitted["end"].to_numpy())

        remand_count = int(round(NOT_LOOKED_AFTER_SHARE / (1 - NOT_LOOKED_AFTER_SHARE) * len(looked_after_person)))
        # Ages on the last day an admission can fall: no one aged 17 at most then is admitted at 18.
        ages = pop.age_on(np.arange(len(pop)), on)
        remand_pool = np.flatnonzero(world.reported & (ages >= 14) & (ages <= 17) & ~world.looked_after_during(year))
        weight = np.exp(2.0 * pop.risk[remand_pool]) * np.where(pop.male[remand_pool], 4.0, 1.0)
        remanded = rng.choice(remand_pool, size=remand_count, replace=False, p=weight / weight.sum())

        scottish = len(looked_after_person) + remand_count
        cross_border = max(int(round(CROSS_BORDER_SHARE / (1 - CROSS_BORDER_SHARE) * scottish)), MINIMUM_ADMISSIONS - scottish, 1)
        eligible_outsiders = outsiders[(ages[outsiders] >= 12) & (ages[outsiders] <= 17)]
        placed_from_elsewhere = rng.choice(eligible_outsiders, size=cross_border, replace=cross_border > len(eligible_outsiders))

        others = np.concatenate([remanded, placed_from_elsewhere])
        others_admitted = start + np.floor(rng.random(len(others)) * (on - start + 1)).astype(np.int64)
        others_discharged = others_admitted + 7 + np.round(rng.gamma(2.0, 45.0, size=len(others))).astype(np.int64)
        person = np.concatenate([looked_after_person, others])
        admitted_on = np.concatenate([looked_after_dates[0], others_admitted])
        discharged_on = np.concatenate([looked_after_dates[1], others_discharged])
        discharged_on = np.where(discharged_on <= on, discharged_on, periods.OPEN)
        justice_chance = np.concatenate([
            np.where(pop.age_on(looked_after_person, looked_after_dates[0]) >= 14, 0.25, 0.05),
            np.ones(len(remanded)),
            np.full(len(placed_from_elsewhere), 0.3),
        ])
        route = np.where(rng.random(len(person)) < justice_chance, "justice", "welfare")
        code = np.where(pop.council[person] >= 0, councils.codes[np.maximum(pop.council[person], 0)], placing_code[person])
        provider = rng.choice(len(SECURE_PROVIDERS), size=len(person), p=_PROVIDER_MIX)
        provider[rng.permutation(len(person))[: len(SECURE_PROVIDERS)]] = np.arange(len(SECURE_PROVIDERS))
        ids = world.errors.apply(SECURE_ADMISSIONS, rng, person, admitted_on, ("chi", "forename", "surname", "date_of_birth", "sex"))
        frame = pd.DataFrame({
            **{k: ids[k] for k in ("chi", "forename", "surname", "date_of_birth", "sex")},
            "placing_authority_code": code,
            "route": route,
            "admission_date": periods.iso(admitted_on),
            "discharge_date": periods.iso(discharged_on),
            "_person": person,
            "_provider": provider,
            "_admitted": admitted_on,
        }).sort_values(["_provider", "_admitted", "_person"], kind="stable")
        for index, part in frame.groupby("_provider", sort=True):
            agency = SECURE_PROVIDERS[index]
            part = part.assign(admission_id=[f"{agency}-{year}-{n:04d}" for n in range(1, len(part) + 1)])
            files.append(AgencyFile(agency, SECURE_ADMISSIONS, str(year), part[list(SECURE_COLUMNS)].reset_index(drop=True), part["_person"].to_numpy()))
    return files


def _custody(world: World) -> list[AgencyFile]:
    """SPS census of under-18s on 31 March, mostly boys aged 16-17 in HMYOI Polmont."""
    rng = world.rng(CUSTODY)
    pop = world.population
    files: list[AgencyFile] = []
    for year in periods.CALENDAR_YEARS:
        census = periods.day(year, 3, 31)
        ages = pop.age_on(np.arange(len(pop)), census)
        pool = np.flatnonzero(world.reported & (ages >= 15) & (ages <= 17))
        care_history = world.looked_after_during(year) | world.looked_after_during(year - 1)
        weight = (
            np.exp(2.2 * pop.risk[pool])
            * np.where(pop.male[pool], 12.0, 1.0)
            * np.array([0.2, 0.8, 1.5])[ages[pool] - 15]
            * np.where(care_history[pool], 4.0, 1.0)
        )
        person = np.sort(rng.choice(pool, size=world.scaled(CUSTODY_NATIONAL[year]), replace=False, p=weight / weight.sum()))
        establishment = np.where(
            pop.male[person],
            np.array(ESTABLISHMENTS_MALE, dtype=object)[rng.choice(len(ESTABLISHMENTS_MALE), size=len(person), p=_ESTABLISHMENT_MIX)],
            ESTABLISHMENT_FEMALE,
        )
        ids = world.errors.apply(CUSTODY, rng, person, census, ("chi", "date_of_birth"))
        frame = pd.DataFrame({
            "census_date": periods.iso(np.full(len(person), census)),
            "establishment": establishment,
            "chi": ids["chi"],
            "date_of_birth": ids["date_of_birth"],
            "status": np.where(rng.random(len(person)) < 0.55, "remand", "sentenced"),
            "_person": person,
        }).sort_values(["establishment", "date_of_birth", "_person"], kind="stable")
        files.append(AgencyFile("SPS", CUSTODY, str(year), frame[list(CUSTODY_COLUMNS)].reset_index(drop=True), frame["_person"].to_numpy()))
    return files


def build(world: World) -> list[AgencyFile]:
    """Referrals, secure admissions and custody, in that order."""
    return _referrals(world) + _secure(world) + _custody(world)
