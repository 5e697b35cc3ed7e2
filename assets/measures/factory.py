"""Turn each catalogue entry into a ``measures/<id>`` asset with its checks.

Checks on every measure asset (advisory, WARN):

* ``covers_every_council``: every council has a headline figure for every period.
* ``on_track``: no early warning (``assets.measures.early_warning``): the latest headline
  value has not moved against the desired direction beyond the declared tolerance since the
  previous period, and every source dataset's latest accepted file is within its contract's
  ``refreshDays``. This check sees the figures before disclosure control, so its metadata
  names places and periods but quotes no figure (alerts forward check metadata);
  ``mart.early_warnings`` words the same warnings with published figures only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.ingest.contracts import Contract
from assets.ingest.raw_zone import LEDGER
from assets.keys import analysis_key, measure_key
from assets.measures.catalogue import LONG_FORMAT, Measure
from assets.measures.early_warning import DATA_OVERDUE, early_warnings, headline_rows, latest_accepted_files, place_name
from assets.reference import SCOTLAND_CODE, councils


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
            latest_files = _latest_files(con, layout.linkage_zone_path, entry)
        headline = table[(table.geography_code == SCOTLAND_CODE) & (table.breakdown == "total")][["period", "numerator", "denominator", "value"]]
        councils_per_period = table[(table.geography_level == "council") & (table.breakdown == "total")].groupby("period")["geography_code"].nunique()
        missing = {p: council_count - n for p, n in councils_per_period.items() if n < council_count}
        names = councils(layout.reference_dir).names
        warnings = early_warnings(headline_rows(table), latest_files, entry, refresh_days, dt.date.today(), names)
        yield dg.MaterializeResult(metadata={"dagster/row_count": len(table), "scotland": dg.MetadataValue.md(headline.to_markdown(index=False))})
        yield dg.AssetCheckResult(
            check_name="covers_every_council",
            passed=not missing,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"councils_missing_by_period": str(missing or "none"), "threshold": f"{council_count} councils"},
        )
        yield dg.AssetCheckResult(
            check_name="on_track",
            passed=warnings.empty,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "warnings": len(warnings),
                "by_kind": str(warnings["kind"].value_counts().to_dict() or "none"),
                "warnings_seen": dg.MetadataValue.md("\n".join(f"- {line}" for line in _without_figures(warnings, entry, names)[:50]) or "none"),
                "threshold": f"{entry.tolerance_percent:g}% against the desired direction ({entry.desired_direction}); refresh days {', '.join(f'{d}: {refresh_days[d]}' for d in entry.sources)}",
            },
        )

    return measure_asset


def _without_figures(warnings: pd.DataFrame, entry: Measure, names: dict[str, str]) -> list[str]:
    """The warnings in words without their figures: check metadata reaches alert notifiers,
    and these figures have not been through disclosure control (``mart.early_warnings`` has
    the published ones)."""
    return [
        row.message if row.kind == DATA_OVERDUE
        else f"{place_name(row.geography_code, names)}, {row.period}: "
        f"moved against the desired direction ({entry.desired_direction}) by more than {entry.tolerance_percent:g}% since the previous period"
        for row in warnings.itertuples()
    ]


def _latest_files(con: duckdb.DuckDBPyConnection, linkage_zone: Path, entry: Measure) -> pd.DataFrame:
    """The ingest ledger's latest accepted file per source dataset and agency (none before any ingest)."""
    if not linkage_zone.exists():
        return latest_accepted_files(con, "", [])
    con.execute(f"ATTACH '{linkage_zone}' AS lz (READ_ONLY)")
    try:
        return latest_accepted_files(con, f"lz.main.{LEDGER}", list(entry.sources))
    finally:
        con.execute("DETACH lz")


def measure_assets(entries: dict[str, Measure], contracts: dict[str, Contract], council_count: int) -> list[dg.AssetsDefinition]:
    """One asset per catalogue entry; ``contracts`` (those in force) give each source's ``refreshDays``."""
    refresh_days = {c.id: c.refresh_days for c in contracts.values()}
    return [build_measure_asset(entry, council_count, refresh_days) for entry in entries.values()]
