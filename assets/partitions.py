"""Council partitions: each council's report is one partition of ``reports/council_reports``.

A file from one council changes that council's figures, so the landing sensor re-renders that
council's report alone (with the national report and the edition); the other councils'
reports are carried into the new edition unchanged and are refreshed by the quarterly
edition, which renders every partition in one run. Linkage, measures and the national report
stay unpartitioned: a person moves between councils and Scotland is the sum of them all, so
they read every council's data at once (the measures take about 20 s at national scale).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.model.reference import councils

# Dagster's run tags for a run over a range of partitions (one run, as the backfill policy says).
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def council_partitions(reference_dir: Path) -> dg.StaticPartitionsDefinition:
    """One partition per current council, keyed by its GSS code."""
    return dg.StaticPartitionsDefinition(sorted(councils(reference_dir).names))


def every_council(partitions: dg.StaticPartitionsDefinition) -> dict[str, str]:
    """Run tags that select every council's partition in a single run (the quarterly edition,
    a national body's file, ``make demo``). A run for one council names its partition instead."""
    keys = partitions.get_partition_keys()
    return {RANGE_START: keys[0], RANGE_END: keys[-1]}
