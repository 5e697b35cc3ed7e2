"""Who is looked after, when, and where: the true care histories.

The simulation walks from the opening stock at 31 July 2018 to 31 July 2025 one
social-work year at a time. Each year:

Method notes: docs/synthetic.md, "Notes on `synthetic/care_histories.py`".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.calibration import StockTargets
from synthetic.geography import Councils
from synthetic.population import Population
from synthetic.reference import PLACEMENT_TYPES
from synthetic.sampling import choose_by_probability, log_weight, rank_within_runs, take_in_groups

LEGAL_REASONS: tuple[str, ...] = ("compulsory_supervision_order", "permanence_order", "voluntary_section_25", "child_protection_order", "other")
REASONS_ENDED: tuple[str, ...] = (
    "returned_home", "kinship_care_order", "adopted", "independent_living", "continuing_care", "moved_to_other_la", "turned_18", "other",
)
DESTINATIONS: tuple[str, ...] = (
    "home_with_parents", "kinship", "adoption", "own_tenancy", "supported_accommodation", "continuing_care", "other",
)
_T = {name: i for i, name in enumerate(PLACEMENT_TYPES)}
HOME, KINSHIP, ADOPTERS, SECURE, CRISIS = (
    _T[n] for n in ("at_home_with_parents", "kinship_friends_relatives", "prospective_adopters", "secure_accommodation", "crisis_care")
)
RESIDENTIAL_TYPES = np.array([_T[n] for n in ("la_home", "voluntary_home", "residential_school", "secure_accommodation", "crisis_care", "other_residential")])

CEASE_SHARE = 0.22  # of the stock at 31 July who leave care during the next year (at least)
SHRINKING_EXTRA = 0.5  # when a council's stock falls, half the fall is extra leavers (the rest fewer starts)
TRANSIENT_SHARE = 0.18  # children who start and stop within a year, per child who starts and stays
SIBLINGS_ENTER_TOGETHER = 0.5
CARE_RISK = 1.4  # how strongly family risk drives entry to care
RE_ENTRY = 3.0  # relative chance of starting again for a child looked after before
MOVE_BEFORE_LEAVING = 0.12
INTERIM_PLACEMENT = 0.38  # moves that pass through a short placement first
SECOND_INTERIM = 0.2
CONTINUING_CARE_AT_18 = 0.45
_MIN_ENTRY_LEAD_DAYS = 10

# Age bands used by every table below: under 1, 1-4, 5-11, 12-15, 16-17.
_AGE_EDGES = np.array([1, 5, 12, 16])
# Columns in PLACEMENT_TYPES order:
# home kin fosLA fosP adopt othC laHome vol resSch secure crisis othRes
_ENTRY_TYPE = np.array([
    [0.15, 0.25, 0.35, 0.15, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.01],
    [0.25, 0.28, 0.27, 0.12, 0.01, 0.005, 0.005, 0.0, 0.0, 0.0, 0.02, 0.01],
    [0.30, 0.28, 0.22, 0.10, 0.0, 0.005, 0.03, 0.005, 0.01, 0.0, 0.02, 0.01],
    [0.28, 0.18, 0.14, 0.08, 0.0, 0.01, 0.12, 0.03, 0.04, 0.03, 0.03, 0.03],
    [0.25, 0.12, 0.08, 0.04, 0.0, 0.08, 0.15, 0.04, 0.03, 0.05, 0.04, 0.07],
])
_INTERIM_TYPE = np.array([
    [0.0, 0.2, 0.45, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.0],
    [0.0, 0.2, 0.4, 0.3, 0.0, 0.0, 0.02, 0.0, 0.0, 0.0, 0.08, 0.0],
    [0.02, 0.15, 0.35, 0.3, 0.0, 0.0, 0.08, 0.02, 0.02, 0.0, 0.06, 0.0],
    [0.02, 0.08, 0.2, 0.2, 0.0, 0.02, 0.15, 0.04, 0.04, 0.10, 0.04, 0.05],
    [0.02, 0.05, 0.12, 0.12, 0.0, 0.06, 0.18, 0.04, 0.02, 0.12, 0.04, 0.15],
])
# How well each placement type fits a child of each age band at 31 July.
_CENSUS_FIT = np.array([
    [0.6, 1.0, 1.3, 1.3, 1.5, 0.1, 1e-4, 1e-4, 1e-6, 1e-9, 0.5, 1e-4],
    [0.8, 1.0, 1.3, 1.3, 1.2, 0.2, 0.01, 0.01, 1e-6, 1e-9, 0.5, 0.01],
    [1.0, 1.0, 1.0, 1.0, 0.15, 0.3, 0.3, 0.2, 0.3, 1e-6, 0.5, 0.2],
    [1.0, 0.9, 0.7, 0.8, 1e-3, 0.5, 1.5, 1.5, 1.5, 1.0, 0.5, 1.2],
    [1.0, 0.8, 0.6, 0.6, 1e-4, 3.0, 1.5, 1.5, 1.0, 1.0, 0.5, 2.0],
])
# Rare and age-bound types are filled first so they go to the children they suit.
_FILL_ORDER = tuple(_T[n] for n in (
    "secure_accommodation", "residential_school", "prospective_adopters", "crisis_care", "other_residential", "voluntary_home",
    "la_home", "other_community", "foster_purchased_by_la", "at_home_with_parents", "foster_provided_by_la", "kinship_friends_relatives",
))
_KEEP = np.array([0.70, 0.88, 0.80, 0.78, 0.55, 0.70, 0.65, 0.65, 0.75, 0.15, 0.0, 0.60])
_KEEP_NEW = np.array([0.80, 0.90, 0.82, 0.80, 0.80, 0.70, 0.70, 0.70, 0.80, 0.25, 0.0, 0.60])
_CEASE_BY_TYPE = np.array([1.6, 0.8, 0.6, 0.6, 3.0, 1.5, 0.9, 0.9, 0.9, 2.0, 3.0, 1.0])
_CEASE_BY_AGE = np.array([0.8, 1.0, 0.6, 0.8, 2.2])
_ENTRY_BY_AGE = np.array([3.0, 1.2, 0.9, 1.3, 0.5])
_STOCK_BY_AGE = np.array([0.4, 0.8, 1.0, 1.2, 0.9])
_OUTSIDE_SCOTLAND = np.array([0.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0, 0.02, 0.10, 0.03, 0.0, 0.03])


def age_band(ages: np.ndarray) -> np.ndarray:
    """Age band index (under 1, 1-4, 5-11, 12-15, 16-17) used by every probability table here."""
    return np.searchsorted(_AGE_EDGES, ages, side="right")


class _Table:
    """Columns that grow by appending and can be updated in place (placement ends are set later)."""

    def __init__(self, **dtypes: type) -> None:
        self._data = {name: np.zeros(1024, dtype=dtype) for name, dtype in dtypes.items()}
        self.size = 0

    def append(self, **values: np.ndarray) -> np.ndarray:
        count = len(next(iter(values.values())))
        while self.size + count > len(next(iter(self._data.values()))):
            self._data = {k: np.concatenate([v, np.zeros_like(v)]) for k, v in self._data.items()}
        for name, column in self._data.items():
            column[self.size:self.size + count] = values[name]
        rows = np.arange(self.size, self.size + count)
        self.size += count
        return rows

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][: self.size]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: column[: self.size] for name, column in self._data.items()})


@dataclass
class CareHistories:
    """Every episode and placement from the opening stock to 31 July 2025."""

    episodes: pd.DataFrame  # person, council, start, end, legal, reason, destination, continuing_care
    placements: pd.DataFrame  # episode, person, type, start, end, outside
    child_ref: np.ndarray  # per person: the council's reference, '' if never looked after
    _during: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def looked_after_during(self, year: int, population_size: int) -> np.ndarray:
        """Per person: looked after at any time in social-work year ``year``."""
        if year not in self._during:
            p = self.placements
            overlap = (p["start"] <= periods.census_day(year)) & (p["end"] >= periods.year_start(year))
            flag = np.zeros(population_size, dtype=bool)
            flag[p.loc[overlap, "person"].to_numpy()] = True
            self._during[year] = flag
        return self._during[year]

    def at_census(self, year: int) -> pd.DataFrame:
        """Children looked after at 31 July ``year`` with the type of the placement covering it."""
        p = self.placements
        on = periods.census_day(year)
        covering = p[(p["start"] <= on) & (p["end"] > on)]
        return pd.DataFrame({"person": covering["person"].to_numpy(), "type": covering["type"].to_numpy()})


class _CareSimulation:
    """State of the care system between one 31 July and the next, plus the growing logs of episodes and placements."""
    def __init__(self, rng: np.random.Generator, population: Population, councils: Councils, targets: StockTargets) -> None:
        self.rng = rng
        self.pop = population
        self.targets = targets
        self.councils = len(councils)
        # Each council's own leaning towards some placement types (kinship-first, more purchased foster care...).
        self.practice = rng.lognormal(0.0, 0.25, size=(len(councils), len(PLACEMENT_TYPES)))
        self.episodes = _Table(person=np.int64, council=np.int16, start=np.int64, end=np.int64, legal=np.int8, reason=np.int8, destination=np.int8, continuing_care=bool)
        self.placements = _Table(episode=np.int64, person=np.int64, type=np.int8, start=np.int64, end=np.int64, outside=bool)
        self.ever = np.zeros(len(population), dtype=bool)
        self.adopted = np.zeros(len(population), dtype=bool)
        self.turns_18 = population.birthday(np.arange(len(population)), 18)
        self.next_unit = 0
        # The stock at the last 31 July: parallel arrays over children.
        self.person = np.zeros(0, dtype=np.int64)
        self.episode = np.zeros(0, dtype=np.int64)
        self.placement = np.zeros(0, dtype=np.int64)
        self.unit = np.zeros(0, dtype=np.int64)

    # ---- helpers -------------------------------------------------------------------------
    def _fresh_units(self, labels: np.ndarray) -> np.ndarray:
        if not len(labels):
            return np.zeros(0, dtype=np.int64)
        _, inverse = np.unique(labels, return_inverse=True)
        ids = self.next_unit + inverse
        self.next_unit += int(inverse.max()) + 1
        return ids

    def _per_unit(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(first row of each unit, unit index of each row)."""
        _, first, inverse = np.unique(units, return_index=True, return_inverse=True)
        return first, inverse

    def _uniform_days(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """A day in [low, high] for each row (high >= low)."""
        return low + np.floor(self.rng.random(len(low)) * (high - low + 1)).astype(np.int64)

    def _open_placements(self, episode: np.ndarray, person: np.ndarray, types: np.ndarray, start: np.ndarray, units: np.ndarray) -> np.ndarray:
        first, inverse = self._per_unit(units)
        outside = (self.rng.random(len(first)) < _OUTSIDE_SCOTLAND[types[first]])[inverse]
        return self.placements.append(episode=episode, person=person, type=types, start=start, end=np.full(len(person), periods.OPEN), outside=outside)

    def _types_by_age(self, table: np.ndarray, person: np.ndarray, on: np.ndarray, units: np.ndarray) -> np.ndarray:
        """A placement type per unit (broadcast to members) drawn from an age-band table."""
        first, inverse = self._per_unit(units)
        bands = age_band(self.pop.age_on(person[first], on[first]))
        return choose_by_probability(self.rng, table[bands] * self.practice[self.pop.council[person[first]]])[inverse]

    def _legal_reasons(self, types: np.ndarray, long_running: np.ndarray) -> np.ndarray:
        """Legal basis per episode: children at home are there on supervision orders; long episodes often rest on permanence orders."""
        probabilities = np.where(
            (types == HOME)[:, None],
            np.array([0.92, 0.0, 0.0, 0.0, 0.08]),
            np.where(long_running[:, None], np.array([0.45, 0.30, 0.20, 0.0, 0.05]), np.array([0.50, 0.03, 0.35, 0.07, 0.05])),
        )
        return choose_by_probability(self.rng, probabilities)

    def _select_children(self, on: int, quotas: np.ndarray, by_age: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exactly ``quotas[c]`` children per council, brothers and sisters often together.

        Seeds are drawn by weight (age, family risk, earlier care); each seed's
        eligible siblings join with ``SIBLINGS_ENTER_TOGETHER``; families are then
        taken in seed order until the quota is met, the last family possibly split.
        """
        pop = self.pop
        candidates = np.flatnonzero(eligible)
        council = pop.council[candidates].astype(np.int64)
        weight = by_age[age_band(pop.age_on(candidates, on))] * np.exp(CARE_RISK * pop.risk[candidates]) * np.where(self.ever[candidates], RE_ENTRY, 1.0)
        key = log_weight(weight) + self.rng.gumbel(size=len(candidates))
        order = np.argsort(council * 1e4 - key)  # by council, then key descending (one float sort is much faster than lexsort)
        seeds = order[rank_within_runs(council[order]) < quotas[council[order]]]
        families = pop.family[candidates[seeds]]
        family_ids, family_of_seed = np.unique(families, return_inverse=True)
        family_key = np.full(len(family_ids), -np.inf)
        np.maximum.at(family_key, family_of_seed, key[seeds])
        marked = np.zeros(int(pop.family.max()) + 1, dtype=bool)
        marked[family_ids] = True
        members = np.flatnonzero(marked[pop.family[candidates]])
        is_seed = np.zeros(len(candidates), dtype=bool)
        is_seed[seeds] = True
        members = members[is_seed[members] | (self.rng.random(len(members)) < SIBLINGS_ENTER_TOGETHER)]
        member_family = np.searchsorted(family_ids, pop.family[candidates[members]])
        order = np.lexsort((-key[members], member_family, -family_key[member_family], council[members]))
        members, member_family = members[order], member_family[order]
        chosen = rank_within_runs(council[members]) < quotas[council[members]]
        return candidates[members[chosen]], self._fresh_units(member_family[chosen])

    def _eligible(self, on: int, latest_birth: int) -> np.ndarray:
        """Scottish children born by ``latest_birth`` who are still under 18 on ``on`` and have not been adopted."""
        pop = self.pop
        return (pop.council >= 0) & (pop.dob <= latest_birth) & (self.turns_18 > on) & ~self.adopted

    def _fill_types(self, on: int, person: np.ndarray, units: np.ndarray, previous: np.ndarray, quotas: np.ndarray) -> np.ndarray:
        """Give each child a type so the counts per type equal ``quotas`` exactly."""
        assigned = np.full(len(person), -1, dtype=np.int64)
        bands = age_band(self.pop.age_on(person, on))
        council = self.pop.council[person]
        previous_residential = np.isin(previous, RESIDENTIAL_TYPES)
        for placement_type in _FILL_ORDER[:-1]:
            free = np.flatnonzero(assigned < 0)
            same_setting = previous_residential[free] == (placement_type in RESIDENTIAL_TYPES)
            fit = _CENSUS_FIT[bands[free], placement_type] * self.practice[council[free], placement_type] * np.where(same_setting, 2.5, 1.0)
            taken = take_in_groups(self.rng, units[free], log_weight(fit), np.zeros(len(free), dtype=np.int64), np.array([quotas[placement_type]]))
            assigned[free[taken]] = placement_type
        rest = np.flatnonzero(assigned < 0)
        last = _FILL_ORDER[-1]
        if len(rest) != quotas[last]:
            raise AssertionError(f"placement quotas do not add up to the stock ({len(rest)} left for {quotas[last]})")
        assigned[rest] = last
        return assigned

    # ---- leaving care -----------------------------------------------------------------------
    def _leaving_reasons(self, ages: np.ndarray, types: np.ndarray, turned_18: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Reason, destination and continuing-care flag; one draw per unit so siblings leave alike."""
        n = len(ages)
        in_placement = ~np.isin(types, [HOME, SECURE, CRISIS])
        p = np.zeros((n, len(REASONS_ENDED)))
        r = {name: i for i, name in enumerate(REASONS_ENDED)}
        young = ages < 16
        p[:] = [0.55, 0.20, 0.0, 0.0, 0.0, 0.04, 0.0, 0.13]
        p[young & (ages < 10), r["adopted"]] = 0.08
        p[young & (types == KINSHIP)] = [0.35, 0.55, 0.0, 0.0, 0.0, 0.05, 0.0, 0.05]
        p[young & (types == HOME)] = [0.92, 0.0, 0.0, 0.0, 0.0, 0.03, 0.0, 0.05]
        p[types == ADOPTERS] = [0.05, 0.0, 0.9, 0.0, 0.0, 0.0, 0.0, 0.05]
        older = ~young & (types != ADOPTERS)
        p[older] = [0.35, 0.0, 0.0, 0.25, 0.0, 0.02, 0.0, 0.13]
        p[older & in_placement, r["continuing_care"]] = 0.25
        p[turned_18] = 0.0
        p[turned_18, r["turned_18"]] = 1.0 - CONTINUING_CARE_AT_18 * in_placement[turned_18]
        p[turned_18, r["continuing_care"]] = CONTINUING_CARE_AT_18 * in_placement[turned_18]
        first, inverse = self._per_unit(units)
        u = self.rng.random(len(first))[inverse]
        cumulative = np.cumsum(p, axis=1)
        reason = (cumulative < (u * cumulative[:, -1])[:, None]).sum(axis=1)
        d = {name: i for i, name in enumerate(DESTINATIONS)}
        # The usual destination of each reason (in REASONS_ENDED order); some are redrawn below.
        usual = ("home_with_parents", "kinship", "adoption", "own_tenancy", "continuing_care", "other", "own_tenancy", "other")
        destination = np.array([d[name] for name in usual])[reason]
        u2 = self.rng.random(len(first))[inverse]
        independent = reason == r["independent_living"]
        destination[independent & (u2 < 0.5)] = d["supported_accommodation"]
        at_18 = reason == r["turned_18"]
        destination[at_18] = np.array([d["own_tenancy"], d["supported_accommodation"], d["home_with_parents"], d["other"]])[np.searchsorted([0.3, 0.65, 0.8], u2[at_18])]
        other = reason == r["other"]
        destination[other] = np.array([d["home_with_parents"], d["kinship"], d["other"]])[np.searchsorted([0.3, 0.5], u2[other])]
        return reason, destination, reason == r["continuing_care"]

    def _close(self, rows: np.ndarray, dates: np.ndarray, turned_18: np.ndarray, year: int) -> None:
        """End the episodes of stock rows ``rows`` on ``dates``, sometimes after a last move."""
        y0 = periods.year_start(year)
        units = self.unit[rows] * 1024 + (dates - y0)  # siblings leave together only on the same day
        first, inverse = self._per_unit(units)
        move = (self.rng.random(len(first)) < MOVE_BEFORE_LEAVING)[inverse] & (dates - y0 >= 3)
        placement = self.placement[rows].copy()
        if move.any():
            mrows = np.flatnonzero(move)
            unit_first, unit_index = self._per_unit(units[mrows])
            move_day = self._uniform_days(np.full(len(unit_first), y0 + 1), dates[mrows][unit_first] - 1)[unit_index]
            self.placements["end"][placement[mrows]] = move_day
            person = self.person[rows[mrows]]
            types = self._types_by_age(_INTERIM_TYPE, person, move_day, units[mrows])
            placement[mrows] = self._open_placements(self.episode[rows[mrows]], person, types, move_day, units[mrows])
        self.placements["end"][placement] = dates
        person = self.person[rows]
        ages = self.pop.age_on(person, dates)
        reason, destination, continuing = self._leaving_reasons(ages, self.placements["type"][placement], turned_18, units)
        episode = self.episode[rows]
        self.episodes["end"][episode] = dates
        self.episodes["reason"][episode] = reason
        self.episodes["destination"][episode] = destination
        self.episodes["continuing_care"][episode] = continuing
        self.adopted[person[REASONS_ENDED.index("adopted") == reason]] = True

    # ---- the years ------------------------------------------------------------------------------
    def open_stock(self) -> None:
        """The children looked after at 31 July 2018, with histories reaching back before it."""
        year = periods.CENSUS_YEARS[0]
        on = periods.census_day(year)
        person, units = self._select_children(on, self.targets.by_council[year], _STOCK_BY_AGE, self._eligible(on, on - 30))
        types = self._fill_types(on, person, units, np.full(len(person), HOME), self.targets.by_type[year])
        units = self._fresh_units(units * 16 + types)
        first, inverse = self._per_unit(units)
        youngest = np.zeros(len(first), dtype=np.int64)
        np.maximum.at(youngest, inverse, self.pop.dob[person])
        episode_days = np.minimum(np.round(self.rng.gamma(1.3, 700.0, size=len(first))), on - youngest - 1).astype(np.int64) + 1
        placement_days = np.minimum(np.round(self.rng.gamma(1.2, 420.0, size=len(first))), episode_days - 1).astype(np.int64) + 1
        episode_start = (on - episode_days)[inverse]
        legal = self._legal_reasons(types[first], episode_days > 730)[inverse]
        episode = self.episodes.append(
            person=person, council=self.pop.council[person], start=episode_start, end=np.full(len(person), periods.OPEN),
            legal=legal, reason=np.full(len(person), -1), destination=np.full(len(person), -1), continuing_care=np.zeros(len(person), dtype=bool),
        )
        placement = self._open_placements(episode, person, types, (on - placement_days)[inverse], units)
        self.ever[person] = True
        self.person, self.episode, self.placement, self.unit = person, episode, placement, units

    def run_year(self, year: int) -> None:
        """Leavers, starters, the 31 July placements and the in-year comings and goings for one social-work year."""
        pop, rng = self.pop, self.rng
        on, y0 = periods.census_day(year), periods.year_start(year)
        council = pop.council[self.person].astype(np.int64)
        turning_18 = self.turns_18[self.person]
        forced = turning_18 <= on
        previous = np.bincount(council, minlength=self.councils)
        forced_count = np.bincount(council[forced], minlength=self.councils)
        target = self.targets.by_council[year]
        usual = np.round(CEASE_SHARE * previous + SHRINKING_EXTRA * np.maximum(previous - target, 0)).astype(np.int64)
        leaving = np.minimum(np.maximum.reduce([usual, forced_count, previous - target]), previous)
        others = np.flatnonzero(~forced)
        types = self.placements["type"][self.placement]
        hazard = _CEASE_BY_TYPE[types[others]] * _CEASE_BY_AGE[age_band(pop.age_on(self.person[others], on))]
        chosen = others[take_in_groups(rng, self.unit[others], log_weight(hazard), council[others], leaving - forced_count)]
        cease = np.zeros(len(self.person), dtype=bool)
        cease[chosen] = True
        cease |= forced
        rows = np.flatnonzero(cease)
        first, inverse = self._per_unit(self.unit[rows])
        dates = self._uniform_days(np.full(len(first), y0), np.full(len(first), on - 1))[inverse]
        dates = np.where(forced[rows], np.where(turning_18[rows] == on, on - 1, turning_18[rows]), dates)
        in_care_this_year = np.zeros(len(pop), dtype=bool)
        in_care_this_year[self.person] = True
        self._close(rows, dates, forced[rows], year)
        stay = ~cease
        self.person, self.episode, self.placement, self.unit = self.person[stay], self.episode[stay], self.placement[stay], self.unit[stay]

        # Children who start to be looked after and are still looked after on 31 July.
        quotas = target - np.bincount(council[stay], minlength=self.councils)
        eligible = self._eligible(on, on - _MIN_ENTRY_LEAD_DAYS - 1) & ~in_care_this_year
        person, units = self._select_children(on, quotas, _ENTRY_BY_AGE, eligible)
        in_care_this_year[person] = True
        start = self._start_days(person, units, y0, on - _MIN_ENTRY_LEAD_DAYS)
        entry_types = self._types_by_age(_ENTRY_TYPE, person, start, units)
        episode = self._new_episodes(person, start, entry_types, units)
        placement = self._open_placements(episode, person, entry_types, start, units)
        self.ever[person] = True
        is_new = np.concatenate([np.zeros(len(self.person), dtype=bool), np.ones(len(person), dtype=bool)])
        self.person = np.concatenate([self.person, person])
        self.episode = np.concatenate([self.episode, episode])
        self.placement = np.concatenate([self.placement, placement])
        self.unit = np.concatenate([self.unit, units])
        self._census(year, is_new)

        # Children who start and stop within the year.
        transient_quotas = rng.binomial(quotas, TRANSIENT_SHARE)
        person, units = self._select_children(on, transient_quotas, _ENTRY_BY_AGE, self._eligible(on, on - 4) & ~in_care_this_year)
        self._transients(person, units, year)

    def _start_days(self, person: np.ndarray, units: np.ndarray, low: int, high: int) -> np.ndarray:
        """A start day per unit, after the youngest member is born, so siblings start on the same day."""
        first, inverse = self._per_unit(units)
        youngest = np.zeros(len(first), dtype=np.int64)
        np.maximum.at(youngest, inverse, self.pop.dob[person])
        return self._uniform_days(np.maximum(low, youngest + 1), np.full(len(first), high))[inverse]

    def _new_episodes(self, person: np.ndarray, start: np.ndarray, types: np.ndarray, units: np.ndarray) -> np.ndarray:
        """Open an episode per child; siblings starting together share a legal basis."""
        first, inverse = self._per_unit(units)
        legal = self._legal_reasons(types[first], np.zeros(len(first), dtype=bool))[inverse]
        return self.episodes.append(
            person=person, council=self.pop.council[person], start=start, end=np.full(len(person), periods.OPEN),
            legal=legal, reason=np.full(len(person), -1), destination=np.full(len(person), -1), continuing_care=np.zeros(len(person), dtype=bool),
        )

    def _census(self, year: int, is_new: np.ndarray) -> None:
        """Decide who stays put and who moves so 31 July counts by type hit the targets."""
        on = periods.census_day(year)
        quotas = self.targets.by_type[year]
        types = self.placements["type"][self.placement].astype(np.int64)
        first, inverse = self._per_unit(self.unit)
        keep_chance = np.where(is_new, _KEEP_NEW[types], _KEEP[types])
        kept = (self.rng.random(len(first)) < keep_chance[first])[inverse]
        over = np.maximum(np.bincount(types[kept], minlength=len(PLACEMENT_TYPES)) - quotas, 0)
        if over.any():
            rows = np.flatnonzero(kept)
            drop = take_in_groups(self.rng, self.unit[rows], np.zeros(len(rows)), types[rows], over)
            kept[rows[drop]] = False
        remaining = quotas - np.bincount(types[kept], minlength=len(PLACEMENT_TYPES))
        movers = np.flatnonzero(~kept)
        new_types = types.copy()
        new_types[movers] = self._fill_types(on, self.person[movers], self.unit[movers], types[movers], remaining)
        self.unit = self._fresh_units(self.unit * 32 + kept * 16 + new_types)
        self._move(movers, new_types[movers], year)

    def _move(self, rows: np.ndarray, final_types: np.ndarray, year: int) -> None:
        """Move children to their 31 July placement, sometimes through one or two interim placements."""
        on, y0 = periods.census_day(year), periods.year_start(year)
        units = self.unit[rows]
        first, inverse = self._per_unit(units)
        current = self.placement[rows]
        earliest = np.maximum(self.placements["start"][current], y0 - 1) + 1
        final_start = self._uniform_days(earliest[first], np.full(len(first), on - 1))
        starts = [final_start]
        for chance in (INTERIM_PLACEMENT, SECOND_INTERIM):
            length = 1 + np.floor(self.rng.exponential(50.0, size=len(first))).astype(np.int64)
            candidate = np.maximum(earliest[first], starts[-1] - length)
            happens = (self.rng.random(len(first)) < chance) & (candidate < starts[-1])
            if len(starts) > 1:
                happens &= starts[-1] < starts[-2]
            starts.append(np.where(happens, candidate, starts[-1]))
        # starts = [final, interim1, interim2]; an interim that did not happen repeats the later start.
        person, episode = self.person[rows], self.episode[rows]
        opened_first = np.minimum.reduce(starts)[inverse]
        self.placements["end"][current] = opened_first
        second_interim, first_interim = starts[2][inverse], starts[1][inverse]
        has_second = second_interim < first_interim
        has_first = first_interim < final_start[inverse]
        for present, begin, finish in ((has_second, second_interim, first_interim), (has_first, first_interim, final_start[inverse])):
            sel = np.flatnonzero(present)
            if len(sel):
                types = self._types_by_age(_INTERIM_TYPE, person[sel], begin[sel], units[sel])
                opened = self._open_placements(episode[sel], person[sel], types, begin[sel], units[sel])
                self.placements["end"][opened] = finish[sel]
        self.placement[rows] = self._open_placements(episode, person, final_types, final_start[inverse], units)

    def _transients(self, person: np.ndarray, units: np.ndarray, year: int) -> None:
        """Children who start and stop within the year (one or two placements), never seen on a 31 July."""
        on, y0 = periods.census_day(year), periods.year_start(year)
        self.ever[person] = True
        start = self._start_days(person, units, y0, on - 3)
        first, inverse = self._per_unit(units)
        length = 1 + np.floor(self.rng.exponential(45.0, size=len(first))).astype(np.int64)
        end = np.minimum(start + length[inverse], on - 1)
        types = self._types_by_age(_ENTRY_TYPE, person, start, units)
        episode = self._new_episodes(person, start, types, units)
        placement = self._open_placements(episode, person, types, start, units)
        moves = (self.rng.random(len(first)) < 0.2)[inverse] & (end - start >= 4)
        if moves.any():
            sel = np.flatnonzero(moves)
            sel_first, sel_inverse = self._per_unit(units[sel])
            move_day = self._uniform_days(start[sel][sel_first] + 1, end[sel][sel_first] - 1)[sel_inverse]
            self.placements["end"][placement[sel]] = move_day
            interim = self._types_by_age(_INTERIM_TYPE, person[sel], move_day, units[sel])
            placement[sel] = self._open_placements(episode[sel], person[sel], interim, move_day, units[sel])
        self.placements["end"][placement] = end
        ages = self.pop.age_on(person, end)
        reason, destination, continuing = self._leaving_reasons(ages, self.placements["type"][placement], np.zeros(len(person), dtype=bool), units)
        self.episodes["end"][episode] = end
        self.episodes["reason"][episode] = reason
        self.episodes["destination"][episode] = destination
        self.episodes["continuing_care"][episode] = continuing
        self.adopted[person[reason == REASONS_ENDED.index("adopted")]] = True

    def histories(self, councils: Councils) -> CareHistories:
        """The logs as tables, with each council numbering its children in order of first episode."""
        episodes = self.episodes.frame()
        placements = self.placements.frame()
        child_ref = np.full(len(self.pop), "", dtype=object)
        firsts = episodes.sort_values(["start", "person"]).drop_duplicates("person")
        for council, rows in firsts.groupby("council"):
            offset = int(self.rng.integers(100, 900))
            numbers = offset + np.arange(len(rows))
            child_ref[rows["person"].to_numpy()] = [f"{councils.codes[council]}-{n:06d}" for n in numbers]
        return CareHistories(episodes=episodes, placements=placements, child_ref=child_ref)


def simulate_care(rng: np.random.Generator, population: Population, councils: Councils, targets: StockTargets) -> CareHistories:
    """Run the care system from 31 July 2018 to 31 July 2025."""
    simulation = _CareSimulation(rng, population, councils, targets)
    simulation.open_stock()
    for year in periods.CENSUS_YEARS[1:]:
        simulation.run_year(year)
    return simulation.histories(councils)
