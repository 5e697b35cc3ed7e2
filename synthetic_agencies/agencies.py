"""Every agency dataset of DOMAIN.md, drawn from the one true population and its care histories."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from synthetic_agencies.looked_after import Episode
from synthetic_agencies.noise import SCHOOL_SCN_MISSING, degrade
from synthetic_agencies.people import COUNCIL_PROFILE, age_on

ETHNICITY = ["white_scottish", "white_other_british", "white_other", "mixed", "asian", "african", "caribbean_or_black", "other", "not_known"]
ETHNICITY_P = [0.78, 0.06, 0.03, 0.03, 0.02, 0.02, 0.01, 0.01, 0.04]
POSITIVE = ["higher_education", "further_education", "training", "employment", "voluntary_work", "personal_skills_development"]
NEGATIVE = ["unemployed_seeking", "unemployed_not_seeking", "unknown"]


def school_year_label(end_year: int) -> str:
    return f"{end_year - 1}-{end_year % 100:02d}"


def looked_after_episodes(rng: np.random.Generator, people: pd.DataFrame, episodes: list[Episode], years: list[int], former_codes: dict[str, str]) -> pd.DataFrame:
    rows = []
    child_refs = {}
    sibling_groups = {}
    for episode in episodes:
        if rng.random() < 0.2:
            sibling_groups.setdefault((episode.la_code, episode.start.year), []).append(episode.person)
    # Children entering care in the same council and year are grouped in twos as brothers and sisters.
    sibling_ref = {
        person: f"SG-{la}-{year}-{i // 2}"
        for (la, year), members in sibling_groups.items()
        for i, person in enumerate(members[: len(members) - len(members) % 2])
    }
    for number, episode in enumerate(episodes):
        child_refs.setdefault((episode.la_code, episode.person), f"{episode.la_code}-{len(child_refs) + 1:06d}")
        for year in years:
            first, census = dt.date(year - 1, 8, 1), dt.date(year, 7, 31)
            if episode.start > census or (episode.end is not None and episode.end < first):
                continue
            for placement_type, start, end in episode.placements:
                if start > census or (end is not None and end < first):
                    continue
                rows.append({
                    "person": episode.person, "episode": number, "year_ending": year, "la_code": episode.la_code,
                    "child_ref": child_refs[(episode.la_code, episode.person)],
                    "sibling_group_ref": sibling_ref.get(episode.person, ""),
                    "episode_start": episode.start, "episode_end": episode.end if episode.end and episode.end <= census else None,
                    "placement_type": placement_type, "placement_start": start, "placement_end": end if end and end <= census else None,
                    "reason_ended": episode.reason_ended if episode.end and episode.end <= census else None,
                    "destination_on_leaving": episode.destination if episode.end and episode.end <= census else None,
                    "continuing_care": "Y" if episode.continuing_care and episode.end and episode.end <= census else "N",
                    "placement_outside_scotland": "Y" if placement_type == "residential_school" and episode.person % 50 == 0 else "N",
                })
    table = pd.DataFrame(rows)
    person = people.iloc[table["person"].to_numpy()].reset_index(drop=True)
    # One set of identifier errors per child per council return, as the council's record holds it.
    per_child = degrade(rng, people.iloc[sorted(set(table["person"]))], dt.date(2021, 7, 31)).set_index("true_person_id")
    ids = per_child.loc[person["true_person_id"]].reset_index()
    for column in ("forename", "surname", "date_of_birth", "postcode", "chi", "scn"):
        table[column] = ids[column].to_numpy()
    table["sex"] = person["sex"].to_numpy()
    table["true_person_id"] = person["true_person_id"].to_numpy()
    ethnicity = dict(zip(sorted(set(table["person"])), rng.choice(ETHNICITY, table["person"].nunique(), p=ETHNICITY_P)))
    table["ethnicity"] = table["person"].map(ethnicity)
    table["disability"] = np.where(table["person"] % 11 == 0, "Y", np.where(table["person"] % 13 == 0, "not_known", "N"))
    table["legal_reason"] = np.array(["compulsory_supervision_order", "permanence_order", "voluntary_section_25", "child_protection_order", "other"])[(table["episode"] * 31 % 100 // 20).clip(0, 4)]
    # Councils recoded in 2018-19 still used their old code in the 2019 return.
    old = table["year_ending"].eq(2019) & table["la_code"].isin(former_codes)
    table["agency"] = table["la_code"]
    table.loc[old, "la_code"] = table.loc[old, "la_code"].map(former_codes)
    return table.sort_values(["agency", "year_ending", "child_ref", "placement_start"], kind="stable")


def population_estimates(people: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    rows = []
    for year in years:
        census = dt.date(year, 6, 30)
        ages = age_on(people["date_of_birth"], census)
        alive = people[(ages >= 0) & (ages <= 17)].assign(age=ages[(ages >= 0) & (ages <= 17)])
        counts = alive.groupby(["la_code", "sex", "age"]).size().rename("population").reset_index()
        grid = pd.MultiIndex.from_product([sorted(COUNCIL_PROFILE), ["F", "M"], range(18)], names=["la_code", "sex", "age"]).to_frame(index=False)
        rows.append(grid.merge(counts, how="left").fillna({"population": 0}).assign(year=year))
    table = pd.concat(rows, ignore_index=True)
    table["population"] = table["population"].astype(int)
    return table.assign(agency="NRS")


def school_leavers(rng: np.random.Generator, people: pd.DataFrame, care_experienced: dict[int, set[str]], years: list[int]) -> pd.DataFrame:
    frames = []
    for year in years:
        # Scottish school cohorts run March to February; a cohort leaves around age 16-17.
        cohort = people[(people["date_of_birth"] >= dt.date(year - 18, 3, 1)) & (people["date_of_birth"] < dt.date(year - 17, 3, 1))]
        cohort = degrade(rng, cohort, dt.date(year, 6, 1), scn_missing=SCHOOL_SCN_MISSING)
        n = len(cohort)
        ce = cohort["true_person_id"].isin(care_experienced.get(year, set())).to_numpy()
        positive = rng.random(n) < np.where(ce, 0.72, 0.93)
        follow_positive = rng.random(n) < np.where(ce, 0.70, 0.92)
        frames.append(cohort.assign(
            school_code=[f"{5000000 + sorted(COUNCIL_PROFILE).index(la) * 100 + i % 7:07d}" for la, i in zip(cohort["la_code"], range(n))],
            leaver_year=school_year_label(year),
            stage_left=rng.choice(["S4", "S5", "S6"], n, p=[0.12, 0.26, 0.62]),
            highest_scqf_level=np.where(ce, rng.choice(range(0, 8), n, p=[0.08, 0.1, 0.12, 0.2, 0.25, 0.13, 0.1, 0.02]), rng.choice(range(0, 8), n, p=[0.01, 0.01, 0.02, 0.06, 0.2, 0.17, 0.45, 0.08])),
            initial_destination=np.where(positive, rng.choice(POSITIVE, n), rng.choice(NEGATIVE, n)),
            followup_destination=np.where(follow_positive, rng.choice(POSITIVE, n), rng.choice(NEGATIVE, n)),
            agency=cohort["la_code"],
        ))
    return pd.concat(frames, ignore_index=True)


def school_exclusions(rng: np.random.Generator, people: pd.DataFrame, care_experienced_ids: set[str], years: list[int], scale: float) -> pd.DataFrame:
    frames = []
    for year in years:
        first = dt.date(year - 1, 8, 15)
        ages = age_on(people["date_of_birth"], first)
        pupils = people[(ages >= 5) & (ages <= 17)]
        ce = pupils["true_person_id"].isin(care_experienced_ids).to_numpy()
        weight = np.where(ce, 12.0, 1.0)
        n = int(round(12_000 * scale))
        chosen = pupils.iloc[rng.choice(len(pupils), size=n, replace=True, p=weight / weight.sum())]
        chosen = degrade(rng, chosen, first, scn_missing=SCHOOL_SCN_MISSING)
        frames.append(chosen.assign(
            school_year=school_year_label(year),
            exclusion_date=[first + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n)],
            days_excluded=rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 5.0], n),
            agency=chosen["la_code"],
        ))
    return pd.concat(frames, ignore_index=True)


def hearings_referrals(rng: np.random.Generator, people: pd.DataFrame, looked_after_ids: set[str], years: list[int], scale: float) -> pd.DataFrame:
    frames = []
    for year in years:
        first = dt.date(year - 1, 8, 1)
        ages = age_on(people["date_of_birth"], first)
        children = people[(ages >= 0) & (ages <= 16)]
        weight = np.where(children["true_person_id"].isin(looked_after_ids), 40.0, 1.0)
        n = int(round(12_000 * scale))
        chosen = degrade(rng, children.iloc[rng.choice(len(children), size=n, p=weight / weight.sum())], first)
        referral = [first + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, n)]
        hearing = rng.random(n) < 0.55
        frames.append(chosen.assign(
            referral_id=[f"SCRA-{year}-{i:06d}" for i in range(n)],
            referral_date=referral,
            ground_type=rng.choice(["offence", "lack_of_parental_care", "exposed_to_harm", "school_attendance", "close_connection_with_offender", "other"], n),
            hearing_date=[r + dt.timedelta(days=int(d)) if h else None for r, d, h in zip(referral, rng.integers(10, 120, n), hearing)],
            outcome=np.where(hearing, rng.choice(["cso_made", "cso_varied", "cso_terminated", "discharged", "continued"], n), "no_hearing"),
            child_views_recorded=np.where(hearing, np.where(rng.random(n) < 0.8, "Y", "N"), None),
            child_attended=np.where(hearing, np.where(rng.random(n) < 0.7, "Y", "N"), None),
            agency="SCRA", period=year,
        ))
    return pd.concat(frames, ignore_index=True)


def secure_admissions(rng: np.random.Generator, people: pd.DataFrame, looked_after_ids: set[str], years: list[int], scale: float) -> pd.DataFrame:
    frames = []
    for year in years:
        first = dt.date(year - 1, 8, 1)
        ages = age_on(people["date_of_birth"], first)
        teens = people[(ages >= 12) & (ages <= 16)]
        weight = np.where(teens["true_person_id"].isin(looked_after_ids), 50.0, 1.0)
        n = max(int(round(200 * scale)), 5)
        chosen = degrade(rng, teens.iloc[rng.choice(len(teens), size=n, p=weight / weight.sum())], first)
        from_elsewhere = rng.random(n) < 0.15
        admitted = [first + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, n)]
        frames.append(chosen.assign(
            admission_id=[f"SEC-{year}-{i:05d}" for i in range(n)],
            placing_authority_code=np.where(from_elsewhere, rng.choice(["E06000001", "E08000025", "E09000022", "W06000015", "N09000003"], n), chosen["la_code"]),
            route=rng.choice(["welfare", "justice"], n, p=[0.7, 0.3]),
            admission_date=admitted,
            discharge_date=[a + dt.timedelta(days=int(d)) if a + dt.timedelta(days=int(d)) <= dt.date(year, 7, 31) else None for a, d in zip(admitted, rng.integers(7, 200, n))],
            agency=[f"SCP0{i}" for i in rng.integers(1, 6, n)], period=year,
            # Children placed from outside Scotland are not in Scotland's population.
            true_person_id=np.where(from_elsewhere, None, chosen["true_person_id"]),
        ))
    return pd.concat(frames, ignore_index=True)


def custody_under_18(rng: np.random.Generator, people: pd.DataFrame, looked_after_ids: set[str], years: list[int], scale: float) -> pd.DataFrame:
    frames = []
    for year in years:
        census = dt.date(year, 3, 31)
        ages = age_on(people["date_of_birth"], census)
        older = people[(ages >= 16) & (ages <= 17)]
        weight = np.where(older["true_person_id"].isin(looked_after_ids), 30.0, 1.0)
        n = max(int(round(30 * scale)), 3)
        chosen = degrade(rng, older.iloc[rng.choice(len(older), size=n, replace=False, p=weight / weight.sum())], census)
        frames.append(chosen.assign(
            census_date=census, establishment=rng.choice(["HMYOI Polmont", "HMP Grampian", "HMP Edinburgh"], n, p=[0.85, 0.1, 0.05]),
            status=rng.choice(["remand", "sentenced"], n, p=[0.45, 0.55]), agency="SPS", period=year,
        ))
    return pd.concat(frames, ignore_index=True)
