"""CHI and SCN numbers for the fictional population.

CHI (Community Health Index) numbers are 10 digits: date of birth as DDMMYY, two
serial digits, a ninth digit that is odd for males and even for females, and a
modulus-11 check digit (weights 10..2 on the first nine digits; check = 11 minus
the remainder, 11 becomes 0, and a result of 10 is never issued). The Scottish
Candidate Number (SCN) is a 9-digit pupil number given when a child starts
school. Both are held as integers (-1 for none) and formatted on output.
"""

from __future__ import annotations

import numpy as np

CHI_WEIGHTS = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
NO_NUMBER = -1


def chi_digits(chi: np.ndarray) -> np.ndarray:
    """rows x 10 digit matrix of CHI numbers."""
    powers = 10 ** np.arange(9, -1, -1, dtype=np.int64)
    return (np.asarray(chi, dtype=np.int64)[:, None] // powers) % 10


def chi_check_digit(first_nine: np.ndarray) -> np.ndarray:
    """Check digit for rows x 9 digit matrices; 10 means the serial cannot be issued."""
    check = 11 - (first_nine @ CHI_WEIGHTS) % 11
    return np.where(check == 11, 0, check)


def chi_is_valid(text: np.ndarray) -> np.ndarray:
    """True for 10-digit strings whose check digit is right (the rule the pipeline applies)."""
    text = np.asarray(text, dtype=object)
    shaped = np.array([len(t) == 10 and t.isdigit() for t in text], dtype=bool)
    valid = np.zeros(len(text), dtype=bool)
    if shaped.any():
        digits = chi_digits(np.array([int(t) for t in text[shaped]], dtype=np.int64))
        valid[shaped] = chi_check_digit(digits[:, :9]) == digits[:, 9]
    return valid


def issue_chi(rng: np.random.Generator, dob_y: np.ndarray, dob_m: np.ndarray, dob_d: np.ndarray, male: np.ndarray) -> np.ndarray:
    """A unique, valid CHI number per person; serials that would need check digit 10 are redrawn."""
    stem = (dob_d.astype(np.int64) * 10_000 + dob_m * 100 + dob_y % 100) * 1000
    chi = np.full(len(stem), NO_NUMBER, dtype=np.int64)
    todo = np.arange(len(stem))
    while len(todo):
        while len(todo):  # draw serials until every row has one that can carry a check digit
            serial = rng.integers(0, 100, size=len(todo)) * 10 + 2 * rng.integers(0, 5, size=len(todo)) + male[todo]
            nine = stem[todo] + serial
            check = chi_check_digit(chi_digits(nine * 10)[:, :9])
            chi[todo] = np.where(check == 10, NO_NUMBER, nine * 10 + check)
            todo = todo[check == 10]
        todo = np.flatnonzero(_duplicated(chi))
    return chi


def _duplicated(numbers: np.ndarray) -> np.ndarray:
    """True for every row whose number another row also has (all copies are redrawn)."""
    ordered = np.sort(numbers)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if not len(repeated):
        return np.zeros(len(numbers), dtype=bool)
    position = np.minimum(np.searchsorted(repeated, numbers), len(repeated) - 1)
    return repeated[position] == numbers


def issue_scn(rng: np.random.Generator, has_scn: np.ndarray) -> np.ndarray:
    """A unique 9-digit SCN for each person who reaches school age; -1 for the rest."""
    scn = np.full(len(has_scn), NO_NUMBER, dtype=np.int64)
    issued = np.flatnonzero(has_scn)
    todo = issued
    while len(todo):
        scn[todo] = rng.integers(100_000_000, 1_000_000_000, size=len(todo))
        todo = issued[_duplicated(scn[issued])]
    return scn


def format_numbers(numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded text, or '' where there is no number."""
    numbers = np.asarray(numbers, dtype=np.int64)
    text = np.char.zfill(np.where(numbers < 0, 0, numbers).astype(str), width).astype(object)
    text[numbers < 0] = ""
    return text
