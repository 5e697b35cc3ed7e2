"""The ``linkage/person_links`` asset: one stable pseudonymous person id per record, in the linkage zone.

Reads the identifiers of every dataset whose contract marks person identifiers, links them
(``core``), keeps each person's id from the previous run (``registry``), and writes, all in
the linkage zone and never in the warehouse:

- ``linkage.<dataset>``: file hash, row number, person id, how the record was linked, keyed
  hashes of agency references (the only table the analysis warehouse joins to);
- ``linkage.person_registry``: every record's person id, read back by the next run;
- ``linkage.person_id_changes``: every id a rerun changed (people merged or split), appended;
- ``linkage.clerical_review``: scored pairs held back (below the threshold but above the
  review floor, or stopped by the twins or dates-of-birth guard or an identifier conflict), for a person to judge;
- ``linkage.splink_model``: the trained model, reused while its comparisons are unchanged, so
  a rerun scores old pairs exactly as before (drop the table to retrain).

Quality shows in the Dagster UI as metadata (per dataset and per council, the weights) and a
WARN check when the linkage rate falls beyond a tolerance since the previous materialization.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.ingest.contracts import Contract
from assets.ingest.raw_zone import raw_table
from assets.keys import PERSON_LINKS, raw_key
from assets.linkage.core import STANDARD_COLUMNS, link_people
from assets.linkage.probabilistic import model_columns, model_fingerprint
from assets.linkage.pseudonyms import KEY_ENV, KEY_FILE_ENV, UnusableKey, parse_key, pseudonym, read_key_file
from assets.linkage.registry import stable_person_ids
from assets.linkage.summary import (
    LINKAGE_RATE_TOLERANCE_POINTS,
    linkage_rate,
    method_counts,
    weight_distribution,
)
from checks.linkage import linkage_rate_holds

RATE_CHECK = "linkage_rate_holds"
_REGISTRY = "linkage.person_registry"
_CHANGES = "linkage.person_id_changes"
_REVIEW = "linkage.clerical_review"
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


def pseudonymised_datasets(contracts: dict[str, Contract]) -> list[Contract]:
    return [c for c in contracts.values() if c.identifier_columns]


@dataclass(frozen=True)
class PersonLinks:
    """``records``: the input with ``cluster``, ``linked_by`` and ``person_id``; ``pairs``: every
    scored pair with its decision; ``review``: the held-back pairs between different persons;
    ``changes``: ids a rerun changed (see ``registry``); ``model``: the Splink model used and
    ``model_source`` where it came from (``core.LinkageResult``); ``notes``: what the linkage
    left out or assumed."""

    records: pd.DataFrame
    pairs: pd.DataFrame
    review: pd.DataFrame
    changes: pd.DataFrame
    model: dict | None
    model_source: str
    notes: tuple[str, ...]


def identify_people(
    people: pd.DataFrame, key: bytes, previous: pd.DataFrame | None = None, model: dict | None = None, backend: str = "duckdb"
) -> PersonLinks:
    """Link ``people`` (standard columns and a unique ``record_key``) and give every record a
    person id, keeping the ids of ``previous`` (``record_key``, ``person_id``) where it can and
    scoring with ``model`` (an earlier run's Splink model) when given, on Splink ``backend``."""
    people = people.reset_index(drop=True)
    earlier = None
    if previous is not None and not previous.empty:
        earlier = people[["record_key"]].merge(previous[["record_key", "person_id"]], on="record_key", how="left")["person_id"]
    result = link_people(people, earlier_persons=earlier, model=model, backend=backend)
    records = people.assign(cluster=result.clusters["cluster"].to_numpy(), linked_by=result.clusters["linked_by"].to_numpy())
    records["person_id"], changes = stable_person_ids(records, previous, key)
    pairs = result.pairs
    person = records["person_id"].to_numpy()
    held_back = (pairs["decision"] != "match").to_numpy() & (person[pairs["record_l"]] != person[pairs["record_r"]])
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
        notes=result.notes,
    )


def _record_key(frame: pd.DataFrame) -> pd.Series:
    return frame["dataset"] + "|" + frame["_file_sha256"] + "|" + frame["_row_number"].astype(str)


def _previous_linkage_rate(context: dg.AssetExecutionContext) -> float | None:
    event = context.instance.get_latest_materialization_event(PERSON_LINKS)
    value = event.asset_materialization.metadata.get("linkage_rate_percent") if event and event.asset_materialization else None
    return float(value.value) if value is not None else None


def _table_exists(con, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]).fetchone()[0])


def _replace_table(con, qualified: str, frame: pd.DataFrame) -> None:
    con.register("frame_to_write", frame)
    con.execute(f"CREATE OR REPLACE TABLE {qualified} AS SELECT * FROM frame_to_write")
    con.unregister("frame_to_write")


def _stored_model(con) -> dict | None:
    """The Splink model an earlier run trained, if its comparisons are today's for the columns
    it compares (``link_people`` sets it aside if today's records fill a column it lacks)."""
    if not _table_exists(con, _MODEL):
        return None
    for fingerprint, model_json in con.execute(f"SELECT fingerprint, model_json FROM {_MODEL}").fetchall():
        model = json.loads(model_json)
        if fingerprint == model_fingerprint(model_columns(model)):
            return model
    return None


def _store_model(con, model: dict, records: int) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {_MODEL} (fingerprint VARCHAR, trained_at TIMESTAMP, records_at_training BIGINT, model_json VARCHAR)")
    con.execute(f"INSERT INTO {_MODEL} VALUES (?, now(), ?, ?)", [model_fingerprint(model_columns(model)), records, json.dumps(model)])


def _read_people(con, contracts: dict[str, Contract]) -> pd.DataFrame:
    frames = []
    for contract in person_datasets(contracts):
        present = [c for c in STANDARD_COLUMNS if c in contract.column_names]
        select = ", ".join([f"CAST({c} AS VARCHAR) AS {c}" for c in present] + ["_agency", "_file_sha256", "_row_number"])
        frames.append(con.execute(f"SELECT {select} FROM {raw_table(contract)}").df().assign(dataset=contract.id))
    people = pd.concat(frames, ignore_index=True)
    for column in STANDARD_COLUMNS:
        if column not in people:
            people[column] = pd.NA
    return people.assign(record_key=_record_key(people))


def build_person_links_asset(contracts: dict[str, Contract], backend: str = "duckdb") -> dg.AssetsDefinition:
    """``backend``: where Splink scores pairs, one of ``LINKAGE_BACKENDS`` (the operator's ``STORY_LINKAGE_BACKEND``)."""

    @dg.asset(
        key=PERSON_LINKS,
        group_name="linkage",
        kinds={"duckdb"},
        deps=[raw_key(c.id) for c in pseudonymised_datasets(contracts)],
        description="Links people across agencies in the linkage zone and gives each a stable keyed pseudonymous person id.",
        check_specs=[
            dg.AssetCheckSpec(
                RATE_CHECK,
                asset=PERSON_LINKS,
                description=f"Warns when the share of linked records falls more than {LINKAGE_RATE_TOLERANCE_POINTS:g} points since the previous run.",
            )
        ],
    )
    def person_links(context: dg.AssetExecutionContext, linkage_zone: DuckDBResource, pseudonymisation_key: PseudonymisationKey) -> dg.MaterializeResult:
        key = pseudonymisation_key.load()
        with linkage_zone.get_connection() as con:
            people = _read_people(con, contracts)
            con.execute("CREATE SCHEMA IF NOT EXISTS linkage")
            previous = con.execute(f"SELECT record_key, person_id FROM {_REGISTRY}").df() if _table_exists(con, _REGISTRY) else None
            model = _stored_model(con)
            context.log.info(f"Linking {len(people):,} records from {people['dataset'].nunique()} datasets ({'stored model' if model else 'training a new model'}, on {backend})")
            links = identify_people(people, key, previous, model, backend)
            for note in links.notes:
                context.log.info(f"Linkage: {note}")
            if links.model_source == "trained":
                _store_model(con, links.model, len(people))
            linked = links.records
            for contract in pseudonymised_datasets(contracts):
                _write_pseudonyms(con, contract, linked[linked["dataset"] == contract.id], key)
            _replace_table(con, _REGISTRY, linked[["record_key", "dataset", "_file_sha256", "_row_number", "person_id"]])
            _replace_table(con, _REVIEW, links.review)
            con.execute(f"CREATE TABLE IF NOT EXISTS {_CHANGES} (changed_at TIMESTAMP, previous_person_id VARCHAR, person_id VARCHAR, records BIGINT)")
            if not links.changes.empty:
                con.register("changes_frame", links.changes)
                con.execute(f"INSERT INTO {_CHANGES} SELECT now(), previous_person_id, person_id, records FROM changes_frame")
                con.unregister("changes_frame")

        rate, previous_rate = linkage_rate(linked), _previous_linkage_rate(context)
        councils = linked[linked["_agency"].str.match(r"^S12\d{6}$")]
        previous_ids = set(previous["person_id"]) if previous is not None else set()
        return dg.MaterializeResult(
            metadata={
                "records": len(linked),
                "persons": int(linked["person_id"].nunique()),
                "new_persons": int(len(set(linked["person_id"]) - previous_ids)),
                "person_ids_changed_records": int(links.changes["records"].sum()) if not links.changes.empty else 0,
                "clerical_review_pairs": len(links.review),
                "model_reused": links.model_source == "given",
                "model_source": links.model_source,
                "linkage_notes": dg.MetadataValue.md("\n".join(f"- {note}" for note in links.notes) or "none"),
                "linkage_rate_percent": rate,
                "previous_linkage_rate_percent": previous_rate if previous_rate is not None else dg.MetadataValue.null(),
                "linked_by_dataset": dg.MetadataValue.md(method_counts(linked, "dataset").to_markdown()),
                "linked_by_council": dg.MetadataValue.md(method_counts(councils, "_agency").rename_axis("council").to_markdown()),
                "match_weight_distribution": dg.MetadataValue.md(weight_distribution(links.pairs).to_markdown(index=False)),
            },
            check_results=[check_result(RATE_CHECK, linkage_rate_holds(rate, previous_rate))],
        )

    return person_links


def _write_pseudonyms(con, contract: Contract, linked: pd.DataFrame, key: bytes) -> None:
    """``linkage.<dataset>``: the person id and keyed agency references for each raw row."""
    references = [c.name for c in contract.columns if c.pseudonymise]
    table = con.execute(f"SELECT {', '.join(['_file_sha256', '_row_number', '_agency', *references])} FROM {raw_table(contract)}").df()
    for column in references:
        # Keyed with the agency: one council's child reference says nothing about another's.
        table[f"{column}_key"] = [pseudonym(key, f"{agency}|{value}", "R") for agency, value in zip(table["_agency"], table[column])]
    table = table.drop(columns=["_agency", *references])
    ids = linked[["_file_sha256", "_row_number", "person_id", "linked_by"]]
    table = table.merge(ids, on=["_file_sha256", "_row_number"], how="left") if not ids.empty else table.assign(person_id=None, linked_by=None)
    _replace_table(con, f"linkage.{contract.id}", table)
