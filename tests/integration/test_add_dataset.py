"""Adding a dataset means adding a YAML file: a new contract in the contracts folder gains its
raw and analysis assets, a check per rule, the landing sensor's watch, and real ingestion,
with no Python edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from assets.folders import IndexFolders
from assets.model.contracts import load_contracts
from orchestration.definitions import build_definitions
from orchestration.sensors import landing_run_requests
from orchestration.settings import REPO_ROOT, Settings
from tests.support.paths import SHARED

NEW_CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: kinship_care_assessments
name: Kinship care assessments
version: 0.1.0
status: draft
description:
  purpose: One row per kinship care assessment completed by a council in the financial year.
team:
  name: Council kinship care teams
customProperties:
  - {property: agencies, value: councils}
  - {property: period, value: {kind: financial_year}}
schema:
  - name: kinship_care_assessments
    physicalName: kinship_care_assessments
    quality:
      - {type: custom, engine: story, rule: agencyMatchesFolder, arguments: {column: la_code}}
      - {type: custom, engine: story, rule: withinPeriod, arguments: {column: completed_date}, description: Assessments completed in the year}
    properties:
      - {name: assessment_id, logicalType: string, required: true, unique: true}
      - {name: la_code, logicalType: string, required: true, customProperties: [{property: codeList, value: local_authorities}]}
      - {name: completed_date, logicalType: date, required: true}
      - {name: outcome, logicalType: string, required: true, quality: [{metric: invalidValues, arguments: {validValues: [approved, not_approved, withdrawn]}, mustBe: 0}]}
"""
DATASET = "kinship_care_assessments"


@pytest.fixture
def contracts_dir(story_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "contracts"
    shutil.copytree(REPO_ROOT / "data_contracts", folder)
    (folder / f"{DATASET}.yaml").write_text(NEW_CONTRACT)
    monkeypatch.setenv("STORY_CONTRACTS_DIR", str(folder))
    return folder


def test_a_new_contract_file_adds_its_assets_checks_and_watch(contracts_dir: Path, story_env: Path):
    settings = Settings.from_env()
    assert settings.contracts_dir == contracts_dir.resolve()
    defs = build_definitions(settings)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{DATASET}", f"analysis/{DATASET}"} <= keys
    raw = defs.resolve_assets_def(dg.AssetKey(["raw", DATASET]))
    checks = {spec.name for spec in raw.check_specs}
    assert {"code_list", "agency_matches_folder", "within_period", "unique", "raw_table_matches_contract"} <= checks
    # The landing sensor watches the new folder too.
    folder = story_env / "landing" / "S12000049" / DATASET
    folder.mkdir(parents=True)
    (folder / f"{DATASET}_S12000049_2023-24.csv").write_text(
        "assessment_id,la_code,completed_date,outcome\nKA1,S12000049,2023-06-30,approved\nKA2,S12000049,2024-01-15,withdrawn\n"
    )
    folders = IndexFolders(data_dir=str(story_env), shared_dir=str(SHARED))
    contracts = load_contracts(contracts_dir)
    _, seen = landing_run_requests(contracts, folders, {})
    requests, _ = landing_run_requests(contracts, folders, seen)
    assert [r.tags["story/dataset"] for r in requests] == [DATASET]
    # And the file is taken in by the generated asset.
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(asset_selection=[dg.AssetKey(["raw", DATASET])], raise_on_error=False)
    assert result.success
    [materialization] = result.asset_materializations_for_node(f"raw__{DATASET}")
    assert materialization.metadata["files_accepted"].value == 1 and materialization.metadata["dagster/row_count"].value == 2
    # Its freshness check, from the contract: one council of 32 has sent a return, so 31 are overdue.
    [freshness] = [e for e in result.get_asset_check_evaluations() if e.check_name == "returns_on_time"]
    assert not freshness.passed and freshness.severity == dg.AssetCheckSeverity.WARN
    assert freshness.metadata["returns_overdue"].value == 31 and "Glasgow City" not in freshness.metadata["overdue"].value


def test_without_the_file_the_dataset_does_not_exist(story_env: Path):
    keys = {k.to_user_string() for k in build_definitions(Settings.from_env()).resolve_asset_graph().get_all_asset_keys()}
    assert f"raw/{DATASET}" not in keys
