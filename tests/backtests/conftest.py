"""Backtest fixture: a hand-made analysis warehouse in a DuckDB file under tmp_path.

Each backtest writes a few rows per analysis table as CSV text (DuckDB reads the types:
dates, whole numbers, text; an empty field is missing), computes a measure on it, and
compares the figures with a CSV worked out by hand (``backtest_tables.assert_figures``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def analysis_warehouse(tmp_path: Path) -> Iterator[Callable[..., duckdb.DuckDBPyConnection]]:
    """``load(table=csv_text, ...)`` creates ``analysis.<table>`` from each CSV and returns the connection."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA analysis")

    def load(**tables: str) -> duckdb.DuckDBPyConnection:
        for name, text in tables.items():
            path = tmp_path / f"{name}.csv"
            path.write_text(textwrap.dedent(text).strip() + "\n")
            con.execute(f"CREATE TABLE analysis.{name} AS SELECT * FROM read_csv(?, header = true)", [str(path)])
        return con

    yield load
    con.close()
