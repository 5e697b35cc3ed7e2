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
"""

from __future__ import annotations

RECORD_REFERENCE = ("_entry_id", "_row_number")
CONTENT_LINEAGE = ("_agency", "_period", *RECORD_REFERENCE)
ENTRIES = "main.ingest_entries"


def content_table(dataset: str) -> str:
    return f"content.{dataset}"


def person_index_table(dataset: str) -> str:
    return f"links.{dataset}"
