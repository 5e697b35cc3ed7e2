"""Great Expectations on DuckDB: our fix works, and we notice when upstream no longer needs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from assets.ingest.expectations_duckdb import validate_duckdb_table


def make_table(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE t AS SELECT 1 AS _file, i AS _row_number, CASE WHEN i = 3 THEN 'X' ELSE 'M' END AS sex, "
            "CASE WHEN i = 5 THEN 'S1200004' ELSE 'S12000049' END AS la_code FROM range(1, 11) r(i)"
        )


def test_failing_rows_and_values_are_reported_with_regex_on_duckdb(tmp_path: Path):
    database = tmp_path / "t.duckdb"
    make_table(database)
    result = validate_duckdb_table(
        database, "t",
        [gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F"]), gxe.ExpectColumnValuesToMatchRegex(column="la_code", regex="^S12[0-9]{6}$")],
        row_id_columns=("_file", "_row_number"),
    )
    sex, code = result.results
    assert (sex.unexpected_count, [r["_row_number"] for r in sex.unexpected_rows]) == (1, [3])
    assert (code.unexpected_count, [r["_row_number"] for r in code.unexpected_rows]) == (1, [5])
    # The file is released afterwards: another connection with other settings can open it.
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 10


def test_the_failing_row_query_finds_every_row_and_compound_key_repeats(tmp_path: Path):
    """GX samples 20 failing rows and gives none for compound keys on SQL; the query gives them all."""
    database = tmp_path / "t.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "CREATE TABLE t AS SELECT 1 AS _file, i AS _row_number, CASE WHEN i <= 30 THEN 'X' ELSE 'M' END AS sex, "
            "CASE WHEN i IN (40, 41) THEN 'C40' WHEN i = 42 THEN NULL ELSE 'C' || i END AS child_ref FROM range(1, 51) r(i)"
        )
    sex, key = validate_duckdb_table(
        database, "t",
        [gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F"]), gxe.ExpectCompoundColumnsToBeUnique(column_list=["child_ref", "_file"])],
        row_id_columns=("_file", "_row_number"),
    ).results
    assert len(sex.unexpected_rows) == 20 and key.unexpected_rows == []  # what GX itself gives
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM ({sex.unexpected_query})").fetchone()[0] == 30
        assert [r[1] for r in con.execute(f"{key.unexpected_query} ORDER BY _row_number").fetchall()] == [40, 41]


def test_plain_great_expectations_still_fails_on_duckdb(tmp_path: Path):
    """If this fails, GX has fixed issue #11579 or added DuckDB regex: drop the patch in assets/ingest/expectations_duckdb.py."""
    database = tmp_path / "t.duckdb"
    make_table(database)
    script = textwrap.dedent(f"""
        import great_expectations as gx, great_expectations.expectations as gxe
        context = gx.get_context(mode="ephemeral")
        source = context.data_sources.add_sql(name="d", connection_string="duckdb:///{database}")
        batch = source.add_table_asset(name="t", table_name="t").add_batch_definition_whole_table("b").get_batch()
        # Every value is in the set, so a working GX would report success.
        result = batch.validate(gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F", "X"]))
        print("UNPATCHED", result.success, "list index out of range" in str(result))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert "UNPATCHED False True" in output, f"GX on DuckDB behaves differently now; re-check the patch. Output: {output[-2000:]}"
