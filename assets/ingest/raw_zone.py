"""An accepted file split as it is taken in: identifiers to the index zone, content to the content zone.

The index zone (the linkage zone database) keeps ``raw.<dataset>``: each row's identifiers
(the columns the contract classes as identifiers, and the sex the linkage compares) with its
record reference, and the ingest ledger. The content zone keeps ``content.<dataset>``: the
same rows' other columns (a date of birth only as year and month) with the same record
reference ``(_entry_id, _row_number)`` (``assets.model.zones``). No table holds both.

DuckDB commits one database at a time, so a load is three steps whose order keeps both zones
whole: the content rows go in first under the new entry's id, which no accepted ledger row
names yet (so nothing counts them); then, in one transaction, the identifier rows replace the
agency's earlier rows for the period and the ledger row commits (the commit point); then the
content rows of entries no longer accepted leave (``reconcile_content``, also run before every
intake, so a crash between steps is put right). A corrected file therefore replaces the
earlier one's rows in both zones, and figures never count both.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable

import duckdb

from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem
from assets.model.contracts import Column, Contract
from assets.model.reference import Councils
from assets.model.zones import CONTENT_LINEAGE, content_table

LEDGER = "ingest_ledger"
STAGING = "staging"  # where an intake's staged files are attached to the linkage zone's connection
LINEAGE_COLUMNS = ("_agency", "_period", "_file_sha256", "_row_number", "_entry_id")
CONTENT = "content_zone"  # where an intake attaches the content zone database
# Not identifiers by themselves, but compared by the linkage: sent to the index zone as well.
ALSO_INDEXED = ("sex",)
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
    read_as VARCHAR,                   -- how the file was read (format, encoding, delimiter, sheet); empty when never read
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
    """The dataset's identifiers in the index zone."""
    return f"raw.{contract.id}"


def index_columns(contract: Contract) -> list[Column]:
    """What the index zone keeps of each row: the identifiers, and what the linkage compares with them."""
    return [c for c in contract.columns if c.identifier or c.name in ALSO_INDEXED]


# A date of birth reaches the content zone only as year and month of birth (enough for an age on the last day of a month).
_BIRTH = (("birth_year", "year({})"), ("birth_month", "month({})"))


def content_columns(contract: Contract) -> list[tuple[str, str, Column, str]]:
    """What the content zone keeps of each row: every column but the identifiers, and a date of
    birth as year and month; each as (name, DuckDB type, the contract's column, how it is made
    from that column's typed value)."""
    columns: list[tuple[str, str, Column, str]] = []
    for column in contract.columns:
        if column.name == "date_of_birth":
            columns += [(name, "INTEGER", column, how) for name, how in _BIRTH]
        elif not column.identifier:
            columns.append((column.name, column.duckdb_type, column, "{}"))
    return columns


def zone_columns(contract: Contract) -> list[str]:
    """The dataset's tables' columns as the contract makes them: ``raw.<column>`` in the index zone, then ``content.<column>``."""
    return [f"raw.{c.name}" for c in index_columns(contract)] + [f"raw.{c}" for c in LINEAGE_COLUMNS] + [
        f"content.{name}" for name, *_ in content_columns(contract)
    ] + [f"content.{c}" for c in CONTENT_LINEAGE]


def table_shape(con: duckdb.DuckDBPyConnection, contract: Contract) -> tuple[list[str], dict[str, int]]:
    """The dataset's tables' columns (as ``zone_columns`` names them) and each required column's
    count of empty values, in whichever zone keeps it; the content zone attached as ``CONTENT``."""
    tables = {"raw": raw_table(contract), "content": f"{CONTENT}.{content_table(contract.id)}"}
    columns = [f"{zone}.{r[0]}" for zone, table in tables.items() for r in con.execute(f"DESCRIBE {table}").fetchall()]
    made_from = {column.name: name for name, _, column, _ in reversed(content_columns(contract))}  # the first content column each is made into
    empty = {}
    for column in (c for c in contract.columns if c.required):
        table, name = (tables["raw"], column.name) if column in index_columns(contract) else (tables["content"], made_from[column.name])
        empty[column.name] = con.execute(f"SELECT count(*) FROM {table} WHERE {name} IS NULL").fetchone()[0]
    return columns, empty


def ensure_raw_zone(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """The ledger and the dataset's index table; and its content table, when the content zone is attached as ``CONTENT``."""
    columns = "".join(f"{c.name} {c.duckdb_type}, " for c in index_columns(contract))
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(LEDGER_DDL)
    _migrate_ledger_key(con)
    _give_entries_ids(con)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {raw_table(contract)} ({columns}"
        "_agency VARCHAR NOT NULL, _period VARCHAR NOT NULL, _file_sha256 VARCHAR NOT NULL, _row_number BIGINT NOT NULL, _entry_id VARCHAR NOT NULL)"
    )
    if con.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [CONTENT]).fetchone()[0]:
        content = "".join(f"{name} {kind}, " for name, kind, *_ in content_columns(contract))
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {CONTENT}.content")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {CONTENT}.{content_table(contract.id)} ({content}"
            "_agency VARCHAR NOT NULL, _period VARCHAR NOT NULL, _entry_id VARCHAR NOT NULL, _row_number BIGINT NOT NULL)"
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
    """Entries written before entries had ids (and said how their file was read) get the columns, and an id; every row is kept."""
    columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'", [LEDGER]).fetchall()}
    for column in ("entry_id", "read_as"):
        if column not in columns:
            con.execute(f"ALTER TABLE {LEDGER} ADD COLUMN {column} VARCHAR")
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


def typed(column: Column, councils: Councils) -> str:
    """The staged (text) column as the contract types it."""
    if column.code_list == "local_authorities":
        # Councils recoded in 2018-19 are mapped to their current GSS code on the way in.
        cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in councils.current_code_of.items() if old != new)
        return f"CASE {column.name} {cases} ELSE {column.name} END"
    return column.name if column.logical_type == "string" else f"CAST({column.name} AS {column.duckdb_type})"


def _content_expression(contract: Contract, councils: Councils) -> str:
    return "".join(f"{how.format(typed(column, councils))} AS {name}, " for name, _, column, how in content_columns(contract))


def reconcile_content(con: duckdb.DuckDBPyConnection, contract: Contract) -> int:
    """Remove the content rows of entries the ledger does not hold as accepted (superseded,
    withdrawn, or left by a load that stopped before its ledger row committed); returns how many."""
    table = f"{CONTENT}.{content_table(contract.id)}"
    return con.execute(
        f"DELETE FROM {table} c WHERE NOT EXISTS (SELECT 1 FROM {LEDGER} l WHERE l.entry_id = c._entry_id AND l.dataset = ? AND l.outcome = 'accepted')",
        [contract.id],
    ).fetchone()[0]


def load_accepted(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    landed: LandedFile,
    period: str,
    file_number: int,
    councils: Councils,
    warnings: list[Problem],
    read_as: str = "",
    answer: Callable[[str, int], None] | None = None,
) -> int:
    """Replace this agency's rows for the period with the staged file's (in the database attached
    as ``STAGING``), split between the zones (the content zone attached as ``CONTENT``); return rows loaded.
    ``answer`` writes the ledger's answer instead (a layered return answers for each of its files)."""
    staged = f"FROM {STAGING}.staged WHERE _file = {int(file_number)} ORDER BY _row_number"
    identifiers = "".join(f"{typed(c, councils)} AS {c.name}, " for c in index_columns(contract))
    return load_rows(
        con, contract, landed, period,
        f"SELECT {_content_expression(contract, councils)}_row_number {staged}", f"SELECT {identifiers}_row_number {staged}",
        answer or (lambda entry_id, rows: record_outcome(con, contract, landed, period, rows, "accepted", warnings, entry_id, read_as)),
    )


def load_rows(
    con: duckdb.DuckDBPyConnection, contract: Contract, landed: LandedFile, period: str,
    content_rows: str, identifier_rows: str, answer: Callable[[str, int], None],
) -> int:
    """Replace the agency's rows for the period with a return's, split between the zones (the module's
    three steps); ``content_rows`` and ``identifier_rows`` select each row's typed columns for each
    zone and its ``_row_number``; ``answer(entry_id, rows)`` writes the ledger's answer, inside the commit."""
    entry_id = new_entry_id()
    con.execute("BEGIN TRANSACTION")
    con.execute(
        f"INSERT INTO {CONTENT}.{content_table(contract.id)} BY NAME SELECT *, ? AS _agency, ? AS _period, ? AS _entry_id FROM ({content_rows})",
        [landed.agency, period, entry_id],
    )
    con.execute("COMMIT")
    try:
        con.execute("BEGIN TRANSACTION")
        earlier = [r[0] for r in con.execute(
            f"SELECT sha256 FROM {LEDGER} WHERE dataset = ? AND agency = ? AND period = ? AND outcome = 'accepted'",
            [contract.id, landed.agency, period],
        ).fetchall()]
        con.execute(f"DELETE FROM {raw_table(contract)} WHERE _agency = ? AND _period = ?", [landed.agency, period])
        # The insert returns its own count of rows: the agency's only rows of these bytes (the ledger answers the same bytes once).
        rows = con.execute(
            f"INSERT INTO {raw_table(contract)} BY NAME SELECT *, ? AS _agency, ? AS _period, ? AS _file_sha256, ? AS _entry_id FROM ({identifier_rows})",
            [landed.agency, period, landed.sha256, entry_id],
        ).fetchone()[0]
        if earlier:
            con.execute(
                f"UPDATE {LEDGER} SET outcome = 'superseded', superseded_by = ? WHERE dataset = ? AND agency = ? AND sha256 IN ({', '.join('?' * len(earlier))})",
                [landed.sha256, contract.id, landed.agency, *earlier],
            )
        answer(entry_id, rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")  # the content rows stay, named by no accepted entry, until the next reconcile_content
        raise
    reconcile_content(con, contract)
    return rows


def record_outcome(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    landed: LandedFile,
    period: str | None,
    rows: int | None,
    outcome: str,
    problems: list[Problem],
    entry_id: str | None = None,
    read_as: str = "",
) -> None:
    """One answer per agency and content: bytes sent again after being superseded get their new answer in place."""
    con.execute(
        f"INSERT OR REPLACE INTO {LEDGER} (dataset, agency, period, file_name, sha256, bytes, rows, received_at, processed_at, "
        "contract_version, outcome, problems, superseded_by, entry_id, read_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        [
            contract.id, landed.agency, period, landed.name, landed.sha256, landed.bytes, rows,
            landed.received_at, dt.datetime.now(dt.timezone.utc), contract.version, outcome,
            json.dumps([p.as_dict() for p in problems]), entry_id or new_entry_id(), read_as or None,
        ],
    )


def withdraw(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], entry_id: str, reason: str) -> tuple[str, str, int]:
    """Withdraw a ledger entry (with the other half of a return split at source): its rows leave the
    raw zone and it is answered ``withdrawn``, in one transaction.

    For what an agency sent that must not be used or shown (a check named the entry). The kept
    copy stays where it is, and the same bytes sent again are not taken in again. Its content
    rows leave the content zone (attached as ``CONTENT``) once the ledger row has changed.
    Returns the entry's dataset, its outcome before, and the identifier rows removed.
    ``KeyError`` if no entry has the id.
    """
    row = con.execute(f"SELECT dataset, agency, period, outcome FROM {LEDGER} WHERE entry_id = ?", [entry_id]).fetchone()
    if row is None:
        raise KeyError(entry_id)
    dataset, agency, period, outcome = row
    # A return split at source was accepted as two entries (its halves), the only ones accepted for its period: both go.
    query, values = f"SELECT entry_id, sha256, problems FROM {LEDGER} WHERE entry_id = ?", [entry_id]
    if outcome == "accepted":
        query, values = query + " OR (dataset = ? AND agency = ? AND period = ? AND outcome = 'accepted')", [*values, dataset, agency, period]
    entries = con.execute(query, values).fetchall()
    note = {"check": "withdrawn", "message": f"Withdrawn by the operators: {reason}", "fix": "Send a corrected file.", "blocking": True}
    try:
        con.execute("BEGIN TRANSACTION")
        removed = 0
        if dataset in contracts and outcome == "accepted":
            shas = [sha for _, sha, _ in entries]
            removed = con.execute(f"DELETE FROM {raw_table(contracts[dataset])} WHERE _agency = ? AND _file_sha256 IN ({', '.join('?' * len(shas))})", [agency, *shas]).fetchone()[0]
        con.executemany(
            f"UPDATE {LEDGER} SET outcome = 'withdrawn', problems = ? WHERE entry_id = ?",
            [[json.dumps([*json.loads(problems or "[]"), note]), entry] for entry, _, problems in entries],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if dataset in contracts:
        ensure_raw_zone(con, contracts[dataset])
        reconcile_content(con, contracts[dataset])
    return dataset, outcome, removed
