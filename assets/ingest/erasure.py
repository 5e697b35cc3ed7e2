"""Erasure (and the first half of rectification): one person's records removed from both zones when an agency asks.

An agency names its records by its own reference in a column of its file (a council's
``child_ref``, SCRA's ``referral_id``, or an identifier such as ``scn``), for one dataset;
``every_agency`` widens that to every record carrying the same reference for a person in any
dataset (sent by the agency, or by another body naming the agency as the reference's issuer,
``issuedBy``: the linkage joins no record on a reference another body sent), and every record
the linkage gave the same persons. The records leave, in this order (each step finds nothing left by one before it, so a
stopped erasure is finished by running it again): their content rows, with a line in the
content zone's ``main.erasures`` (a random erasure id, the day, dataset, agency and how many
records: nothing else); their rows of the person index; then, in one transaction, their
identifiers, prepared identifiers, review pairs, reviewers' decisions on them and keyed references in the index zone, with a
destruction-log row per entry. Their person registry rows stay until the next linkage: it
sees them gone and relinks the rest of the person (they hold a record key and a person id,
nothing else). Last, the sealed originals of the entries they came in are destroyed and
logged: a sealed copy cannot be edited without breaking the hash it is bound to, and the
person's records may not outlive the erasure in it; so are the refused copies in quarantine/
that hold the person, and the clerical review page if it showed them (``erasure_files``). Finally the content zone, the person index
and the index zone are each rebuilt into a fresh file (``compaction.rebuild``), since DuckDB
leaves deleted rows' bytes in the file. The warehouse drops them at its next run.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from assets.ingest.compaction import rebuild
from assets.ingest.destruction_log import ERASED_RECORDS, SEALED_ORIGINAL, log_destruction, transaction
from assets.ingest.erasure_files import destroy_refused_copies, person_keys, withdraw_review_page
from assets.ingest.intake import accepted_copy, attached_content_zone
from assets.ingest.raw_zone import CONTENT, LEDGER, new_entry_id, raw_table
from assets.ingest.retention import REVIEW, forget_prepared, table_exists
from assets.linkage.clerical_review import DECISIONS
from assets.linkage.incremental import REGISTRY
from assets.model.contracts import Contract
from assets.model.folder_layout import FolderLayout
from assets.model.zones import content_table, person_index_table

ERASURES = "main.erasures"  # in the content zone: what the content side may know of an erasure
_RECORDS = ["dataset", "_agency", "_entry_id", "_row_number", "_file_sha256"]


class NotAReference(ValueError):
    """The column named is not one the index zone holds for the dataset."""


def reference_columns(contract: Contract) -> list[str]:
    """Columns an agency may name its records by: its own references for a person, then for a record (keyed in the
    warehouse), then the other identifiers; never a group's (brothers and sisters are different people)."""
    ranked = [c for c in contract.columns if c.identifier and c.reference_of != "group"]
    return [c.name for c in sorted(ranked, key=lambda c: (not c.pseudonymise, c.reference_of != "person"))]


def records_named(
    con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], dataset: str, agency: str, column: str, reference: str,
    every_agency: bool = False, content_zone: Path | None = None,
) -> pd.DataFrame:
    """The records (``_RECORDS``) an agency names by ``reference`` in ``column``, and with ``every_agency`` every record
    carrying that reference for a person (``carrying``; ``content_zone`` tells whose reference another body sent) and
    every record of the same persons."""
    contract = contracts[dataset]
    if column not in reference_columns(contract):
        raise NotAReference(f"{column!r} is not a reference column of {dataset}: use one of {', '.join(reference_columns(contract))}")
    named = con.execute(
        f"SELECT '{dataset}' AS dataset, _agency, _entry_id, _row_number, _file_sha256 FROM {raw_table(contract)} WHERE _agency = ? AND CAST({column} AS VARCHAR) = ?",
        [agency, reference],
    ).df()
    if not every_agency or named.empty:
        return named
    if any(c.reference_of == "person" for c in contract.columns if c.name == column):
        named = _distinct(pd.concat([named, carrying(con, contracts, agency, column, reference, content_zone)], ignore_index=True))
    if not table_exists(con, REGISTRY):
        return named
    con.register("named_records", named)
    try:
        persons = f"SELECT person_id FROM {REGISTRY} g SEMI JOIN named_records n USING (dataset, _file_sha256, _row_number)"
        linked = [
            con.execute(
                f"SELECT '{c.id}' AS dataset, r._agency, r._entry_id, r._row_number, r._file_sha256 FROM {raw_table(c)} r "
                f"SEMI JOIN (SELECT _file_sha256, _row_number FROM {REGISTRY} WHERE dataset = '{c.id}' AND person_id IN ({persons})) g USING (_file_sha256, _row_number)"
            ).df()
            for c in contracts.values() if table_exists(con, raw_table(c))
        ]
    finally:
        con.unregister("named_records")
    return _distinct(pd.concat([named, *linked], ignore_index=True))


def _distinct(records: pd.DataFrame) -> pd.DataFrame:
    return records.drop_duplicates(["dataset", "_entry_id", "_row_number"], ignore_index=True)


def carrying(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], agency: str, column: str, reference: str, content_zone: Path | None) -> pd.DataFrame:
    """Every record (``_RECORDS``) of any dataset whose ``column`` holds ``agency``'s reference for a person, compared as the
    linkage compares references (letters and digits, in capitals): sent by the agency, or by another body whose contract
    names the issuer's column (``issuedBy``, read in the content zone by record reference alone), so one council's
    child C1 is never another's. Found whether or not the linkage joined them (a dataset without a person's identifiers is never linked)."""
    same = f"upper(regexp_replace(CAST(r.{column} AS VARCHAR), '[^0-9A-Za-z]', '', 'g')) = upper(regexp_replace(?, '[^0-9A-Za-z]', '', 'g'))"
    selects = []
    for contract in contracts.values():
        carried = next((c for c in contract.columns if c.name == column and c.identifier and c.reference_of == "person"), None)
        if carried is None or not table_exists(con, raw_table(contract)) or (carried.issued_by and not (content_zone and content_zone.exists())):
            continue
        issued = "r._agency = ?" if not carried.issued_by else (
            f"EXISTS (SELECT 1 FROM {CONTENT}.{content_table(contract.id)} c WHERE c._entry_id = r._entry_id AND c._row_number = r._row_number AND c.{carried.issued_by} = ?)"
        )
        selects.append(f"SELECT '{contract.id}' AS dataset, r._agency, r._entry_id, r._row_number, r._file_sha256 FROM {raw_table(contract)} r WHERE {same} AND {issued}")
    with attached_content_zone(con, content_zone) if content_zone is not None and content_zone.exists() else nullcontext():
        frames = [con.execute(select, [reference, agency]).df() for select in selects]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_RECORDS)


@dataclass(frozen=True)
class Erasure:
    """What one erasure removed: records per (dataset, agency), the sealed originals and refused copies destroyed (their entry ids), the review page."""

    erasure_id: str
    records: dict[tuple[str, str], int]
    originals_destroyed: list[str]
    refused_copies_destroyed: list[str]
    review_page_removed: bool


def erase(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], records: pd.DataFrame, reason: str, layout: FolderLayout, sealing_key: bytes) -> Erasure:
    """Remove ``records`` (``records_named``) from both zones, log it, and destroy the sealed originals they came in,
    the refused copies and review page holding them (``erasure_files``). Last, the index zone is rebuilt and ``con`` closed."""
    erasure_id, rule, person_index = new_entry_id(), f"erasure: {reason}", layout.person_index_path
    counts = records.groupby(["dataset", "_agency"]).size().to_dict()
    entries = records.groupby(["_entry_id", "dataset", "_agency"]).size()
    datasets = sorted({d for d, _ in counts})
    con.register("erased", records)
    try:
        keys = person_keys(con, contracts, records)
        record_keys = "SELECT dataset || '|' || _file_sha256 || '|' || _row_number FROM erased"
        pairs = con.execute(f"SELECT count(*) FROM {REVIEW} WHERE record_key_l IN ({record_keys}) OR record_key_r IN ({record_keys})").fetchone()[0] if table_exists(con, REVIEW) else 0
        with attached_content_zone(con, layout.content_zone_path), transaction(con):
            con.execute(f"CREATE TABLE IF NOT EXISTS {CONTENT}.{ERASURES} (erasure_id VARCHAR, erased_on DATE, dataset VARCHAR, agency VARCHAR, records BIGINT)")
            for (dataset, agency), n in counts.items():
                con.execute(f"DELETE FROM {CONTENT}.{content_table(dataset)} c WHERE {_erased(dataset, 'c', '_entry_id')}")
                con.execute(f"INSERT INTO {CONTENT}.{ERASURES} VALUES (?, ?, ?, ?, ?)", [erasure_id, dt.date.today(), dataset, agency, n])
        with attached_content_zone(con, layout.content_zone_path):
            rebuild(con, CONTENT)
        if person_index.exists():
            con.execute(f"ATTACH '{person_index}' AS erasing_index")
            try:
                indexed = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'erasing_index'").fetchall()}
                for dataset in (d for d in datasets if d in indexed):
                    con.execute(f"DELETE FROM erasing_index.{person_index_table(dataset)} p WHERE {_erased(dataset, 'p', '_entry_id')}")
                rebuild(con, "erasing_index")
            finally:
                con.execute("DETACH erasing_index")
        with transaction(con):
            for dataset in datasets:
                forget_prepared(con, dataset, f"SELECT _file_sha256, _row_number FROM erased WHERE dataset = '{dataset}'")
                if table_exists(con, f"linkage.{dataset}"):
                    con.execute(f"DELETE FROM linkage.{dataset} t WHERE {_erased(dataset, 't', '_file_sha256')}")
                con.execute(f"DELETE FROM {raw_table(contracts[dataset])} t WHERE {_erased(dataset, 't', '_file_sha256')}")
            if table_exists(con, DECISIONS):  # a reviewer's note may name them
                con.execute(f"DELETE FROM {DECISIONS} WHERE record_key_l IN ({record_keys}) OR record_key_r IN ({record_keys})")
            for (entry_id, dataset, agency), n in entries.items():
                log_destruction(con, ERASED_RECORDS, entry_id, dataset, agency, rule, f"erasure {erasure_id}: {n} records; their person registry rows leave at the next linkage")
    finally:
        con.unregister("erased")
    destroyed = _destroy_originals(con, [tuple(e) for e in entries.index], layout.accepted_dir, erasure_id, rule)
    refused = destroy_refused_copies(con, keys, layout.quarantine_dir, sealing_key, erasure_id, rule)
    page = withdraw_review_page(con, keys, pairs, layout.clerical_review_dir, erasure_id, rule)
    rebuild(con)
    return Erasure(erasure_id, counts, destroyed, refused, page)


def _erased(dataset: str, alias: str, by: str) -> str:
    """Whether row ``alias`` is an erased record of ``dataset``, matched by entry id (``by`` ``_entry_id``) or file hash, and row number."""
    return f"EXISTS (SELECT 1 FROM erased e WHERE e.dataset = '{dataset}' AND e.{by} = {alias}.{by} AND e._row_number = {alias}._row_number)"


def _destroy_originals(con: duckdb.DuckDBPyConnection, entries: list[tuple[str, str, str]], accepted_dir: Path, erasure_id: str, rule: str) -> list[str]:
    destroyed = []
    for entry_id, dataset, agency in entries:
        (sha256,) = con.execute(f"SELECT sha256 FROM {LEDGER} WHERE entry_id = ?", [entry_id]).fetchone()
        copy = accepted_copy(accepted_dir, agency, dataset, sha256)
        if not copy.exists():
            continue
        with transaction(con):
            log_destruction(con, SEALED_ORIGINAL, entry_id, dataset, agency, rule, f"erasure {erasure_id}: the sealed copy held the erased records")
            copy.unlink()
        destroyed.append(entry_id)
    return destroyed
