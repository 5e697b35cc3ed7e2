"""A damaged DuckDB file (cut short by a full disk, overwritten) stops a run or ``story ingest`` with one
sentence naming the file and the runbook's procedure for it, not DuckDB's traceback."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import INGEST_FAILED, main
from orchestration.database_lock import DatabaseDamaged, WaitingDuckDBResource
from tests.support.paths import REPO_ROOT

RUNBOOK = (REPO_ROOT / "docs" / "runbook.md").read_text()


def _cut_short(path: Path) -> None:
    """A real database with a table, then truncated as a full disk leaves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS n, repeat('x', 100) AS s FROM range(100000)")
    os.truncate(path, path.stat().st_size // 3)


def _procedure(sentence: str) -> str:
    """The runbook section a sentence points to; it must exist."""
    [section] = re.findall(r"follow '([^']+)' in docs/runbook\.md", sentence)
    assert f"\n## {section}\n" in RUNBOOK
    return section


def test_a_run_finding_the_warehouse_damaged_names_it_and_the_rebuild_procedure(story_env: Path):
    warehouse = story_env / "warehouse.duckdb"
    _cut_short(warehouse)
    with pytest.raises(DatabaseDamaged) as damaged:
        with WaitingDuckDBResource(database=str(warehouse), lock_wait_seconds=0).get_connection():
            pass
    sentence = str(damaged.value)
    assert sentence.startswith(f"{warehouse} is damaged") and "\n" not in sentence
    assert _procedure(sentence) == "Rebuild the warehouse"
    assert damaged.value.__cause__ is None and damaged.value.__suppress_context__  # no DuckDB traceback behind it


def test_ingest_finding_the_linkage_zone_damaged_stops_naming_it_and_the_procedure(story_env: Path, capsys):
    zone = story_env / "linkage_zone.duckdb"
    _cut_short(zone)
    assert main(["ingest"]) == INGEST_FAILED
    [sentence] = capsys.readouterr().err.splitlines()
    assert sentence.startswith(f"{zone} is damaged") and sentence.endswith("Nothing was taken in.")
    assert _procedure(sentence) == "A corrupt linkage zone"


def test_a_file_that_is_not_a_database_at_all_is_damaged_too(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(os.urandom(10_000))
    with pytest.raises(DatabaseDamaged, match="is damaged"):
        with WaitingDuckDBResource(database=str(path), lock_wait_seconds=0).get_connection():
            pass
