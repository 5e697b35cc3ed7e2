"""The tables on each side of the boundary between the index zone and the content zone.

Both sides name these tables, so they live here, apart from the code of either side: the
intake writes the content zone, the linkage writes the person index, and the analysis reads
both without importing (or opening) anything of the index zone.

- content zone (``content_zone.duckdb``): ``content.<dataset>``, each accepted row's content
  columns (never an identifier; a date of birth only as year and month of birth) with its
  record reference ``(_entry_id, _row_number)``, its agency and period; and ``main.ingest_entries``,
  the ingest ledger as it may leave the index zone (``assets.ingest.entries``).
- person index (``person_index.duckdb``): ``links.<dataset>``, each record reference with its
  pseudonymous ``person_id``, how it was linked and the keyed hashes of agency references.
- linkage rates (``linkage_rates.csv``): per dataset, how many records the linkage holds and how
  many it joined to another record of the same person; counts only, exact (the content side's
  publication rounds and suppresses them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

RECORD_REFERENCE = ("_entry_id", "_row_number")
CONTENT_LINEAGE = ("_agency", "_period", *RECORD_REFERENCE)
ENTRIES = "main.ingest_entries"
ENTRY_COLUMNS = ("entry_id", "dataset", "agency", "period", "file_name", "received_on", "processed_on", "contract_version", "outcome", "superseded_by", "reason")
ENTRIES_DDL = (  # format with zone=: the name the content zone is attached as
    f"CREATE TABLE IF NOT EXISTS {{zone}}.{ENTRIES} (entry_id VARCHAR, dataset VARCHAR, agency VARCHAR, period VARCHAR, file_name VARCHAR, "
    "received_on DATE, processed_on DATE, contract_version VARCHAR, outcome VARCHAR, superseded_by VARCHAR, reason VARCHAR)"
)


LINKAGE_RATE_COLUMNS = ("dataset", "records", "linked_records")


def content_table(dataset: str) -> str:
    return f"content.{dataset}"


def person_index_table(dataset: str) -> str:
    return f"links.{dataset}"

# What only the index zone holds: if the content side finds one of these, it was given the index zone by mistake.
INDEX_ZONE_SCHEMAS = ("raw", "linkage")


class GivenTheIndexZone(RuntimeError):
    """The content side was pointed at a database of the index zone."""


@contextmanager
def attached_content_side(con: duckdb.DuckDBPyConnection, databases: dict[str, Path], read_only: bool = True) -> Iterator[None]:
    """The content side's databases (alias: path) attached to ``con`` for a step, each refused,
    naming the setting, if it holds the index zone's tables (its schemas or its ledger)."""
    attached = []
    try:
        for alias, path in databases.items():
            con.execute(f"ATTACH '{path}' AS {alias}{' (READ_ONLY)' if read_only else ''}")
            attached.append(alias)
            _refuse_index_zone(con, alias)
        yield
    finally:
        for alias in attached:
            con.execute(f"DETACH {alias}")


def _refuse_index_zone(con: duckdb.DuckDBPyConnection, database: str) -> None:
    """Stop, naming the setting, when the attached ``database`` holds identifiers (the index zone's schemas or its ledger)."""
    found = con.execute(
        "SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = ? AND (schema_name IN (SELECT unnest(?)) OR table_name = 'ingest_ledger')",
        [database, list(INDEX_ZONE_SCHEMAS)],
    ).fetchall()
    if found:
        path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = ?", [database]).fetchone()[0]
        raise GivenTheIndexZone(
            f"{path} holds the index zone's tables ({', '.join(s for (s,) in found)}): the content side reads only the content zone and the person index. "
            "Point STORY_CONTENT_DIR (or the folders resource's content_dir) at the content side's folder."
        )
