"""Reporting periods and date arithmetic shared by every generator.

Dates are held as integer days since 1970-01-01 (numpy ``int64``) so that the
whole population can be aged, compared and shifted with vectorised arithmetic;
they become ISO strings only when a file is written. ``OPEN`` marks a spell that
is still running at the end of the simulated horizon.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

OPEN = np.int64(2**40)  # "not ended within the simulated horizon"

# Social-work years are labelled by the year in which 31 July falls ("2021" = 1 Aug 2020 - 31 Jul 2021).
SOCIAL_WORK_YEARS: tuple[int, ...] = tuple(range(2019, 2025))
# The stock is simulated from 31 July 2018 (the opening stock) to 31 July 2025 so that spells
# running into the 2024 calendar year (restraint returns) are complete.
CENSUS_YEARS: tuple[int, ...] = tuple(range(2018, 2026))
SCHOOL_YEAR_ENDS: tuple[int, ...] = tuple(range(2019, 2025))  # 2018-19 .. 2023-24
FINANCIAL_YEAR_STARTS: tuple[int, ...] = tuple(range(2019, 2024))  # 2019-20 .. 2023-24
CALENDAR_YEARS: tuple[int, ...] = tuple(range(2019, 2025))
POPULATION_YEARS: tuple[int, ...] = tuple(range(2018, 2025))
EXPERIENCE_YEARS: tuple[int, ...] = (2023, 2024, 2025)
HALF_YEARS: tuple[str, ...] = ("2025-H1", "2025-H2")

_EPOCH = dt.date(1970, 1, 1)


def day(year: int, month: int, day_of_month: int) -> int:
    """Days since 1970-01-01 for a calendar date."""
    return (dt.date(year, month, day_of_month) - _EPOCH).days


# Births cover every child aged 0-17 at some point in the years ending 31 July 2019..2025,
# widened back to 1 March 2000 so the first school-leaver cohort (2018-19 S6) is complete.
BIRTHS_FROM = day(2000, 3, 1)
BIRTHS_TO = day(2025, 7, 31)
HORIZON_END = day(2025, 7, 31)


def census_day(year: int) -> int:
    """31 July of ``year``: the date the looked after stock is counted."""
    return day(year, 7, 31)


def year_start(year: int) -> int:
    """1 August before the 31 July that ends social-work year ``year``."""
    return day(year - 1, 8, 1)


def two_year_label(start_year: int) -> str:
    """'2020-21' style label used for school and financial years."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def iso(days: np.ndarray) -> np.ndarray:
    """ISO date strings; ``OPEN`` (not ended) becomes the empty string."""
    days = np.asarray(days, dtype=np.int64)
    missing = days >= OPEN
    text = np.datetime_as_string(np.where(missing, 0, days).astype("datetime64[D]"), unit="D").astype(object)
    text[missing] = ""
    return text


def split_ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day-of-month arrays for day numbers."""
    as_date = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = as_date.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (as_date - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def from_ymd(year: np.ndarray, month: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """Day numbers from year, month and day arrays (the caller guarantees valid dates)."""
    months = (np.asarray(year, dtype=np.int64) - 1970) * 12 + np.asarray(month, dtype=np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(dom, dtype=np.int64) - 1


def is_valid_ymd(year: np.ndarray, month: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """True where (year, month, day) is a real calendar date."""
    year, month, dom = (np.asarray(a, dtype=np.int64) for a in (year, month, dom))
    ok = (month >= 1) & (month <= 12) & (dom >= 1)
    safe_month = np.where(ok, month, 1)
    next_month = (year - 1970) * 12 + safe_month  # first day of the following month
    length = next_month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - from_ymd(year, safe_month, 1)
    return ok & (dom <= length)


def age_on(dob_y: np.ndarray, dob_m: np.ndarray, dob_d: np.ndarray, on: np.ndarray | int) -> np.ndarray:
    """Completed years of age on a date (or on a date per row)."""
    y, m, d = split_ymd(np.asarray(on, dtype=np.int64))
    before_birthday = (m < dob_m) | ((m == dob_m) & (d < dob_d))
    return (y - dob_y - before_birthday).astype(np.int64)


def birthday(dob_y: np.ndarray, dob_m: np.ndarray, dob_d: np.ndarray, age: int) -> np.ndarray:
    """Day on which a person reaches ``age``; a 29 February birthday falls on 1 March."""
    year = dob_y + age
    leap_fix = (dob_m == 2) & (dob_d == 29) & ~is_valid_ymd(year, dob_m, dob_d)
    return from_ymd(year, np.where(leap_fix, 3, dob_m), np.where(leap_fix, 1, dob_d))
