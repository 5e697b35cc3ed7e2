"""Files as agencies really have them (issue 35): Excel and OpenDocument workbooks, Windows-1252
CSV, semicolons and tabs are accepted with the values meant and the way each was read said; a
file whose bytes could be read more than one way, or a workbook with a formula, is refused
naming exactly what made it so.

Each file is judged as the intake judges it; the values are read back from the staging table
the raw zone is loaded from, so "the right values" means what would be kept.
"""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import duckdb
import pytest

from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.ingest.problems import Verdict
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import COLUMNS, DATASET, EpisodesFile
from tests.support.workbooks import ods, xlsx

REFERENCE = SHARED / "reference"
CONTRACT = load_contracts(CONTRACTS)[DATASET]
AGENCY, PERIOD = "S12000049", "2021"
NAMES = ("Zoë", "Siobhán")  # the first two rows' forenames


def _sample() -> EpisodesFile:
    sample = EpisodesFile.valid(AGENCY, PERIOD)
    sample.set(1, "forename", NAMES[0]).set(2, "forename", NAMES[0]).set(3, "forename", NAMES[1])
    sample.set(3, "surname", "Ní Bhriain")
    return sample


def _place(folder: Path, data: bytes, suffix: str = ".csv") -> Path:
    path = folder / "landing" / AGENCY / DATASET / f"{DATASET}_{AGENCY}_{PERIOD}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _judged(path: Path, contract=CONTRACT) -> tuple[Verdict, list[dict[str, str | None]]]:
    """The verdict, and the rows as staged (every value as text, as the raw zone is loaded)."""
    with duckdb.connect() as staging:
        [verdict] = judge([landed_file(path)], contract, councils(REFERENCE), REFERENCE, staging)
        staged = staging.execute(f"SELECT {', '.join(COLUMNS)} FROM staged ORDER BY _row_number").fetchall() if verdict.rows else []
    return verdict, [dict(zip(COLUMNS, row)) for row in staged]


def _as_sent(sample: EpisodesFile) -> list[dict[str, str | None]]:
    return [{c: (row[c] or None) for c in COLUMNS} for row in sample.rows]


def test_an_excel_workbook_is_read_from_its_sheet_with_dates_and_whole_numbers_as_the_contract_expects(tmp_path: Path):
    sample = _sample()
    path = _place(tmp_path, b"", ".xlsx")
    original = xlsx(path, sample)
    verdict, staged = _judged(path)
    assert verdict.accepted, [p.message for p in verdict.problems]
    assert verdict.read_as == "Excel workbook (.xlsx), sheet 'Return'"
    assert staged == _as_sent(sample)  # 2021.0 is 2021, a serial and a date cell are YYYY-MM-DD, Zoë is Zoë
    assert path.read_bytes() == original  # the workbook itself is what is kept and hashed


def test_the_sheet_the_contract_names_is_read_and_a_missing_one_is_refused(tmp_path: Path):
    sample = _sample()
    path = _place(tmp_path, b"", ".xlsx")
    xlsx(path, sample, first_sheet="Notes", sheet="Episodes")
    verdict, staged = _judged(path, dataclasses.replace(CONTRACT, sheet="Episodes"))
    assert verdict.accepted and verdict.read_as == "Excel workbook (.xlsx), sheet 'Episodes' (2 of 2)"
    assert staged == _as_sent(sample)
    verdict, _ = _judged(path, dataclasses.replace(CONTRACT, sheet="Placements"))
    [problem] = verdict.problems
    assert problem.check == "sheet" and "no sheet named 'Placements'" in problem.message and "'Notes', 'Episodes'" in problem.message


def test_a_hidden_first_sheet_is_passed_over_and_a_workbook_counting_from_1904_keeps_its_dates(tmp_path: Path):
    sample = _sample()
    path = _place(tmp_path, b"", ".xlsx")
    xlsx(path, sample, first_sheet="Lookups", hidden=True, date_1904=True)
    verdict, staged = _judged(path)
    assert verdict.accepted and verdict.read_as == "Excel workbook (.xlsx), sheet 'Return' (2 of 2)"
    assert staged == _as_sent(sample)  # the serial is counted from 1 January 1904, as the workbook says


def test_an_opendocument_spreadsheet_is_read_like_a_workbook(tmp_path: Path):
    sample = _sample()
    verdict, staged = _judged(_place(tmp_path, ods(sample), ".ods"))
    assert verdict.accepted, [p.message for p in verdict.problems]
    assert verdict.read_as == "OpenDocument spreadsheet (.ods), sheet 'Sheet1'"
    assert staged == _as_sent(sample)


def test_a_workbook_with_a_formula_is_refused_naming_the_cell(tmp_path: Path):
    path = _place(tmp_path, b"", ".xlsx")
    original = xlsx(path, _sample(), formula=True)
    verdict, _ = _judged(path)
    [problem] = verdict.problems
    assert problem.check == "formula_cell" and problem.blocking
    assert "B4" in problem.message and problem.rows == (3,) and "Paste Special > Values" in problem.fix
    assert verdict.read_as.startswith("Excel workbook (.xlsx)") and path.read_bytes() == original


def test_a_windows_1252_file_is_read_as_windows_1252_and_its_names_are_the_letters_meant(tmp_path: Path):
    sample = _sample()
    data = sample.text().encode("cp1252")
    assert b"Zo\xeb" in data and b"Siobh\xe1n" in data  # what Excel's plain 'CSV' writes on a UK Windows machine
    verdict, staged = _judged(_place(tmp_path, data))
    assert verdict.accepted, [p.message for p in verdict.problems]
    assert verdict.read_as == "CSV, Windows-1252, comma-separated"
    assert [row["forename"] for row in staged] == ["Zoë", "Zoë", "Siobhán"]
    assert [row["forename"].encode() for row in staged][-1] == "Siobhán".encode("utf-8")
    assert staged == _as_sent(sample)


def test_windows_1252_punctuation_where_it_belongs_is_read_as_written(tmp_path: Path):
    sample = _sample()
    sample.set(1, "surname", "O’Neill–Màiri").set(2, "surname", "“Eòghann”").set(3, "sibling_group_ref", "SG 25°")
    verdict, staged = _judged(_place(tmp_path, sample.text().encode("cp1252")))
    assert verdict.read_as == "CSV, Windows-1252, comma-separated"
    assert [row["surname"] for row in staged] == ["O’Neill–Màiri", "“Eòghann”", "Ní Bhriain"] and staged[2]["sibling_group_ref"] == "SG 25°"


def test_a_semicolon_file_is_read_when_its_header_shows_it_and_a_value_with_a_comma_stays_one_value(tmp_path: Path):
    sample = _sample()
    sample.set(3, "surname", "Ní Bhriain, Jr")
    text = sample.text().replace(",", ";").replace('"Ní Bhriain; Jr"', "Ní Bhriain, Jr")  # as Excel writes it with ';' as the list separator
    verdict, staged = _judged(_place(tmp_path, text.encode("cp1252")))
    assert verdict.accepted, [p.message for p in verdict.problems]
    assert verdict.read_as == "CSV, Windows-1252, semicolon-separated"
    assert staged == _as_sent(sample)


def test_a_tab_separated_utf8_file_is_read(tmp_path: Path):
    sample = _sample()
    verdict, staged = _judged(_place(tmp_path, sample.text().replace(",", "\t").encode()))
    assert verdict.accepted and verdict.read_as == "CSV, UTF-8, tab-separated"
    assert staged == _as_sent(sample)


def test_utf8_comma_separated_text_is_read_as_it_is(tmp_path: Path):
    sample = _sample()
    verdict, staged = _judged(_place(tmp_path, b"\xef\xbb\xbf" + sample.bytes()))
    assert verdict.accepted and verdict.read_as == "CSV, UTF-8 with byte order mark, comma-separated"
    assert staged == _as_sent(sample)


def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_bytes_of_each(tmp_path: Path):
    sample = _sample()
    text = sample.text()
    cut = text.index("Siobhán")
    data = text[:cut].encode("utf-8") + text[cut:].encode("cp1252")  # the last row typed in another program
    verdict, _ = _judged(_place(tmp_path, data))
    [problem] = verdict.problems
    assert problem.check == "encoding" and not verdict.accepted and verdict.read_as == ""
    first_utf8 = data.index("ë".encode())
    single = data.index(b"Siobh\xe1n") + 5
    assert "mixes two encodings" in problem.message
    assert f"bytes {first_utf8:,}-{first_utf8 + 1:,} (line 2): C3 AB, UTF-8 for 'ë'" in problem.message
    assert f"byte {single:,} (line 4): E1, not UTF-8 (in Windows-1252 'á')" in problem.message
    assert "Siobh" not in problem.message and "Zo" not in problem.message  # the bytes are named, not the names


@pytest.mark.parametrize(
    ("encoding", "says"),
    [
        ("mac_roman", "byte {offset:,} (line 4): 87, in Windows-1252 '‡' (double dagger), a symbol touching a letter"),
        ("cp850", "byte {offset:,} (line 2): 89, in Windows-1252 '‰' (per mille sign), a symbol touching a letter"),
    ],
)
def test_a_file_in_another_single_byte_encoding_is_refused_naming_the_bytes_that_are_not_letters(tmp_path: Path, encoding: str, says: str):
    data = _sample().text().encode(encoding)
    verdict, _ = _judged(_place(tmp_path, data))
    [problem] = verdict.problems
    misread = "á" if encoding == "mac_roman" else "ë"
    offset = data.index(misread.encode(encoding))
    assert problem.check == "encoding" and says.format(offset=offset) in problem.message


def test_bytes_that_are_no_character_in_either_encoding_are_named(tmp_path: Path):
    data = _sample().bytes().replace("Zoë".encode(), b"Zo\x81", 1)
    offset = data.index(b"\x81")
    verdict, _ = _judged(_place(tmp_path, data))
    [problem] = verdict.problems
    assert f"byte {offset:,} (line 2): 81, not a character in Windows-1252 (nor UTF-8)" in problem.message


def test_a_small_workbook_that_unpacks_big_is_refused_before_it_is_read(tmp_path: Path):
    """A few kilobytes of zip holding a sheet of megabytes (a row repeated below the data): refused on the zip's own sizes."""
    path = _place(tmp_path, b"", ".xlsx")
    xlsx(path, _sample())
    with zipfile.ZipFile(path) as made:
        parts = {m.filename: made.read(m) for m in made.infolist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet].replace(b"</sheetData>", b'<row><c t="inlineStr"><is><t>a</t></is></c></row>' * 200_000 + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    size, unpacked = path.stat().st_size, sum(len(data) for data in parts.values())
    assert unpacked > 100 * size

    verdict, _ = _judged(path)
    [problem] = verdict.problems
    assert problem.check == "file_size" and problem.blocking
    assert f"{unpacked:,} bytes" in problem.message and f"{100 * size:,} bytes it may unpack to" in problem.message
    assert "split the return" in problem.fix
    # A dataset whose file size limit is lower still: that limit is the one.
    verdict, _ = _judged(path, dataclasses.replace(CONTRACT, max_file_bytes=50 * size))
    assert f"more than the {50 * size:,} bytes it may unpack to" in verdict.problems[0].message
