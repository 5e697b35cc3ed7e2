"""The ``publication/data_coverage`` asset: which agencies sent what, when, and what was refused.

Copied to the mart from the content zone's ``main.ingest_entries``: the ingest ledger as it may
leave the index zone (``assets.ingest.entries`` says what that holds and why). This asset never
opens the index zone.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.model.contracts import Contract
from assets.model.keys import DATA_COVERAGE, raw_key
from assets.model.zones import ENTRIES, ENTRIES_DDL, ENTRY_COLUMNS, attached_content_side


def build_data_coverage_asset(contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    @dg.asset(
        key=DATA_COVERAGE,
        group_name="publication",
        kinds={"duckdb"},
        deps=[raw_key(d) for d in contracts],
        description="The ingest ledger (files accepted, superseded and refused per agency, dataset and period) as it may leave the index zone: random entry ids, days and only the contracts' own names; copied to the mart.",
    )
    def data_coverage(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as con:
            with attached_content_side(con, {"cz": folders.layout.content_zone_path}, read_only=False):
                con.execute(ENTRIES_DDL.format(zone="cz"))  # a content zone no intake has written yet has none
                con.execute("CREATE SCHEMA IF NOT EXISTS mart")
                con.execute(f"CREATE OR REPLACE TABLE mart.data_coverage AS SELECT {', '.join(ENTRY_COLUMNS)} FROM cz.{ENTRIES} ORDER BY dataset, agency, period, entry_id")
            summary = con.execute("SELECT outcome, count(*) AS files FROM mart.data_coverage GROUP BY outcome ORDER BY outcome").df()
        return dg.MaterializeResult(metadata={"files": dg.MetadataValue.md(summary.to_markdown(index=False))})

    return data_coverage
