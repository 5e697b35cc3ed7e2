"""The landing folder is a boundary, and every entry in it gets an answer.

One landing area holds, after a first intake accepted two councils' returns, everything the
hostile test of issue 16 tried: a council's dataset folder swapped for a link to a folder
outside the data root (holding a "better" return and an unrelated secret), an agency folder
linked to another agency's, a hard link to a file outside, a folder named like a CSV file, a
named pipe, a hidden file, a file at the top of the landing folder, an agency folder with an
invisible look-alike character, and one council's accepted bytes dropped into another's
folder. A second intake must read nothing outside, answer each entry in the ledger, and leave
the councils' earlier returns as they were.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from assets.ingest import raw_zone
from assets.ingest.intake import IntakeFolders, IntakeResult, take_in
from assets.ingest.landing import files_waiting
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile
from tests.support.sealed import SEALING_KEY, original

REFERENCE = SHARED / "reference"
CONTRACT = load_contracts(CONTRACTS)[DATASET]
LINKED_FOLDER, LINK_TARGET, LINKED_AGENCY, ODDITIES, COPIER = "S12000010", "S12000011", "S12000013", "S12000014", "S12000017"
LOOKALIKE = "S1200001\u041e"  # ends in a Cyrillic capital O, not a zero


@dataclass(frozen=True)
class Landing:
    data_dir: Path
    results: list[IntakeResult]
    outside: Path

    def result(self, relative: str) -> IntakeResult:
        [found] = [r for r in self.results if r.landed.path == self.data_dir / "landing" / relative]
        return found

    def ledger(self, sql: str, params: list) -> list[tuple]:
        with duckdb.connect(str(self.data_dir / "linkage_zone.duckdb"), read_only=True) as con:
            return con.execute(f"SELECT {sql} FROM {raw_zone.LEDGER} WHERE dataset = ? {params and 'AND ' + params.pop(0) or ''}", [DATASET, *params]).fetchall()


def _intake(data_dir: Path) -> list[IntakeResult]:
    landing = data_dir / "landing"
    kept = IntakeFolders(data_dir / "accepted", data_dir / "quarantine", data_dir / "staging", data_dir / "content_zone.duckdb", SEALING_KEY)
    with duckdb.connect(str(data_dir / "linkage_zone.duckdb")) as con:
        return take_in(files_waiting(landing, DATASET), CONTRACT, con, councils(REFERENCE), REFERENCE, kept, landing)


def _drop(folder: Path, sample: EpisodesFile) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sample.file_name).write_bytes(sample.bytes())
    return folder / sample.file_name


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    data_dir = tmp_path_factory.mktemp("boundary")
    root = data_dir / "landing"
    for agency in (LINKED_FOLDER, LINK_TARGET):
        _drop(root / agency / DATASET, EpisodesFile.valid(agency, "2024"))
    assert {r.outcome for r in _intake(data_dir)} == {"accepted"}

    outside = tmp_path_factory.mktemp("outside_the_data_root")
    better = EpisodesFile.valid(LINKED_FOLDER, "2024")
    better.rows = better.rows[:1]
    _drop(outside / "returns", better)
    (outside / "returns" / "secret.txt").write_text("not for the pipeline\n")
    # 1. The council's dataset folder becomes a link to a folder outside the data root.
    os.rename(root / LINKED_FOLDER / DATASET, data_dir / "moved_aside")
    (root / LINKED_FOLDER / DATASET).symlink_to(outside / "returns", target_is_directory=True)
    # 2. An agency folder linked to another agency's folder.
    (root / LINKED_AGENCY).symlink_to(root / LINK_TARGET, target_is_directory=True)
    # 3. Odd entries in a real dataset folder: a hard link to a file outside, a folder named like
    # a CSV file, a named pipe and a hidden file.
    oddities = root / ODDITIES / DATASET
    oddities.mkdir(parents=True)
    os.link(outside / "returns" / better.file_name, oddities / f"{DATASET}_{ODDITIES}_2021.csv")
    (oddities / f"{DATASET}_{ODDITIES}_2022.csv").mkdir()
    os.mkfifo(oddities / f"{DATASET}_{ODDITIES}_2023.csv")
    (oddities / ".~lock.return.csv#").write_text("a spreadsheet's lock file\n")
    # 4. A file at the top of the landing folder, and an agency folder named with a look-alike.
    (root / "return.csv").write_bytes(EpisodesFile.valid(ODDITIES, "2024").bytes())
    _drop(root / LOOKALIKE / DATASET, EpisodesFile.valid(LOOKALIKE, "2024"))
    # 5. Exactly the bytes accepted from one council, in another council's folder.
    copied = root / COPIER / DATASET / f"{DATASET}_{COPIER}_2024.csv"
    copied.parent.mkdir(parents=True)
    copied.write_bytes(EpisodesFile.valid(LINK_TARGET, "2024").bytes())  # the accepted file itself has left landing
    return Landing(data_dir, _intake(data_dir), outside)


def test_a_linked_dataset_folder_is_refused_unread_and_the_councils_return_stands(landing: Landing):
    result = landing.result(f"{LINKED_FOLDER}/{DATASET}")
    assert result.outcome == "refused" and result.problems[0].check == "symlink"
    report = json.loads(Path(f"{result.kept_at}.refusal.json").read_text())
    assert report["location"] == f"landing/{LINKED_FOLDER}/{DATASET}" and "nothing was read" in report["problems"][0]["message"]
    assert not result.kept_at.exists()  # a link is never followed: only its report is kept
    # The council's accepted 2024 return is still the one in the raw table, not superseded.
    assert sorted(landing.ledger("outcome", ["agency = ?", LINKED_FOLDER])) == [("accepted",), ("refused",)]
    with duckdb.connect(str(landing.data_dir / "linkage_zone.duckdb"), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM {raw_zone.raw_table(CONTRACT)} WHERE _agency = ?", [LINKED_FOLDER]).fetchone() == (3,)


def test_nothing_outside_the_data_root_is_copied_or_answered(landing: Landing):
    outside = {p.read_bytes() for p in (landing.outside / "returns").iterdir()}
    kept = [p for folder in ("accepted", "quarantine", "staging") for p in (landing.data_dir / folder).rglob("*") if p.is_file()]
    assert kept and not any(p.read_bytes() in outside for p in kept)
    assert not (landing.data_dir / "staging").exists() or not any((landing.data_dir / "staging").iterdir())


def test_an_agency_folder_linked_to_another_agencys_is_not_walked(landing: Landing):
    result = landing.result(LINKED_AGENCY)
    assert result.outcome == "refused" and result.problems[0].check == "symlink" and result.landed.agency == LINKED_AGENCY
    assert landing.ledger("outcome", ["agency = ?", LINKED_AGENCY]) == [("refused",)]  # the target's files were not taken as its own


@pytest.mark.parametrize(
    ("name", "check", "words"),
    [
        (f"{DATASET}_{ODDITIES}_2021.csv", "hard_link", "stored under 2 names"),
        (f"{DATASET}_{ODDITIES}_2022.csv", "not_a_file", "is a folder, not a file"),
        (f"{DATASET}_{ODDITIES}_2023.csv", "not_a_file", "is a named pipe, not a file"),
    ],
    ids=["hard link", "folder named like a csv", "named pipe"],
)
def test_an_entry_that_is_not_a_file_inside_its_folder_is_refused_on_sight(landing: Landing, name: str, check: str, words: str):
    result = landing.result(f"{ODDITIES}/{DATASET}/{name}")
    assert result.outcome == "refused" and result.problems[0].check == check and words in result.problems[0].message
    assert Path(f"{result.kept_at}.refusal.html").exists() and not result.kept_at.exists()
    assert landing.ledger("outcome", ["sha256 = ?", result.landed.sha256]) == [("refused",)]


def test_a_hidden_file_is_skipped_with_a_ledger_row(landing: Landing):
    result = landing.result(f"{ODDITIES}/{DATASET}/.~lock.return.csv#")
    assert result.outcome == "skipped" and result.problems[0].check == "hidden_file" and result.kept_at is None
    assert landing.ledger("outcome, file_name", ["sha256 = ?", result.landed.sha256]) == [("skipped", ".~lock.return.csv#")]


def test_a_file_at_the_top_of_the_landing_folder_and_a_look_alike_agency_name_are_refused_and_named(landing: Landing):
    stray = landing.result("return.csv")
    assert stray.outcome == "refused" and stray.problems[0].check == "misplaced_file"
    assert f"Move it into landing/<agency>/<dataset>/, where <agency> is your agency's code and <dataset> is the dataset it holds: {DATASET}" in stray.problems[0].fix
    lookalike = landing.result(f"{LOOKALIKE}/{DATASET}/{EpisodesFile.valid(LOOKALIKE, '2024').file_name}")
    assert lookalike.outcome == "refused"
    said = " ".join(p.message for p in lookalike.problems)
    assert "'S1200001\\u041e'" in said  # the invisible difference is made visible


def test_another_agencys_accepted_bytes_are_judged_for_this_agency_and_refused(landing: Landing):
    result = landing.result(f"{COPIER}/{DATASET}/{DATASET}_{COPIER}_2024.csv")
    assert result.outcome == "refused"
    checks = {p.check for p in result.problems if p.blocking}
    assert {"same_bytes_as_another_agency", "agency_matches_folder"} <= checks
    assert sorted(landing.ledger("agency, outcome", ["sha256 = ?", result.landed.sha256])) == [(LINK_TARGET, "accepted"), (COPIER, "refused")]


def test_every_entry_has_an_answer(landing: Landing):
    """Each entry has its ledger row; the two first returns, sealed and kept, left landing after the first intake."""
    assert len(landing.results) == 9
    for result in landing.results:
        assert landing.ledger("outcome", ["agency = ? AND sha256 = ?", result.landed.agency, result.landed.sha256]) == [(result.outcome,)], result.landed.location
    assert not any(r.outcome == "duplicate" for r in landing.results)


def test_a_landing_folder_that_is_itself_a_link_is_the_operators_setting_and_is_followed(tmp_path: Path):
    upload_area = tmp_path / "sftp" / "uploads"
    sample = EpisodesFile.valid(LINK_TARGET, "2024")
    sample.rows = []  # a header and no rows: read, and refused for that, without a validation run
    _drop(upload_area / LINK_TARGET / DATASET, sample)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "landing").symlink_to(upload_area, target_is_directory=True)
    [result] = _intake(data_dir)
    assert result.outcome == "refused" and [p.check for p in result.problems] == ["no_rows"]  # opened, not refused as a link
    assert result.landed.location == f"landing/{LINK_TARGET}/{DATASET}/{sample.file_name}" and original(result, DATASET) == sample.bytes()


def test_a_ledger_keyed_by_content_alone_is_re_keyed_by_agency_keeping_its_rows(tmp_path: Path):
    """Ledgers written before answers were per agency had the key (dataset, sha256)."""
    with duckdb.connect(str(tmp_path / "linkage_zone.duckdb")) as con:
        before = re.sub(r"\n\s*(entry_id|read_as) VARCHAR,[^\n]*", "", raw_zone.LEDGER_DDL)  # nor had entries ids then, nor said how files were read
        con.execute(before.replace("PRIMARY KEY (dataset, agency, sha256)", "PRIMARY KEY (dataset, sha256)"))
        row = [DATASET, LINK_TARGET, "2024", "f.csv", "a" * 64, 10, 3, "2026-01-01", "2026-01-02", "1.0.0", "accepted", "[]", None]
        con.execute(f"INSERT INTO {raw_zone.LEDGER} VALUES ({', '.join('?' * len(row))})", row)
        raw_zone.ensure_raw_zone(con, CONTRACT)
        [key] = con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'", [raw_zone.LEDGER]).fetchone()
        assert list(key) == ["dataset", "agency", "sha256"]
        con.execute(f"INSERT INTO {raw_zone.LEDGER} VALUES ({', '.join('?' * (len(row) + 2))})", [*row[:1], COPIER, *row[2:10], "refused", "[]", None, raw_zone.new_entry_id(), None])
        assert con.execute(f"SELECT agency, outcome FROM {raw_zone.LEDGER} ORDER BY agency").fetchall() == [(LINK_TARGET, "accepted"), (COPIER, "refused")]
        # Entries written before entries had ids were given one.
        assert con.execute(f"SELECT count(*) FROM {raw_zone.LEDGER} WHERE entry_id IS NULL").fetchone() == (0,)
