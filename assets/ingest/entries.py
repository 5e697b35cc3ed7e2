"""The ingest ledger as it may leave the index zone: ``main.ingest_entries`` in the content zone.

The ledger stays in the index zone. What the content side (the Data Map, the coverage
section, the digest, early warnings, the edition's manifest) is given of it is only what the
pipeline itself vouches for, so nothing an agency wrote and nothing derived from an agency's
bytes leaves the zone: no hash, size or row count of a file (a hash of a one-row return lets
anyone who guesses its content confirm it), no time finer than the day, and no agency-written
string unless it is one of the contract's own values (a known dataset, agency and well-formed
period; a file name only when it is exactly the agreed name). Each entry is named by its
opaque, random ``entry_id``. So no file or folder name an agency chose can fail a blocking
privacy check downstream, and no refused file can stop an edition.

Plain Python over the ledger's rows (no pandas): the intake writes this after every dataset's
intake, and an agency's ``story check`` loads the intake.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from assets.ingest.split_names import PARTS, half_name
from assets.model.contracts import Contract
from assets.model.zones import ENTRIES, ENTRIES_DDL, ENTRY_COLUMNS

LEDGER_COLUMNS = ("dataset", "agency", "period", "file_name", "sha256", "received_at", "processed_at", "contract_version", "outcome", "superseded_by", "problems", "entry_id")
# Why an entry was not taken in, in the pipeline's own words (a skip's own message quotes the entry's name).
SKIP_REASONS = {
    "hidden_file": "its name starts with a dot, which makes it a hidden file (a system file, or an upload not yet renamed)",
    "unreadable": "it could not be read when the intake ran; it is tried again at the next intake",
}
OTHER_SKIP = "it could not be taken in this time; it is tried again at the next intake"
WAITING = "it is one half of a return split at source, waiting for the other half; the two are taken in together"


def _day(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])


def published_entries(ledger: list[dict], contracts: dict[str, Contract], council_codes: frozenset[str]) -> list[dict]:
    """The ledger's rows (dicts of ``LEDGER_COLUMNS``) as they may leave the index zone, in ``ENTRY_COLUMNS``.

    A dataset, agency or period that is not one the contracts define is left empty, and so is a
    file name that is not exactly ``<dataset>_<agency>_<period>.csv`` built from those (or a half's
    name, ``split_names``).
    """
    entry_of = {(r["dataset"], r["agency"], r["sha256"]): r["entry_id"] for r in ledger}
    rows = []
    for r in ledger:
        contract = contracts.get(r["dataset"])
        agency = r["agency"] if contract is not None and contract.agencies.accepts(r["agency"], council_codes) else None
        period = r["period"] if contract is not None and isinstance(r["period"], str) and contract.period_is_well_formed(r["period"]) else None
        agreed = {contract.expected_file_name(agency, period), *(half_name(contract.id, agency, period, part) for part in PARTS)} if agency and period else set()
        problems = json.loads(r["problems"]) if r["problems"] else []
        rows.append({
            "entry_id": r["entry_id"],
            "dataset": r["dataset"] if contract is not None else None,
            "agency": agency,
            "period": period,
            "file_name": r["file_name"] if r["file_name"] in agreed else None,
            "received_on": _day(r["received_at"]),
            "processed_on": _day(r["processed_at"]),
            "contract_version": r["contract_version"] if contract is not None else None,
            "outcome": r["outcome"],
            "superseded_by": entry_of.get((r["dataset"], r["agency"], r["superseded_by"])) if r["superseded_by"] else None,
            "reason": SKIP_REASONS.get(problems[0].get("check"), OTHER_SKIP) if r["outcome"] == "skipped" and problems else WAITING if r["outcome"] == "waiting" else None,
        })
    return rows


def sync_entries(con: duckdb.DuckDBPyConnection, ledger: str, zone: str, contract: Contract, council_codes: frozenset[str]) -> int:
    """Rewrite the dataset's rows of ``<zone>.main.ingest_entries`` from the ``ledger`` table; returns the rows written."""
    rows = [dict(zip(LEDGER_COLUMNS, r)) for r in con.execute(f"SELECT {', '.join(LEDGER_COLUMNS)} FROM {ledger} WHERE dataset = ?", [contract.id]).fetchall()]
    entries = published_entries(rows, {contract.id: contract}, council_codes)
    con.execute(ENTRIES_DDL.format(zone=zone))
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {zone}.{ENTRIES} WHERE dataset = ?", [contract.id])
    if entries:
        con.executemany(f"INSERT INTO {zone}.{ENTRIES} VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})", [[e[c] for c in ENTRY_COLUMNS] for e in entries])
    con.execute("COMMIT")
    return len(entries)
