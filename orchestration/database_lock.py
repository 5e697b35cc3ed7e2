"""Waiting for a DuckDB file that another process holds, and saying so in one sentence.

DuckDB lets one process write a database file at a time, and others read it only while no one
writes. A second ``story ingest``, or a run started while another holds the warehouse or the
linkage zone, waits a bounded time (``STORY_LOCK_WAIT_SECONDS``) for the file, then stops with
``DatabaseLocked``: one sentence naming the file and, from DuckDB's own message, the process
that holds it, instead of DuckDB's traceback. A file DuckDB cannot open because it is damaged
(truncated, overwritten) stops with ``DatabaseDamaged``: the file, and the runbook's procedure.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_MAX_DELAY = 2.0
# DuckDB's words for a file that is not a whole database: cut short, not one at all, or a block changed.
_DAMAGED = ("Could not read enough bytes", "not a valid DuckDB database file", "Corrupt database file")
# The runbook's procedure for each of the pipeline's database files (docs/runbook.md).
_PROCEDURE = {"warehouse.duckdb": "Rebuild the warehouse", "linkage_zone.duckdb": "A corrupt linkage zone"}


class DatabaseLocked(RuntimeError):
    """Another process held the database file for longer than we were allowed to wait."""

    def __init__(self, path: Path, waited: float, detail: str) -> None:
        found = _HOLDER.search(detail)
        holder = f"process {found['pid']} ({Path(found['program']).name})" if found else "another process"
        super().__init__(
            f"{path} is in use by {holder}, a Dagster run or another `story ingest` writing to it; "
            f"waited {waited:g} s (STORY_LOCK_WAIT_SECONDS): try again once it has finished."
        )


class DatabaseDamaged(RuntimeError):
    """The database file is damaged: DuckDB cannot open it."""

    def __init__(self, path: Path, detail: str) -> None:
        what_to_do = f"follow '{_PROCEDURE[path.name]}' in docs/runbook.md" if path.name in _PROCEDURE else "restore it from a backup"
        super().__init__(f"{path} is damaged and cannot be opened ({detail.splitlines()[0]}): {what_to_do}.")


def connect_waiting(
    path: Path,
    wait_seconds: float,
    *,
    read_only: bool = False,
    config: dict | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retried while another process holds the file, for at most ``wait_seconds``."""
    deadline = clock() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.Error as error:
            if any(words in str(error) for words in _DAMAGED):
                raise DatabaseDamaged(path, str(error)) from None
            if "Could not set lock" not in str(error):
                raise
            if clock() >= deadline:
                raise DatabaseLocked(path, wait_seconds, str(error)) from None
            sleep(min(delay, max(0.0, deadline - clock())))
            delay = min(delay * 2, _MAX_DELAY)


class WaitingDuckDBResource(DuckDBResource):
    """Dagster's DuckDB resource, waiting ``lock_wait_seconds`` for a held file and then saying who holds it."""

    lock_wait_seconds: float = 60.0

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # The same configuration as DuckDBResource's, so connections from either share one database instance.
        con = connect_waiting(Path(self.database), self.lock_wait_seconds, config={"custom_user_agent": "dagster", **self.connection_config})
        try:
            yield con
        finally:
            con.close()
