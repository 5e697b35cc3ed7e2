"""Turn each catalogue entry into a ``measures/<id>`` asset with its checks.

Checks on every measure asset (advisory, WARN; their logic is in ``checks.measures``):

* ``covers_every_council``: every council has a headline figure for every period.
* ``on_track``: no early warning (``assets.measures.early_warning``): the latest headline
  value has not moved against the desired direction beyond the declared tolerance since the
  previous period, and every source dataset's latest accepted file is within its contract's
  ``refreshDays``. Its metadata names places and periods but quotes no figure.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.folders import StoryFolders
from assets.measures.early_warning import latest_accepted_files
from assets.model.contracts import Contract
from assets.model.keys import analysis_key, measure_key
from assets.model.measures import LONG_FORMAT, Measure
from assets.model.reference import SCOTLAND_CODE, councils
from checks.measures import covers_every_council, on_track


def build_measure_asset(entry: Measure, council_count: int, refresh_days: dict[str, int]) -> dg.AssetsDefinition:
    key = measure_key(entry.id)

    @dg.asset(
        key=key,
        group_name=f"measures_{entry.question.lower()}",
        kinds={"duckdb"},
        deps=[analysis_key(s) for s in entry.sources],
        description=f"{entry.title}. Numerator: {entry.numerator}. Denominator: {entry.denominator or 'none'}. Desired direction: {entry.desired_direction}.",
        metadata={"question": entry.question, "vision_id": entry.vision_id or 0, "unit": entry.unit, "desired_direction": entry.desired_direction},
        check_specs=[
            dg.AssetCheckSpec("covers_every_council", asset=key, description="Every council has a headline figure for every period.", blocking=False),
            dg.AssetCheckSpec(
                "on_track", asset=key, blocking=False,
                description=f"Early warning: the latest figure has not moved against the desired direction by more than {entry.tolerance_percent:g}% since the previous period, and no source data are overdue.",
            ),
        ],
    )
    def measure_asset(folders: StoryFolders, warehouse: DuckDBResource):
        layout = folders.layout
        with warehouse.get_connection() as con:
            table = entry.compute(con)
            assert list(table.columns) == list(LONG_FORMAT), f"{entry.id} must return the long format"
            con.execute("CREATE SCHEMA IF NOT EXISTS measures")
            con.register("measure_frame", table)
            con.execute(f"CREATE OR REPLACE TABLE measures.{entry.id} AS SELECT * FROM measure_frame")
            con.unregister("measure_frame")
            latest_files = latest_accepted_files(con, layout.content_zone_path, list(entry.sources))
        headline = table[(table.geography_code == SCOTLAND_CODE) & (table.breakdown == "total")][["period", "numerator", "denominator", "value"]]
        names = councils(layout.reference_dir).names
        yield dg.MaterializeResult(metadata={"dagster/row_count": len(table), "scotland": dg.MetadataValue.md(headline.to_markdown(index=False))})
        yield check_result("covers_every_council", covers_every_council(table, council_count))
        yield check_result("on_track", on_track(table, latest_files, entry, refresh_days, dt.date.today(), names))

    return measure_asset


def measure_assets(entries: dict[str, Measure], contracts: dict[str, Contract], council_count: int) -> list[dg.AssetsDefinition]:
    """One asset per catalogue entry; ``contracts`` (those in force) give each source's ``refreshDays``."""
    refresh_days = {c.id: c.refresh_days for c in contracts.values()}
    return [build_measure_asset(entry, council_count, refresh_days) for entry in entries.values()]
