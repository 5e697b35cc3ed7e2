"""Identifier quality as agencies really send it, so that linkage is a real problem.

Rates (per record, applied independently):
- CHI missing 15%, mistyped 2% (one digit changed);
- SCN missing 20% in social work, hearings and justice records but 1% in school records (schools
  hold every pupil's SCN), always missing under 5; mistyped 2%;
- forename: a known variant 5%, a typo 3%; surname: a typo 3%, changed 1%;
- date of birth: day and month transposed 1% (where that is a valid date), a one-digit slip 1%;
- postcode: missing 10%.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from synthetic_agencies.people import SURNAMES

RATES = {
    "chi_missing": 0.15, "chi_mistyped": 0.02, "scn_missing": 0.20, "scn_mistyped": 0.02,
    "forename_variant": 0.05, "forename_typo": 0.03, "surname_typo": 0.03, "surname_changed": 0.01,
    "dob_transposed": 0.01, "dob_slip": 0.01, "postcode_missing": 0.10,
}
VARIANTS = {"James": "Jamie", "Katie": "Kate", "Alexander": "Alex", "Thomas": "Tom", "Daniel": "Danny", "Matthew": "Matt", "Rebecca": "Becky", "Jessica": "Jess", "Olivia": "Liv", "Nathan": "Nate", "Cameron": "Cammy", "Callum": "Cal", "Eilidh": "Eily", "Hannah": "Hanna"}


def _typo(rng: np.random.Generator, word: str) -> str:
    if len(word) < 3:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + "aeioun"[int(rng.integers(0, 6))] + word[i + 1 :]


def _digit_slip(rng: np.random.Generator, digits: str) -> str:
    i = int(rng.integers(0, len(digits)))
    return digits[:i] + str((int(digits[i]) + int(rng.integers(1, 10))) % 10) + digits[i + 1 :]


def _dob(rng: np.random.Generator, dob: dt.date) -> dt.date:
    roll = rng.random()
    if roll < RATES["dob_transposed"] and dob.day <= 12 and dob.day != dob.month:
        return dob.replace(day=dob.month, month=dob.day)
    if roll < RATES["dob_transposed"] + RATES["dob_slip"]:
        shifted = dob + dt.timedelta(days=int(rng.choice([-10, -1, 1, 10])))
        return shifted
    return dob


SCHOOL_SCN_MISSING = 0.01


def degrade(rng: np.random.Generator, people: pd.DataFrame, on: dt.date, scn_missing: float = RATES["scn_missing"]) -> pd.DataFrame:
    """Identifiers as one agency record of each person would carry them (on date ``on``)."""
    out = people.copy()
    n = len(out)
    r = rng.random((n, 8))
    chi = out["chi"].to_numpy(dtype=object)
    out["chi"] = np.where(r[:, 0] < RATES["chi_missing"], None, np.where(r[:, 0] > 1 - RATES["chi_mistyped"], [_digit_slip(rng, c) for c in chi], chi))
    under5 = np.array([(on - d).days < 5 * 365 for d in out["date_of_birth"]])
    scn = out["scn"].to_numpy(dtype=object)
    out["scn"] = np.where(under5 | (r[:, 1] < scn_missing), None, np.where(r[:, 1] > 1 - RATES["scn_mistyped"], [_digit_slip(rng, s) for s in scn], scn))
    forenames = out["forename"].to_numpy(dtype=object)
    out["forename"] = [
        VARIANTS.get(f, f) if x < RATES["forename_variant"] else _typo(rng, f) if x > 1 - RATES["forename_typo"] else f
        for f, x in zip(forenames, r[:, 2])
    ]
    surnames = out["surname"].to_numpy(dtype=object)
    out["surname"] = [
        _typo(rng, s) if x < RATES["surname_typo"] else str(rng.choice(SURNAMES)) if x > 1 - RATES["surname_changed"] else s
        for s, x in zip(surnames, r[:, 3])
    ]
    out["date_of_birth"] = [_dob(rng, d) for d in out["date_of_birth"]]
    out["postcode"] = np.where(r[:, 4] < RATES["postcode_missing"], None, out["postcode"].to_numpy(dtype=object))
    return out
