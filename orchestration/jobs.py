"""Jobs. DuckDB allows one writer per database file, so runs execute in one process."""

from __future__ import annotations

import dagster as dg

from assets.reports.report_assets import DATA_QUALITY_DIGEST


def story_of_progress_job(councils: dg.StaticPartitionsDefinition) -> dg.UnresolvedAssetJobDefinition:
    """Everything, end to end. A run names the councils whose reports it renders: one
    partition (the landing sensor's run for a council's file), or a range in one run
    (``assets.partitions.every_council``: the quarterly edition, a national body's file)."""
    return dg.define_asset_job(
        name="story_of_progress",
        selection=dg.AssetSelection.all(),
        partitions_def=councils,
        description="Everything, end to end: landing files -> contracts -> linkage -> measures -> disclosure control -> reports (the councils chosen as partitions).",
    )


# The digest and what it is made from: the landing folders' contract checks and the ingest ledger.
data_quality_digest_job = dg.define_asset_job(
    name="data_quality_digest",
    selection=dg.AssetSelection.assets(DATA_QUALITY_DIGEST).upstream(),
    description="Checks newly landed files, then publishes the data-quality digest for agencies (overdue returns and refused files).",
)
