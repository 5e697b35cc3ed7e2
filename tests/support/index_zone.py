"""Loading an agency file's identifiers straight into the index zone, as the intake would, for linkage tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from assets.ingest.raw_zone import index_columns, raw_table


def load_identifiers(con: duckdb.DuckDBPyConnection, contract, path: Path, sha: str) -> None:
    """``path``'s rows' identifier columns into ``raw.<dataset>``, under the file hash ``sha`` (and an entry id made from it)."""
    agency, period = path.parent.parent.name, path.stem.rsplit("_", 1)[1]
    columns = "".join(f"{c.name}, " for c in index_columns(contract))
    con.execute(
        f"INSERT INTO {raw_table(contract)} SELECT {columns}? AS _agency, ? AS _period, ? AS _file_sha256, row_number() OVER () AS _row_number, ? AS _entry_id "
        f"FROM read_csv('{path}', all_varchar = true, header = true)",
        [agency, period, sha, f"entry-{sha}"],
    )
