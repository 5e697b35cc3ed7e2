"""The index zone's record of what was destroyed: append-only, one row per thing destroyed.

Retention (``retention``) and erasure (``erasure``) write here and nowhere else says what is
gone: which kind of thing, which ledger entry (its random id), when, and under which rule. No
row holds an identifier (an erasure does not even keep the reference it was asked for). The
linkage reads the entries whose identifiers were destroyed (``RETIRED_ENTRIES``): their records
keep the person id they had and are linked no more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

DESTRUCTION_LOG = "main.destruction_log"
DESTRUCTION_COLUMNS = ("destroyed_at", "kind", "entry_id", "dataset", "agency", "rule", "detail")
# What is destroyed: a sealed original in accepted/, a refused file's sealed copy (and its reports)
# in quarantine/, an entry's identifiers in the index zone, or a person's records in both zones.
SEALED_ORIGINAL, REFUSED_COPY, IDENTIFIERS, ERASED_RECORDS = "sealed_original", "refused_copy", "identifiers", "erased_records"
REVIEW_PAGE = "review_page"  # the clerical review page, removed by an erasure until the next linkage run
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {DESTRUCTION_LOG} (destroyed_at TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, entry_id VARCHAR, "
    "dataset VARCHAR, agency VARCHAR, rule VARCHAR NOT NULL, detail VARCHAR)"
)
# The ledger entries whose identifiers retention destroyed (their rows stay, with empty identifier columns).
RETIRED_ENTRIES = f"SELECT entry_id FROM {DESTRUCTION_LOG} WHERE kind = '{IDENTIFIERS}'"


def ensure_destruction_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back (and the error raised) when it fails."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def log_destruction(con: duckdb.DuckDBPyConnection, kind: str, entry_id: str | None, dataset: str | None, agency: str | None, rule: str, detail: str) -> None:
    """Append one row (inside the caller's transaction, if any): the log is only ever added to."""
    ensure_destruction_log(con)
    con.execute(f"INSERT INTO {DESTRUCTION_LOG} VALUES (now(), ?, ?, ?, ?, ?, ?)", [kind, entry_id, dataset, agency, rule, detail])


@dataclass(frozen=True)
class RetentionPeriods:
    """Days each kind is kept after its entry was taken in (``retention``). A sealed original never
    outlives its entry's identifiers (the settings refuse it): it holds them too."""

    sealed_originals_days: int = 1096
    refused_copies_days: int = 730
    identifiers_days: int = 2557

    def days(self, kind: str) -> int:
        return {SEALED_ORIGINAL: self.sealed_originals_days, REFUSED_COPY: self.refused_copies_days, IDENTIFIERS: self.identifiers_days}[kind]
