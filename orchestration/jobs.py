"""Jobs. DuckDB allows one writer per database file, so runs execute in one process."""

from __future__ import annotations

import dagster as dg

from assets.model.keys import RETENTION
from assets.reports.factory import DATA_QUALITY_DIGEST


def story_of_progress_job(councils: dg.StaticPartitionsDefinition, external: list[dg.AssetKey] = ()) -> dg.UnresolvedAssetJobDefinition:
    """Everything, end to end (but the ``external`` assets another code location runs). A run names
    the councils whose reports it renders: one partition (the landing sensor's run for a council's
    file), or a range in one run (``assets.partitions.every_council``: the quarterly edition, a national body's file)."""
    return dg.define_asset_job(
        name="story_of_progress",
        selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*external, RETENTION),
        partitions_def=councils,
        description="Everything, end to end: landing files -> contracts -> linkage -> measures -> disclosure control -> reports (the councils chosen as partitions).",
    )


def data_quality_digest_job(external: list[dg.AssetKey] = ()) -> dg.UnresolvedAssetJobDefinition:
    """The digest and what it is made from: the landing folders' contract checks (unless another location runs them) and the ledger's entries."""
    return dg.define_asset_job(
        name="data_quality_digest",
        selection=dg.AssetSelection.assets(DATA_QUALITY_DIGEST).upstream() - dg.AssetSelection.assets(*external),
        description="Checks newly landed files, then publishes the data-quality digest for agencies (overdue returns and refused files).",
    )


def intake_and_linkage_job() -> dg.UnresolvedAssetJobDefinition:
    """The index role's job: new landing files through their contracts, then the linkage and its hand-over."""
    return dg.define_asset_job(
        name="intake_and_linkage",
        selection=dg.AssetSelection.all() - dg.AssetSelection.assets(RETENTION),
        description="Landing files -> contracts -> split (index zone | content zone) -> linkage -> person index, in the index role's location.",
    )


def retention_job() -> dg.UnresolvedAssetJobDefinition:
    """The index role's destruction of what has been kept its period (``assets.ingest.retention``)."""
    return dg.define_asset_job(
        name="retention",
        selection=dg.AssetSelection.assets(RETENTION),
        description="Destroys sealed originals, refused copies and index-zone identifiers kept their period (STORY_RETENTION_DAYS_*), and logs each.",
    )
