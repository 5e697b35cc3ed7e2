"""``analysis/<dataset>`` assets: each dataset as analysts may see it, in the warehouse.

Identifier columns never cross into the warehouse. Names, postcodes, CHI and SCN are
dropped; a date of birth becomes year and month of birth (enough for age at 31 July, which
is the last day of its month); an agency's own record reference becomes a keyed hash; and
every record about a person carries the pseudonymous ``person_id`` from the linkage zone.
Only current rows are published: a superseded file's rows are already gone from the raw zone.
Each row carries its ledger entry's random id (``_entry_id``), so a check can name the file a
finding came from without the warehouse holding anything derived from the file's bytes.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.ingest.contracts import Contract
from assets.ingest.raw_zone import LEDGER, raw_table
from assets.keys import PERSON_LINKS, analysis_key, raw_key


def analysis_select(contract: Contract) -> str:
    """The SELECT list that turns a raw row into its analysis form (``r`` raw, ``l`` linkage)."""
    parts: list[str] = []
    if contract.identifier_columns:
        parts.append("l.person_id")
    for column in contract.columns:
        if column.pseudonymise:
            parts.append(f"l.{column.name}_key")
        elif column.name == "date_of_birth":
            parts += ["year(r.date_of_birth) AS birth_year", "month(r.date_of_birth) AS birth_month"]
        elif not column.identifier:
            parts.append(f"r.{column.name}")
    return ", ".join(parts + ["r._agency", "r._period", "e.entry_id AS _entry_id"])


def build_analysis_asset(contract: Contract) -> dg.AssetsDefinition:
    upstream = [raw_key(contract.id)] + ([PERSON_LINKS] if contract.identifier_columns else [])

    @dg.asset(
        key=analysis_key(contract.id),
        group_name="analysis",
        kinds={"duckdb"},
        deps=upstream,
        description=f"{contract.name}, without identifiers: pseudonymous ids only.",
    )
    def analysis_dataset(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        # Each row names its ledger entry by the entry's random id, never by its file's hash.
        source = f"lz.{raw_table(contract)} AS r LEFT JOIN lz.main.{LEDGER} AS e ON e.dataset = '{contract.id}' AND e.agency = r._agency AND e.sha256 = r._file_sha256"
        if contract.identifier_columns:
            source += f" LEFT JOIN lz.linkage.{contract.id} AS l ON l._file_sha256 = r._file_sha256 AND l._row_number = r._row_number"
        with warehouse.get_connection() as con:
            con.execute(f"ATTACH '{folders.layout.linkage_zone_path}' AS lz (READ_ONLY)")
            try:
                con.execute("CREATE SCHEMA IF NOT EXISTS analysis")
                con.execute(f"CREATE OR REPLACE TABLE analysis.{contract.id} AS SELECT {analysis_select(contract)} FROM {source}")
            finally:
                con.execute("DETACH lz")
            rows = con.execute(f"SELECT count(*) FROM analysis.{contract.id}").fetchone()[0]
            preview = con.execute(f"SELECT * FROM analysis.{contract.id} LIMIT 5").df()
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "preview": dg.MetadataValue.md(preview.to_markdown(index=False))})

    return analysis_dataset
