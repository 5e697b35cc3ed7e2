"""The ``retention/destroyed`` asset: ``story retention`` as a run of the index role, on its own schedule.

Each run destroys what has been kept its period (``retention``) and says in its metadata what
it destroyed, by kind, ledger entry and rule; the destruction log keeps the same rows.
"""

import datetime as dt
from collections import Counter

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.folders import IndexFolders
from assets.ingest.destruction_log import IDENTIFIERS, REFUSED_COPY, SEALED_ORIGINAL, RetentionPeriods
from assets.ingest.retention import described, destroy, expired
from assets.model.contracts import Contract
from assets.model.keys import RETENTION


def build_retention_asset(contracts: dict[str, Contract], periods: RetentionPeriods) -> dg.AssetsDefinition:
    """``periods``: the operators' ``STORY_RETENTION_DAYS_*``, read by the settings and handed down."""

    @dg.asset(
        key=RETENTION,
        group_name="retention",
        kinds={"duckdb"},
        description=(
            f"Destroys sealed originals ({periods.sealed_originals_days} days after intake), refused files' sealed copies "
            f"({periods.refused_copies_days} days) and accepted entries' identifiers in the index zone ({periods.identifiers_days} days), "
            "and logs each in the index zone's destruction_log. Person ids and content are kept."
        ),
    )
    def retention(context: dg.AssetExecutionContext, index_folders: IndexFolders, linkage_zone: DuckDBResource) -> dg.MaterializeResult:
        layout = index_folders.layout
        with linkage_zone.get_connection() as con:
            done = destroy(con, contracts, expired(con, contracts, layout.accepted_dir, layout.quarantine_dir, periods, dt.date.today()), periods)
        lines = described(done, periods)
        for line in lines:
            context.log.info(f"Destroyed: {line}")
        kinds = Counter(item.kind for item in done)
        return dg.MaterializeResult(metadata={
            "destroyed": len(done),
            **{f"destroyed_{kind}": kinds[kind] for kind in (SEALED_ORIGINAL, REFUSED_COPY, IDENTIFIERS)},
            "retention_days": dg.MetadataValue.json({kind: periods.days(kind) for kind in (SEALED_ORIGINAL, REFUSED_COPY, IDENTIFIERS)}),
            "what_was_destroyed": dg.MetadataValue.md("| kind | entry | dataset | agency | rule |\n|---|---|---|---|---|\n" + "\n".join(f"| {line} |" for line in lines) if lines else "nothing was due"),
        })

    return retention
