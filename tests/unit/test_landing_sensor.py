"""The landing sensor waits for a file to stop growing and keys runs on its content."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.ingest.contracts import load_contracts
from assets.ingest.intake import accepted_copy
from assets.ingest.landing import fingerprint
from assets.partitions import RANGE_END, RANGE_START, council_partitions
from orchestration.resources import StoryFolders
from orchestration.sensors import landing_run_requests
from tests.conftest import SHARED


def test_a_file_runs_once_it_has_settled_and_identical_bytes_share_a_run_key(tmp_path: Path):
    folders = StoryFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    folder = tmp_path / "landing" / "NRS" / "population_estimates"
    folder.mkdir(parents=True)
    first = folder / "population_estimates_NRS_2021.csv"
    first.write_text("year,la_code,sex,age,population\n")
    contracts = load_contracts()
    requests, seen = landing_run_requests(contracts, folders, {})
    assert requests == []  # first sight: it may still be uploading
    with first.open("a") as handle:
        handle.write("2021,S12000049,F,0,3000\n")
    requests, seen = landing_run_requests(contracts, folders, seen)
    assert requests == []  # it grew since the last look
    requests, seen = landing_run_requests(contracts, folders, seen)
    assert len(requests) == 1 and requests[0].run_key.startswith("population_estimates:")
    copy = folder / "population_estimates_NRS_2021 (1).csv"
    copy.write_bytes(first.read_bytes())
    _, seen = landing_run_requests(contracts, folders, seen)
    requests, _ = landing_run_requests(contracts, folders, seen)
    assert len({r.run_key for r in requests}) == 1


def test_a_councils_file_asks_for_its_own_report_partition_and_kept_bytes_are_skipped(tmp_path: Path):
    folders = StoryFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    contracts = load_contracts()
    council = tmp_path / "landing" / "S12000049" / "school_exclusions" / "school_exclusions_S12000049_2024-25.csv"
    national = tmp_path / "landing" / "NRS" / "population_estimates" / "population_estimates_NRS_2021.csv"
    for path in (council, national):
        path.parent.mkdir(parents=True)
        path.write_text(f"contents of {path.name}\n")
    routing = {"councils": council_partitions(SHARED / "reference"), "downstream": [dg.AssetKey(["reports", "national_report"])]}
    _, seen = landing_run_requests(contracts, folders, {}, **routing)
    requests, seen = landing_run_requests(contracts, folders, seen, **routing)
    by_agency = {r.tags["story/agency"]: r for r in requests}
    assert by_agency["S12000049"].partition_key == "S12000049"
    assert by_agency["S12000049"].asset_selection == [dg.AssetKey(["raw", "school_exclusions"]), dg.AssetKey(["reports", "national_report"])]
    assert by_agency["NRS"].partition_key is None  # a national body's file: every council's report, in one run
    assert (by_agency["NRS"].tags[RANGE_START], by_agency["NRS"].tags[RANGE_END]) == ("S12000005", "S12000050")
    assert RANGE_START not in by_agency["S12000049"].tags
    # Once its bytes are kept in accepted/, the file asks for nothing more.
    kept = accepted_copy(tmp_path / "accepted", "S12000049", "school_exclusions", fingerprint(council))
    kept.parent.mkdir(parents=True)
    kept.write_bytes(council.read_bytes())
    requests, _ = landing_run_requests(contracts, folders, seen, **routing)
    assert [r.tags["story/agency"] for r in requests] == ["NRS"]
