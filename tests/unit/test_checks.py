"""The checks in ``checks/`` judge small inputs on their own, and report what they saw and their threshold."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from assets.check_results import check_result
from assets.ingest.raw_zone import zone_columns
from assets.model.contracts import load_contracts
from assets.model.outcome import CheckOutcome
from checks.intake import raw_table_matches_contract
from checks.linkage import linkage_rate_holds
from checks.measures import covers_every_council
from checks.publication import every_indicator_declared, no_identifiers_in_files
from tests.support.paths import CONTRACTS


def _headlines(councils_by_period: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(period, code, "council", "total") for period, codes in councils_by_period.items() for code in codes]
    return pd.DataFrame(rows, columns=["period", "geography_code", "geography_level", "breakdown"])


def test_a_period_short_of_councils_fails_coverage_and_says_by_how_many():
    outcome = covers_every_council(_headlines({"2023": ["A", "B", "C"], "2024": ["A"]}), council_count=3)
    assert not outcome.passed and outcome.warn_only
    assert outcome.seen == {"councils_missing_by_period": "{'2024': 2}"} and outcome.threshold == "3 councils"
    assert covers_every_council(_headlines({"2024": ["A", "B", "C"]}), council_count=3).passed


def test_a_raw_table_with_a_column_missing_or_an_empty_required_value_fails():
    contract = load_contracts(CONTRACTS)["looked_after_episodes"]
    columns = zone_columns(contract)  # identifiers in the index zone, content in the content zone
    assert "raw.forename" in columns and "content.placement_type" in columns and "content.forename" not in columns
    assert raw_table_matches_contract(contract, columns, {"la_code": 0}).passed
    assert not raw_table_matches_contract(contract, columns[1:], {"la_code": 0}).passed
    empty = raw_table_matches_contract(contract, columns, {"la_code": 2})
    assert not empty.passed and empty.seen["required_columns_with_empty_values"] == "{'la_code': 2}"


def test_an_undeclared_indicator_warns_naming_it():
    outcome = every_indicator_declared(["a", "b", "b", "c"], declared=["a"])
    assert not outcome.passed and outcome.warn_only and outcome.seen == {"undeclared": "b, c", "declared": 1}


def test_an_outcome_becomes_a_check_result_with_its_threshold_and_lists():
    result = check_result("x", CheckOutcome(passed=False, threshold="0 rows", seen={"rows": 3, "previous": None}, listed={"failing": ["f.csv", "g.csv"], "none_here": []}, warn_only=True))
    assert result.check_name == "x" and not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["threshold"].value == "0 rows" and result.metadata["rows"].value == 3
    assert result.metadata["failing"].value == "- f.csv\n- g.csv" and result.metadata["none_here"].value == "none"
    assert result.metadata["previous"] == dg.MetadataValue.null()
    assert check_result("y", CheckOutcome(passed=True, threshold="t")).severity == dg.AssetCheckSeverity.ERROR


def test_a_linkage_rate_falling_beyond_the_tolerance_warns_and_a_first_run_passes():
    fell = linkage_rate_holds(80.0, 90.0, tolerance_points=5.0)
    assert not fell.passed and fell.warn_only and fell.seen["fall_points"] == 10.0
    assert linkage_rate_holds(88.0, 90.0, tolerance_points=5.0).passed
    first = linkage_rate_holds(80.0, None)
    assert first.passed and first.seen["previous_linkage_rate_percent"] is None


def test_identifiers_in_files_to_be_published_block_them():
    found = no_identifiers_in_files(["national/report.html: CHI-like number 0101011234"], files_scanned=12)
    assert not found.passed and not found.warn_only and found.seen["files_scanned"] == 12 and found.listed["found"]
    assert no_identifiers_in_files([], files_scanned=12).passed
