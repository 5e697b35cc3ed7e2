"""Care histories: who is looked after, where, and when, year by year.

Each year's population looked after on 31 July is built to a target per council and
placement type (national totals like the published series, or exactly a calibration
table), mostly from children still looked after from the year before, topped up with new
entrants. Episodes and placements follow from those stocks: a child who leaves the stock
ceased during the year; a change of placement type happened on a date during the year; a
few children move three or more times in a year; some short episodes start and end between
two 31 Julys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthetic_agencies.people import COUNCIL_PROFILE

PLACEMENT_TYPES = ["at_home_with_parents", "kinship_friends_relatives", "foster_provided_by_la", "foster_purchased_by_la", "prospective_adopters", "other_community", "la_home", "voluntary_home", "residential_school", "secure_accommodation", "crisis_care", "other_residential"]
# Published national totals at 31 July (latest vintage), the shape of the default series.
DEFAULT_TOTALS = {2019: 14262, 2020: 14458, 2021: 13255, 2022: 12596, 2023: 12084, 2024: 11844}
DEFAULT_SHARES = np.array([3563, 4456, 3315, 1429, 185, 74, 556, 130, 329, 59, 0, 362], dtype=float)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that add up to ``total`` exactly."""
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=int)
    exact = total * weights / weights.sum()
    whole = np.floor(exact).astype(int)
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[: total - whole.sum()]] += 1
    return whole


def national_targets(scale: float, calibration: pd.DataFrame | None) -> dict[int, np.ndarray]:
    targets = {year: largest_remainder(int(round(total * scale)), DEFAULT_SHARES) for year, total in DEFAULT_TOTALS.items()}
    if calibration is not None:
        for year, rows in calibration.groupby("year_ending_31_july"):
            counts = rows.set_index("placement_type")["children"].reindex(PLACEMENT_TYPES, fill_value=0)
            targets[int(year)] = counts.to_numpy(dtype=int)
    return targets


def council_quotas(national: np.ndarray, councils: list[str]) -> dict[str, np.ndarray]:
    weights = np.array([COUNCIL_PROFILE[c][0] * COUNCIL_PROFILE[c][1] for c in councils])
    per_type = np.stack([largest_remainder(int(n), weights) for n in national], axis=1)  # council x type
    return {c: per_type[i] for i, c in enumerate(councils)}


@dataclass
class Episode:
    person: int
    la_code: str
    start: dt.date
    placements: list[list] = field(default_factory=list)  # [type, start, end or None]
    end: dt.date | None = None
    reason_ended: str | None = None
    destination: str | None = None
    continuing_care: bool = False


def _day_in_year(rng: np.random.Generator, year: int, after: dt.date | None = None) -> dt.date:
    first = dt.date(year - 1, 8, 1)
    if after and after >= first:
        first = after + dt.timedelta(days=1)
    last = dt.date(year, 7, 31)
    if first >= last:
        return last
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def build_care_histories(rng: np.random.Generator, people: pd.DataFrame, targets: dict[int, np.ndarray]) -> list[Episode]:
    councils = sorted(COUNCIL_PROFILE)
    dob = people["date_of_birth"].to_numpy()
    by_council = {c: np.flatnonzero(people["la_code"].to_numpy() == c) for c in councils}
    episodes: list[Episode] = []
    active: dict[int, Episode] = {}
    ever: set[int] = set()
    for year in sorted(targets):
        census = dt.date(year, 7, 31)
        quotas = council_quotas(targets[year], councils)
        next_active: dict[int, Episode] = {}
        for council in councils:
            quota = quotas[council].copy()
            stay = [e for e in active.values() if e.la_code == council and _age(dob[e.person], census) < 18 and rng.random() < 0.74]
            rng.shuffle(stay)
            keep: list[tuple[Episode, int]] = []
            for episode in stay:  # keep the same type where the quota allows
                t = PLACEMENT_TYPES.index(episode.placements[-1][0])
                if quota[t] > 0 and rng.random() < 0.85:
                    quota[t] -= 1
                    keep.append((episode, t))
            for episode in stay:
                if any(e is episode for e, _ in keep) or quota.sum() == 0:
                    continue
                t = int(rng.choice(len(quota), p=quota / quota.sum()))
                quota[t] -= 1
                keep.append((episode, t))
            for episode, t in keep:
                if rng.random() < 0.06:  # three or more placements this year
                    first_move = _day_in_year(rng, year)
                    _move(episode, PLACEMENT_TYPES[int(rng.integers(0, 6))], first_move)
                    _move(episode, PLACEMENT_TYPES[t], _day_in_year(rng, year, first_move))
                elif PLACEMENT_TYPES[t] != episode.placements[-1][0]:
                    _move(episode, PLACEMENT_TYPES[t], _day_in_year(rng, year, episode.placements[-1][1]))
                next_active[episode.person] = episode
            # New entrants aged 0-16 on 31 July fill what is left of the quota.
            candidates = [p for p in by_council[council] if p not in ever and 0 <= _age(dob[p], census) <= 16 and dob[p] <= census]
            wanted = int(quota.sum())
            chosen = rng.choice(candidates, size=min(wanted, len(candidates)), replace=False) if wanted else []
            types = np.repeat(np.arange(len(quota)), quota)
            rng.shuffle(types)
            for person, t in zip(chosen, types):
                start = max(_day_in_year(rng, year) if year > min(targets) else census - dt.timedelta(days=int(rng.integers(30, 2000))), dob[person])
                episode = Episode(person=int(person), la_code=council, start=start, placements=[[PLACEMENT_TYPES[t], start, None]])
                ever.add(int(person))
                episodes.append(episode)
                next_active[int(person)] = episode
            # Short episodes that start and end between two 31 Julys.
            for person in rng.choice(candidates, size=min(max(1, wanted // 4), len(candidates)), replace=False) if year > min(targets) and candidates else []:
                if int(person) in ever:
                    continue
                start = max(_day_in_year(rng, year), dob[person])
                episode = Episode(person=int(person), la_code=council, start=start, placements=[[PLACEMENT_TYPES[int(rng.integers(0, 4))], start, None]])
                _close(rng, episode, _day_in_year(rng, year, start), dob[person])
                ever.add(int(person))
                episodes.append(episode)
        for person, episode in active.items():
            if person not in next_active:
                _close(rng, episode, _day_in_year(rng, year, episode.placements[-1][1]), dob[person])
        active = next_active
    return episodes


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _move(episode: Episode, placement_type: str, day: dt.date) -> None:
    episode.placements[-1][2] = day
    episode.placements.append([placement_type, day, None])


def _close(rng: np.random.Generator, episode: Episode, day: dt.date, birth: dt.date) -> None:
    episode.end = day
    episode.placements[-1][2] = day
    age = _age(birth, day)
    if age >= 16 and rng.random() < 0.25:
        episode.reason_ended, episode.destination, episode.continuing_care = "continuing_care", "continuing_care", True
    elif age >= 17:
        episode.reason_ended, episode.destination = "turned_18", str(rng.choice(["own_tenancy", "supported_accommodation", "home_with_parents"]))
    else:
        episode.reason_ended = str(rng.choice(["returned_home", "kinship_care_order", "adopted", "moved_to_other_la", "other"], p=[0.55, 0.2, 0.1, 0.05, 0.1]))
        episode.destination = {"returned_home": "home_with_parents", "kinship_care_order": "kinship", "adopted": "adoption"}.get(episode.reason_ended, "other")
