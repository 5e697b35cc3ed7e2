"""Retention, said and done: sealed originals and the index zone's identifiers destroyed once their period is over.

Each kind of thing is kept a set number of days after its entry was taken in (the ledger's
``processed_at``; ``RetentionPeriods``, set by the operators): an accepted file's sealed copy
in ``accepted/``, a refused file's sealed copy (with its refusal reports) in ``quarantine/``,
and an accepted entry's identifiers in the index zone. Destroying identifiers empties the
entry's identifier columns in ``raw.<dataset>`` and removes its records' prepared identifiers
and clerical-review pairs; the record reference, the person registry's row (record key,
person id) and the person index stay, so the content keeps its person ids and new records
still link to every record whose identifiers are kept (``person_links`` links retired records
no more). Every destruction is appended to the destruction log (``destruction_log``), and after
destroying identifiers the index zone is rebuilt into a fresh file (``compaction.rebuild``) so
their bytes do not stay in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest.compaction import rebuild
from assets.ingest.destruction_log import (
    IDENTIFIERS,
    REFUSED_COPY,
    RETIRED_ENTRIES,
    SEALED_ORIGINAL,
    RetentionPeriods,
    ensure_destruction_log,
    log_destruction,
    transaction,
)
from assets.ingest.raw_zone import LEDGER, index_columns, raw_table
from assets.ingest.sealing import SEALED_SUFFIX, CannotOpen, entry_of
from assets.linkage.incremental import PREPARED
from assets.model.contracts import Contract

REVIEW = "linkage.clerical_review"
_HEADER_BYTES = 1024  # a sealed copy names its entry in its first line (``sealing.entry_of``)


@dataclass(frozen=True)
class Expired:
    """One thing due for destruction: its kind, ledger entry, the day it was taken in, and its file (sealed copies) or rows (identifiers)."""

    kind: str
    entry_id: str
    dataset: str
    agency: str
    taken_in: dt.date
    path: Path | None = None
    rows: int = 0

    def rule(self, periods: RetentionPeriods) -> str:
        return f"{self.kind} kept {periods.days(self.kind)} days after intake (taken in {self.taken_in:%Y-%m-%d})"


def _day(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])


def sealed_copies(folder: Path) -> list[tuple[Path, tuple[str, str, str]]]:
    copies = []
    for path in sorted(folder.rglob(f"*{SEALED_SUFFIX}")) if folder.is_dir() else []:
        with path.open("rb") as sealed:
            try:
                copies.append((path, entry_of(sealed.read(_HEADER_BYTES))))
            except (CannotOpen, ValueError):
                continue  # not a copy the intake sealed: not ours to destroy
    return copies


def expired(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], accepted_dir: Path, quarantine_dir: Path, periods: RetentionPeriods, today: dt.date) -> list[Expired]:
    """Everything whose period is over on ``today``: sealed copies still on disk, and accepted entries' identifiers not yet destroyed."""
    ensure_destruction_log(con)
    ledger = {(d, a, s): (e, _day(p), o) for d, a, s, e, p, o in con.execute(f"SELECT dataset, agency, sha256, entry_id, processed_at, outcome FROM {LEDGER}").fetchall()}
    due: list[Expired] = []
    for kind, folder in ((SEALED_ORIGINAL, accepted_dir), (REFUSED_COPY, quarantine_dir)):
        for path, key in sealed_copies(folder):
            if key in ledger and ledger[key][1] <= today - dt.timedelta(days=periods.days(kind)):
                due.append(Expired(kind, ledger[key][0], key[0], key[1], ledger[key][1], path))
    cutoff = today - dt.timedelta(days=periods.identifiers_days)
    for (dataset, agency, _), (entry_id, taken_in, outcome) in sorted(ledger.items(), key=lambda item: item[1][0]):
        if outcome != "accepted" or taken_in > cutoff or dataset not in contracts or not contracts[dataset].identifier_columns:
            continue
        rows = con.execute(
            f"SELECT count(*) FROM {raw_table(contracts[dataset])} WHERE _entry_id = ? AND _entry_id NOT IN ({RETIRED_ENTRIES})", [entry_id]
        ).fetchone()[0]
        if rows:
            due.append(Expired(IDENTIFIERS, entry_id, dataset, agency, taken_in, rows=rows))
    return due


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether ``schema.table`` is in the index zone itself (not in a database attached to it)."""
    schema, name = qualified.split(".")
    found = "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?"
    return con.execute(found, [schema, name]).fetchall()[0][0] > 0


def forget_prepared(con: duckdb.DuckDBPyConnection, dataset: str, keys: str) -> None:
    """Remove the linkage's prepared identifiers and review pairs of the records ``keys`` (a query of
    ``_file_sha256, _row_number`` of ``dataset``), inside the caller's transaction."""
    record_keys = f"SELECT '{dataset}|' || _file_sha256 || '|' || _row_number FROM ({keys})"
    if table_exists(con, PREPARED):
        con.execute(f"DELETE FROM {PREPARED} WHERE record_key IN ({record_keys})")
    if table_exists(con, REVIEW):
        con.execute(f"DELETE FROM {REVIEW} WHERE record_key_l IN ({record_keys}) OR record_key_r IN ({record_keys})")


def _destroy_identifiers(con: duckdb.DuckDBPyConnection, contract: Contract, item: Expired, rule: str) -> None:
    emptied = ", ".join(f"{c.name} = NULL" for c in index_columns(contract))
    forget_prepared(con, contract.id, f"SELECT _file_sha256, _row_number FROM {raw_table(contract)} WHERE _entry_id = '{item.entry_id}'")
    con.execute(f"UPDATE {raw_table(contract)} SET {emptied} WHERE _entry_id = ?", [item.entry_id])
    log_destruction(con, IDENTIFIERS, item.entry_id, item.dataset, item.agency, rule, f"{item.rows} records' identifiers; person ids kept")


def destroy(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], due: list[Expired], periods: RetentionPeriods) -> list[Expired]:
    """Destroy each expired thing and log it, one transaction each (a sealed copy is deleted inside
    its log row's transaction, so a copy that cannot be deleted is not logged). Returns what was destroyed.
    After destroying identifiers the index zone is rebuilt, which closes ``con``: it is the connection's last use."""
    done = []
    for item in due:
        with transaction(con):
            if item.kind == IDENTIFIERS:
                _destroy_identifiers(con, contracts[item.dataset], item, item.rule(periods))
            else:
                reports = sorted(item.path.parent.glob(f"{item.path.name}.refusal.*"))
                log_destruction(con, item.kind, item.entry_id, item.dataset, item.agency, item.rule(periods), f"{item.path.name} and {len(reports)} refusal reports" if reports else item.path.name)
                for path in (item.path, *reports):
                    path.unlink(missing_ok=True)
        done.append(item)
    if any(item.kind == IDENTIFIERS for item in done):
        rebuild(con)  # emptied columns keep their old bytes in the file until it is rewritten
    return done


def described(items: list[Expired], periods: RetentionPeriods) -> list[str]:
    """One line per thing destroyed (or due), for the command's output and the run's metadata."""
    return [f"{i.kind} | entry {i.entry_id} | {i.dataset} | {i.agency} | {i.rule(periods)}" + (f" | {i.rows} records" if i.rows else "") for i in items]
