"""The raw zone: typed copies of accepted files and the ingest ledger, in the linkage zone database.

Raw tables keep every column an agency sent, identifiers included, so they live in the
linkage zone database, never in the analysis warehouse. Each accepted file is loaded in one
transaction together with its ledger row: a crash mid-load leaves neither half a table nor a
ledger entry for rows that are not there. A corrected file for the same agency, dataset and
period replaces the earlier file's rows in that same transaction, so figures never count both.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

import duckdb

from assets.ingest.contracts import Contract
from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem
from assets.reference import Councils

LEDGER = "ingest_ledger"
STAGING = "staging"  # where an intake's staged files are attached to the linkage zone's connection
LINEAGE_COLUMNS = ("_agency", "_period", "_file_sha256", "_row_number")
# Outcomes that answer an agency's bytes for good: the same bytes again are not taken in again.
ANSWERED = ("accepted", "refused", "skipped", "withdrawn")

LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER} (
    dataset VARCHAR NOT NULL,
    agency VARCHAR NOT NULL,
    period VARCHAR,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    rows BIGINT,
    received_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL,
    contract_version VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,          -- accepted | refused | superseded | skipped | withdrawn
    problems JSON,
    superseded_by VARCHAR,
    entry_id VARCHAR,                  -- opaque and random: the only name of an entry that leaves the linkage zone
    PRIMARY KEY (dataset, agency, sha256)
)
"""
# Before the same bytes could be answered for each agency, the key was (dataset, sha256).
_LEDGER_KEY_BEFORE = ["dataset", "sha256"]
# Letters only: an entry id never reads as a CHI number, a postcode or a date.
_ENTRY_ID_LETTERS = "abcdefghjkmnpqrstvwxyz"


def new_entry_id() -> str:
    """A random id for a ledger entry (about 53 bits): it says nothing about the file's bytes,
    so publishing it lets no one confirm a guess at what an agency sent."""
    letters = "".join(secrets.choice(_ENTRY_ID_LETTERS) for _ in range(12))
    return "-".join(letters[i:i + 4] for i in range(0, 12, 4))


def raw_table(contract: Contract) -> str:
    return f"raw.{contract.id}"


def ensure_raw_zone(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    columns = ", ".join(f"{c.name} {c.duckdb_type}" for c in contract.columns)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(LEDGER_DDL)
    _migrate_ledger_key(con)
    _give_entries_ids(con)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {raw_table(contract)} ({columns}, "
        "_agency VARCHAR NOT NULL, _period VARCHAR NOT NULL, _file_sha256 VARCHAR NOT NULL, _row_number BIGINT NOT NULL)"
    )


def _migrate_ledger_key(con: duckdb.DuckDBPyConnection) -> None:
    """Re-key a ledger written before answers were per agency; every row is kept."""
    key = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND schema_name = 'main' AND constraint_type = 'PRIMARY KEY'",
        [LEDGER],
    ).fetchone()
    if not key or list(key[0]) != _LEDGER_KEY_BEFORE:
        return
    con.execute("BEGIN TRANSACTION")
    con.execute(f"ALTER TABLE {LEDGER} RENAME TO {LEDGER}_keyed_by_sha256")
    con.execute(LEDGER_DDL)
    con.execute(f"INSERT INTO {LEDGER} BY NAME SELECT * FROM {LEDGER}_keyed_by_sha256")
    con.execute(f"DROP TABLE {LEDGER}_keyed_by_sha256")
    con.execute("COMMIT")


def _give_entries_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Entries written before entries had ids get one; every row is kept."""
    columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'", [LEDGER]).fetchall()}
    if "entry_id" not in columns:
        con.execute(f"ALTER TABLE {LEDGER} ADD COLUMN entry_id VARCHAR")
    keys = con.execute(f"SELECT dataset, agency, sha256 FROM {LEDGER} WHERE entry_id IS NULL").fetchall()
    if keys:
        con.executemany(f"UPDATE {LEDGER} SET entry_id = ? WHERE dataset = ? AND agency = ? AND sha256 = ?", [[new_entry_id(), *key] for key in keys])


def already_seen(con: duckdb.DuckDBPyConnection, dataset: str, agency: str, sha256: str) -> str | None:
    """The outcome recorded for these bytes (or this entry) from this agency, if any."""
    row = con.execute(f"SELECT outcome FROM {LEDGER} WHERE dataset = ? AND agency = ? AND sha256 = ?", [dataset, agency, sha256]).fetchone()
    return row[0] if row else None


def accepted_from_others(con: duckdb.DuckDBPyConnection, dataset: str, agency: str, sha256: str) -> list[tuple[str, dt.datetime]]:
    """Other agencies from which exactly these bytes were accepted (or accepted then superseded), and when."""
    return con.execute(
        f"SELECT agency, processed_at FROM {LEDGER} WHERE dataset = ? AND sha256 = ? AND agency <> ? AND outcome IN ('accepted', 'superseded') ORDER BY agency",
        [dataset, sha256, agency],
    ).fetchall()


def _typed_expression(contract: Contract, councils: Councils) -> str:
    parts = []
    for column in contract.columns:
        expression = column.name if column.logical_type == "string" else f"CAST({column.name} AS {column.duckdb_type})"
        if column.code_list == "local_authorities":
            # Councils recoded in 2018-19 are mapped to their current GSS code on the way in.
            cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in councils.current_code_of.items() if old != new)
            expression = f"CASE {column.name} {cases} ELSE {column.name} END"
        parts.append(f"{expression} AS {column.name}")
    return ", ".join(parts)


def load_accepted(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    landed: LandedFile,
    period: str,
    file_number: int,
    councils: Councils,
    warnings: list[Problem],
) -> int:
    """Replace this agency's rows for the period with the staged file's (in the database attached
    as ``STAGING``), atomically; return rows loaded."""
    try:
        con.execute("BEGIN TRANSACTION")
        earlier = [r[0] for r in con.execute(
            f"SELECT sha256 FROM {LEDGER} WHERE dataset = ? AND agency = ? AND period = ? AND outcome = 'accepted'",
            [contract.id, landed.agency, period],
        ).fetchall()]
        con.execute(f"DELETE FROM {raw_table(contract)} WHERE _agency = ? AND _period = ?", [landed.agency, period])
        # The insert returns its own count of rows: the agency's only rows of these bytes (the ledger answers the same bytes once).
        rows = con.execute(
            f"INSERT INTO {raw_table(contract)} SELECT {_typed_expression(contract, councils)}, "
            f"? AS _agency, ? AS _period, ? AS _file_sha256, _row_number FROM {STAGING}.staged WHERE _file = ? ORDER BY _row_number",
            [landed.agency, period, landed.sha256, file_number],
        ).fetchone()[0]
        if earlier:
            con.execute(
                f"UPDATE {LEDGER} SET outcome = 'superseded', superseded_by = ? WHERE dataset = ? AND agency = ? AND sha256 IN ({', '.join('?' * len(earlier))})",
                [landed.sha256, contract.id, landed.agency, *earlier],
            )
        record_outcome(con, contract, landed, period, rows, "accepted", warnings)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows


def record_outcome(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    landed: LandedFile,
    period: str | None,
    rows: int | None,
    outcome: str,
    problems: list[Problem],
) -> None:
    """One answer per agency and content: bytes sent again after being superseded get their new answer in place."""
    con.execute(
        f"INSERT OR REPLACE INTO {LEDGER} (dataset, agency, period, file_name, sha256, bytes, rows, received_at, processed_at, "
        "contract_version, outcome, problems, superseded_by, entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        [
            contract.id, landed.agency, period, landed.name, landed.sha256, landed.bytes, rows,
            landed.received_at, dt.datetime.now(dt.timezone.utc), contract.version, outcome,
            json.dumps([p.as_dict() for p in problems]), new_entry_id(),
        ],
    )


def withdraw(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], entry_id: str, reason: str) -> tuple[str, str, int]:
    """Withdraw a ledger entry: its rows leave the raw zone and it is answered ``withdrawn``, in one transaction.

    For what an agency sent that must not be used or shown (a check named the entry). The kept
    copy stays where it is, and the same bytes sent again are not taken in again. Returns the
    entry's dataset, its outcome before, and the rows removed. ``KeyError`` if no entry has the id.
    """
    row = con.execute(f"SELECT dataset, agency, sha256, outcome, problems FROM {LEDGER} WHERE entry_id = ?", [entry_id]).fetchone()
    if row is None:
        raise KeyError(entry_id)
    dataset, agency, sha256, outcome, problems = row
    note = {"check": "withdrawn", "message": f"Withdrawn by the operators: {reason}", "fix": "Send a corrected file.", "blocking": True}
    try:
        con.execute("BEGIN TRANSACTION")
        removed = 0
        if dataset in contracts and outcome == "accepted":
            removed = con.execute(f"DELETE FROM {raw_table(contracts[dataset])} WHERE _agency = ? AND _file_sha256 = ?", [agency, sha256]).fetchone()[0]
        con.execute(
            f"UPDATE {LEDGER} SET outcome = 'withdrawn', problems = ? WHERE entry_id = ?",
            [json.dumps([*json.loads(problems or "[]"), note]), entry_id],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return dataset, outcome, removed
