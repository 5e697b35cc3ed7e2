"""``story withdraw``: what a check named leaves the raw zone, stays kept, and is not taken in again (issue 33)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from assets.ingest import raw_zone
from assets.ingest.sealing import opened
from orchestration.cli import INGEST_TAKEN, USAGE_ERROR, main
from tests.support.samples import DATASET, EpisodesFile
from tests.support.sealed import SEALING_KEY

COUNCIL = "S12000049"


def _drop(data: Path, sample: EpisodesFile) -> Path:
    folder = data / "landing" / COUNCIL / DATASET
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sample.file_name).write_bytes(sample.bytes())
    return folder / sample.file_name


def _ledger(data: Path) -> list[tuple]:
    with duckdb.connect(str(data / "linkage_zone.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT entry_id, outcome, problems FROM {raw_zone.LEDGER}").fetchall()


def _raw_rows(data: Path) -> int:
    with duckdb.connect(str(data / "linkage_zone.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM raw.{DATASET}").fetchone()[0]


def test_a_withdrawn_entry_leaves_the_raw_zone_is_kept_and_is_not_taken_again(story_env: Path, capsys):
    story_env.mkdir()
    sample = EpisodesFile.valid(COUNCIL, "2024")
    landed = _drop(story_env, sample)
    assert main(["ingest"]) == INGEST_TAKEN
    [(entry, outcome, _)] = _ledger(story_env)
    assert outcome == "accepted" and _raw_rows(story_env) == len(sample.rows) and not landed.exists()  # sealed and kept, so it left landing
    with duckdb.connect(str(story_env / "linkage_zone.duckdb"), read_only=True) as con:  # the ledger says how the file was read (issue 35)
        assert con.execute(f"SELECT read_as FROM {raw_zone.LEDGER}").fetchone() == ("CSV, UTF-8, comma-separated",)

    assert main(["withdraw", entry, "--reason", "a postcode in a content column"]) == 0
    assert f"Withdrew entry {entry}" in capsys.readouterr().out
    [(_, outcome, problems)] = _ledger(story_env)
    assert outcome == "withdrawn" and "a postcode in a content column" in problems
    assert _raw_rows(story_env) == 0
    [kept] = (story_env / "accepted" / COUNCIL / DATASET).iterdir()
    assert opened(kept.read_bytes(), SEALING_KEY, DATASET, COUNCIL, hashlib.sha256(sample.bytes()).hexdigest()) == sample.bytes()

    # The same bytes, still in landing or sent again, are answered already: not loaded again.
    landed.write_bytes(sample.bytes())
    assert main(["ingest"]) == INGEST_TAKEN
    assert [o for _, o, _ in _ledger(story_env)] == ["withdrawn"] and _raw_rows(story_env) == 0


def test_an_unknown_entry_is_a_usage_error_that_changes_nothing(story_env: Path, capsys):
    story_env.mkdir()
    _drop(story_env, EpisodesFile.valid(COUNCIL, "2024"))
    assert main(["ingest"]) == INGEST_TAKEN
    assert main(["withdraw", "abcd-efgh-jkmn", "--reason", "typo"]) == USAGE_ERROR
    assert "No ledger entry has the id 'abcd-efgh-jkmn'" in capsys.readouterr().err
    assert [o for _, o, _ in _ledger(story_env)] == ["accepted"]
