"""Mistakes agencies make in identifiers, applied at stated rates and counted.

The rates are the constants below (the table in the package docstring,
``synthetic/__init__.py``, states them for readers). Each error is drawn
independently per record; a looked-after child's placement rows share one
record per file, as a council system would export them.

A single changed digit always breaks the CHI check digit (the weights 10..2 are
all non-zero modulo 11), so a mistyped CHI never silently points at someone
else; the "someone else" case is modelled separately as a sibling's CHI, the
error that does pass the check. SCN missingness is lower in education files
because the SCN is the school's own key, and an exclusion record carries only
SCN, date of birth and council: without its SCN it could not be linked at all.
A forename variant can only be used where the name has another form, and a
sibling's CHI only where there is a sibling, so those records get a
proportionally higher chance and the overall rate holds. The
realised rates are written to ``ground_truth/identifier_error_rates.json``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from synthetic import names, periods
from synthetic.geography import Councils
from synthetic.identifiers import format_numbers
from synthetic.population import Population

CHI_MISSING_RATE = 0.15
CHI_MISTYPE_RATE = 0.02
CHI_OTHER_PERSON_RATE = 0.002
SCN_MISSING_RATE = 0.20
SCN_MISSING_RATE_EDUCATION = 0.01
SCN_MISTYPE_RATE = 0.02
FORENAME_VARIANT_RATE = 0.05
FORENAME_TYPO_RATE = 0.03
SURNAME_TYPO_RATE = 0.03
SURNAME_CHANGE_RATE = 0.01
DOB_DAY_MONTH_SWAP_RATE = 0.01
DOB_DIGIT_TYPO_RATE = 0.01
POSTCODE_MOVED_RATE = 0.05
POSTCODE_MISSING_RATE = 0.05

STATED_RATES: dict[str, float] = {
    "chi_missing": CHI_MISSING_RATE,
    "chi_mistyped": CHI_MISTYPE_RATE,
    "chi_other_person": CHI_OTHER_PERSON_RATE,
    "scn_missing": SCN_MISSING_RATE,
    "scn_missing_education": SCN_MISSING_RATE_EDUCATION,
    "scn_mistyped": SCN_MISTYPE_RATE,
    "forename_variant": FORENAME_VARIANT_RATE,
    "forename_typo": FORENAME_TYPO_RATE,
    "surname_typo": SURNAME_TYPO_RATE,
    "surname_changed": SURNAME_CHANGE_RATE,
    "dob_day_month_swapped": DOB_DAY_MONTH_SWAP_RATE,
    "dob_digit_typo": DOB_DIGIT_TYPO_RATE,
    "postcode_moved": POSTCODE_MOVED_RATE,
    "postcode_missing": POSTCODE_MISSING_RATE,
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def change_one_digit(rng: np.random.Generator, numbers: np.ndarray, width: int) -> np.ndarray:
    """Each number with exactly one of its ``width`` digits replaced by a different digit."""
    numbers = np.asarray(numbers, dtype=np.int64)
    place = 10 ** rng.integers(0, width, size=len(numbers)).astype(np.int64)
    digit = (numbers // place) % 10
    new_digit = (digit + rng.integers(1, 10, size=len(numbers))) % 10
    return numbers + (new_digit - digit) * place


def typo(rng: np.random.Generator, text: str) -> str:
    """One substitution, deletion or transposition, never the first letter, always a change."""
    if len(text) < 3:
        return text + _LETTERS[rng.integers(0, 26)]
    for _ in range(20):
        kind = rng.integers(0, 3)
        position = int(rng.integers(1, len(text)))
        if kind == 0:
            result = text[:position] + _LETTERS[rng.integers(0, 26)] + text[position + 1:]
        elif kind == 1 and len(text) > 3:
            result = text[:position] + text[position + 1:]
        else:
            position = min(position, len(text) - 2)
            result = text[:position] + text[position + 1] + text[position] + text[position + 2:]
        if result != text:
            return result
    return text + "e"


class IdentifierErrors:
    """Applies the stated rates to the identifiers of agency records and tallies what was realised."""

    def __init__(self, population: Population, councils: Councils) -> None:
        self.pop = population
        self.councils = councils
        self.tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self._variant_counts = names.variant_counts()

    def _count(self, dataset: str, error: str, eligible: np.ndarray, altered: np.ndarray) -> None:
        entry = self.tally[dataset][error]
        entry[0] += int(np.count_nonzero(eligible))
        entry[1] += int(np.count_nonzero(altered))

    def apply(
        self,
        dataset: str,
        rng: np.random.Generator,
        persons: np.ndarray,
        record_days: np.ndarray,
        fields: tuple[str, ...],
        education: bool = False,
    ) -> dict[str, np.ndarray]:
        """Text for the requested identifier fields of records about ``persons`` made on ``record_days``."""
        persons = np.asarray(persons, dtype=np.int64)
        record_days = np.broadcast_to(np.asarray(record_days, dtype=np.int64), persons.shape)
        makers = {
            "chi": self._chi,
            "scn": lambda d, r, p, days: self._scn(d, r, p, days, SCN_MISSING_RATE_EDUCATION if education else SCN_MISSING_RATE),
            "forename": self._forename,
            "surname": self._surname,
            "date_of_birth": self._date_of_birth,
            "sex": lambda d, r, p, days: np.where(self.pop.male[p], "M", "F").astype(object),
            "postcode": self._postcode,
        }
        return {name: makers[name](dataset, rng, persons, record_days) for name in fields}

    def _chi(self, dataset: str, rng: np.random.Generator, persons: np.ndarray, _days: np.ndarray) -> np.ndarray:
        """Missing, a sibling's CHI, or one digit changed; the rest pass through."""
        chi = self.pop.chi[persons].copy()
        has = chi >= 0
        missing = has & (rng.random(len(chi)) < CHI_MISSING_RATE)
        present = has & ~missing
        sibling = self.pop.a_sibling(rng, persons)
        sibling_chi = np.where(sibling >= 0, self.pop.chi[np.maximum(sibling, 0)], -1)
        can_swap = present & (sibling_chi >= 0)
        # Only people with a brother or sister can get theirs, so they get a higher chance and the overall rate holds.
        chance = min(1.0, CHI_OTHER_PERSON_RATE * present.sum() / max(int(can_swap.sum()), 1))
        swapped = can_swap & (rng.random(len(chi)) < chance)
        chi[swapped] = sibling_chi[swapped]
        mistyped = present & ~swapped & (rng.random(len(chi)) < CHI_MISTYPE_RATE)
        chi[mistyped] = change_one_digit(rng, chi[mistyped], 10)
        chi[missing] = -1
        self._count(dataset, "chi_missing", has, missing)
        self._count(dataset, "chi_mistyped", present, mistyped)
        self._count(dataset, "chi_other_person", present, swapped)
        return format_numbers(chi, 10)

    def _scn(self, dataset: str, rng: np.random.Generator, persons: np.ndarray, days: np.ndarray, missing_rate: float) -> np.ndarray:
        """No SCN before age 5; missing at the dataset's rate; one digit changed."""
        scn = self.pop.scn[persons].copy()
        school_age = (scn >= 0) & (self.pop.age_on(persons, days) >= 5)
        missing = school_age & (rng.random(len(scn)) < missing_rate)
        mistyped = school_age & ~missing & (rng.random(len(scn)) < SCN_MISTYPE_RATE)
        scn[mistyped] = change_one_digit(rng, scn[mistyped], 9)
        scn[~school_age | missing] = -1
        self._count(dataset, "scn_missing_education" if missing_rate == SCN_MISSING_RATE_EDUCATION else "scn_missing", school_age, missing)
        self._count(dataset, "scn_mistyped", school_age & ~missing, mistyped)
        return format_numbers(scn, 9)

    def _forename(self, dataset: str, rng: np.random.Generator, persons: np.ndarray, _days: np.ndarray) -> np.ndarray:
        """Another form of the name, then possibly a typo on top."""
        forename = self.pop.forename[persons].copy()
        has_variant = self._variant_counts[forename] > 0
        # Only names with another form can be varied, so those get a higher chance and the overall rate holds.
        chance = min(1.0, FORENAME_VARIANT_RATE / max(float(has_variant.mean()), 1e-9)) if len(forename) else 0.0
        variant = has_variant & (rng.random(len(forename)) < chance)
        forename[variant] = names.other_form(rng, forename[variant])
        text = names.FORENAMES[forename].copy()
        slipped = rng.random(len(text)) < FORENAME_TYPO_RATE
        text[slipped] = [typo(rng, t) for t in text[slipped]]
        everyone = np.ones(len(text), dtype=bool)
        self._count(dataset, "forename_variant", everyone, variant)
        self._count(dataset, "forename_typo", everyone, slipped)
        return text

    def _surname(self, dataset: str, rng: np.random.Generator, persons: np.ndarray, _days: np.ndarray) -> np.ndarray:
        """A changed (or double-barrelled) surname, then possibly a typo on top."""
        text = np.array(names.SURNAMES, dtype=object)[self.pop.surname[persons]]
        changed = rng.random(len(text)) < SURNAME_CHANGE_RATE
        new = np.array(names.SURNAMES, dtype=object)[names.draw_surnames(rng, int(changed.sum()))]
        double = rng.random(len(new)) < 0.3
        text[changed] = np.where(double, text[changed] + "-" + new, new)
        slipped = rng.random(len(text)) < SURNAME_TYPO_RATE
        text[slipped] = [typo(rng, t) for t in text[slipped]]
        everyone = np.ones(len(text), dtype=bool)
        self._count(dataset, "surname_changed", everyone, changed)
        self._count(dataset, "surname_typo", everyone, slipped)
        return text

    def _date_of_birth(self, dataset: str, rng: np.random.Generator, persons: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Day and month swapped where that gives a valid date, or one digit changed to another valid, past date."""
        y, m, d = self.pop.dob_y[persons].copy(), self.pop.dob_m[persons].copy(), self.pop.dob_d[persons].copy()
        swappable = (d <= 12) & (d != m)
        swapped = swappable & (rng.random(len(y)) < DOB_DAY_MONTH_SWAP_RATE)
        m[swapped], d[swapped] = d[swapped].copy(), m[swapped].copy()
        pending = np.flatnonzero(~swapped & (rng.random(len(y)) < DOB_DIGIT_TYPO_RATE))
        slipped = np.zeros(len(y), dtype=bool)
        for _ in range(6):  # retry digit changes that would give an impossible or future date
            if not len(pending):
                break
            ny, nm, nd = y[pending].copy(), m[pending].copy(), d[pending].copy()
            which = rng.integers(0, 4, size=len(pending))
            step = rng.integers(1, 10, size=len(pending))
            ny = np.where(which == 0, ny - ny % 10 + (ny % 10 + step) % 10, ny)
            nm = np.where(which == 1, nm - nm % 10 + (nm % 10 + step) % 10, nm)
            nd = np.where(which == 2, nd % 10 + 10 * ((nd // 10 + step) % 4), nd)
            nd = np.where(which == 3, nd - nd % 10 + (nd % 10 + step) % 10, nd)
            ok = periods.is_valid_ymd(ny, nm, nd) & ((ny != y[pending]) | (nm != m[pending]) | (nd != d[pending]))
            ok &= np.where(ok, periods.from_ymd(ny, np.where(ok, nm, 1), np.where(ok, nd, 1)) <= days[pending], False)
            done = pending[ok]
            y[done], m[done], d[done] = ny[ok], nm[ok], nd[ok]
            slipped[done] = True
            pending = pending[~ok]
        self._count(dataset, "dob_day_month_swapped", swappable, swapped)
        self._count(dataset, "dob_digit_typo", np.ones(len(y), dtype=bool), slipped)
        return periods.iso(periods.from_ymd(y, m, d))

    def _postcode(self, dataset: str, rng: np.random.Generator, persons: np.ndarray, _days: np.ndarray) -> np.ndarray:
        """Another address in the same council, or none."""
        postcode = self.pop.postcode[persons].copy()
        has = postcode >= 0
        u = rng.random(len(postcode))
        moved = has & (u < POSTCODE_MOVED_RATE)
        missing = has & (u >= POSTCODE_MOVED_RATE) & (u < POSTCODE_MOVED_RATE + POSTCODE_MISSING_RATE)
        postcode[moved] = self.councils.random_postcodes(rng, self.pop.council[persons[moved]])
        postcode[missing] = -1
        self._count(dataset, "postcode_moved", has, moved)
        self._count(dataset, "postcode_missing", has, missing)
        return self.councils.format_postcodes(postcode)

    def realised(self) -> dict:
        """Stated and realised rates, overall and per dataset, for the ground-truth JSON."""
        overall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_dataset: dict[str, dict[str, dict[str, float | int]]] = {}
        for dataset in sorted(self.tally):
            by_dataset[dataset] = {}
            for error in sorted(self.tally[dataset]):
                eligible, altered = self.tally[dataset][error]
                overall[error][0] += eligible
                overall[error][1] += altered
                by_dataset[dataset][error] = _rate(eligible, altered)
        return {
            "stated": STATED_RATES,
            "realised": {error: _rate(*overall[error]) for error in sorted(overall)},
            "by_dataset": by_dataset,
        }


def _rate(eligible: int, altered: int) -> dict[str, float | int]:
    return {"eligible_records": eligible, "altered_records": altered, "rate": round(altered / eligible, 5) if eligible else 0.0}
