"""Declarative automation, and how every run is shaped.

Between intake and the reports (linkage, analysis tables, measures, the mart), an asset
updates when an asset it depends on was updated (Dagster's eager condition): re-running the
linkage from the UI, or taking in a file with ``story ingest``, refreshes the measures and the
mart without anyone choosing them. Intake runs on the landing sensor, a run per new file;
reports run on their schedules and in the landing sensor's runs, because a report is part of
an edition, published when someone meant it to be. The sensor that evaluates the conditions
starts stopped, like every schedule and sensor, and runs wait in one queue (DuckDB takes one
writer at a time: ``max_concurrent_runs: 1`` in ``deploy/``).

For the same reason every asset has a single-run backfill policy: a run over several council
partitions is one run, which the command line can start too
(``dagster asset materialize --partition-range``).
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

UPDATES_WITH_UPSTREAM = ("linkage", "analysis", "measures", "publication")

upstream_changes = dg.AutomationConditionSensorDefinition(
    "upstream_changes",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Updates linkage, analysis tables, measures and the mart when an asset they depend on was updated.",
)


def with_automation(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """The assets, with the eager condition on those between intake and the reports, and each
    run over partitions as a single run."""

    def condition(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.key.path[0] in UPDATES_WITH_UPSTREAM:
            return spec.replace_attributes(automation_condition=dg.AutomationCondition.eager())
        return spec

    return [a.with_attributes(backfill_policy=dg.BackfillPolicy.single_run()) for a in dg.map_asset_specs(condition, assets)]
