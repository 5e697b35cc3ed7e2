"""The Data Map is worked out from the contracts, the catalogue and the ledger: a new dataset or measure appears with no edit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from assets.measures.catalogue import catalogue
from assets.model.contracts import load_contracts
from assets.model.reference import SCOTLAND_CODE, councils, vision_statements
from assets.publication.data_map import GAP_COLUMNS, MAP_COLUMNS, data_map, data_map_returns
from checks.data_map import map_coverage_problems, no_gaps_on_the_map
from tests.support.paths import CONTRACTS, REFERENCE

TODAY = dt.date(2025, 6, 1)
NO_DATES = pd.DataFrame(columns=["measure_id", "last_updated", "next_update_due", "published_by"])


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return councils(REFERENCE).names


def _ledger(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(dataset, agency, period, outcome) rows, received on 1 March 2025."""
    return pd.DataFrame([(d, a, p, dt.date(2025, 3, 1), o) for d, a, p, o in rows], columns=["dataset", "agency", "period", "received_on", "outcome"])


def _published(measure_id: str, codes: list[str], period: str = "2024") -> pd.DataFrame:
    return pd.DataFrame({"measure_id": measure_id, "period": period, "geography_code": codes})


def _map(contracts, entries, coverage, published, names, dates=NO_DATES, readers=None):
    return data_map(contracts, entries, vision_statements(REFERENCE), coverage, published, names, dates, readers or {}, TODAY)


def test_a_contract_added_to_the_folder_appears_on_the_map_as_an_unused_unsent_dataset(tmp_path: Path, names):
    folder = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, folder)
    text = (folder / "service_places.yaml").read_text()
    (folder / "foster_carer_reviews.yaml").write_text(text.replace("service_places", "foster_carer_reviews"))
    contracts = load_contracts(folder)
    table, gaps = _map(contracts, catalogue(REFERENCE, load_contracts(CONTRACTS)), _ledger([]), _published("x", []), names)
    row = table[table.dataset == "foster_carer_reviews"]
    assert len(row) == 1 and pd.isna(row.measure_id.iloc[0]) and row.agencies_sent.iloc[0] == 0
    assert set(gaps[gaps.dataset == "foster_carer_reviews"].kind) == {"dataset_unused", "no_files"}
    assert map_coverage_problems(table, set(vision_statements(REFERENCE).vision_id), catalogue(REFERENCE, load_contracts(CONTRACTS)), contracts) == []


def test_a_measure_added_to_the_catalogue_fills_its_vision_gap(names):
    contracts = load_contracts(CONTRACTS)
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    visions = vision_statements(REFERENCE)
    uncovered = next(int(v) for v in visions.vision_id if not any(e.vision_id == v and e.question == "Q2" for e in entries.values()))
    _, before = _map(contracts, entries, _ledger([]), _published("x", []), names)
    assert ((before.vision_id == uncovered) & (before.kind == "no_indicator")).any()
    template = next(e for e in entries.values() if e.question == "Q2")
    added = dataclasses.replace(template, id="new_indicator", vision_id=uncovered, title="A new indicator")
    table, after = _map(contracts, {**entries, added.id: added}, _ledger([]), _published("new_indicator", [SCOTLAND_CODE, *names]), names)
    assert set(table[table.measure_id == "new_indicator"].dataset) == set(template.sources)
    assert not ((after.vision_id == uncovered) & (after.kind == "no_indicator")).any()


def test_a_vision_with_no_measure_at_all_is_a_gap(names):
    entries = {k: e for k, e in catalogue(REFERENCE, load_contracts(CONTRACTS)).items() if e.vision_id != 7}
    table, gaps = _map(load_contracts(CONTRACTS), entries, _ledger([]), _published("x", []), names)
    assert list(gaps[gaps.vision_id == 7].kind) == ["no_measure"]
    assert (table.vision_id == 7).sum() == 1, "the vision still has its row on the map"


def test_measures_without_council_figures_are_named(names):
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    one, two, three = list(entries)[:3]
    codes = sorted(names)
    published = pd.concat([_published(one, [SCOTLAND_CODE, *codes[2:]]), _published(two, [SCOTLAND_CODE]), _published(one, codes, period="2019")])
    table, gaps = _map(load_contracts(CONTRACTS), entries, _ledger([]), published, names)
    missing = gaps[gaps.measure_id == one]
    assert list(missing.kind) == ["councils_missing"] and names[codes[0]] in missing.gap.iloc[0] and names[codes[1]] in missing.gap.iloc[0]
    assert table[table.measure_id == one].councils_with_figures.iloc[0] == len(codes) - 2
    assert list(gaps[gaps.measure_id == two].kind) == ["scotland_only"]
    assert list(gaps[gaps.measure_id == three].kind) == ["no_figures"]


def test_who_sent_which_period_and_when_the_next_file_is_due(names):
    contracts = load_contracts(CONTRACTS)
    codes = sorted(names)
    coverage = _ledger([("looked_after_episodes", c, "2024", "accepted") for c in codes[1:]] + [("looked_after_episodes", codes[0], "2024", "refused"), ("looked_after_episodes", codes[0], "2023", "accepted")])
    returns = data_map_returns(contracts, coverage, names)
    mine = returns[returns.dataset == "looked_after_episodes"].set_index("period")
    assert mine.loc["2024", "agencies_sent"] == len(codes) - 1 and mine.loc["2024", "agencies_missing"] == names[codes[0]]
    assert mine.loc["2023", "agencies_sent"] == 1
    table, gaps = _map(contracts, catalogue(REFERENCE, load_contracts(CONTRACTS)), coverage, _published("x", []), names)
    row = table[table.dataset == "looked_after_episodes"].iloc[0]
    assert row.periods == "2023, 2024" and row.latest_period == "2024" and row.agencies_in_latest_period == len(codes) - 1
    assert row.next_update_due == dt.date(2025, 3, 1) + dt.timedelta(days=contracts["looked_after_episodes"].refresh_days)
    assert ((gaps.dataset == "looked_after_episodes") & (gaps.kind == "incomplete_period")).any()


def test_a_national_indicator_carries_its_producers_release_dates(names):
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    indicator = next(e for e in entries.values() if e.id.startswith("indicator_"))
    dates = pd.DataFrame([(indicator.id, dt.date(2025, 3, 25), dt.date(2026, 3, 31), "Children's Social Work Statistics 2023-24")], columns=list(NO_DATES.columns))
    table, _ = _map(load_contracts(CONTRACTS), entries, _ledger([("indicator_values", "SG", "2025-03", "accepted")]), _published("x", []), names, dates)
    row = table[table.measure_id == indicator.id].iloc[0]
    assert (row.last_updated, row.next_update_due, row.published_by) == (dt.date(2025, 3, 25), dt.date(2026, 3, 31), "Children's Social Work Statistics 2023-24")
    assert list(table.columns) == list(MAP_COLUMNS)


def test_a_dataset_read_by_another_asset_is_not_unused(names):
    contracts = load_contracts(CONTRACTS)
    unused = next(d for d in contracts if not any(d in e.sources for e in catalogue(REFERENCE, load_contracts(CONTRACTS)).values()))
    _, gaps = _map(contracts, catalogue(REFERENCE, load_contracts(CONTRACTS)), _ledger([]), _published("x", []), names, readers={unused: ("publication/community_voice",)})
    assert not ((gaps.dataset == unused) & (gaps.kind == "dataset_unused")).any()
    assert list(gaps.columns) == list(GAP_COLUMNS)


def test_the_coverage_check_sees_a_vision_missing_from_the_stored_map(names):
    contracts, entries = load_contracts(CONTRACTS), catalogue(REFERENCE, load_contracts(CONTRACTS))
    table, _ = _map(contracts, entries, _ledger([]), _published("x", []), names)
    problems = map_coverage_problems(table[table.vision_id != 3], set(vision_statements(REFERENCE).vision_id), entries, contracts)
    assert "vision 3 is not on the map" in problems


def test_gaps_are_an_advisory_finding_listed_by_kind(names):
    contracts, entries = load_contracts(CONTRACTS), catalogue(REFERENCE, load_contracts(CONTRACTS))
    _, gaps = _map(contracts, entries, _ledger([]), _published("x", []), names)
    outcome = no_gaps_on_the_map(gaps)
    assert not outcome.passed and outcome.warn_only and outcome.seen["gaps"] == len(gaps) and list(outcome.listed["listed"]) == list(gaps.gap)
    assert no_gaps_on_the_map(gaps.iloc[0:0]).passed
