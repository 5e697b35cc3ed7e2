"""Compare two builds table for table (warehouse) and file for file (the latest edition's downloads).

    python bench/compare_editions.py OLD NEW

OLD and NEW are ``bench/end_to_end.py --out`` folders, say of the same scale and seed before
and after a change that should not move any figure. Each run mints its own keys and ids, so
pseudonymous ids, keyed references, ledger entry ids, run times and edition ids are left out
of the comparison; everything else must match. Exits 1 when something differs.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

EDITION_ID = re.compile(r"\d{4}-\d\d-\d\dT\d{6}Z-[0-9a-f]{8}")
ENTRY_ID = re.compile(r"\b[a-z]{4}-[a-z]{4}-[a-z]{4}\b")  # a ledger entry's random id (assets.ingest.entries)
CACHES = {"disclosure.audit_memo"}  # the intruder audit's memo: keyed by the audit module's own bytes, not a result
PER_RUN_COLUMNS = {"person_id", "entry_id", "_entry_id", "superseded_by", "run_id", "loaded_at", "received_on", "processed_on"}


def _without_run_ids(text: str) -> str:
    return ENTRY_ID.sub("ENTRY", EDITION_ID.sub("EDITION", text))


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=[c for c in frame.columns if c in PER_RUN_COLUMNS or c.endswith("_key")])
    frame = frame.astype(str).map(_without_run_ids)
    return frame.sort_values(list(frame.columns), ignore_index=True) if len(frame.columns) else frame


def _warehouse(root: Path) -> duckdb.DuckDBPyConnection:
    copy = Path(tempfile.mkdtemp()) / "warehouse.duckdb"  # a copy: the build's own file stays untouched and unlocked
    shutil.copy(root / "data" / "warehouse.duckdb", copy)
    return duckdb.connect(str(copy), read_only=True)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()}


def _file_content(path: Path) -> object:
    """A download as compared: a CSV as a table, a workbook as its parts, with per-run ids taken out."""
    if path.suffix == ".csv":
        return _comparable(pd.read_csv(path, dtype=str, keep_default_na=False))
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as book:  # docProps/core.xml holds the time it was written
            return {n: _without_run_ids(book.read(n).decode("utf-8")) for n in book.namelist() if n != "docProps/core.xml"}
    return _without_run_ids(path.read_bytes().decode("utf-8", errors="replace"))


def _same(a: object, b: object) -> bool:
    return a.equals(b) if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame) else a == b


def main(old: Path, new: Path) -> int:
    differing: list[str] = []
    before, after = _warehouse(old), _warehouse(new)
    in_before, in_after = _tables(before) - CACHES, _tables(after) - CACHES
    tables = in_before | in_after
    for table in sorted(tables):
        if table not in in_before or table not in in_after:
            differing.append(f"{table}: in one build only")
        elif not _same(_comparable(before.execute(f"SELECT * FROM {table}").df()), _comparable(after.execute(f"SELECT * FROM {table}").df())):
            differing.append(f"{table}: rows differ")
    downloads = [{EDITION_ID.sub("EDITION", p.name): p for p in (root / "data" / "published" / "latest" / "downloads").iterdir() if p.is_file()} for root in (old, new)]
    for name in sorted(downloads[0].keys() | downloads[1].keys()):
        if name not in downloads[0] or name not in downloads[1]:
            differing.append(f"downloads/{name}: in one build only")
        elif not _same(_file_content(downloads[0][name]), _file_content(downloads[1][name])):
            differing.append(f"downloads/{name}: content differs")
    print(f"{len(tables)} warehouse tables (not the caches {', '.join(sorted(CACHES))}) and {len(downloads[1])} downloads compared; {len(differing)} differ")
    for line in differing:
        print(f"  {line}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
