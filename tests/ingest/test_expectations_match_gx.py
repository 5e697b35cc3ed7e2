"""The contracts' expectations, evaluated in one query per table, fail exactly the rows
Great Expectations fails: the same verdicts, the same failing rows, the same counts.

GX itself runs each expectation here (``assets.ingest.expectations_duckdb``), once on hand-made edge
cases of every kind of expectation and once on staged bad files with the compiled rules of a
real contract. For compound keys GX gives a count but no rows on SQL engines, so counts are
compared there.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from assets.ingest.expectations_duckdb import as_gx, validate_duckdb_table
from assets.ingest.expectations_sql import (
    CompoundUnique,
    Expectation,
    PairAtLeast,
    ValuesBetween,
    ValuesInSet,
    ValuesMatchRegex,
    ValuesNotNull,
    ValuesNull,
    failing_expectations,
    failing_rows_query,
)
from assets.ingest.validation import ROW_IDS, STAGED_TABLE, TYPED_VIEW, StagedFile, compile_rules, stage_files
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from tests.support.paths import CONTRACTS, REFERENCE
from tests.support.samples import DATASET, EpisodesFile


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT {', '.join(ROW_IDS)} FROM ({query})").fetchall())


def assert_same_as_gx(database: Path, table: str, expectations: list[Expectation]) -> int:
    """Compare every expectation with GX's run of it; returns how many failed (so a test can
    show it compared failures, not only passes)."""
    gx = validate_duckdb_table(database, table, [as_gx(e) for e in expectations], row_id_columns=ROW_IDS).results
    with duckdb.connect(str(database), read_only=True) as con:
        verdicts = failing_expectations(con, table, expectations)
        for expectation, failing, reference in zip(expectations, verdicts, gx, strict=True):
            assert failing == (not reference.success), expectation
            ours = _rows(con, failing_rows_query(table, expectation, ROW_IDS))
            assert len(ours) == reference.unexpected_count, expectation
            if failing and not isinstance(expectation, CompoundUnique):
                assert ours == _rows(con, reference.unexpected_query), expectation
    return sum(verdicts)


def test_every_kind_of_expectation_fails_the_rows_gx_fails_at_the_edges(tmp_path: Path):
    database = tmp_path / "edges.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES "
            "(1, 1, 'A1', NULL, 3, 1, DATE '2021-01-01', DATE '2020-12-31'), "
            "(1, 2, 'a1', 'x', 12, 12, DATE '2021-01-01', NULL), "
            "(1, 3, NULL, NULL, NULL, 4, NULL, DATE '2021-02-01'), "
            "(1, 4, 'it''s', NULL, -1, 0, DATE '2021-03-01', DATE '2021-03-02'), "
            "(2, 1, 'A1', 'y', 10, NULL, NULL, NULL), "
            "(2, 2, 'A1', NULL, 0, 0, DATE '2021-01-01', DATE '2021-01-01'), "
            "(2, 3, NULL, NULL, 5, 9, NULL, NULL), "
            "(2, 4, 'A1', 'y', 1, 1, NULL, NULL)"
            ") v(_file, _row_number, code, note, amount, part, ended, started)"
        )
    expectations = [
        ValuesNotNull("code"),
        ValuesNull("note"),
        ValuesMatchRegex("code", "^[A-Z][0-9]$"),
        ValuesInSet("code", ("A1", "it's")),
        ValuesBetween("amount", 0.0, 10.0),
        ValuesBetween("amount", None, 5.0),
        ValuesBetween("amount", 0.0, None),
        PairAtLeast("amount", "part"),
        PairAtLeast("ended", "started"),
        CompoundUnique(("code", "_file")),
        CompoundUnique(("code", "note")),
        ValuesNotNull("_file"),
    ]
    assert assert_same_as_gx(database, "t", expectations) == len(expectations) - 1


def test_a_contracts_rules_fail_the_rows_gx_fails_on_staged_bad_files(tmp_path: Path):
    contract = load_contracts(CONTRACTS)[DATASET]
    spoiled = [
        EpisodesFile.valid("S12000049", "2021"),
        EpisodesFile.valid("S12000049", "2022").set(2, "placement_start", "31/12/2021").set(3, "episode_start", "2023-02-30"),
        EpisodesFile.valid("S12000005", "2021").set(1, "placement_type", "fostering").set(3, "postcode", "G12 8Q!").set(2, "sex", ""),
        EpisodesFile.valid("S12000005", "2022").set(3, "episode_end", "2021-10-01").set(2, "la_code", "S12000046").set(1, "year_ending", "1990"),
        EpisodesFile.valid("S12000006", "2021").set(1, "sibling_group_ref", '=HYPERLINK("x")').set(3, "chi", "0101011234").set(3, "placement_start", "2021-09-01"),
        EpisodesFile.valid("S12000006", "2022").set(1, "date_of_birth", "1980-01-01").set(3, "la_code", "S12000005"),
    ]
    spoiled[0].rows.append(dict(spoiled[0].rows[2]))
    files = []
    for number, sample in enumerate(spoiled):
        path = tmp_path / f"{number}.csv"
        path.write_bytes(sample.bytes())
        files.append(StagedFile(number, path, sample.agency, sample.period))
    database = tmp_path / "staging.duckdb"  # a file, which GX reads through SQLAlchemy
    with duckdb.connect(str(database)) as con:
        stage_files(files, con, contract, councils(REFERENCE))
    rules = compile_rules(contract, REFERENCE)
    failed = [assert_same_as_gx(database, table, [r.expectation for r in rules if r.table == table]) for table in (STAGED_TABLE, TYPED_VIEW)]
    assert all(failed), failed  # each table had failing rules to compare, not only passes
