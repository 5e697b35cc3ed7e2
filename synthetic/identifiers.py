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

from synthetic.sampling import rank_within_runs

CHI_WEIGHTS = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
NO_NUMBER = -1
_SERIALS_PER_SEX = 500  # three serial digits, the last one's parity fixed by sex


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
    """A unique, valid CHI number per person.

    People born on the same day with the same sex share the 500 serials of the
    right parity; each such group walks them in its own random order (a random
    start and a step coprime with 500), so serials never collide. A serial that
    would need check digit 10 is skipped for the group's next unused one.
    """
    stem = (dob_d.astype(np.int64) * 10_000 + dob_m * 100 + dob_y % 100) * 1000
    group = stem * 2 + male
    order = np.argsort(group, kind="stable")
    groups, member_group = np.unique(group[order], return_inverse=True)
    rank = rank_within_runs(group[order])
    next_rank = np.bincount(member_group)
    if next_rank.max() > 400:
        raise ValueError("too many people share a date of birth and sex for unique CHI serials")
    coprime = np.array([s for s in range(1, _SERIALS_PER_SEX) if np.gcd(s, _SERIALS_PER_SEX) == 1])
    start = rng.integers(0, _SERIALS_PER_SEX, size=len(groups))
    step = coprime[rng.integers(0, len(coprime), size=len(groups))]
    chi = np.full(len(order), NO_NUMBER, dtype=np.int64)
    todo = np.arange(len(order))
    while len(todo):
        g = member_group[todo]
        serial = 2 * ((start[g] + rank[todo] * step[g]) % _SERIALS_PER_SEX) + male[order[todo]]
        nine = stem[order[todo]] + serial
        check = chi_check_digit(chi_digits(nine * 10)[:, :9])
        issued = check != 10
        chi[order[todo[issued]]] = nine[issued] * 10 + check[issued]
        todo = todo[~issued]
        g = member_group[todo]
        rank[todo] = next_rank[g] + rank_within_runs(g)
        next_rank += np.bincount(g, minlength=len(groups))
    return chi


def _duplicated(numbers: np.ndarray) -> np.ndarray:
    """True for every row whose number another row also has (all copies are redrawn)."""
    order = np.argsort(numbers)
    ordered = numbers[order]
    same_as_next = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(numbers), dtype=bool)
    repeated[1:] |= same_as_next
    repeated[:-1] |= same_as_next
    duplicated = np.zeros(len(numbers), dtype=bool)
    duplicated[order] = repeated
    return duplicated


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
