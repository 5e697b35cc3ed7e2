"""What an erasure destroys outside the databases besides the accepted sealed originals: refused
copies holding the person, and the clerical review page that shows them.

A refused file's sealed copy in ``quarantine/`` is not in the raw zone, so no record of it names
the person: the erasure opens each with the sealing key and looks for the person's keys in its
bytes (in a workbook, in its parts): their CHI and SCN in any agency's copy, and the agency's
own reference for them in that agency's copies. A copy that holds one is destroyed with its
refusal reports (which may show masked samples of its rows) and logged, like a sealed original.
The review page (``clerical_review/queue/``) shows records of pairs side by side; if it showed
the person's, it and its decisions template are removed and logged, and the next linkage run
writes them again from the review queue, which no longer holds them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from assets.ingest.destruction_log import REFUSED_COPY, REVIEW_PAGE, log_destruction, transaction
from assets.ingest.raw_zone import LEDGER, raw_table
from assets.ingest.retention import sealed_copies
from assets.ingest.sealing import CannotOpen, opened
from assets.model.contracts import Contract

NATIONAL_KEYS = ("chi", "scn")  # the same for a person in every agency's files
_QUEUE_FILES = ("review.html", "decisions_template.csv")


def person_keys(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], records: pd.DataFrame) -> set[tuple[str | None, str]]:
    """The keys of the ``records`` (registered as ``erased``) before they leave: (None, CHI or SCN), and (agency, the agency's own reference)."""
    keys: set[tuple[str | None, str]] = set()
    for dataset in records["dataset"].unique():
        for column in contracts[dataset].columns:
            # Not a group's reference: a brother's or sister's refused return holds it too.
            if not column.identifier or column.reference_of == "group" or not (column.pseudonymise or column.name in NATIONAL_KEYS):
                continue
            found = con.execute(
                f"SELECT DISTINCT _agency, CAST({column.name} AS VARCHAR) FROM {raw_table(contracts[dataset])} t "
                f"SEMI JOIN (SELECT _file_sha256, _row_number FROM erased WHERE dataset = '{dataset}') e USING (_file_sha256, _row_number) WHERE {column.name} IS NOT NULL"
            ).fetchall()
            keys |= {(None if column.name in NATIONAL_KEYS else agency, value) for agency, value in found if value.strip()}
    return keys


def _parts(plain: bytes) -> Iterator[bytes]:
    """The file's bytes, or a workbook's unpacked parts."""
    if not plain.startswith(b"PK"):
        yield plain
        return
    try:
        with zipfile.ZipFile(io.BytesIO(plain)) as book:
            for member in book.infolist():
                yield book.read(member)
    except (zipfile.BadZipFile, OSError, RuntimeError):
        yield plain


def _holds(data: bytes, values: set[str]) -> bool:
    return any(re.search(rb"(?<![0-9A-Za-z])" + re.escape(v.encode()) + rb"(?![0-9A-Za-z])", data) for v in values)


def destroy_refused_copies(
    con: duckdb.DuckDBPyConnection, keys: set[tuple[str | None, str]], quarantine_dir: Path, sealing_key: bytes, erasure_id: str, rule: str,
) -> list[str]:
    """Destroy and log each refused copy (with its reports) holding one of ``keys``; returns their entry ids."""
    destroyed = []
    for path, (dataset, agency, sha256) in sealed_copies(quarantine_dir):
        values = {value for owner, value in keys if owner in (None, agency)}
        try:
            plain = opened(path.read_bytes(), sealing_key, dataset, agency, sha256)
        except CannotOpen:
            continue  # not sealed under this key: nothing the intake kept
        if not values or not any(_holds(part, values) for part in _parts(plain)):
            continue
        found = con.execute(f"SELECT entry_id FROM {LEDGER} WHERE dataset = ? AND agency = ? AND sha256 = ?", [dataset, agency, sha256]).fetchone()
        reports = sorted(path.parent.glob(f"{path.name}.refusal.*"))
        with transaction(con):
            log_destruction(con, REFUSED_COPY, found[0] if found else None, dataset, agency, rule,
                            f"erasure {erasure_id}: the refused copy and its {len(reports)} refusal reports held the erased person")
            for held in (path, *reports):
                held.unlink(missing_ok=True)
        destroyed.append(found[0] if found else path.name)
    return destroyed


def withdraw_review_page(con: duckdb.DuckDBPyConnection, keys: set[tuple[str | None, str]], pairs_removed: int, review_dir: Path, erasure_id: str, rule: str) -> bool:
    """Remove the review page and its template if they showed the person (a pair of theirs left the queue, or a key of theirs is on the page); logged."""
    queue = [review_dir / "queue" / name for name in _QUEUE_FILES]
    shown = [path for path in queue if path.exists()]
    if not shown or not (pairs_removed or any(_holds(path.read_bytes(), {value for _, value in keys}) for path in shown)):
        return False
    with transaction(con):
        log_destruction(con, REVIEW_PAGE, None, None, None, rule, f"erasure {erasure_id}: the clerical review page showed the erased person; the next linkage run writes it again")
        for path in shown:
            path.unlink()
    return True
