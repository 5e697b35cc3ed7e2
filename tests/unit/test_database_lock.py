"""Two writers at once (issue 16): the second waits a bounded time, then says in one sentence what holds the database.

The lock is held by a real second process (DuckDB locks files per process), which lets go when told to.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets.folders import IndexFolders
from assets.model.contracts import load_contracts
from orchestration.cli import INGEST_LOCKED, main
from orchestration.database_lock import DatabaseLocked, WaitingDuckDBResource, connect_waiting
from orchestration.sensors import landing_run_requests
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile

HOLD = "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.readline(); con.close(); print('released', flush=True); sys.stdin.readline()"


class Holder:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"


@pytest.fixture
def holder(story_env: Path) -> Iterator[Holder]:
    held = Holder(story_env / "linkage_zone.duckdb")
    yield held
    held.process.kill()
    held.process.wait()


def test_a_second_ingest_waits_then_exits_with_its_own_status_and_one_sentence(holder: Holder, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("STORY_LOCK_WAIT_SECONDS", "0.5")
    started = time.monotonic()
    assert main(["ingest"]) == INGEST_LOCKED == 3
    assert time.monotonic() - started >= 0.5
    said = capsys.readouterr().err.strip()
    assert said.count("\n") == 0 and "Traceback" not in said and "IOException" not in said
    assert f"is in use by process {holder.process.pid}" in said and "waited 0.5 s (STORY_LOCK_WAIT_SECONDS)" in said


def test_a_wait_ends_as_soon_as_the_holder_lets_go(holder: Holder, story_env: Path):
    with pytest.raises(DatabaseLocked):
        connect_waiting(story_env / "linkage_zone.duckdb", 0.2)
    holder.release()
    connect_waiting(story_env / "linkage_zone.duckdb", 5).close()


def test_a_run_waits_through_the_resource_and_says_who_holds_the_file(holder: Holder, story_env: Path):
    resource = WaitingDuckDBResource(database=str(story_env / "linkage_zone.duckdb"), lock_wait_seconds=0.2)
    with pytest.raises(DatabaseLocked, match=f"process {holder.process.pid}"):
        with resource.get_connection():
            pass


def test_the_sensor_waits_for_a_run_to_let_go_of_the_ledger(holder: Holder, story_env: Path):
    sample = EpisodesFile.valid("S12000049", "2024")
    (story_env / "landing" / "S12000049" / DATASET).mkdir(parents=True)
    (story_env / "landing" / "S12000049" / DATASET / sample.file_name).write_bytes(sample.bytes())
    folders, contracts = IndexFolders(data_dir=str(story_env), shared_dir=str(SHARED)), {DATASET: load_contracts(CONTRACTS)[DATASET]}
    _, seen = landing_run_requests(contracts, folders, {})
    requests, seen = landing_run_requests(contracts, folders, seen)
    assert requests == []  # settled, but the ledger cannot be read while a run writes it
    holder.release()
    requests, _ = landing_run_requests(contracts, folders, seen)
    assert [r.tags["story/file"] for r in requests] == [sample.file_name]
