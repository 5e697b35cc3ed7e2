"""The one true population every agency's records are drawn from.

Children are generated in families: brothers and sisters share a home council,
a postcode, usually a surname and a family level of need (``risk``), and about
1.5% of births are twins - the hardest case for record linkage, because twins
share everything but forename and CHI. Birth dates follow Scotland's registered
births (falling from about 60,000 in 2008 to 46,000 in the 2020s), scaled so the
number aged 0-17 at mid-2021 is about 1.02 million at national scale.

A person's ``risk`` raises their chance of every adverse event the agencies
record (care, referral, exclusion, secure care, custody); drawing all of them
from the same score is what makes the same children turn up across datasets.

A handful of young people from England, Wales and Northern Ireland (council -1,
no CHI, no SCN) exist only to be placed in Scottish secure units.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from synthetic import names, periods
from synthetic.geography import Councils
from synthetic.identifiers import NO_NUMBER, issue_chi, issue_scn

CHILDREN_0_17_NATIONAL = 1_020_000
_REFERENCE_DAY = periods.day(2021, 6, 30)
# Registered births in Scotland by calendar year (NRS, rounded); the shape, not the level, is used.
BIRTHS_BY_YEAR: dict[int, int] = {
    1990: 66_000, 1995: 60_000, 2000: 53_100, 2001: 52_500, 2002: 51_300, 2003: 52_400, 2004: 54_000, 2005: 54_400,
    2006: 55_700, 2007: 57_800, 2008: 60_000, 2009: 59_000, 2010: 58_800, 2011: 58_600, 2012: 58_000,
    2013: 56_000, 2014: 56_700, 2015: 55_100, 2016: 54_500, 2017: 52_900, 2018: 51_300, 2019: 49_900,
    2020: 46_800, 2021: 47_800, 2022: 47_000, 2023: 45_900, 2024: 45_800, 2025: 45_500,
}
ETHNICITY_CODES: tuple[str, ...] = (
    "white_scottish", "white_other_british", "white_other", "mixed", "asian", "african", "caribbean_or_black", "other", "not_known",
)
_ETHNICITY_SHARES = (0.80, 0.07, 0.035, 0.025, 0.02, 0.015, 0.005, 0.005, 0.025)
DISABILITY_CODES: tuple[str, ...] = ("Y", "N", "not_known")
_DISABILITY_SHARES = (0.10, 0.78, 0.12)
_CHILDREN_PER_FAMILY = (0.42, 0.35, 0.15, 0.06, 0.02)
TWIN_SHARE = 0.015
_OWN_SURNAME_SHARE = 0.15  # children whose surname differs from the family's (a different parent's name)
CROSS_BORDER_YOUTHS_NATIONAL = 400


@dataclass
class Population:
    """One row per person; Scottish residents first, then cross-border young people."""

    family: np.ndarray
    council: np.ndarray  # index into Councils, -1 outside Scotland
    dob: np.ndarray
    dob_y: np.ndarray
    dob_m: np.ndarray
    dob_d: np.ndarray
    male: np.ndarray
    forename: np.ndarray  # index into names.FORENAMES
    surname: np.ndarray  # index into names.SURNAMES
    postcode: np.ndarray  # packed postcode (see Councils.random_postcodes), -1 none
    chi: np.ndarray  # -1 none
    scn: np.ndarray  # -1 none
    risk: np.ndarray
    ethnicity: np.ndarray  # index into ETHNICITY_CODES
    disability: np.ndarray  # index into DISABILITY_CODES
    in_sample: np.ndarray  # whose records agencies other than social work send (see generate.pool_factor)

    def __len__(self) -> int:
        return len(self.family)

    @staticmethod
    def true_person_ids(persons: np.ndarray) -> np.ndarray:
        """The ground-truth identifier written beside every landing row about a person."""
        persons = np.asarray(persons, dtype=np.int64)
        text = np.char.add("P", np.char.zfill((np.where(persons < 0, 0, persons) + 1).astype(str), 7)).astype(object)
        text[persons < 0] = ""
        return text

    def age_on(self, persons: np.ndarray, on: np.ndarray | int) -> np.ndarray:
        """Completed years of age of ``persons`` on a date."""
        return periods.age_on(self.dob_y[persons], self.dob_m[persons], self.dob_d[persons], on)

    def birthday(self, persons: np.ndarray, age: int) -> np.ndarray:
        """The day each of ``persons`` reaches ``age``."""
        return periods.birthday(self.dob_y[persons], self.dob_m[persons], self.dob_d[persons], age)

    @cached_property
    def _by_family(self) -> tuple[np.ndarray, np.ndarray]:
        """People sorted by family, computed once: sibling lookups happen for every CHI-carrying file."""
        order = np.argsort(self.family, kind="stable")
        return order, self.family[order]

    def a_sibling(self, rng: np.random.Generator, persons: np.ndarray) -> np.ndarray:
        """A random brother or sister of each person, or -1 for an only child."""
        order, sorted_family = self._by_family
        family = self.family[persons]
        first = np.searchsorted(sorted_family, family, side="left")
        size = np.searchsorted(sorted_family, family, side="right") - first
        sibling = np.full(len(persons), -1, dtype=np.int64)
        has = size > 1
        pick = first[has] + rng.integers(0, np.maximum(size[has] - 1, 1))
        chosen = order[pick]
        chosen = np.where(chosen == persons[has], order[first[has] + size[has] - 1], chosen)
        sibling[has] = chosen
        return sibling


def _birth_weight(days: np.ndarray) -> np.ndarray:
    """Relative births on each day, interpolated from the yearly series."""
    years = np.array(sorted(BIRTHS_BY_YEAR))
    counts = np.array([BIRTHS_BY_YEAR[y] for y in years], dtype=float)
    year_fraction = 1970 + np.asarray(days) / 365.25
    return np.interp(year_fraction, years + 0.5, counts) / counts.max()


def _families(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Birth dates of children in ``count`` families: (family index, date of birth)."""
    anchor = rng.integers(periods.BIRTHS_FROM - 12 * 365, periods.BIRTHS_TO + 1, size=count)
    events = rng.choice(len(_CHILDREN_PER_FAMILY), size=count, p=_CHILDREN_PER_FAMILY) + 1
    gaps = np.round(365.25 * (1.0 + rng.gamma(2.0, 0.9, size=(count, 4)))).astype(np.int64)
    dates = anchor[:, None] + np.concatenate([np.zeros((count, 1), dtype=np.int64), np.cumsum(gaps, axis=1)], axis=1)
    exists = np.arange(5)[None, :] < events[:, None]
    exists &= (dates >= periods.BIRTHS_FROM) & (dates <= periods.BIRTHS_TO)
    exists &= rng.random((count, 5)) < _birth_weight(dates)  # thin to the shape of registered births
    family, event = np.nonzero(exists)
    dob = dates[family, event]
    twins = rng.random(len(family)) < TWIN_SHARE
    return np.concatenate([family, family[twins]]), np.concatenate([dob, dob[twins]])


def _sibling_forenames(rng: np.random.Generator, family: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Forenames with no two brothers or sisters sharing a name or a form of it (no James and Jamie)."""
    forename = names.draw_forenames(rng, male)
    while True:
        key = family.astype(np.int64) * (int(names.FORENAME_GROUP.max()) + 1) + names.FORENAME_GROUP[forename]
        order = np.argsort(key, kind="stable")
        clash = np.zeros(len(key), dtype=bool)
        clash[order[1:]] = key[order[1:]] == key[order[:-1]]  # every later sibling with an earlier one's name
        if not clash.any():
            return forename
        forename[clash] = names.draw_forenames(rng, male[clash])


def build_population(
    rng: np.random.Generator, councils: Councils, pool_factor: float, sample_fraction: float, cross_border_factor: float
) -> Population:
    """The population at ``pool_factor`` of Scotland's size (1.0 = national)."""
    target = int(round(CHILDREN_0_17_NATIONAL * pool_factor))
    family_count = max(200, int(target * 1.3))
    while True:
        family, dob = _families(rng, family_count)
        in_window = (dob > _REFERENCE_DAY - 18 * 365.25) & (dob <= _REFERENCE_DAY)
        per_family = np.bincount(family, weights=in_window, minlength=family_count)
        cumulative = np.cumsum(per_family)
        if cumulative[-1] >= target:
            break
        family_count *= 2
    kept_families = int(np.searchsorted(cumulative, target)) + 1
    keep = family < kept_families
    family, dob = family[keep], dob[keep]
    order = np.lexsort((dob, family))
    family, dob = family[order], dob[order]
    people = len(family)

    family_council = rng.choice(len(councils), size=kept_families, p=councils.child_share)
    family_risk = rng.normal(0.0, 1.0, size=kept_families) + 0.6 * councils.deprivation[family_council]
    family_surname = names.draw_surnames(rng, kept_families)
    family_postcode = councils.random_postcodes(rng, family_council)
    twin_of_previous = np.concatenate([[False], (dob[1:] == dob[:-1]) & (family[1:] == family[:-1])])
    male = rng.random(people) < 0.512
    same_sex_twin = twin_of_previous & (rng.random(people) < 0.65)
    male[1:] = np.where(same_sex_twin[1:], male[:-1], male[1:])
    surname = np.where(rng.random(people) < _OWN_SURNAME_SHARE, names.draw_surnames(rng, people), family_surname[family])
    dob_y, dob_m, dob_d = periods.split_ymd(dob)
    has_scn = periods.birthday(dob_y, dob_m, dob_d, 5) <= periods.HORIZON_END

    outsiders = max(10, int(round(CROSS_BORDER_YOUTHS_NATIONAL * cross_border_factor)))
    out_dob = rng.integers(periods.day(2001, 1, 1), periods.day(2011, 12, 31), size=outsiders)
    out_y, out_m, out_d = periods.split_ymd(out_dob)
    out_male = rng.random(outsiders) < 0.75

    scottish_sample = rng.random(kept_families) < sample_fraction
    return Population(
        family=np.concatenate([family, kept_families + np.arange(outsiders)]),
        council=np.concatenate([family_council[family], np.full(outsiders, -1)]).astype(np.int16),
        dob=np.concatenate([dob, out_dob]),
        dob_y=np.concatenate([dob_y, out_y]),
        dob_m=np.concatenate([dob_m, out_m]),
        dob_d=np.concatenate([dob_d, out_d]),
        male=np.concatenate([male, out_male]),
        forename=np.concatenate([_sibling_forenames(rng, family, male), names.draw_forenames(rng, out_male)]),
        surname=np.concatenate([surname, names.draw_surnames(rng, outsiders)]),
        postcode=np.concatenate([family_postcode[family], np.full(outsiders, -1)]),
        chi=np.concatenate([issue_chi(rng, dob_y, dob_m, dob_d, male), np.full(outsiders, NO_NUMBER)]),
        scn=np.concatenate([issue_scn(rng, has_scn), np.full(outsiders, NO_NUMBER)]),
        risk=np.concatenate([family_risk[family] + rng.normal(0.0, 0.6, size=people), np.full(outsiders, 2.0)]).astype(np.float32),
        ethnicity=rng.choice(len(ETHNICITY_CODES), size=people + outsiders, p=_ETHNICITY_SHARES).astype(np.int8),
        disability=rng.choice(len(DISABILITY_CODES), size=people + outsiders, p=_DISABILITY_SHARES).astype(np.int8),
        in_sample=np.concatenate([scottish_sample[family], np.ones(outsiders, dtype=bool)]),
    )
