"""Rebuilding a database file so that rows deleted or emptied leave no bytes behind.

DuckDB frees the blocks of deleted rows and emptied columns but does not overwrite them: after
an erasure, or retention's emptying of identifiers, CHECKPOINT and VACUUM, the file still holds
the erased values byte for byte. ``rebuild`` copies the database into a fresh file beside it
(``COPY FROM DATABASE``), syncs it to disk and renames it over the old one, while the caller's
connection still holds the old file, so no other process writes to it meanwhile. A crash at any
step leaves the old file or the new one whole: the old is only read until the atomic rename, and
a half-written copy (``<name>.rebuilding``) is removed by the next rebuild. A connection open on
the old file would go on writing to it, unseen: an attached database is attached again from the
new file, and a connection's own database is closed with it (so it is the connection's last use).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

_COPY = "rebuilding_copy"


def rebuilding_path(path: Path) -> Path:
    return path.with_name(path.name + ".rebuilding")


def rebuild(con: duckdb.DuckDBPyConnection, database: str | None = None) -> Path:
    """Rewrite ``database`` (an alias attached to ``con``, attached again afterwards; by default ``con``'s
    own, and ``con`` is then closed) into a fresh file and swap it in, inside ``con``'s hold on the file.
    Call it after the deletions have committed."""
    own = con.execute("SELECT current_database()").fetchone()[0]
    database = database or own
    path = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = ?", [database]).fetchone()[0])
    fresh = rebuilding_path(path)
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con.execute(f'CHECKPOINT "{database}"')
    con.execute(f"ATTACH '{fresh}' AS {_COPY}")
    try:
        con.execute(f'COPY FROM DATABASE "{database}" TO {_COPY}')
    finally:
        con.execute(f"DETACH {_COPY}")
    _sync(fresh)
    os.replace(fresh, path)
    _sync(path.parent)
    if database == own:
        con.close()
    else:
        con.execute(f'DETACH "{database}"')
        con.execute(f"ATTACH '{path}' AS \"{database}\"")
    return path


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
