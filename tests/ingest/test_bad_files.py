"""The bad-file matrix: every kind of bad file an agency might send gets a plain refusal, the
original bytes are kept unchanged in quarantine, and not one row reaches the raw table.

All files are dropped into one landing area (each in its own council's folder or period) and
taken in by one call of the pipeline's intake, exactly as the ``raw/looked_after_episodes``
asset does, so the whole matrix costs one Great Expectations run.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from assets.folders import IndexFolders
from assets.ingest import raw_zone
from assets.ingest.intake import IntakeFolders, IntakeResult, take_in
from assets.ingest.landing import files_waiting
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from orchestration.sensors import landing_run_requests
from tests.support.bad_files import BAD_FILES, SIZE_LIMIT, Bad
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, FORENAMES, SURNAMES, EpisodesFile
from tests.support.sealed import SEALING_KEY, original

REFERENCE = SHARED / "reference"
COUNCILS = sorted(councils(REFERENCE).codes)


@dataclass(frozen=True)
class Dropped:
    agency: str
    period: str
    path: Path
    data: bytes


@dataclass(frozen=True)
class Matrix:
    data_dir: Path
    dropped: dict[str, Dropped]
    results: dict[Path, IntakeResult]
    second_pass: list[IntakeResult]
    linkage_zone: Path
    secret: Path

    def result(self, kind: str) -> IntakeResult:
        return self.results[self.dropped[kind].path]

    def query(self, sql: str, params: list) -> list[tuple]:
        """``sql`` on the index zone, with the content zone attached as ``cz``."""
        with duckdb.connect(str(self.linkage_zone), read_only=True) as con:
            con.execute(f"ATTACH '{self.linkage_zone.with_name('content_zone.duckdb')}' AS cz (READ_ONLY)")
            return con.execute(sql, params).fetchall()


# A file's rows in the content zone, found through its ledger entry (the only reference the zones share).
CONTENT_OF_FILE = f"cz.content.{DATASET} c JOIN {raw_zone.LEDGER} l ON l.entry_id = c._entry_id WHERE l.sha256 = ?"

def _drop(landing: Path, agency: str, name: str, data: bytes) -> Path:
    path = landing / agency / DATASET / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    data_dir = tmp_path_factory.mktemp("bad_files")
    landing = data_dir / "landing"
    dropped: dict[str, Dropped] = {}
    kinds = [("valid", None), *((b.kind, b) for b in BAD_FILES)]
    for number, (kind, bad) in enumerate(kinds):
        agency, period = COUNCILS[number % len(COUNCILS)], str(2021 + number // len(COUNCILS))
        sample = EpisodesFile.valid(agency, period)
        data = bad.spoil(sample) if bad else sample.bytes()
        name = (bad.file_name if bad and bad.file_name else sample.file_name).format(agency=agency, period=period)
        dropped[kind] = Dropped(agency, period, _drop(landing, agency, name, data), data)
    # Glasgow City sends a file still using a code retired in 2018-19 (S12000046): mapped, not refused.
    old_code = EpisodesFile.valid("S12000049", "2030")
    old_code.set(1, "la_code", "S12000046")
    dropped["former_council_code"] = Dropped("S12000049", "2030", _drop(landing, "S12000049", old_code.file_name, old_code.bytes()), old_code.bytes())
    # A mistyped CHI: the check digit fails. Accepted with a warning (the CHI is not used to link).
    mistyped = EpisodesFile.valid("S12000049", "2029")
    chi = mistyped.rows[2]["chi"]
    mistyped.set(3, "chi", chi[:9] + str((int(chi[9]) + 1) % 10))
    dropped["invalid_chi_check_digit"] = Dropped("S12000049", "2029", _drop(landing, "S12000049", mistyped.file_name, mistyped.bytes()), mistyped.bytes())
    # The header in capitals: the contract's columns, unambiguously. Taken, with a warning.
    shouting = EpisodesFile.valid("S12000049", "2027")
    lines = shouting.text().split("\n", 1)
    upper = (lines[0].upper() + "\n" + lines[1]).encode()
    dropped["header_in_capitals"] = Dropped("S12000049", "2027", _drop(landing, "S12000049", shouting.file_name, upper), upper)
    # The valid file dropped a second time under another name: the same bytes are one file.
    valid = dropped["valid"]
    dropped["dropped_twice"] = Dropped(valid.agency, valid.period, _drop(landing, valid.agency, "copy of the same file.csv", valid.data), valid.data)
    # A code retired from the collection year 2023 on (ethnicity white_other): taken for 2019, refused for 2024, each by its year's version.
    for period in ("2019", "2024"):
        retired = EpisodesFile.valid("S12000049", period).set(2, "ethnicity", "white_other")
        dropped[f"retired_code_{period}"] = Dropped("S12000049", period, _drop(landing, "S12000049", retired.file_name, retired.bytes()), retired.bytes())
    # A symbolic link to a file outside the landing area: never followed.
    secret = data_dir / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_bytes(EpisodesFile.valid("S12000040", "2028").bytes())
    link = landing / "S12000040" / DATASET / f"{DATASET}_S12000040_2028.csv"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    dropped["symlink"] = Dropped("S12000040", "2028", link, b"")

    contract = dataclasses.replace(load_contracts(CONTRACTS)[DATASET], max_file_bytes=SIZE_LIMIT)
    linkage_zone = data_dir / "linkage_zone.duckdb"
    kept = IntakeFolders(data_dir / "accepted", data_dir / "quarantine", data_dir / "staging", data_dir / "content_zone.duckdb", SEALING_KEY)
    with duckdb.connect(str(linkage_zone)) as con:
        results = take_in(files_waiting(landing, DATASET), contract, con, councils(REFERENCE), REFERENCE, kept, landing)
        second_pass = take_in(files_waiting(landing, DATASET), contract, con, councils(REFERENCE), REFERENCE, kept, landing)
    return Matrix(data_dir, dropped, {r.landed.path: r for r in results}, second_pass, linkage_zone, secret)


def test_the_matrix_covers_at_least_28_kinds_of_bad_file():
    other_kinds = ["former_council_code", "invalid_chi_check_digit", "dropped_twice", "symlink", "still_being_written", "retired_code_2024"]
    assert len(BAD_FILES) + len(other_kinds) >= 28


def test_the_valid_sample_is_accepted(matrix: Matrix):
    result = matrix.result("valid")
    assert result.outcome == "accepted", [p.message for p in result.problems]
    assert result.rows == 3


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda b: b.kind)
def test_a_bad_file_is_refused_in_plain_words_kept_unchanged_and_not_loaded(matrix: Matrix, bad: Bad):
    dropped = matrix.dropped[bad.kind]
    result = matrix.result(bad.kind)
    assert result.outcome == "refused" and result.rows == 0
    blocking = [p for p in result.problems if p.blocking]
    said = " ".join(p.message for p in blocking)
    assert bad.says in said, said
    assert all(p.fix for p in blocking), "every refusal says how to fix it"
    if bad.column:
        named = [p for p in blocking if bad.column in p.columns]
        assert named, f"no problem names {bad.column}: {said}"
        if bad.rows:
            assert named[0].rows == bad.rows and named[0].rows_affected == len(bad.rows)
    elif bad.rows:
        assert blocking[0].rows == bad.rows
    # Nothing lost: the original bytes, unchanged, in quarantine, with the report beside them.
    assert original(result, DATASET) == dropped.data  # sealed, and opens to the bytes sent
    assert result.kept_at.is_relative_to(matrix.data_dir / "quarantine")
    assert Path(f"{result.kept_at}.refusal.html").exists()
    report = json.loads(Path(f"{result.kept_at}.refusal.json").read_text())
    assert report["outcome"] == "refused" and report["sha256"] == result.landed.sha256
    # The report gives the agency the entry's reference, by which the published digest names the file.
    assert matrix.query(f"SELECT entry_id FROM {raw_zone.LEDGER} WHERE sha256 = ?", [result.landed.sha256]) == [(report["entry_id"],)]
    # Nothing loaded, and the ledger says why.
    assert matrix.query(f"SELECT count(*) FROM {raw_zone.raw_table(load_contracts(CONTRACTS)[DATASET])} WHERE _file_sha256 = ?", [result.landed.sha256]) == [(0,)]
    assert matrix.query(f"SELECT outcome FROM {raw_zone.LEDGER} WHERE sha256 = ?", [result.landed.sha256]) == [("refused",)]
    # No one identifiable: the names planted in every sample never appear in a refusal.
    for identifier in (*FORENAMES, *SURNAMES, "G12 8Q!"):
        assert identifier not in json.dumps(report)


def test_a_former_council_code_is_mapped_not_refused_and_the_mapping_recorded(matrix: Matrix):
    result = matrix.result("former_council_code")
    assert result.outcome == "accepted" and result.rows == 3
    [warning] = result.problems
    assert not warning.blocking and warning.examples == ("S12000046 -> S12000049",) and warning.rows == (1,)
    assert matrix.query(f"SELECT DISTINCT la_code FROM {CONTENT_OF_FILE}", [result.landed.sha256]) == [("S12000049",)]
    [(problems,)] = matrix.query(f"SELECT problems FROM {raw_zone.LEDGER} WHERE sha256 = ?", [result.landed.sha256])
    assert "S12000046 -> S12000049" in problems


def test_an_invalid_chi_check_digit_is_a_recorded_warning_with_the_chi_masked(matrix: Matrix):
    result = matrix.result("invalid_chi_check_digit")
    assert result.outcome == "accepted"
    [warning] = result.problems
    assert warning.check == "chi_check_digit" and not warning.blocking and warning.rows == (3,)
    chi = EpisodesFile.valid("S12000049", "2029").rows[2]["chi"]
    assert chi[1:9] not in warning.examples[0] and "*" in warning.examples[0]


def test_a_workbook_in_a_format_not_taken_is_told_to_save_as_xlsx_or_csv_utf8_not_to_rename_it(matrix: Matrix):
    dropped = matrix.dropped["workbook_sent_as_xls"]
    [problem] = matrix.result("workbook_sent_as_xls").problems
    assert "'Excel Workbook (*.xlsx)' or 'CSV UTF-8 (Comma delimited) (*.csv)'" in problem.fix
    assert f"named {DATASET}_{dropped.agency}_{dropped.period}.csv" in problem.fix
    assert "Rename" not in problem.fix and "name alone does not change the file's format" in problem.fix


def test_lines_ending_two_ways_are_named_not_blamed_on_a_quote(matrix: Matrix):
    [problem] = matrix.result("one_line_ending_differently").problems
    assert problem.check == "line_endings" and problem.rows_affected == 1
    assert "quote" not in problem.message + problem.fix and "line endings" in problem.fix


def test_excels_empty_rows_at_the_end_are_one_problem_not_one_per_required_column(matrix: Matrix):
    [problem] = matrix.result("empty_rows_at_end").problems
    assert problem.check == "empty_rows_at_end" and problem.rows_affected == 15
    assert problem.fix.startswith("Remove the 15 empty row(s) at the end")


def test_a_header_in_capitals_is_taken_with_a_warning_and_loaded_by_the_contracts_names(matrix: Matrix):
    result = matrix.result("header_in_capitals")
    assert result.outcome == "accepted" and result.rows == 3
    [warning] = result.problems
    assert warning.check == "column_case" and not warning.blocking and "lower case" in warning.fix
    table = raw_zone.raw_table(load_contracts(CONTRACTS)[DATASET])  # the identifiers, in the index zone
    loaded = matrix.query(f"SELECT child_ref FROM {table} WHERE _file_sha256 = ? ORDER BY _row_number", [result.landed.sha256])
    assert loaded == [(r["child_ref"],) for r in EpisodesFile.valid("S12000049", "2027").rows]
    content = matrix.query(f"SELECT placement_type FROM {CONTENT_OF_FILE} ORDER BY _row_number", [result.landed.sha256])
    assert content == [(r["placement_type"],) for r in EpisodesFile.valid("S12000049", "2027").rows]


def test_the_same_file_dropped_twice_is_taken_in_once(matrix: Matrix):
    first, second = matrix.result("valid"), matrix.result("dropped_twice")
    assert {first.outcome, second.outcome} == {"accepted", "duplicate"}
    assert matrix.query(f"SELECT count(*) FROM {raw_zone.LEDGER} WHERE sha256 = ?", [first.landed.sha256]) == [(1,)]
    # Running again changes nothing: every file has been seen; those read and kept have left landing.
    assert {r.outcome for r in matrix.second_pass} == {"duplicate"}
    assert not first.landed.path.exists() and not second.landed.path.exists()
    table = raw_zone.raw_table(load_contracts(CONTRACTS)[DATASET])
    assert matrix.query(f"SELECT count(*) FROM {table} WHERE _agency = ?", [first.landed.agency]) == [(3,)]


def test_a_symlink_is_refused_without_reading_or_copying_its_target(matrix: Matrix):
    result = matrix.result("symlink")
    assert result.outcome == "refused" and "symbolic link" in result.problems[0].message
    secret = matrix.secret.read_bytes()
    kept = [p for p in (matrix.data_dir / "quarantine").rglob("*") if p.is_file()]
    assert all(p.read_bytes() != secret for p in kept)
    assert not result.kept_at.exists() and Path(f"{result.kept_at}.refusal.json").exists()


def test_a_file_still_being_written_waits_until_it_stops_growing(tmp_path: Path):
    folders = IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED))
    sample = EpisodesFile.valid("S12000049", "2021")
    path = _drop(tmp_path / "landing", "S12000049", sample.file_name, sample.bytes()[:200])
    contracts = {DATASET: load_contracts(CONTRACTS)[DATASET]}
    requests, seen = landing_run_requests(contracts, folders, {})
    assert requests == []  # first sight: may still be uploading
    with path.open("ab") as handle:
        handle.write(sample.bytes()[200:])
    os.utime(path, ns=(1, 2))  # the modification time changes too, as the upload continues
    requests, seen = landing_run_requests(contracts, folders, seen)
    assert requests == []  # grew since the last look
    requests, _ = landing_run_requests(contracts, folders, seen)
    assert [r.tags["story/file"] for r in requests] == [sample.file_name]


def test_each_file_is_judged_and_recorded_by_the_contract_version_for_its_collection_year(matrix: Matrix):
    contract = load_contracts(CONTRACTS)[DATASET]
    early, late = matrix.result("retired_code_2019"), matrix.result("retired_code_2024")
    assert early.outcome == "accepted" and late.outcome == "refused"
    assert [p.columns for p in late.problems if p.blocking] == [("ethnicity",)]
    ledger = dict(matrix.query(f"SELECT period, contract_version FROM {raw_zone.LEDGER} WHERE period IN ('2019', '2024')", []))
    assert ledger == {"2019": contract.in_force("2019").version, "2024": contract.in_force("2024").version}
    assert ledger["2019"] != ledger["2024"]
    report = json.loads(Path(f"{late.kept_at}.refusal.json").read_text())
    assert report["contract_version"] == ledger["2024"] and report["version_in_force"] == contract.in_force("2024").years_in_force()
    assert contract.in_force("2024").years_in_force() in Path(f"{late.kept_at}.refusal.html").read_text()
