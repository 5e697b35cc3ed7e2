"""The Dagster code location loads, and its asset graph is the one we expect.

The expected asset keys, groups, checks (and whether each blocks), jobs, schedules and sensors
are a committed file (``definitions_snapshot.txt``), not built from the loaders the
definitions use, so a renamed dataset, measure or check, or a lost one, fails here and shows
in review.
"""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.settings import Settings
from tests.support.definitions_snapshot import SNAPSHOT, UPDATE, describe


def test_definitions_match_the_committed_snapshot(story_env):
    now = describe(build_definitions(Settings.from_env())).splitlines()
    committed = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    assert len(committed) > 100 and any(line.startswith("check ") for line in committed)
    lost, new = sorted(set(committed) - set(now)), sorted(set(now) - set(committed))
    assert (lost, new) == ([], []), f"the definitions changed (lost {lost}, new {new}); if on purpose, run `{UPDATE}` and commit the snapshot"


def test_reports_depend_on_disclosure_control_and_linkage_on_raw_identifiers(story_env):
    graph = build_definitions(Settings.from_env()).resolve_asset_graph()
    upstream_of_report = graph.get(dg.AssetKey(["reports", "national_report"])).parent_keys
    assert dg.AssetKey(["publication", "published_measures"]) in upstream_of_report
    assert not any(k.path[0] in ("raw", "analysis", "measures") for k in upstream_of_report)
    linkage_inputs = graph.get(dg.AssetKey(["linkage", "person_links"])).parent_keys
    assert dg.AssetKey(["raw", "looked_after_episodes"]) in linkage_inputs
    assert dg.AssetKey(["raw", "population_estimates"]) not in linkage_inputs
    # Disclosure control reads the published indicators' table itself, so it says so.
    assert dg.AssetKey(["analysis", "indicator_values"]) in graph.get(dg.AssetKey(["publication", "published_measures"])).parent_keys


def test_blocking_checks_guard_publication(story_env):
    defs = build_definitions(Settings.from_env())
    checks = {(spec.asset_key.to_user_string(), spec.name): spec for a in defs.assets for spec in getattr(a, "check_specs", [])}
    assert checks[("publication/published_measures", "no_disclosive_cells")].blocking
    assert checks[("publication/published_measures", "intruder_audit")].blocking
    assert checks[("raw/looked_after_episodes", "raw_table_matches_contract")].blocking
