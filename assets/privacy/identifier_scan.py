"""Scan the analysis warehouse and published files for anything that could identify a person.

Identifiers belong in the linkage zone only. This scan looks for identifier column names and
for values shaped like a CHI number (ten digits with a valid check digit), a Scottish
Candidate Number (nine digits), a postcode, or a full date in a column about birth. It backs
a blocking asset check before publication and a check on every published file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import os
import re
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from assets.model.chi import chi_is_valid

IDENTIFIER_COLUMNS = {"forename", "surname", "date_of_birth", "postcode", "chi", "scn", "child_ref"}
SCN = re.compile(r"^\d{9}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A run of ten digits on its own: digits inside a longer token (a sha256, a file name) are not a CHI.
CHI_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{10}(?![0-9A-Za-z])")
POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}\b")
_XML_TAG = re.compile(r"<[^>]*>")
_SAMPLE = 5000


def chi_like(text: str) -> bool:
    """Ten digits that could be a CHI number: a real date of birth (DDMMYY) first, and the check digit holds.

    A CHI always begins with its holder's date of birth, so a large count or sum of money whose
    check digit happens to hold (one in eleven) is not taken for one unless it also reads as a date.
    """
    try:
        dt.datetime.strptime(text[:6], "%d%m%y")
    except ValueError:
        return False
    return chi_is_valid(text)


def _value_findings(column: str, values: list[str]) -> dict[str, list[str]]:
    """What each kind of identifier found, and the values that have its shape."""
    kinds = {
        "values shaped like CHI numbers": chi_like,
        "values shaped like Scottish Candidate Numbers": SCN.match,
        "values shaped like postcodes": POSTCODE.match,
        **({"full dates of birth": FULL_DATE.match} if "birth" in column else {}),
    }
    found = {kind: [v for v in values if shaped(v)] for kind, shaped in kinds.items()}
    return {kind: shaped for kind, shaped in found.items() if shaped}


def _entries_holding(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str, values: list[str]) -> list[str]:
    """The ledger entries (``_entry_id``) whose rows hold ``values``: what an operator withdraws."""
    return [e for (e,) in con.execute(
        f'SELECT DISTINCT _entry_id FROM "{schema}"."{table}" WHERE CAST("{column}" AS VARCHAR) IN (SELECT unnest(?)) AND _entry_id IS NOT NULL ORDER BY 1 LIMIT 5', [values],
    ).fetchall()]


def scan_database(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every identifier found in the database's tables, as 'schema.table.column: what', naming
    the ledger entries it came from where the table says (``_entry_id``), so they can be withdrawn."""
    found: list[str] = []
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()
    for schema, table in tables:
        columns = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchall()
        traced = any(c == "_entry_id" for c, _ in columns)
        for column, data_type in columns:
            where = f"{schema}.{table}.{column}"
            if column in IDENTIFIER_COLUMNS:
                found.append(f"{where}: an identifier column")
            elif data_type in ("VARCHAR", "DATE"):
                values = [str(v) for (v,) in con.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL LIMIT {_SAMPLE}').fetchall()]
                for finding, shaped in _value_findings(column, values).items():
                    entries = _entries_holding(con, schema, table, column, shaped) if traced else []
                    found.append(f"{where}: {finding}" + (f" (in entries {', '.join(entries)}: see 'Withdraw a file' in the runbook)" if entries else ""))
    return found


def _text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if path.suffix == ".xlsx":
        # A workbook is zipped XML: its text cells (shared strings) and its sheets' values, tags left out.
        with zipfile.ZipFile(path) as workbook:
            parts = [n for n in workbook.namelist() if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")]
            return "\n".join(_XML_TAG.sub(" ", workbook.read(n).decode("utf-8", errors="replace")) for n in parts)
    return path.read_text(encoding="utf-8", errors="replace")


def _file_findings(folder: Path, path: Path) -> list[str]:
    text = _text_of(path)
    found = []
    if any(chi_like(m) for m in CHI_IN_TEXT.findall(text)):
        found.append(f"{path.relative_to(folder)}: a CHI-like number")
    if POSTCODE_IN_TEXT.search(text):
        found.append(f"{path.relative_to(folder)}: a postcode")
    return found


def scanner_fingerprint() -> str:
    """What the file scan's verdicts depend on: this module's code and the CHI check digit's.

    An edition's manifest records it, so a later edition reuses a verdict on the same bytes
    only if the scan that gave it is the one it would run now (``editions.scanned_clean``).
    """
    code = Path(__file__).read_bytes() + inspect.getsource(chi_is_valid).encode()
    return hashlib.sha256(code).hexdigest()


def published_paths(folder: Path) -> list[Path]:
    """The files under ``folder`` the scan reads (``is_scanned``), in path order."""
    return [p for p in sorted(folder.rglob("*")) if is_scanned(p)]


def is_scanned(path: Path) -> bool:
    """HTML, PDF, CSV, JSON and spreadsheets (.xlsx) are scanned, but for the manifest."""
    return path.suffix in (".html", ".pdf", ".csv", ".json", ".xlsx") and path.name != "manifest.json"


def scan_published(folder: Path, paths: list[Path] | None = None) -> list[str]:
    """CHI-like numbers (valid check digit) or postcodes in ``paths`` (by default every one of ``published_paths(folder)``).

    Most of the time is ``pdftotext`` reading every page of every report (3 s for an edition's
    45 PDFs), in its own processes: files are read on a thread per core, findings listed in path order.
    """
    paths = published_paths(folder) if paths is None else paths
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return [finding for findings in pool.map(lambda path: _file_findings(folder, path), paths) for finding in findings]
