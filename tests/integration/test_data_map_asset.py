"""The Data Map asset on a real Dagster instance, over the sample mart: its three mart tables and its checks."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from assets.model.contracts import load_contracts
from assets.model.keys import DATA_MAP
from assets.publication.factory import build_data_map_asset
from orchestration.resources import build_resources
from orchestration.settings import Settings
from tests.support.paths import CONTRACTS
from tests.support.sample_mart import build_sample_mart, report_test_measures, sample_holdings


def test_the_data_map_asset_writes_the_map_and_checks_it_names_everything(story_env: Path):
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True)
    entries = report_test_measures()
    build_sample_mart(settings.warehouse_path, settings.reference_dir, entries=entries, optional=False)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        holdings = sample_holdings(["S12000033"]).assign(holding_id="H01", _agency=lambda t: t.organisation_code, _period="2025", _entry_id="abcd-efgh-jkmn")
        con.execute("CREATE SCHEMA analysis")
        con.register("holdings", holdings)
        con.execute("CREATE TABLE analysis.data_holdings AS SELECT * FROM holdings")
    contracts = load_contracts(CONTRACTS)
    asset = build_data_map_asset(contracts, entries, {"engagement_evidence": ("publication/community_voice",)})
    with dg.instance_for_test() as instance:
        result = dg.materialize([asset], resources=build_resources(settings), instance=instance)
    assert result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["map_covers_every_vision_measure_and_dataset"].passed
    gaps = checks["no_gaps_on_the_map"]
    assert not gaps.passed and gaps.severity == dg.AssetCheckSeverity.WARN  # the sample leaves visions without indicators
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        table = con.execute("SELECT * FROM mart.data_map").df()
        returns = con.execute("SELECT * FROM mart.data_map_returns").df()
        stored_gaps = con.execute("SELECT * FROM mart.data_map_gaps").df()
        findings = con.execute("SELECT * FROM mart.data_map_findings").df()
    assert set(table.vision_id.dropna()) == set(range(1, 11)) and set(entries) <= set(table.measure_id.dropna()) and set(contracts) <= set(table.dataset.dropna())
    assert set(returns.dataset) == set(contracts)
    assert gaps.metadata["gaps"].value == len(stored_gaps) > 0
    assert table.loc[table.dataset == "engagement_evidence", "used_by"].iloc[0] == "publication/community_voice"
    # What organisations hold is read by the map itself, so it is not a dataset nothing uses.
    assert table.loc[table.dataset == "data_holdings", "used_by"].iloc[0] == DATA_MAP.to_user_string()
    assert "data_holdings" not in set(stored_gaps.loc[stored_gaps.kind == "dataset_unused", "dataset"])
    assert {"held_not_sent", "collected_more_than_once"} <= set(findings.kind)
    assert result.asset_materializations_for_node(asset.node_def.name)[0].metadata["holdings_findings"].value == len(findings)
    assert result.asset_materializations_for_node(asset.node_def.name)[0].asset_key == DATA_MAP
