"""In Dagster, every kind of contract rule is an asset check on raw/<dataset>; a refused file shows
as failed checks with the rule, its columns and its counts, and the run itself succeeds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import pytest

from assets.ingest.factory import build_raw_asset
from assets.ingest.validation import compile_rules
from assets.model.contracts import load_contracts
from checks.contract_rules import rules_by_kind
from orchestration.resources import build_resources
from orchestration.settings import Settings
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile

REFERENCE = SHARED / "reference"


def test_every_kind_of_contract_rule_is_an_asset_check_on_its_raw_asset_naming_every_column_it_covers():
    for contract in load_contracts(CONTRACTS).values():
        asset = build_raw_asset(contract, REFERENCE)
        specs = {spec.name: spec for spec in asset.check_specs}
        rules = compile_rules(contract, REFERENCE)
        kinds = {r.name for r in rules}
        assert kinds <= specs.keys(), contract.id
        assert len(specs) == len(kinds) + 3  # plus no_files_refused, raw_table_matches_contract and returns_on_time
        assert not any(specs[kind].blocking for kind in kinds)  # a refused file is a failed check, the run goes on
        for rule in rules:
            assert ", ".join(rule.columns) in specs[rule.name].description, (contract.id, rule.name, rule.columns)


def test_one_check_cannot_both_refuse_and_warn():
    [rule, *_] = compile_rules(load_contracts(CONTRACTS)[DATASET], REFERENCE)
    with pytest.raises(ValueError, match="both refuse and warn"):
        rules_by_kind([rule, dataclasses.replace(rule, columns=("other",), blocking=not rule.blocking)])


def test_a_refused_file_is_a_failed_check_with_counts_not_a_crashed_run(story_env: Path):
    landing = story_env / "landing"
    good = EpisodesFile.valid("S12000049", "2021")
    bad = EpisodesFile.valid("S12000036", "2021").set(2, "placement_type", "fostering").set(3, "placement_type", "fostering")
    for sample in (good, bad):
        path = landing / sample.agency / DATASET / sample.file_name
        path.parent.mkdir(parents=True)
        path.write_bytes(sample.bytes())
    settings = Settings.from_env()
    contract = load_contracts(CONTRACTS)[DATASET]
    result = dg.materialize([build_raw_asset(contract, REFERENCE)], resources=build_resources(settings), raise_on_error=False)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    code = evaluations["code_list"]
    assert not code.passed and code.severity == dg.AssetCheckSeverity.ERROR
    assert code.metadata["files_failing"].value == 1 and code.metadata["rows_failing"].value == 2
    assert code.metadata["columns_failing"].value == "placement_type"
    assert "S12000036/looked_after_episodes_S12000036_2021.csv: placement_type: 2 row(s), first rows 2, 3" in code.metadata["failing_files"].value
    assert not evaluations["no_files_refused"].passed
    assert evaluations["raw_table_matches_contract"].passed and evaluations["required"].passed
    materialization = result.asset_materializations_for_node("raw__looked_after_episodes")[0]
    assert materialization.metadata["files_accepted"].value == 1 and materialization.metadata["files_refused"].value == 1
