"""The analysis stage's wiring: an ``analysis/<dataset>`` asset per contract (``assets.analysis.tables``)."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.analysis.tables import analysis_select
from assets.folders import StoryFolders
from assets.model.contracts import Contract
from assets.model.keys import PERSON_LINKS, analysis_key, raw_key
from assets.model.zones import ENTRIES, attached_content_side, content_table, person_index_table


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
        layout = folders.layout
        # Only rows of entries the ledger holds as accepted: a load that stopped half-way left its rows unnamed.
        source = f"cz.{content_table(contract.id)} AS r JOIN cz.{ENTRIES} AS e ON e.entry_id = r._entry_id AND e.outcome = 'accepted'"
        if contract.identifier_columns:
            source += f" LEFT JOIN pi.{person_index_table(contract.id)} AS l ON l._entry_id = r._entry_id AND l._row_number = r._row_number"
        databases = {"cz": layout.content_zone_path, **({"pi": layout.person_index_path} if contract.identifier_columns else {})}
        with warehouse.get_connection() as con:
            with attached_content_side(con, databases):
                con.execute("CREATE SCHEMA IF NOT EXISTS analysis")
                con.execute(f"CREATE OR REPLACE TABLE analysis.{contract.id} AS SELECT {analysis_select(contract)} FROM {source} ORDER BY r._agency, r._period, r._row_number")
            rows = con.execute(f"SELECT count(*) FROM analysis.{contract.id}").fetchone()[0]
            preview = con.execute(f"SELECT * FROM analysis.{contract.id} LIMIT 5").df()
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "preview": dg.MetadataValue.md(preview.to_markdown(index=False))})

    return analysis_dataset
