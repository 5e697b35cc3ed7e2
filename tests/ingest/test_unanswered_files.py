"""Every file gets an answer, whatever its name and wherever it lands (issue 33, items 3 and 4).

A file name as long as the file system allows must not stop its dataset: the names made from
it (the quarantined copy, its three refusal reports) are shortened to fit, the report keeps the
whole name, and a valid return beside it is taken in. Anything in no dataset's own folder (at
the top of ``landing/``, directly in an agency folder, in a folder named in the wrong case or
like no dataset) gets one ledger row and one refusal naming the folder it belongs in: one, not
one per dataset.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from assets.folders import IndexFolders
from assets.ingest import raw_zone
from assets.ingest.intake import fitted
from assets.ingest.landing import MISPLACED, files_waiting, settle
from assets.model.contracts import load_contracts
from orchestration.cli import INGEST_NOT_ALL_TAKEN, INGEST_TAKEN, main
from orchestration.sensors import landing_run_requests
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile

COUNCIL, OTHER = "S12000049", "S12000036"
LONG_NAME = f"{DATASET}_{COUNCIL}_2024_{'corrected_' * 30}"[:246] + ".csv"
NOT_UTF8 = os.fsdecode(f"{DATASET}_{COUNCIL}_2025".encode() + b"\xff.csv")
# Each stray (from landing/), and the words of its refusal that send it where it belongs.
STRAYS = {
    f"{COUNCIL}/{DATASET}_{COUNCIL}_2023.csv": f"Move it into landing/{COUNCIL}/{DATASET}/;",
    f"{COUNCIL}/notes.csv": f"Move it into landing/{COUNCIL}/<dataset>/, where <dataset> is the dataset it holds: ",
    f"{COUNCIL}/Looked_After_Episodes/episodes.csv": f"Move it into landing/{COUNCIL}/{DATASET}/;",
    f"{COUNCIL}/foo_bar/return.csv": f"Move it into landing/{COUNCIL}/<dataset>/, where <dataset> is the dataset it holds: ",
    f"{DATASET}_{OTHER}_2022.csv": f"Move it into landing/{OTHER}/{DATASET}/;",
    "notes.txt": "Move it into landing/<agency>/<dataset>/, where <agency> is your agency's code and <dataset> is the dataset it holds: ",
    "S12000038": "Files go inside the folder landing/S12000038/<dataset>/.",  # a file where a council's folder should be
}


@dataclass(frozen=True)
class Ingested:
    data_dir: Path
    exit_statuses: tuple[int, int]  # the first `story ingest`, then a second with nothing new
    output: str

    def ledger(self, file_name: str) -> list[tuple]:
        with duckdb.connect(str(self.data_dir / "linkage_zone.duckdb"), read_only=True) as con:
            return con.execute(f"SELECT dataset, agency, outcome FROM {raw_zone.LEDGER} WHERE file_name = ?", [file_name]).fetchall()

    def reports(self, **fields: str) -> list[dict]:
        """Every refusal (its JSON) that says ``fields``."""
        found = [json.loads(p.read_text()) for p in (self.data_dir / "quarantine").rglob("*.refusal.json")]
        return [report for report in found if all(report[key] == value for key, value in fields.items())]


def _environment(data_dir: Path) -> dict[str, str]:
    return {"STORY_DATA_DIR": str(data_dir), "STORY_SHARED_DIR": str(SHARED), "STORY_SETTLE_SECONDS": "0", "STORY_PSEUDONYMISATION_KEY": secrets.token_hex(32), "STORY_SEALING_KEY": secrets.token_hex(32)}


def _place(landing: Path, relative: str, data: bytes) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingested]:
    """A valid return, a council's return under a 250-character name and every kind of stray; `story ingest` twice."""
    data_dir = tmp_path_factory.mktemp("unanswered") / "data"
    valid = EpisodesFile.valid(OTHER, "2024")
    _place(data_dir / "landing", f"{OTHER}/{DATASET}/{valid.file_name}", valid.bytes())
    _place(data_dir / "landing", f"{COUNCIL}/{DATASET}/{LONG_NAME}", EpisodesFile.valid(COUNCIL, "2024").bytes())
    _place(data_dir / "landing", f"{COUNCIL}/{DATASET}/{NOT_UTF8}", EpisodesFile.valid(COUNCIL, "2025").bytes())
    for stray in STRAYS:
        _place(data_dir / "landing", stray, EpisodesFile.valid(COUNCIL, "2023").bytes())
    output = io.StringIO()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(output):
        for name, value in _environment(data_dir).items():
            env.setenv(name, value)
        statuses = main(["ingest"]), main(["ingest"])
    yield Ingested(data_dir, statuses, output.getvalue())


def test_a_250_character_name_is_refused_with_its_reports_and_the_return_beside_it_is_taken(ingested: Ingested):
    assert len(LONG_NAME) == 250
    assert ingested.exit_statuses == (INGEST_NOT_ALL_TAKEN, INGEST_TAKEN), ingested.output  # not 4: no dataset's intake failed
    assert ingested.ledger(EpisodesFile.valid(OTHER, "2024").file_name) == [(DATASET, OTHER, "accepted")]
    assert ingested.ledger(LONG_NAME) == [(DATASET, COUNCIL, "refused")]
    [report] = ingested.reports(location=f"landing/{COUNCIL}/{DATASET}/{LONG_NAME}")
    assert report["file"] == LONG_NAME  # the whole name, in the report
    kept = [p.name for p in (ingested.data_dir / "quarantine" / COUNCIL / DATASET).iterdir() if "corrected_corrected" in p.name]
    [copy] = [name for name in kept if name.endswith(".csv.sealed")]
    assert sorted(kept) == sorted(copy + suffix for suffix in ("", ".refusal.html", ".refusal.md", ".refusal.json"))
    assert all(len(os.fsencode(name)) <= os.pathconf(ingested.data_dir, "PC_NAME_MAX") for name in kept)


def test_a_name_that_is_not_utf8_is_refused_and_kept_with_its_bytes_written_as_escapes(ingested: Ingested):
    kept = f"{DATASET}_{COUNCIL}_2025\\xff.csv"
    assert ingested.ledger(kept) == [(DATASET, COUNCIL, "refused")]
    [report] = ingested.reports(file=kept)
    assert "\\udcff" in report["location"] and "'\\udcff'" in report["problems"][0]["message"]  # the odd character, made visible


@pytest.mark.parametrize("stray", list(STRAYS), ids=list(STRAYS))
def test_an_entry_in_no_datasets_folder_gets_one_ledger_row_and_one_refusal_saying_where_it_goes(ingested: Ingested, stray: str):
    [(dataset, agency, outcome)] = ingested.ledger(Path(stray).name)
    assert outcome == "refused" and dataset in load_contracts(CONTRACTS)
    [report] = ingested.reports(location=f"landing/{stray}")
    [problem] = report["problems"]
    assert STRAYS[stray] in problem["fix"] and "it was not opened" in problem["message"]
    assert report["dataset"] == dataset and report["agency"] == agency
    assert ingested.output.count(f"refused landing/{stray}:") == 2  # once as it is refused, once in the list of what was not taken


def test_a_stray_is_answered_by_the_dataset_its_folder_or_name_points_to(ingested: Ingested):
    for name in (f"{DATASET}_{COUNCIL}_2023.csv", "episodes.csv", f"{DATASET}_{OTHER}_2022.csv"):
        assert [dataset for dataset, _, _ in ingested.ledger(name)] == [DATASET], name


def test_the_sensor_asks_once_for_each_stray(tmp_path: Path):
    contracts = load_contracts(CONTRACTS)
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    for stray in STRAYS:
        _place(tmp_path / "landing", stray, b"contents\n")
    _, seen = landing_run_requests(contracts, folders, {})
    requests, _ = landing_run_requests(contracts, folders, seen)
    assert sorted(r.tags["story/file"] for r in requests) == sorted(Path(stray).name for stray in STRAYS)


def test_a_stray_file_still_being_written_is_waited_for_like_a_return(tmp_path: Path):
    path = tmp_path / "landing" / COUNCIL / "notes.csv"
    _place(tmp_path / "landing", f"{COUNCIL}/notes.csv", b"half an upl")
    [entry] = files_waiting(tmp_path / "landing", DATASET)
    assert entry.refusal.check == MISPLACED

    def still_uploading(seconds: float) -> None:
        with path.open("ab") as handle:
            handle.write(b"oad")
        os.utime(path, ns=(entry.mtime_ns, entry.mtime_ns + path.stat().st_size))  # a later time, however coarse the clock

    settled, changing = settle([entry], 10.0, clock=lambda: entry.mtime_ns / 1e9 + 1, sleep=still_uploading)
    assert settled == [] and [e.path for e in changing] == [path]  # not refused before it is whole


def test_a_name_too_long_for_the_file_system_keeps_its_start_its_extension_and_a_digest_of_the_whole():
    first, second = "é" * 200 + "_a.csv", "é" * 200 + "_b.csv"
    shortened = fitted(first, 100), fitted(second, 100)
    assert all(len(name.encode()) <= 100 and name.startswith("éé") and name.endswith(".csv") for name in shortened)
    assert shortened[0] != shortened[1] and fitted("short.csv", 100) == "short.csv"
