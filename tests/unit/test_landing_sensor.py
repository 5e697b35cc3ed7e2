"""The landing sensor waits for a file to stop growing and keys runs on its content."""

from __future__ import annotations

from pathlib import Path

from assets.ingest.contracts import load_contracts
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
