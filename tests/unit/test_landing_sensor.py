"""The landing sensor waits for a file to settle, keys runs on agency and content, and asks the
ledger (not the kept copies) whether a file was answered already."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from assets.folders import IndexFolders
from assets.ingest import raw_zone
from assets.ingest.intake import accepted_copy
from assets.ingest.landing import landed_file
from assets.model.contracts import load_contracts
from assets.partitions import RANGE_END, RANGE_START, council_partitions
from orchestration.sensors import MAX_ATTEMPTS, REQUEST_TAG, landing_run_requests
from tests.support.paths import CONTRACTS, SHARED

CONTRACTS = load_contracts(CONTRACTS)
ROUTING = {"councils": council_partitions(SHARED / "reference"), "downstream": {dataset: [dg.AssetKey(["reports", "national_report"])] for dataset in CONTRACTS}}


def _drop(root: Path, agency: str, dataset: str, name: str, text: str) -> Path:
    path = root / "landing" / agency / dataset / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _answer(root: Path, path: Path, outcome: str, superseded_by: str | None = None) -> None:
    """Write the ledger row an intake would have written for ``path``."""
    landed = landed_file(path)
    contract = CONTRACTS[landed.dataset]
    with duckdb.connect(str(root / "linkage_zone.duckdb")) as con:
        raw_zone.ensure_raw_zone(con, contract)
        raw_zone.record_outcome(con, contract, landed, landed.period, 0, outcome, [])
        con.execute(f"UPDATE {raw_zone.LEDGER} SET superseded_by = ? WHERE sha256 = ?", [superseded_by, landed.sha256])


def _two_looks(folders: IndexFolders, **routing) -> list[dg.RunRequest]:
    _, seen = landing_run_requests(CONTRACTS, folders, {}, **routing)
    requests, _ = landing_run_requests(CONTRACTS, folders, seen, **routing)
    return requests


def test_a_file_runs_once_it_has_settled_and_identical_bytes_share_a_run_key(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    first = _drop(tmp_path, "NRS", "population_estimates", "population_estimates_NRS_2021.csv", "year,la_code,sex,age,population\n")
    requests, seen = landing_run_requests(CONTRACTS, folders, {})
    assert requests == []  # first sight: it may still be uploading
    with first.open("a") as handle:
        handle.write("2021,S12000049,F,0,3000\n")
    requests, seen = landing_run_requests(CONTRACTS, folders, seen)
    assert requests == []  # it grew since the last look
    requests, seen = landing_run_requests(CONTRACTS, folders, seen)
    assert len(requests) == 1 and requests[0].run_key.startswith("population_estimates:NRS:")
    copy = first.with_name("population_estimates_NRS_2021 (1).csv")
    copy.write_bytes(first.read_bytes())
    _, seen = landing_run_requests(CONTRACTS, folders, seen)
    requests, _ = landing_run_requests(CONTRACTS, folders, seen)
    assert len({r.run_key for r in requests}) == 1


def test_the_settle_interval_holds_a_file_back_even_when_unchanged_between_ticks(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED), settle_seconds=30)
    path = _drop(tmp_path, "NRS", "population_estimates", "population_estimates_NRS_2021.csv", "year\n")
    now = path.stat().st_mtime
    _, seen = landing_run_requests(CONTRACTS, folders, {}, clock=lambda: now)
    requests, seen = landing_run_requests(CONTRACTS, folders, seen, clock=lambda: now + 29)
    assert requests == []  # unchanged, but not yet for 30 s
    requests, _ = landing_run_requests(CONTRACTS, folders, seen, clock=lambda: now + 31)
    assert [r.tags["story/file"] for r in requests] == [path.name]


def test_a_councils_file_asks_for_its_own_report_partition_and_answered_bytes_are_skipped(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    council = _drop(tmp_path, "S12000049", "school_exclusions", "school_exclusions_S12000049_2024-25.csv", "contents\n")
    _drop(tmp_path, "NRS", "population_estimates", "population_estimates_NRS_2021.csv", "contents\n")
    by_agency = {r.tags["story/agency"]: r for r in _two_looks(folders, **ROUTING)}
    assert by_agency["S12000049"].partition_key == "S12000049"
    assert by_agency["S12000049"].asset_selection == [dg.AssetKey(["raw", "school_exclusions"]), dg.AssetKey(["reports", "national_report"])]
    assert by_agency["NRS"].partition_key is None  # a national body's file: every council's report, in one run
    assert (by_agency["NRS"].tags[RANGE_START], by_agency["NRS"].tags[RANGE_END]) == ("S12000005", "S12000050")
    assert RANGE_START not in by_agency["S12000049"].tags
    # A kept copy alone does not count: a killed intake may have left one without its ledger row.
    kept = accepted_copy(tmp_path / "accepted", "S12000049", "school_exclusions", landed_file(council).sha256)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(council.read_bytes())
    assert {r.tags["story/agency"] for r in _two_looks(folders, **ROUTING)} == {"S12000049", "NRS"}
    # Once the ledger answers the file, it asks for nothing more.
    _answer(tmp_path, council, "accepted")
    assert [r.tags["story/agency"] for r in _two_looks(folders, **ROUTING)] == ["NRS"]


def test_bytes_sent_again_or_by_another_agency_are_asked_for_under_a_new_run_key(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    text = "la_code,year\nS12000049,2024\n"
    first = _drop(tmp_path, "S12000049", "school_exclusions", "school_exclusions_S12000049_2024-25.csv", text)
    [request] = _two_looks(folders)
    # Accepted, then replaced by a correction: the same bytes sent again are asked for again.
    _answer(tmp_path, first, "superseded", superseded_by="f" * 64)
    [again] = _two_looks(folders)
    assert again.run_key != request.run_key and again.run_key.endswith(":sent-again-after:" + "f" * 64)
    # Exactly those bytes in another council's folder are that council's to be answered for.
    _answer(tmp_path, first, "accepted")
    _drop(tmp_path, "S12000036", "school_exclusions", "school_exclusions_S12000036_2024-25.csv", text)
    [other] = _two_looks(folders)
    assert other.tags["story/agency"] == "S12000036" and other.tags["story/sha256"] == request.tags["story/sha256"]


def test_an_entry_refused_on_sight_asks_for_its_intake_only(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "landing" / "S12000049").mkdir(parents=True)
    (tmp_path / "landing" / "S12000049" / "school_exclusions").symlink_to(outside, target_is_directory=True)
    [request] = _two_looks(folders, **ROUTING)
    assert request.asset_selection == [dg.AssetKey(["raw", "school_exclusions"])] and request.partition_key is None
    assert request.tags["story/file"] == "school_exclusions"


def test_a_run_that_ended_without_answering_its_file_is_asked_again_a_bounded_number_of_times(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    _drop(tmp_path, "NRS", "population_estimates", "population_estimates_NRS_2021.csv", "year\n")
    runs: dict[str, list[dg.DagsterRunStatus]] = {}

    def look() -> list[dg.RunRequest]:
        _, seen = landing_run_requests(CONTRACTS, folders, {}, earlier_runs=lambda request: runs.get(request, []))
        return landing_run_requests(CONTRACTS, folders, seen, earlier_runs=lambda request: runs.get(request, []))[0]

    [first] = look()
    request = first.tags[REQUEST_TAG]
    assert first.run_key == request
    runs[request] = [dg.DagsterRunStatus.QUEUED]
    assert look() == []  # on its way: not asked twice
    runs[request] = [dg.DagsterRunStatus.FAILURE]  # killed before its ledger row committed
    [again] = look()
    assert again.run_key == f"{request}:attempt-2" and again.tags[REQUEST_TAG] == request
    runs[request] = [dg.DagsterRunStatus.FAILURE] * MAX_ATTEMPTS
    assert look() == []  # every failed run raised an alert; story ingest or a re-execution takes it now


def test_a_half_waiting_for_its_other_half_is_asked_for_only_with_it(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    name = "looked_after_episodes_S12000049_2021_{}.csv"
    waiting = _drop(tmp_path, "S12000049", "looked_after_episodes", name.format("identifiers"), "record_reference\n")
    _answer(tmp_path, waiting, "waiting")
    assert _two_looks(folders) == []  # answered "waiting" by an intake: no run until the other half comes
    _drop(tmp_path, "S12000049", "looked_after_episodes", name.format("content"), "record_reference,la_code\n")
    [request] = _two_looks(folders)
    assert request.tags["story/file"] == name.format("content")
