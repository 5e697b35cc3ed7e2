"""Declarative automation on the real asset graph: an updated upstream asset brings linkage,
analysis tables, measures and the mart up to date by themselves; reports wait for their
schedules and the landing sensor; nothing starts on a fresh instance."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.settings import Settings


def _requested(result) -> set[str]:
    return {r.key.to_user_string() for r in result.results if r.true_subset.size}


def test_an_updated_intake_refreshes_everything_up_to_the_mart_but_no_report(story_env):
    defs = build_definitions(Settings.from_env())
    keys = [k for k in defs.resolve_asset_graph().get_all_asset_keys()]
    unpartitioned = [k for k in keys if k.path[0] != "reports"]
    with dg.instance_for_test() as instance:
        nothing_yet = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert nothing_yet.total_requested == 0  # a fresh instance: upstream missing, nothing starts
        for key in unpartitioned:
            instance.report_runless_asset_event(dg.AssetMaterialization(key))
        settled = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=nothing_yet.cursor)
        assert settled.total_requested == 0  # everything is up to date
        instance.report_runless_asset_event(dg.AssetMaterialization(dg.AssetKey(["raw", "looked_after_episodes"])))
        requested = _requested(dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=settled.cursor))
    assert {"linkage/person_links", "analysis/looked_after_episodes", "measures/looked_after_31_july", "publication/published_measures"} <= requested
    assert not any(k.startswith(("raw/", "reports/")) for k in requested)
    # Measures fed only by national bodies' files do not depend on the episodes: they stay put.
    assert "analysis/population_estimates" not in requested
