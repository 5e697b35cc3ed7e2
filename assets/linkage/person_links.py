"""The ``linkage/person_links`` asset: one stable pseudonymous person id per record, in the linkage zone.

Reads the identifiers of every dataset whose contract marks person identifiers, links them
(``core``; an identifier column the contract marks that is not a standard one, such as a
council's child reference, joins records as an SCN does, keyed with its dataset and agency), keeps each person's id from the previous run (``registry``), and writes, all in
the linkage zone and never in the warehouse:

Method notes: docs/linkage.md, "Notes on `assets/linkage/person_links.py`".
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd

from assets.ingest.destruction_log import RETIRED_ENTRIES, ensure_destruction_log
from assets.ingest.raw_zone import raw_table
from assets.linkage import clerical_review
from assets.linkage.clerical_review import REVIEW as _REVIEW
from assets.linkage.core import STANDARD_COLUMNS, column_notes, filled_columns, link_prepared, prepare_people
from assets.linkage.incremental import PREPARED, REGISTRY, REGISTRY_COLUMNS, find_neighbourhood
from assets.linkage.probabilistic import default_model, model_columns, model_fingerprint
from assets.linkage.pseudonyms import KEY_ENV, KEY_FILE_ENV, UnusableKey, parse_key, pseudonym, read_key_file
from assets.linkage.registry import minting_seeds, resent_records, stable_person_ids
from assets.model.contracts import Contract
from assets.model.keys import PERSON_LINKS
from assets.model.zones import person_index_table

# A run with this tag relinks every record (the quarterly edition's runs carry it; add it in the
# launchpad for a relink on demand); without it a run links what changed (``incremental``).
LINKAGE_TAG = "story/linkage"
FULL_RELINK = "full"
_CHANGES = "linkage.person_id_changes"
_MODEL = "linkage.splink_model"


class PseudonymisationKey(dg.ConfigurableResource):
    """The secret key of every pseudonym, handed to the asset rather than read by it.

    ``hex_key`` is set from ``dg.EnvVar(KEY_ENV)`` (so the key never appears in run config or
    the Dagster UI); failing that, ``key_file`` names the file that holds it, read when the key
    is asked for. A key that is missing or could be guessed stops the asset, naming its setting.
    """

    hex_key: str | None = None
    key_file: str | None = None

    def load(self) -> bytes:
        if self.hex_key is not None:
            return parse_key(self.hex_key, KEY_ENV)
        if not self.key_file:
            raise UnusableKey(f"No pseudonymisation key: set {KEY_ENV} or {KEY_FILE_ENV} (the key file)")
        return read_key_file(Path(self.key_file))


def person_datasets(contracts: dict[str, Contract]) -> list[Contract]:
    """Datasets with identifiers of a person (rather than only an agency's own reference)."""
    return [c for c in contracts.values() if set(c.identifier_columns) & set(STANDARD_COLUMNS)]


def person_dataset_columns(contracts: dict[str, Contract]) -> dict[str, list[str]]:
    """Each person dataset's id and the standard linkage columns it holds."""
    return {c.id: [column for column in STANDARD_COLUMNS if column in c.column_names] for c in person_datasets(contracts)}


def agency_references(contract: Contract) -> list[str]:
    """A person dataset's other identifiers (``classification: identifier`` but not a standard
    column) that name a person (``referenceOf``): an agency's own reference for the person, such as
    a council's child reference; never a record's reference (SCRA's referral) or a group's (siblings)."""
    return [c.name for c in contract.columns if c.identifier and c.name not in STANDARD_COLUMNS and c.reference_of == "person"]


def reference_columns(contracts: dict[str, Contract]) -> list[str]:
    """The prepared records' columns holding agency references, ``reference_<column>``: each value
    keyed with its dataset and agency (one council's child 123 is not another's), letters and
    digits only in capitals, so records sharing one are joined as by an SCN (``core.link_prepared``)."""
    return sorted({f"reference_{column}" for contract in person_datasets(contracts) for column in agency_references(contract)})


def _references(prepared: pd.DataFrame) -> dict[str, pd.Series]:
    return {column: prepared[column] for column in prepared.columns if column.startswith("reference_")}


def pseudonymised_datasets(contracts: dict[str, Contract]) -> list[Contract]:
    return [c for c in contracts.values() if c.identifier_columns]


@dataclass(frozen=True)
class PersonLinks:
    """``records``: the input with ``cluster``, ``linked_by`` and ``person_id``; ``pairs``: every
    scored pair with its decision; ``review``: the held-back pairs between different persons;
    ``changes``: ids a rerun changed (see ``registry``); ``model``: the Splink model used and
    ``model_source`` where it came from (``core.LinkageResult``); ``threshold``: the match
    probability a scored pair needed; ``notes``: what the linkage left out or assumed."""

    records: pd.DataFrame
    pairs: pd.DataFrame
    review: pd.DataFrame
    changes: pd.DataFrame
    model: dict | None
    model_source: str
    threshold: float
    notes: tuple[str, ...]


def identify_people(
    people: pd.DataFrame,
    prepared: pd.DataFrame,
    key: bytes,
    previous: pd.DataFrame | None = None,
    model: dict | None = None,
    backend: str = "duckdb",
    term_frequencies: Mapping[str, pd.DataFrame] | None = None,
    issued: Iterable[str] = (),
    reviewed: pd.DataFrame | None = None,
) -> PersonLinks:
    """Link ``people`` (a unique ``record_key`` per row) by their ``prepared`` form
    (``core.prepare_people`` of them, row for row) and give every record a person id, keeping
    the ids of ``previous`` (``record_key``, ``person_id``) where it can and scoring with
    ``model`` (an earlier run's Splink model) when given, on Splink ``backend``.
    ``term_frequencies`` as ``probabilistic.score_pairs``; ``issued`` as
    ``registry.stable_person_ids`` (both for a run that links a neighbourhood, ``incremental``).
    ``reviewed``: a person's decisions (``record_key_l``, ``record_key_r``, ``decision``), applied
    where both records are linked here (``core._apply_reviews``); a decided pair is never queued again."""
    # In record-key order, so a record's neighbourhood is linked in the order a full run links it.
    order = np.argsort(people["record_key"].to_numpy(dtype=str), kind="stable")
    people = people.iloc[order].reset_index(drop=True)
    prepared = prepared.iloc[order].reset_index(drop=True).assign(record=np.arange(len(prepared)))
    earlier = None
    if previous is not None and not previous.empty:
        earlier = people[["record_key"]].merge(previous[["record_key", "person_id"]], on="record_key", how="left")["person_id"]
    decided = _decided_positions(people["record_key"], reviewed)
    result = link_prepared(
        prepared, earlier_persons=earlier, model=model, backend=backend, term_frequencies=term_frequencies,
        identifiers=_references(prepared), reviewed=decided[decided["decision"] != "cannot_tell"],
    )
    records = people.assign(cluster=result.clusters["cluster"].to_numpy(), linked_by=result.clusters["linked_by"].to_numpy())
    seeds = minting_seeds(people, prepared, [*STANDARD_COLUMNS, *sorted(_references(prepared))])
    records["person_id"], changes = stable_person_ids(records, previous, key, issued, seeds)
    pairs = result.pairs
    person = records["person_id"].to_numpy()
    held_back = (pairs["decision"] != "match").to_numpy() & (person[pairs["record_l"]] != person[pairs["record_r"]])
    if not decided.empty:
        low, high = np.minimum(pairs["record_l"], pairs["record_r"]), np.maximum(pairs["record_l"], pairs["record_r"])
        judged = pd.MultiIndex.from_arrays([low, high]).isin(pd.MultiIndex.from_arrays([decided[["record_l", "record_r"]].min(axis=1), decided[["record_l", "record_r"]].max(axis=1)]))
        held_back &= ~judged
    review = pairs[held_back].assign(
        record_key_l=records["record_key"].to_numpy()[pairs.loc[held_back, "record_l"]],
        record_key_r=records["record_key"].to_numpy()[pairs.loc[held_back, "record_r"]],
        person_id_l=person[pairs.loc[held_back, "record_l"]],
        person_id_r=person[pairs.loc[held_back, "record_r"]],
    )[["record_key_l", "record_key_r", "person_id_l", "person_id_r", "match_weight", "match_probability", "decision"]]
    return PersonLinks(
        records=records,
        pairs=pairs,
        review=review.reset_index(drop=True),
        changes=changes,
        model=result.model,
        model_source=result.model_source,
        threshold=result.threshold,
        notes=result.notes,
    )


def _decided_positions(record_keys: pd.Series, reviewed: pd.DataFrame | None) -> pd.DataFrame:
    """``reviewed`` pairs whose two records are both in ``record_keys``, by position (``record_l``, ``record_r``, ``decision``)."""
    if reviewed is None or reviewed.empty:
        return pd.DataFrame({"record_l": pd.Series(dtype="int64"), "record_r": pd.Series(dtype="int64"), "decision": pd.Series(dtype=object)})
    position = pd.Series(np.arange(len(record_keys)), index=record_keys.to_numpy())
    left, right = reviewed["record_key_l"].map(position), reviewed["record_key_r"].map(position)
    both = (left.notna() & right.notna()).to_numpy()
    return pd.DataFrame({"record_l": left[both].astype("int64").to_numpy(), "record_r": right[both].astype("int64").to_numpy(), "decision": reviewed["decision"].to_numpy()[both]})


def _record_key(frame: pd.DataFrame) -> pd.Series:
    return frame["dataset"] + "|" + frame["_file_sha256"] + "|" + frame["_row_number"].astype(str)


def previous_linkage_rate(context: dg.AssetExecutionContext) -> float | None:
    event = context.instance.get_latest_materialization_event(PERSON_LINKS)
    value = event.asset_materialization.metadata.get("linkage_rate_percent") if event and event.asset_materialization else None
    return float(value.value) if value is not None else None


def table_exists(con, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]).fetchall()[0][0])


def _replace_table(con, qualified: str, frame: pd.DataFrame) -> None:
    con.register("frame_to_write", frame)
    con.execute(f"CREATE OR REPLACE TABLE {qualified} AS SELECT * FROM frame_to_write")
    con.unregister("frame_to_write")


def _insert(con, qualified: str, frame: pd.DataFrame) -> None:
    con.register("frame_to_write", frame)
    con.execute(f"INSERT INTO {qualified} BY NAME SELECT * FROM frame_to_write")
    con.unregister("frame_to_write")


def stored_model(con) -> dict | None:
    """The Splink model an earlier run trained, if its comparisons are today's for the columns
    it compares (``link_people`` sets it aside if today's records fill a column it lacks)."""
    if not table_exists(con, _MODEL):
        return None
    for fingerprint, model_json in con.execute(f"SELECT fingerprint, model_json FROM {_MODEL}").fetchall():
        model = json.loads(model_json)
        if fingerprint == model_fingerprint(model_columns(model)):
            return model
    return None


def _store_model(con, model: dict, records: int) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {_MODEL} (fingerprint VARCHAR, trained_at TIMESTAMP, records_at_training BIGINT, model_json VARCHAR)")
    con.execute(f"INSERT INTO {_MODEL} VALUES (?, now(), ?, ?)", [model_fingerprint(model_columns(model)), records, json.dumps(model)])


def _read_people(con, contracts: dict[str, Contract], unregistered_only: bool = False) -> pd.DataFrame:
    """The person datasets' standard columns, agency references (``reference_columns``) and
    bookkeeping, every row or (``unregistered_only``) the rows the person registry does not hold yet; never a retired record (its identifiers
    were destroyed, ``retention``: it keeps its person id and is linked no more)."""
    ensure_destruction_log(con)
    frames = []
    for contract in person_datasets(contracts):
        present = [c for c in STANDARD_COLUMNS if c in contract.column_names]
        references = [
            f"'{contract.id}|' || _agency || '|' || NULLIF(upper(regexp_replace(CAST({c} AS VARCHAR), '[^0-9A-Za-z]', '', 'g')), '') AS reference_{c}"
            for c in agency_references(contract)
        ]
        select = ", ".join([f"CAST({c} AS VARCHAR) AS {c}" for c in present] + references + ["_agency", "_file_sha256", "_row_number"])
        where = f" raw WHERE _entry_id NOT IN ({RETIRED_ENTRIES})" + (
            f" AND NOT EXISTS (SELECT 1 FROM {REGISTRY} g WHERE g.dataset = '{contract.id}' "
            "AND g._file_sha256 = raw._file_sha256 AND g._row_number = raw._row_number)"
            if unregistered_only else ""
        )
        frames.append(con.execute(f"SELECT {select} FROM {raw_table(contract)}{where}").df().assign(dataset=contract.id))
    people = pd.concat(frames, ignore_index=True)
    for column in STANDARD_COLUMNS:
        if column not in people:
            people[column] = pd.NA
    for column in reference_columns(contracts):
        people[column] = (people[column] if column in people else pd.Series(pd.NA, index=people.index)).astype("string")
    return people.assign(record_key=_record_key(people))


def _retired_registry(con) -> pd.DataFrame:
    """The registry's rows of retired records (``REGISTRY_COLUMNS``): rows of entries whose identifiers were destroyed."""
    ensure_destruction_log(con)
    if not table_exists(con, REGISTRY) or not con.execute(f"SELECT count(*) FROM ({RETIRED_ENTRIES})").fetchall()[0][0]:
        return pd.DataFrame(columns=list(REGISTRY_COLUMNS))
    raw = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()
    retired = " UNION ALL ".join(f"SELECT '{t}' AS dataset, _file_sha256, _row_number FROM raw.{t} WHERE _entry_id IN ({RETIRED_ENTRIES})" for (t,) in raw)
    if not retired:
        return pd.DataFrame(columns=list(REGISTRY_COLUMNS))
    return con.execute(f"SELECT {', '.join(f'g.{c}' for c in REGISTRY_COLUMNS)} FROM {REGISTRY} g SEMI JOIN ({retired}) r USING (dataset, _file_sha256, _row_number)").df()


def _retired_pseudonyms(con, contract: Contract) -> pd.DataFrame:
    """``linkage.<dataset>`` rows of retired records, kept as they are through a full relink (their references were destroyed)."""
    if not table_exists(con, f"linkage.{contract.id}"):
        return pd.DataFrame()
    return con.execute(
        f"SELECT t.* FROM linkage.{contract.id} t SEMI JOIN (SELECT _file_sha256, _row_number FROM {raw_table(contract)} WHERE _entry_id IN ({RETIRED_ENTRIES})) r "
        "USING (_file_sha256, _row_number)"
    ).df()


def _prepared(people: pd.DataFrame) -> pd.DataFrame:
    """``core.prepare_people`` of ``people`` with their agency references beside."""
    return prepare_people(people).assign(**{column: people[column].to_numpy() for column in people.columns if column.startswith("reference_")})


def _gone(con, contracts: dict[str, Contract]) -> pd.DataFrame:
    """Registered records no longer in the raw zone (their file was replaced or withdrawn)."""
    present = " UNION ALL ".join(f"SELECT '{c.id}' AS dataset, _file_sha256, _row_number FROM {raw_table(c)}" for c in person_datasets(contracts))
    return con.execute(
        f"SELECT g.record_key FROM {REGISTRY} g ANTI JOIN ({present}) p "
        "ON g.dataset = p.dataset AND g._file_sha256 = p._file_sha256 AND g._row_number = p._row_number"
    ).df()


def why_full_relink(con, contracts: dict[str, Contract], model: dict | None, tags: Mapping[str, str]) -> str | None:
    """Why this run must relink every record, or None when it can link what changed (``incremental``)."""
    if tags.get(LINKAGE_TAG) == FULL_RELINK:
        return f"asked for (run tag {LINKAGE_TAG}={FULL_RELINK})"
    if model is None:
        return "no stored model to score new records with"
    if not (table_exists(con, REGISTRY) and table_exists(con, PREPARED)):
        return "no person registry yet"
    registered = {name for (name,) in con.execute(f"SELECT column_name FROM information_schema.columns WHERE table_schema = 'linkage' AND table_name = '{REGISTRY.split('.')[1]}'").fetchall()}
    if not registered.issuperset(REGISTRY_COLUMNS):
        return "the person registry predates incremental linkage"
    prepared_columns = {name for (name,) in con.execute(f"SELECT column_name FROM information_schema.columns WHERE table_schema = 'linkage' AND table_name = '{PREPARED.split('.')[1]}'").fetchall()}
    if not prepared_columns.issuperset(reference_columns(contracts)):
        return "the prepared records predate agency references"
    if table_exists(con, _REVIEW) and not clerical_review.queue_has_references(con):
        return "the clerical review queue predates pair references"
    unwritten = [c.id for c in pseudonymised_datasets(contracts) if not table_exists(con, f"linkage.{c.id}")]
    if unwritten:
        return f"no linkage table yet for {', '.join(unwritten)}"
    return None


@dataclass(frozen=True)
class _Run:
    """What one run decided and how: ``mode`` (``full``, ``incremental`` or ``unchanged``),
    ``why`` (of a full relink), ``relinked`` (records linked this run), ``new`` and ``gone``
    (records new to the registry and gone from the raw zone), ``seeds`` (``incremental``) and
    ``resent`` (new records that repeat a gone one and keep its person)."""

    links: PersonLinks | None
    mode: str
    why: str | None
    relinked: int
    new: int
    gone: int
    seeds: int
    resent: int
    notes: tuple[str, ...]


def link_everything(con, contracts: dict[str, Contract], key: bytes, model: dict | None, backend: str, why: str) -> _Run:
    """Every record linked again, with the registry's ids kept where the evidence allows."""
    people = _read_people(con, contracts)
    prepared = _prepared(people)
    previous = con.execute(f"SELECT record_key, person_id FROM {REGISTRY}").df() if table_exists(con, REGISTRY) else None
    # Retired records are not relinked: they keep their registry rows, and their ids go to no one else.
    retired = _retired_registry(con)
    gone, new = 0, len(people)
    resent = 0
    if previous is not None:
        unregistered = ~people["record_key"].isin(previous["record_key"]).to_numpy()
        gone_keys = previous.loc[~previous["record_key"].isin(people["record_key"]) & ~previous["record_key"].isin(retired["record_key"]), ["record_key"]]
        gone, new = len(gone_keys), int(unregistered.sum())
        repeats = resent_records(_identified(prepared[unregistered], people[unregistered]), _gone_prepared(con, gone_keys))
        # A re-sent row holds its person's id as the row it repeats did.
        previous, resent = pd.concat([previous, repeats[["record_key", "person_id"]]], ignore_index=True), len(repeats)
    links = identify_people(people, prepared, key, previous, model, backend, issued=set(retired["person_id"]), reviewed=clerical_review.standing_decisions(con))
    review = clerical_review.with_references(links.review, clerical_review.queued_before(con), dt.datetime.now(dt.UTC).replace(tzinfo=None))
    notes = (*column_notes(people, prepared), *links.notes)
    con.begin()
    try:
        if links.model_source == "trained":
            _store_model(con, links.model, len(people))
        _replace_table(con, REGISTRY, pd.concat([links.records[list(REGISTRY_COLUMNS)], retired], ignore_index=True))
        _replace_table(con, PREPARED, prepared.drop(columns=["record"]).assign(record_key=people["record_key"].to_numpy()))
        for contract in pseudonymised_datasets(contracts):
            ids = links.records.loc[links.records["dataset"] == contract.id, ["_file_sha256", "_row_number", "person_id", "linked_by"]]
            kept = _retired_pseudonyms(con, contract)
            _replace_table(con, f"linkage.{contract.id}", _with_person_ids(_pseudonym_rows(con, contract, key), ids))
            if not kept.empty:
                _insert(con, f"linkage.{contract.id}", kept)
        _replace_table(con, _REVIEW, review)
        clerical_review.mark_applied(con)
        _log_changes(con, links.changes)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return _Run(links, "full", why, len(people), new, gone, 0, resent, notes)


def link_what_changed(con, contracts: dict[str, Contract], key: bytes, model: dict, backend: str, issued: set[str]) -> _Run:
    """The new records and their neighbourhood (``incremental``) linked; the rest kept as
    registered. A new record that repeats a gone one (a corrected return's unchanged rows) takes
    its place in the registry and is not linked again (``registry.resent_records``). ``issued``:
    every person id the registry holds."""
    new_people = _read_people(con, contracts, unregistered_only=True)
    gone = _gone(con, contracts)
    decided = clerical_review.pending_records(con)
    if new_people.empty and gone.empty and decided.empty:
        return _Run(None, "unchanged", None, 0, 0, 0, 0, 0, ())
    new_prepared = _prepared(new_people).assign(record_key=new_people["record_key"].to_numpy())
    uncompared = set(filled_columns(new_prepared)) - set(model_columns(model))
    if uncompared:
        return link_everything(con, contracts, key, model, backend, f"new records fill {', '.join(sorted(uncompared))}, which the stored model does not compare")
    arrived, went = len(new_people), len(gone)
    con.begin()
    try:
        resent = _carry_resent(con, resent_records(_identified(new_prepared, new_people), _gone_prepared(con, gone)), new_people)
        linking = ~new_people["record_key"].isin(resent["record_key"]).to_numpy()
        new_people, new_prepared = new_people[linking].reset_index(drop=True), new_prepared[linking].reset_index(drop=True)
        gone = gone[~gone["record_key"].isin(resent["previous_key"])].reset_index(drop=True)
        changed = not (new_people.empty and gone.empty and decided.empty)
        links, seeds = _relink(con, new_people, new_prepared, gone, decided, key, model, backend, issued) if changed else (None, 0)
        relinked = resent if links is None else pd.concat([resent, links.records], ignore_index=True)
        for contract in pseudonymised_datasets(contracts):
            _sync_pseudonyms(con, contract, relinked[relinked["dataset"] == contract.id], key)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    relinked_count = len(links.records) if links is not None else 0
    notes = (
        *(links.notes if links is not None else ()),
        f"{len(resent):,} of {arrived:,} new records repeat a record they replace and keep its person",
        f"{relinked_count:,} records relinked: {len(new_people):,} new, their neighbours and the persons of both",
    )
    return _Run(links, "incremental", None, relinked_count, arrived, went, seeds, len(resent), notes)


def _relink(
    con, new_people: pd.DataFrame, new_prepared: pd.DataFrame, gone: pd.DataFrame, decided: pd.DataFrame, key: bytes, model: dict, backend: str, issued: set[str],
) -> tuple[PersonLinks, int]:
    """Link the neighbourhood of the new records and of the records of decisions not yet applied
    (``decided``), and write it over the registry's, inside the caller's transaction; returns
    the links and how many seeds the neighbourhood grew from."""
    hood, frequencies = find_neighbourhood(con, new_prepared, gone, model, decided)
    bookkeeping = [column for column in REGISTRY_COLUMNS if column not in ("person_id", "linked_by")]
    new_prepared = new_prepared.drop(columns=["record"])
    # A run that only applies decisions has no new records: the neighbourhood alone is linked.
    people = pd.concat([f for f in (new_people[bookkeeping], hood.registered[bookkeeping]) if len(f)] or [new_people[bookkeeping]], ignore_index=True)
    prepared = pd.concat([f for f in (new_prepared, hood.prepared[new_prepared.columns]) if len(f)] or [new_prepared], ignore_index=True)
    links = identify_people(people, prepared, key, hood.registered[["record_key", "person_id"]], model, backend, frequencies, issued, clerical_review.standing_decisions(con))
    review = clerical_review.with_references(links.review, clerical_review.queued_before(con), dt.datetime.now(dt.UTC).replace(tzinfo=None))
    out = pd.concat([gone["record_key"], hood.registered["record_key"]], ignore_index=True).to_frame()
    con.register("records_out", out)
    con.execute(f"DELETE FROM {REGISTRY} WHERE record_key IN (SELECT record_key FROM records_out)")
    con.execute(f"DELETE FROM {_REVIEW} WHERE record_key_l IN (SELECT record_key FROM records_out) OR record_key_r IN (SELECT record_key FROM records_out)")
    con.unregister("records_out")
    _insert(con, REGISTRY, links.records[list(REGISTRY_COLUMNS)])
    _insert(con, _REVIEW, review)
    clerical_review.mark_applied(con)
    con.register("gone_records", gone)
    con.execute(f"DELETE FROM {PREPARED} WHERE record_key IN (SELECT record_key FROM gone_records)")
    con.unregister("gone_records")
    _insert(con, PREPARED, new_prepared)
    _log_changes(con, links.changes)
    return links, hood.seeds


def _identified(prepared: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """``prepared`` rows with each record's key, dataset and agency (``registry.resent_records``'s ``new``)."""
    return prepared.drop(columns=["record"], errors="ignore").assign(
        record_key=people["record_key"].to_numpy(), dataset=people["dataset"].to_numpy(), _agency=people["_agency"].to_numpy(),
    )


def _gone_prepared(con, gone: pd.DataFrame) -> pd.DataFrame:
    """The prepared rows of the ``gone`` records (``record_key``) with their registry entries."""
    if gone.empty or not table_exists(con, PREPARED):
        return pd.DataFrame(columns=["record_key", "dataset", "_agency", "person_id", "linked_by"])
    con.register("gone_keys", gone[["record_key"]])
    try:
        return con.execute(
            f"SELECT p.*, r.dataset, r._agency, r.person_id, r.linked_by FROM {PREPARED} p JOIN {REGISTRY} r USING (record_key) "
            "WHERE record_key IN (SELECT record_key FROM gone_keys)"
        ).df()
    finally:
        con.unregister("gone_keys")


def _carry_resent(con, resent: pd.DataFrame, new_people: pd.DataFrame) -> pd.DataFrame:
    """Re-sent records take the registry's, prepared table's and review list's places of the
    records they repeat. Returns them with their bookkeeping (``REGISTRY_COLUMNS``, ``previous_key``)."""
    rows = resent.merge(new_people[["record_key", "dataset", "_file_sha256", "_row_number", "_agency"]], on="record_key")
    if rows.empty:
        return rows.reindex(columns=[*REGISTRY_COLUMNS, "previous_key"])
    con.register("resent", rows)
    try:
        con.execute(
            f"UPDATE {REGISTRY} r SET record_key = m.record_key, _file_sha256 = m._file_sha256, _row_number = m._row_number "
            "FROM resent m WHERE r.record_key = m.previous_key"
        )
        con.execute(f"UPDATE {PREPARED} p SET record_key = m.record_key FROM resent m WHERE p.record_key = m.previous_key")
        for side in ("l", "r"):
            con.execute(f"UPDATE {_REVIEW} c SET record_key_{side} = m.record_key FROM resent m WHERE c.record_key_{side} = m.previous_key")
        clerical_review.carry_resent(con, "resent")
    finally:
        con.unregister("resent")
    return rows


def _log_changes(con, changes: pd.DataFrame) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {_CHANGES} (changed_at TIMESTAMP, previous_person_id VARCHAR, person_id VARCHAR, records BIGINT)")
    if not changes.empty:
        con.register("changes_frame", changes)
        con.execute(f"INSERT INTO {_CHANGES} SELECT now(), previous_person_id, person_id, records FROM changes_frame")
        con.unregister("changes_frame")


def write_review_page(con, contracts: dict[str, Contract], review_dir: Path, now: dt.datetime) -> Path:
    """The clerical review page of the queue as it stands, with each record as sent and as the
    model compares it (the stored model, else the default model: the weights of its levels)."""
    queue = con.execute(f"SELECT * FROM {_REVIEW} ORDER BY queued_at, match_probability DESC, pair_reference").df()
    shown = queue.head(clerical_review.PAGE_PAIRS)
    keys = pd.DataFrame({"record_key": pd.unique(pd.concat([shown["record_key_l"], shown["record_key_r"]]))})
    con.register("shown_keys", keys)
    try:
        prepared = con.execute(f"SELECT p.* FROM {PREPARED} p JOIN shown_keys USING (record_key)").df()
        frames = []
        for contract in person_datasets(contracts):
            present = [c for c in STANDARD_COLUMNS if c in contract.column_names]
            frames.append(con.execute(
                f"SELECT k.record_key, '{contract.id}' AS dataset, r._agency, {', '.join(f'CAST(r.{c} AS VARCHAR) AS {c}' for c in present)} "
                f"FROM {raw_table(contract)} r JOIN shown_keys k ON k.record_key = '{contract.id}|' || r._file_sha256 || '|' || CAST(r._row_number AS VARCHAR)"
            ).df())
    finally:
        con.unregister("shown_keys")
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["record_key", "dataset", "_agency"])
    return clerical_review.write_review_page(queue, records, prepared, stored_model(con) or default_model(), review_dir, now)


def hand_over(con, contracts: list[Contract], person_index: Path) -> int:
    """Write the person index the content side reads: per dataset, each record reference with its
    person id, how it was linked and its keyed references; no identifier, no content. Written
    beside and swapped in by one rename, so a reader never sees half of one. Returns its records."""
    building = person_index.with_name(person_index.name + ".new")
    building.unlink(missing_ok=True)
    con.execute(f"ATTACH '{building}' AS handover")
    try:
        con.execute("CREATE SCHEMA handover.links")
        for contract in contracts:
            con.execute(
                f"CREATE TABLE handover.{person_index_table(contract.id)} AS SELECT r._entry_id, r._row_number, l.* EXCLUDE (_file_sha256, _row_number) "
                f"FROM {raw_table(contract)} r JOIN linkage.{contract.id} l ON l._file_sha256 = r._file_sha256 AND l._row_number = r._row_number"
            )
        records = sum(con.execute(f"SELECT count(*) FROM handover.{person_index_table(c.id)}").fetchone()[0] for c in contracts)
    finally:
        con.execute("DETACH handover")
    building.replace(person_index)
    return records


def _pseudonym_rows(con, contract: Contract, key: bytes, unwritten_only: bool = False) -> pd.DataFrame:
    """Each raw row's file hash and row number with keyed hashes of its agency references, every
    row or (``unwritten_only``) those not yet in ``linkage.<dataset>``."""
    references = [c.name for c in contract.columns if c.pseudonymise]
    where = f" raw WHERE _entry_id NOT IN ({RETIRED_ENTRIES})" + (
        f" AND NOT EXISTS (SELECT 1 FROM linkage.{contract.id} t WHERE t._file_sha256 = raw._file_sha256 AND t._row_number = raw._row_number)"
        if unwritten_only else ""
    )
    table = con.execute(f"SELECT {', '.join(['_file_sha256', '_row_number', '_agency', *references])} FROM {raw_table(contract)}{where}").df()
    for column in references:
        # Keyed with the agency: one council's child reference says nothing about another's. None stays None.
        table[f"{column}_key"] = [
            pseudonym(key, f"{agency}|{value}", "R") if isinstance(value, str) and value else None for agency, value in zip(table["_agency"], table[column])
        ]
    return table.drop(columns=["_agency", *references])


def _with_person_ids(rows: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    """``linkage.<dataset>`` rows: the pseudonym rows with each record's person id and how it was linked."""
    return rows.merge(ids, on=["_file_sha256", "_row_number"], how="left") if not ids.empty else rows.assign(person_id=None, linked_by=None)


def _sync_pseudonyms(con, contract: Contract, relinked: pd.DataFrame, key: bytes) -> None:
    """``linkage.<dataset>`` brought up to the raw zone: rows of files gone are dropped, new rows
    written, and the relinked records' person ids and ``linked_by`` updated."""
    table = f"linkage.{contract.id}"
    con.execute(f"DELETE FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {raw_table(contract)} raw WHERE raw._file_sha256 = t._file_sha256 AND raw._row_number = t._row_number)")
    ids = relinked[["_file_sha256", "_row_number", "person_id", "linked_by"]]
    _insert(con, table, _with_person_ids(_pseudonym_rows(con, contract, key, unwritten_only=True), ids))
    if not ids.empty:
        con.register("relinked_ids", ids)
        con.execute(
            f"UPDATE {table} t SET person_id = i.person_id, linked_by = i.linked_by FROM relinked_ids i "
            "WHERE t._file_sha256 = i._file_sha256 AND t._row_number = i._row_number"
        )
        con.unregister("relinked_ids")
