"""``story check``: exit status 0 when the file would be accepted, 1 when refused (with the
report printed), 2 for a usage error; ``story check`` never writes to the data folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.support.samples import DATASET, EpisodesFile


@pytest.fixture
def valid_file(tmp_path: Path) -> Path:
    sample = EpisodesFile.valid("S12000049", "2021")
    path = tmp_path / sample.file_name
    path.write_bytes(sample.bytes())
    return path


def test_an_acceptable_file_exits_0(story_env: Path, valid_file: Path, capsys):
    assert main(["check", str(valid_file), "--dataset", DATASET, "--agency", "S12000049"]) == 0
    assert "Accepted" in capsys.readouterr().out
    assert not story_env.exists()  # checking a file stores nothing


def test_a_refused_file_exits_1_and_prints_the_report(story_env: Path, tmp_path: Path, capsys):
    sample = EpisodesFile.valid("S12000049", "2021").set(2, "sex", "X")
    path = tmp_path / sample.file_name
    path.write_bytes(sample.bytes())
    # The ``story`` console script exits with what main returns (pyproject: story = "orchestration.cli:main").
    assert main(["check", str(path), "--dataset", DATASET, "--agency", "S12000049"]) == 1
    out = capsys.readouterr().out
    assert "'sex' has a value that is not one of the allowed codes in 1 row(s)." in out
    assert "Rows (counting the first row after the header as row 1): 2" in out
    assert "Partial loads are not allowed" in out
    assert not story_env.exists()


def _story(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    """The ``story`` console script as an agency runs it, in its own process, exit included."""
    story = Path(sys.executable).parent / "story"
    return subprocess.run([str(story), *arguments], capture_output=True, text=True, env={**os.environ, **environment})


def test_the_command_prints_its_verdict_and_nothing_else_and_loads_no_dagster(story_env: Path, valid_file: Path, tmp_path: Path):
    """Nothing on stderr, not even DuckDB's nanobind "leaked" lines at exit; and no Dagster, pandas
    or Great Expectations loaded, which would cost seconds before the verdict."""
    accepted = _story("check", str(valid_file), "--dataset", DATASET, "--agency", "S12000049", PYTHONPROFILEIMPORTTIME="1")
    assert (accepted.returncode, accepted.stdout.splitlines()) == (0, [f"Accepted: {valid_file.name} meets data contract {DATASET} v1.0.0, the version for collection years before 2023 (ending by 31 July 2022) (3 rows)."])
    report = accepted.stderr.splitlines()
    assert [line for line in report if not line.startswith("import time:")] == []
    imported = {line.rsplit("|", 1)[1].strip() for line in report[1:]}
    assert "assets.ingest.validation" in imported  # the check ran, so what it left out means something
    assert not {m for m in imported if m.split(".")[0] in ("dagster", "pandas", "great_expectations")}

    sample = EpisodesFile.valid("S12000049", "2021").set(2, "sex", "X")
    bad = tmp_path / "bad" / sample.file_name
    bad.parent.mkdir()
    bad.write_bytes(sample.bytes())
    refused = _story("check", str(bad), "--dataset", DATASET, "--agency", "S12000049")
    assert (refused.returncode, refused.stderr) == (1, "")
    assert "'sex' has a value that is not one of the allowed codes in 1 row(s)." in refused.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", "{file}", "--dataset", "no_such_dataset", "--agency", "S12000049"],
        ["check", "{missing}", "--dataset", DATASET, "--agency", "S12000049"],
        ["check", "{file}", "--dataset", DATASET, "--agency", "../../etc"],
        ["check", "{file}", "--dataset", DATASET],
        ["check"],
        ["no-such-command"],
    ],
    ids=["unknown dataset", "missing file", "agency escaping its folder", "no agency", "no file", "unknown command"],
)
def test_usage_errors_exit_2(story_env: Path, valid_file: Path, tmp_path: Path, arguments: list[str], capsys):
    argv = [a.format(file=valid_file, missing=tmp_path / "missing.csv") for a in arguments]
    assert main(argv) == 2
    assert capsys.readouterr().err  # says what was wrong


def test_every_council_prints_the_run_tags_make_demo_passes_to_dagster(story_env: Path, capsys):
    assert main(["every-council"]) == 0
    tags = json.loads(capsys.readouterr().out)
    assert tags == {"dagster/asset_partition_range_start": "S12000005", "dagster/asset_partition_range_end": "S12000050"}


def test_ingest_answers_every_entry_and_lists_what_it_could_not_take(story_env: Path, capsys):
    folder = story_env / "landing" / "S12000049" / DATASET
    folder.mkdir(parents=True)
    (folder / ".return.csv.part").write_text("an upload not yet renamed\n")
    (folder / f"{DATASET}_S12000049_2021.csv").symlink_to("/etc/hostname")
    assert main(["ingest"]) == 1  # something was not taken in
    out = capsys.readouterr().out
    assert f"{DATASET}: 0 accepted, 1 refused, 1 skipped, 0 still being written, 0 already processed" in out
    not_taken = out.split("Not taken in (2):\n", 1)[1]
    assert f"skipped landing/S12000049/{DATASET}/.return.csv.part: " in not_taken and "hidden file" in not_taken
    assert f"refused landing/S12000049/{DATASET}/{DATASET}_S12000049_2021.csv: " in not_taken and "symbolic link" in not_taken
    assert main(["ingest"]) == 0  # both answered: nothing new to say
    assert not (story_env / "staging").exists() or not any((story_env / "staging").iterdir())


def test_a_checked_file_is_reported_as_checked_here_not_found_in_landing_or_kept(story_env: Path, tmp_path: Path, capsys):
    sample = EpisodesFile.valid("S12000049", "2021").set(2, "sex", "X")
    path = tmp_path / sample.file_name
    path.write_bytes(sample.bytes())
    assert main(["check", str(path), "--dataset", DATASET, "--agency", "S12000049"]) == 1
    out = capsys.readouterr().out
    assert f"Checked: {path}" in out and "nothing was sent, loaded or kept" in out
    assert "Found at" not in out and "landing/" not in out and "quarantine" not in out


def test_a_data_folder_that_is_a_file_is_a_usage_error_in_one_sentence(tmp_path: Path):
    """Not a traceback with exit 1, which would say "refused"."""
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("")
    for command in (["ingest"], ["latest"]):
        done = _story(*command, STORY_DATA_DIR=str(not_a_folder))
        assert done.returncode == 2, done.stderr
        [sentence] = done.stderr.splitlines()
        assert sentence.startswith(f"STORY_DATA_DIR is {not_a_folder}") and "is a file, not a folder" in sentence


@pytest.mark.parametrize("command", [["ingest"], ["latest"]])
def test_a_missing_data_folder_is_an_error_naming_the_setting_and_is_not_made(story_env: Path, command: list[str], capsys):
    assert main(command) == 2
    assert capsys.readouterr().err.startswith(f"STORY_DATA_DIR is {story_env}, which does not exist")
    assert not story_env.exists()  # a misspelt setting never becomes a new, empty linkage zone
