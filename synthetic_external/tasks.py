"""Linkage tasks with their truth: two tables sharing some people, and one table with repeats.

Records are originals (a person as drawn) or duplicates (with errors, ``corruption``), as in
FEBRL's two-table data sets, where one table holds originals and the other their duplicates
among people of its own. ``errors_per_original`` puts errors in originals too, for a harder task.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic_external.corruption import ERRORS_PER_DUPLICATE, corrupt
from synthetic_external.people import draw_people, fakers_for

# Columns of a task's tables: the linkage's standard columns the generator fills, and each
# record's true ``person``.
COLUMNS = ("forename", "surname", "date_of_birth", "sex", "address", "postcode", "person")
# How many records a person has in a dedupe task (most people once).
RECORDS_PER_PERSON = {1: 0.5, 2: 0.3, 3: 0.15, 4: 0.05}


@dataclass(frozen=True)
class TwoTableTask:
    left: pd.DataFrame
    right: pd.DataFrame


def _records(people: pd.DataFrame, rng: np.random.Generator, fakers, errors_per_record: dict[int, float] | None) -> list[dict]:
    """A record of each person: as drawn when ``errors_per_record`` is None, else with errors."""
    persons = people.to_dict("records")
    return persons if errors_per_record is None else [corrupt(person, rng, fakers, errors_per_record) for person in persons]


def _table(records: list[dict], rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(records, columns=list(COLUMNS)).sample(frac=1.0, random_state=int(rng.integers(2**31))).reset_index(drop=True)


def two_table_task(
    left_rows: int,
    right_rows: int,
    locales: tuple[str, ...],
    seed: int,
    shared_share: float = 0.5,
    errors_per_duplicate: dict[int, float] = ERRORS_PER_DUPLICATE,
    errors_per_original: dict[int, float] | None = None,
) -> TwoTableTask:
    """Two tables of one record per person: the left of originals; the right of duplicates of
    ``shared_share`` of its rows' people, drawn from the left, and originals of people of its own."""
    rng = np.random.default_rng(seed)
    fakers = fakers_for(locales, seed)
    shared = int(round(right_rows * shared_share))
    left_people = draw_people(left_rows, fakers, rng)
    duplicated = left_people.sample(n=shared, random_state=int(rng.integers(2**31)))
    own = draw_people(right_rows - shared, fakers, rng, first_person=left_rows)
    left = _records(left_people, rng, fakers, errors_per_original)
    right = _records(duplicated, rng, fakers, errors_per_duplicate) + _records(own, rng, fakers, errors_per_original)
    return TwoTableTask(left=_table(left, rng), right=_table(right, rng))


def dedupe_task(
    rows: int,
    locales: tuple[str, ...],
    seed: int,
    errors_per_duplicate: dict[int, float] = ERRORS_PER_DUPLICATE,
    errors_per_original: dict[int, float] | None = None,
) -> pd.DataFrame:
    """One table of about ``rows`` records: each person's original and, for half of them, one
    to three duplicates (``RECORDS_PER_PERSON``)."""
    rng = np.random.default_rng(seed)
    fakers = fakers_for(locales, seed)
    counts, shares = zip(*RECORDS_PER_PERSON.items())
    people = draw_people(int(round(rows / float(np.dot(counts, shares)))), fakers, rng)
    duplicates = rng.choice(counts, size=len(people), p=shares) - 1
    records = _records(people, rng, fakers, errors_per_original) + _records(people.loc[people.index.repeat(duplicates)], rng, fakers, errors_per_duplicate)
    return _table(records, rng)
