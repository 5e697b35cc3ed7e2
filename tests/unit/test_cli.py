"""``story check``: exit status 0 when the file would be accepted, 1 when refused (with the
report printed), 2 for a usage error; ``story check`` never writes to the data folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.ingest.samples import DATASET, EpisodesFile


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
