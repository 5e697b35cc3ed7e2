"""Staging (issue 13): a row's number is its place in its file, and the CHI check digit in SQL
is the linkage's own, on files large enough for DuckDB to read in parallel and on CHIs of every
shape of check digit."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.model.chi import chi_is_valid
from assets.model.reference import councils
from tests.ingest.test_intake_faults import CONTRACT, REFERENCE
from tests.support.samples import COLUMNS, DATASET, EpisodesFile

AGENCIES = ("S12000049", "S12000036", "S12000033")


def _write(folder: Path, agency: str, rows: list[dict[str, str]]) -> Path:
    path = folder / agency / DATASET / EpisodesFile(agency, "2024").file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    template = EpisodesFile(agency, "2024", rows[:1]).text().splitlines()[0]  # the header
    lines = [",".join(row[c] for c in COLUMNS) for row in rows]
    path.write_text("\n".join([template, *lines]) + "\n")
    return path


def _placements(agency: str, count: int, chi: list[str] | None = None) -> list[dict[str, str]]:
    """``count`` valid rows, child ``C{n}`` on row n, so a row's number can be read off it."""
    [*_, one] = EpisodesFile.valid(agency, "2024").rows  # the child with one placement
    return [{**one, "child_ref": f"C{n}", "chi": chi[n - 1] if chi else one["chi"]} for n in range(1, count + 1)]


def test_row_numbers_are_places_in_each_file_when_files_are_large_and_one_between_them_is_unreadable(tmp_path: Path):
    large = _placements(AGENCIES[0], 300_000)  # some 50 MB: read by more than one thread
    spoiled = [(7, "sex"), (131_073, "placement_type"), (300_000, "disability")]
    for row, column in spoiled:
        large[row - 1][column] = "unknown"
    small = _placements(AGENCIES[2], 5)
    small[1]["sex"] = "unknown"
    paths = [_write(tmp_path, AGENCIES[0], large), _write(tmp_path, AGENCIES[1], _placements(AGENCIES[1], 4)), _write(tmp_path, AGENCIES[2], small)]
    with paths[1].open("a") as ragged:
        ragged.write("one,row,too,short\n")  # DuckDB's strict read refuses the whole file, after reading some of it

    with duckdb.connect() as staging:
        verdicts = judge([landed_file(p) for p in paths], CONTRACT, councils(REFERENCE), REFERENCE, staging)
        placed = staging.execute("SELECT _file, count(*), count(*) FILTER (WHERE child_ref <> 'C' || _row_number) FROM staged GROUP BY ALL ORDER BY ALL").fetchall()

    assert placed == [(0, 300_000, 0), (2, 5, 0)]  # every row staged is numbered by its place in its file
    assert [v.rows for v in verdicts] == [300_000, 0, 5]
    assert {(p.columns, p.rows, p.rows_affected) for p in verdicts[0].problems} == {((column,), (row,), 1) for row, column in spoiled}
    assert [p.check for p in verdicts[1].problems] == ["row_length"] and verdicts[1].problems[0].rows == (5,)
    [problem] = [p for p in verdicts[2].problems if p.check == "code_list"]
    assert problem.rows == (2,) and problem.rows_affected == 1


def test_the_chi_check_digit_warning_finds_exactly_the_chis_the_linkage_does_not_trust_as_mistyped(tmp_path: Path):
    draw = random.Random(13)
    # Every last digit after every kind of first nine, including those whose check digit would be 10 (never issued) and leading zeros.
    chis = [f"{draw.randrange(10**9):09d}{draw.randrange(10)}" for _ in range(4_000)] + [f"{n:09d}{d}" for n in (0, 1, 10, 999_999_999) for d in range(10)]
    path = _write(tmp_path, AGENCIES[0], _placements(AGENCIES[0], len(chis), chis))
    with duckdb.connect() as staging:
        [verdict] = judge([landed_file(path)], CONTRACT, councils(REFERENCE), REFERENCE, staging)

    mistyped = [n for n, chi in enumerate(chis, start=1) if not chi_is_valid(chi)]
    [warning] = [p for p in verdict.problems if p.check == "chi_check_digit"]
    assert 3_000 < warning.rows_affected == len(mistyped)  # about 10 in 11 random CHIs fail
    assert warning.rows == tuple(mistyped[:20]) and not warning.blocking


def test_staging_refuses_to_number_rows_where_duckdb_may_reorder_them(tmp_path: Path):
    path = _write(tmp_path, AGENCIES[0], _placements(AGENCIES[0], 3))
    with duckdb.connect() as staging:
        staging.execute("SET preserve_insertion_order = false")
        with pytest.raises(RuntimeError, match="preserve_insertion_order"):
            judge([landed_file(path)], CONTRACT, councils(REFERENCE), REFERENCE, staging)
