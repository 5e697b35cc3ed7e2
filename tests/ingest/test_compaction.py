"""Rebuilding a database file after deletions (``compaction.rebuild``): the deleted values leave
the file's bytes, and a process killed at any step of the rebuild leaves a whole database.

The kill tests fork a child that deletes a person's rows, commits, rebuilds, and SIGKILLs itself
at one step (before the call named), so nothing of its own runs after the kill, as in
tests/ingest/test_intake_faults.py.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import duckdb
import pytest

import assets.ingest.compaction as compaction
from assets.ingest.compaction import rebuild, rebuilding_path
from tests.ingest.test_intake_faults import _ended, _start_child

ERASED = b"3005083764"
# Where the kill comes: the copy written but not synced (so not yet renamed), and renamed over the old file.
KILL_POINTS = {"before the copy is synced and renamed": 1, "after the rename, before the folder is synced": 2}


def _database(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.people AS SELECT lpad(CAST(3005060000 + i AS VARCHAR), 10, '0') AS chi, i FROM range(30000) r(i) WHERE i <> 23764")
        con.execute("CHECKPOINT")
        con.execute("INSERT INTO raw.people VALUES (?, -1)", [ERASED.decode()])  # sent later, as a return adds a child
        con.execute("CREATE VIEW raw.counted AS SELECT count(*) AS people FROM raw.people")


def _erase_and_rebuild(path: Path, kill_at: int | None = None) -> None:
    if kill_at:
        real, calls = compaction._sync, []

        def killing(target: Path) -> None:
            calls.append(1)
            if len(calls) == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            real(target)

        compaction._sync = killing
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM raw.people WHERE chi = ?", [ERASED.decode()])
        rebuild(con)


def _left(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT (SELECT people FROM raw.counted), count(*) FILTER (chi = ?) FROM raw.people", [ERASED.decode()]).fetchall()


def test_a_rebuild_leaves_no_bytes_of_the_deleted_rows(tmp_path: Path):
    path = tmp_path / "zone.duckdb"
    _database(path)
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM raw.people WHERE chi = ?", [ERASED.decode()])
        con.execute("CHECKPOINT")
        con.execute("VACUUM")
        assert ERASED in path.read_bytes()  # deleted, checkpointed and vacuumed, yet still in the file
        rebuild(con)
    assert ERASED not in path.read_bytes()
    assert _left(path) == [(29999, 0)]  # and everything else kept, views too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zone.duckdb"]


@pytest.mark.parametrize("step", KILL_POINTS)
def test_a_rebuild_killed_at_any_step_leaves_a_whole_database(tmp_path: Path, step: str):
    path = tmp_path / "zone.duckdb"
    _database(path)
    assert _ended(_start_child(lambda: _erase_and_rebuild(path, KILL_POINTS[step]))) == -signal.SIGKILL
    assert rebuilding_path(path).exists() == (KILL_POINTS[step] == 1)  # killed half-way: the copy beside the old file
    assert _left(path) == [(29999, 0)]  # the old file or the new one, whole, with the deletion committed
    _erase_and_rebuild(path)  # the next rebuild finishes the job and clears what the killed one left
    assert ERASED not in path.read_bytes()
    assert not rebuilding_path(path).exists()
    assert _left(path) == [(29999, 0)]


def test_an_attached_database_is_attached_again_from_the_new_file_and_an_own_one_closed(tmp_path: Path):
    path, other = tmp_path / "zone.duckdb", tmp_path / "other.duckdb"
    _database(path)
    con = duckdb.connect(str(other))
    con.execute(f"ATTACH '{path}' AS zone")
    con.execute("DELETE FROM zone.raw.people WHERE chi = ?", [ERASED.decode()])
    rebuild(con, "zone")
    con.execute("INSERT INTO zone.raw.people VALUES ('0000000001', -2)")  # written to the new file, not the one renamed over
    con.close()
    assert _left(path) == [(30000, 0)] and ERASED not in path.read_bytes()
    con = duckdb.connect(str(path))
    rebuild(con)
    with pytest.raises(duckdb.ConnectionException):  # its file was replaced: nothing more may be written through it
        con.execute("SELECT 1")
