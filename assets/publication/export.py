"""Copy the publication mart to any database SQLAlchemy can reach (PostgreSQL, SQLite, a second DuckDB ...).

Only the ``mart`` schema leaves: it holds published figures after disclosure control and
nothing else, so a copy elsewhere discloses no more than the reports do. Each table is
replaced whole in the target, so an export is a snapshot of one edition, never a mix of two.
Table names stay the same; ``schema`` puts them in a schema of the target where it has them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa
from tqdm import tqdm

MART = "mart"
CHUNK_ROWS = 50_000


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The mart's tables, in name order."""
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", [MART]).fetchall()
    return [name for (name,) in rows]


def export_mart(warehouse_path: Path | str, url: str, schema: str | None = None) -> dict[str, int]:
    """Write every ``mart`` table of the warehouse to the database at ``url``; returns rows per table.

    The warehouse is opened read-only, so an export can run beside a reader of the same file
    (not beside the pipeline writing it: DuckDB allows one writer).
    """
    engine = sa.create_engine(url)
    written: dict[str, int] = {}
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            for table in tqdm(mart_tables(con), desc="exporting mart tables", unit="table"):
                frame = con.execute(f'SELECT * FROM {MART}."{table}"').df()
                with engine.begin() as target:
                    frame.to_sql(table, target, schema=schema, if_exists="replace", index=False, chunksize=CHUNK_ROWS)
                written[table] = len(frame)
    finally:
        engine.dispose()
    return written


def read_exported(url: str, table: str, schema: str | None = None) -> pd.DataFrame:
    """One exported table, read back from the target database.

    A plain query rather than table reflection: duckdb-engine cannot reflect a table
    (it answers PostgreSQL catalogue queries DuckDB does not have).
    """
    engine = sa.create_engine(url)
    quote = engine.dialect.identifier_preparer.quote
    name = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    try:
        with engine.connect() as source:
            return pd.read_sql_query(sa.text(f"SELECT * FROM {name}"), source)
    finally:
        engine.dispose()
