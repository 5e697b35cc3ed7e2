"""Jobs. DuckDB allows one writer per database file, so runs execute in one process."""

from __future__ import annotations

import dagster as dg

from assets.partitions import every_council
from assets.reports.report_assets import DATA_QUALITY_DIGEST


def story_of_progress_job(councils: dg.StaticPartitionsDefinition) -> dg.UnresolvedAssetJobDefinition:
    """Everything, end to end. By default a run renders every council's report; a run given
    one partition key (the landing sensor's, for a council's file) renders that council's."""
    return dg.define_asset_job(
        name="story_of_progress",
        selection=dg.AssetSelection.all(),
        partitions_def=councils,
        tags=every_council(councils),
        description="Everything, end to end: landing files -> contracts -> linkage -> measures -> disclosure control -> reports (every council's, unless one council partition is chosen).",
    )


# The digest and what it is made from: the landing folders' contract checks and the ingest ledger.
data_quality_digest_job = dg.define_asset_job(
    name="data_quality_digest",
    selection=dg.AssetSelection.assets(DATA_QUALITY_DIGEST).upstream(),
    description="Checks newly landed files, then publishes the data-quality digest for agencies (overdue returns and refused files).",
)
