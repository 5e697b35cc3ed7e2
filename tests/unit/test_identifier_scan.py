"""The identifier scan passes on clean tables and files and fails when an identifier is planted."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import xlsxwriter

from assets.privacy.identifier_scan import scan_database, scan_published
from assets.reports.editions import scanned_clean, write_manifest


def test_scan_finds_planted_identifiers_in_a_database():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA analysis")
    con.execute("CREATE TABLE analysis.clean AS SELECT 'P1' AS person_id, 2010 AS birth_year, 'S12000049' AS la_code, DATE '2021-07-31' AS episode_start")
    assert scan_database(con) == []
    con.execute("CREATE TABLE analysis.leaky AS SELECT '0101012349' AS note, 'G12 8QQ' AS place, DATE '2010-01-01' AS birth_date")
    findings = scan_database(con)
    assert any("CHI" in f for f in findings) and any("postcode" in f for f in findings) and any("dates of birth" in f for f in findings)
    con.execute("CREATE TABLE analysis.named AS SELECT 'Amy' AS forename")
    assert any("analysis.named.forename" in f for f in scan_database(con))


def test_a_finding_names_the_ledger_entries_it_came_from_so_they_can_be_withdrawn():
    """Issue 33: what an agency sent that fails the check is named, by its entry's random id only."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA analysis")
    con.execute(
        "CREATE TABLE analysis.placements AS SELECT * FROM (VALUES ('G12 8QQ', 'kfqz-hrtw-mnpb'), ('at home', 'abcd-efgh-jkmn'), ('EH1 2AB', 'kfqz-hrtw-mnpb')) t(place, _entry_id)"
    )
    [finding] = scan_database(con)
    assert finding.startswith("analysis.placements.place: values shaped like postcodes") and "kfqz-hrtw-mnpb" in finding and "abcd-efgh-jkmn" not in finding
    assert "Withdraw a file" in finding


def test_scan_finds_a_chi_in_a_published_page(tmp_path: Path):
    page = tmp_path / "report.html"
    page.write_text("<p>Children looked after: 14,458 in 2020 (edition 2026-11-23T140627Z)</p>")
    assert scan_published(tmp_path) == []
    page.write_text("<p>Quote: my CHI is 0101012349 and I live at EH1 2AB</p>")
    assert len(scan_published(tmp_path)) == 2


def test_digits_inside_a_file_hash_are_not_a_chi(tmp_path: Path):
    """A ledger's sha256 can hold ten digits with a valid CHI check digit; it identifies a file, not a person."""
    (tmp_path / "data_coverage.csv").write_text("file_name,sha256\nleavers.csv,c0101012349d\n")
    assert scan_published(tmp_path) == []
    (tmp_path / "data_coverage.csv").write_text("file_name,sha256\nleavers.csv,0101012349\n")
    assert scan_published(tmp_path) == ["data_coverage.csv: a CHI-like number"]


def test_scan_reads_the_text_of_a_published_spreadsheet(tmp_path: Path):
    """The edition's spreadsheet is zipped XML: a CHI or a postcode in a cell is found all the same."""

    def workbook(cells: list[object]) -> None:
        with xlsxwriter.Workbook(str(tmp_path / "figures.xlsx")) as book:
            sheet = book.add_worksheet("Table_1")
            for row, value in enumerate(cells):
                sheet.write(row, 0, value)

    workbook(["Glasgow City", 14458, "[c]"])
    assert scan_published(tmp_path) == []
    workbook(["Glasgow City", "note: 0101012349", "lives at EH1 2AB"])
    assert scan_published(tmp_path) == ["figures.xlsx: a CHI-like number", "figures.xlsx: a postcode"]


def test_only_the_same_bytes_under_the_same_scan_are_not_read_again(tmp_path: Path):
    """A report carried byte for byte from the latest edition keeps its verdict; a changed byte,
    a new file or a changed scan means the file is read again."""
    earlier, edition = tmp_path / "latest", tmp_path / "edition"
    for folder in (earlier, edition):
        (folder / "councils").mkdir(parents=True)
    (earlier / "councils" / "fife.html").write_text("<p>Fife: 786 children</p>")
    (earlier / "councils" / "angus.html").write_text("<p>Angus: 201 children</p>")
    write_manifest(earlier, "earlier", "run", [], {})
    carried = edition / "councils" / "fife.html"
    carried.write_bytes((earlier / "councils" / "fife.html").read_bytes())
    # Same name, other bytes: a CHI slipped in after the earlier edition's scan.
    tampered = edition / "councils" / "angus.html"
    tampered.write_text("<p>Angus: 201 children</p>0101012349")
    new = edition / "councils" / "moray.html"
    new.write_text("<p>Moray: 90 children</p>")
    paths = [carried, tampered, new]
    assert scanned_clean(earlier, paths) == {carried}
    assert scan_published(edition, [p for p in paths if p not in scanned_clean(earlier, paths)]) == ["councils/angus.html: a CHI-like number"]

    recorded = json.loads((earlier / "manifest.json").read_text())
    recorded["identifier_scan"] = "a scan since changed"
    (earlier / "manifest.json").write_text(json.dumps(recorded))
    assert scanned_clean(earlier, paths) == set()
    (earlier / "manifest.json").unlink()
    assert scanned_clean(earlier, paths) == set()


def test_a_sum_of_money_whose_check_digit_holds_is_no_chi_unless_it_starts_with_a_date(tmp_path: Path):
    """3162757000 passes the modulus-11 check but 31/62/75 is no date of birth: a spend total, not a CHI."""
    (tmp_path / "spend.csv").write_text("measure,denominator\npreventative_spend_share,3162757000.0\n")
    assert scan_published(tmp_path) == []
    (tmp_path / "spend.csv").write_text("measure,denominator\npreventative_spend_share,0101012349.0\n")
    assert scan_published(tmp_path) == ["spend.csv: a CHI-like number"]
