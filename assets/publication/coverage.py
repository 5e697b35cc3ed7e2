"""The ``publication/data_coverage`` asset: which agencies sent what, when, and what was refused.

The ingest ledger lives in the linkage zone. What it publishes of it is only what the pipeline
itself vouches for, so nothing an agency wrote and nothing derived from an agency's bytes
leaves the zone (``published_coverage``): no hash, size or row count of a file (a hash of a
one-row return lets anyone who guesses its content confirm it), no time finer than the day,
and no agency-written string unless it is one of the contract's own values (a known dataset,
agency and well-formed period; a file name only when it is exactly the agreed name). Each
entry is named by its opaque, random ``entry_id``. So no file name or folder an agency chose
can fail a blocking privacy check downstream, and no refused file can stop an edition.
"""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.ingest.contracts import Contract
from assets.ingest.raw_zone import LEDGER
from assets.keys import DATA_COVERAGE, raw_key
from assets.reference import councils

COVERAGE_COLUMNS = ["entry_id", "dataset", "agency", "period", "file_name", "received_on", "processed_on", "contract_version", "outcome", "superseded_by", "reason"]
# Why an entry was not taken in, in the pipeline's own words (a skip's own message quotes the entry's name).
SKIP_REASONS = {
    "hidden_file": "its name starts with a dot, which makes it a hidden file (a system file, or an upload not yet renamed)",
    "unreadable": "it could not be read when the intake ran; it is tried again at the next intake",
}
OTHER_SKIP = "it could not be taken in this time; it is tried again at the next intake"


def published_coverage(ledger: pd.DataFrame, contracts: dict[str, Contract], council_codes: frozenset[str]) -> pd.DataFrame:
    """The ledger as it may be published: one row per entry, in ``COVERAGE_COLUMNS``.

    ``ledger`` holds the ledger's columns. A dataset, agency or period that is not one the
    contracts define is published as empty, and so is a file name that is not exactly
    ``<dataset>_<agency>_<period>.csv`` built from those.
    """
    rows = []
    entry_of = dict(zip(zip(ledger["dataset"], ledger["agency"], ledger["sha256"]), ledger["entry_id"]))
    for r in ledger.itertuples(index=False):
        contract = contracts.get(r.dataset)
        agency = r.agency if contract is not None and contract.agencies.accepts(r.agency, council_codes) else None
        period = r.period if contract is not None and isinstance(r.period, str) and contract.period_is_well_formed(r.period) else None
        agreed = contract.expected_file_name(agency, period) if agency and period else None
        problems = json.loads(r.problems) if isinstance(r.problems, str) and r.problems else []
        rows.append({
            "entry_id": r.entry_id,
            "dataset": r.dataset if contract is not None else None,
            "agency": agency,
            "period": period,
            "file_name": agreed if agreed == r.file_name else None,
            "received_on": pd.Timestamp(r.received_at).date(),
            "processed_on": pd.Timestamp(r.processed_at).date(),
            "contract_version": r.contract_version if contract is not None else None,
            "outcome": r.outcome,
            "superseded_by": entry_of.get((r.dataset, r.agency, r.superseded_by)) if isinstance(r.superseded_by, str) else None,
            "reason": SKIP_REASONS.get(problems[0].get("check"), OTHER_SKIP) if r.outcome == "skipped" and problems else None,
        })
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def build_data_coverage_asset(contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    @dg.asset(
        key=DATA_COVERAGE,
        group_name="publication",
        kinds={"duckdb"},
        deps=[raw_key(d) for d in contracts],
        description="The ingest ledger (files accepted, superseded and refused per agency, dataset and period) as it may be published: opaque entry ids, days, and only the contracts' own names; copied to the mart.",
    )
    def data_coverage(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        codes = councils(folders.layout.reference_dir).codes
        with warehouse.get_connection() as con:
            con.execute(f"ATTACH '{folders.layout.linkage_zone_path}' AS lz (READ_ONLY)")
            try:
                ledger = con.execute(
                    f"SELECT dataset, agency, period, file_name, sha256, received_at, processed_at, contract_version, outcome, superseded_by, problems, entry_id FROM lz.main.{LEDGER}"
                ).df()
            finally:
                con.execute("DETACH lz")
            coverage = published_coverage(ledger, contracts, codes)
            con.execute("CREATE SCHEMA IF NOT EXISTS mart")
            con.register("coverage_frame", coverage)
            typed = ", ".join(f"CAST({c} AS DATE) AS {c}" if c.endswith("_on") else f"CAST({c} AS VARCHAR) AS {c}" for c in COVERAGE_COLUMNS)
            con.execute(f"CREATE OR REPLACE TABLE mart.data_coverage AS SELECT {typed} FROM coverage_frame ORDER BY dataset, agency, period, entry_id")
            con.unregister("coverage_frame")
            summary = con.execute("SELECT outcome, count(*) AS files FROM mart.data_coverage GROUP BY outcome ORDER BY outcome").df()
        return dg.MaterializeResult(metadata={"files": dg.MetadataValue.md(summary.to_markdown(index=False))})

    return data_coverage
