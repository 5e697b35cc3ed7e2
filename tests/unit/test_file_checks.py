"""Refusals an agency analyst can act on: encoding, delimiter, header, truncation, bad values."""

from __future__ import annotations

from pathlib import Path

from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from tests.support.paths import CONTRACTS, SHARED

HEADER = "year,la_code,sex,age,population"


def place(tmp_path: Path, text: bytes, name: str = "population_estimates_NRS_2021.csv", agency: str = "NRS") -> Path:
    path = tmp_path / "landing" / agency / "population_estimates" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(text)
    return path


def verdict_for(tmp_path: Path, text: bytes, **kwargs):
    path = place(tmp_path, text, **kwargs)
    contract = load_contracts(CONTRACTS)["population_estimates"]
    [verdict] = judge([landed_file(path)], contract, councils(SHARED / "reference"), SHARED / "reference", tmp_path / "staging.duckdb")
    return verdict


def test_a_good_file_is_accepted(tmp_path):
    verdict = verdict_for(tmp_path, f"{HEADER}\n2021,S12000049,F,0,3000\n2021,S12000046,M,0,3100\n".encode())
    assert verdict.accepted, verdict.problems
    assert verdict.rows == 2


def test_windows_1252_is_read_as_such_and_its_values_checked(tmp_path):
    """Excel's plain 'CSV' on Windows is read (issue 35): the value is checked as the letters meant."""
    verdict = verdict_for(tmp_path, f"{HEADER}\n2021,S12000049,F,0,3000\n".encode() + "2021,S12000049,M,1,caf\u00e9\n".encode("cp1252"))
    assert verdict.read_as == "CSV, Windows-1252, comma-separated" and not verdict.accepted
    [problem] = verdict.problems
    assert problem.columns == ("population",) and problem.rows == (2,) and problem.examples == ("caf\u00e9",)


def test_semicolons_missing_columns_and_truncation_are_explained(tmp_path):
    semicolons = verdict_for(tmp_path / "a", b"year;la_code;sex;age\n2021;S12000049;F;0\n").problems[0]  # read only when the header is the contract's
    assert "separated by semicolons" in semicolons.message and semicolons.columns == ("population",)
    missing = verdict_for(tmp_path / "b", b"year,la_code,sex,age\n2021,S12000049,F,0\n").problems[0]
    assert missing.columns == ("population",)
    truncated = verdict_for(tmp_path / "c", f"{HEADER}\n2021,S12000049,F,0,3000\n2021,S120".encode()).problems[0]
    assert truncated.check == "truncated" and truncated.rows == (2,)


def test_row_level_problems_name_rows_columns_and_values(tmp_path):
    text = f"{HEADER}\n2021,S12000049,F,0,3000\n2021,S12000049,X,1,3000\n2020,S12000049,M,25,3000\n".encode()
    verdict = verdict_for(tmp_path, text)
    assert not verdict.accepted
    by_column = {p.columns[0]: p for p in verdict.problems}
    assert by_column["sex"].rows == (2,) and "X" in by_column["sex"].examples[0]
    assert by_column["age"].rows == (3,) and "between 0 and 17" in by_column["age"].message
    assert by_column["year"].rows == (3,) and "period in the file name" in by_column["year"].message


def test_a_file_name_without_its_period_is_refused(tmp_path):
    verdict = verdict_for(tmp_path, f"{HEADER}\n2021,S12000049,F,0,3000\n".encode(), name="pop.csv")
    assert verdict.problems[0].check == "file_name"
    assert "population_estimates_NRS_<period>.csv" in verdict.problems[0].message


def test_identifier_values_are_masked_in_refusals(tmp_path):
    header = "census_date,establishment,chi,date_of_birth,status"
    path = tmp_path / "landing" / "SPS" / "custody_under_18" / "custody_under_18_SPS_2021.csv"
    path.parent.mkdir(parents=True)
    path.write_text(f"{header}\n2021-03-31,HMYOI Polmont,01010123,2004-13-01,remand\n")
    contract = load_contracts(CONTRACTS)["custody_under_18"]
    [verdict] = judge([landed_file(path)], contract, councils(SHARED / "reference"), SHARED / "reference", tmp_path / "staging.duckdb")
    examples = " ".join(e for p in verdict.problems for e in p.examples)
    assert not verdict.accepted
    assert "01010123" not in examples and "2004-13-01" not in examples
    assert "0******3" in examples
