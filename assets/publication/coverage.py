"""The ``publication/data_coverage`` asset: which agencies sent what, when, and what was refused.

The ingest ledger lives beside the raw tables in the linkage zone (so each load and its
ledger row commit together). It holds no identifiers, so this asset copies it to the mart,
where reports and the agencies' data-quality digest read it. The problems found in a refused
file stay in the linkage zone (their examples are values from the file); an entry skipped
without being read carries its one reason (``reason``), so the digest can say why.

The ledger's row and byte counts stay in the linkage zone: a file's rows are its records
(the children in custody that year, a council's restraint incidents), so publishing them
would print counts that disclosure control hides.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.ingest.contracts import Contract
from assets.ingest.raw_zone import LEDGER
from assets.keys import DATA_COVERAGE, raw_key


def build_data_coverage_asset(contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    @dg.asset(
        key=DATA_COVERAGE,
        group_name="publication",
        kinds={"duckdb"},
        deps=[raw_key(d) for d in contracts],
        description="The ingest ledger (files accepted, superseded and refused per agency, dataset and period), copied to the mart.",
    )
    def data_coverage(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as con:
            con.execute(f"ATTACH '{folders.layout.linkage_zone_path}' AS lz (READ_ONLY)")
            try:
                con.execute("CREATE SCHEMA IF NOT EXISTS mart")
                con.execute(
                    "CREATE OR REPLACE TABLE mart.data_coverage AS SELECT dataset, agency, period, file_name, sha256, "
                    "received_at, processed_at, contract_version, outcome, superseded_by, "
                    f"CASE WHEN outcome = 'skipped' THEN json_extract_string(problems, '$[0].message') END AS reason FROM lz.main.{LEDGER}"
                )
            finally:
                con.execute("DETACH lz")
            summary = con.execute("SELECT outcome, count(*) AS files FROM mart.data_coverage GROUP BY outcome ORDER BY outcome").df()
        return dg.MaterializeResult(metadata={"files": dg.MetadataValue.md(summary.to_markdown(index=False))})

    return data_coverage
