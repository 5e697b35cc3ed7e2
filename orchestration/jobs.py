"""Jobs. DuckDB allows one writer per database file, so runs execute in one process."""

from __future__ import annotations

import dagster as dg

story_of_progress_job = dg.define_asset_job(
    name="story_of_progress",
    selection=dg.AssetSelection.all(),
    description="Everything, end to end: landing files -> contracts -> linkage -> measures -> disclosure control -> reports.",
)
