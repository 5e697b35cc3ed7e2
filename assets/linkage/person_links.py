"""The ``linkage/person_links`` asset: one pseudonymous person id per record, in the linkage zone.

Reads the identifiers of every dataset whose contract marks person identifiers, links them
(``core``), and writes one small table per dataset, ``linkage.<dataset>`` (file hash, row
number, person id, how the record was linked, keyed hashes of agency references). The
analysis warehouse joins to these tables and never sees the identifiers themselves.
"""


import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.ingest.contracts import Contract
from assets.ingest.raw_zone import raw_table
from assets.keys import PERSON_LINKS, raw_key
from assets.linkage.core import STANDARD_COLUMNS, chi_is_valid, link_people
from assets.linkage.pseudonyms import load_key, pseudonym


def person_datasets(contracts: dict[str, Contract]) -> list[Contract]:
    """Datasets with identifiers of a person (rather than only an agency's own reference)."""
    return [c for c in contracts.values() if set(c.identifier_columns) & set(STANDARD_COLUMNS)]


def person_dataset_columns(contracts: dict[str, Contract]) -> dict[str, list[str]]:
    """Each person dataset's id and the standard linkage columns it holds."""
    return {c.id: [column for column in STANDARD_COLUMNS if column in c.column_names] for c in person_datasets(contracts)}


def pseudonymised_datasets(contracts: dict[str, Contract]) -> list[Contract]:
    return [c for c in contracts.values() if c.identifier_columns]


def assign_person_ids(people: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Link ``people`` (standard columns) and return it with ``person_id`` and ``linked_by``."""
    result = link_people(people)
    people = people.reset_index(drop=True).copy()
    people["cluster"] = result.clusters["cluster"].to_numpy()
    people["linked_by"] = result.clusters["linked_by"].to_numpy()
    # Anchor each person on the cluster's most durable identifier (smallest valid CHI, else SCN,
    # else name and birth date), so a person keeps its id when new files arrive.
    valid_chi = people["chi"].where(people["chi"].map(chi_is_valid)).astype("string")
    valid_scn = people["scn"].astype("string").where(people["scn"].astype("string").str.fullmatch(r"\d{9}", na=False))
    name_key = people["forename"].astype("string").fillna("").str.lower() + "|" + people["surname"].astype("string").fillna("").str.lower() + "|" + people["date_of_birth"].astype("string").fillna("")
    anchor = (
        ("chi:" + valid_chi.groupby(people["cluster"]).transform("min"))
        .fillna("scn:" + valid_scn.groupby(people["cluster"]).transform("min"))
        .fillna("rec:" + name_key.groupby(people["cluster"]).transform("min"))
    )
    ids = {a: pseudonym(key, a, "P") for a in anchor.unique()}
    people["person_id"] = anchor.map(ids)
    return people


def build_person_links_asset(contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PERSON_LINKS,
        group_name="linkage",
        kinds={"duckdb"},
        deps=[raw_key(c.id) for c in pseudonymised_datasets(contracts)],
        description="Links people across agencies in the linkage zone and gives each a keyed pseudonymous person id.",
    )
    def person_links(context: dg.AssetExecutionContext, linkage_zone: DuckDBResource) -> dg.MaterializeResult:
        key = load_key()
        frames = []
        with linkage_zone.get_connection() as con:
            for contract in person_datasets(contracts):
                present = [c for c in STANDARD_COLUMNS if c in contract.column_names]
                select = ", ".join(present + ["_agency", "_file_sha256", "_row_number"])
                frame = con.execute(f"SELECT {select} FROM {raw_table(contract)}").df()
                frame["dataset"] = contract.id
                frames.append(frame)
            people = pd.concat(frames, ignore_index=True)
            for column in STANDARD_COLUMNS:
                if column not in people:
                    people[column] = pd.NA
            people["date_of_birth"] = people["date_of_birth"].astype("string")
            context.log.info(f"Linking {len(people):,} records from {len(frames)} datasets")
            linked = assign_person_ids(people, key)
            con.execute("CREATE SCHEMA IF NOT EXISTS linkage")
            for contract in pseudonymised_datasets(contracts):
                _write_pseudonyms(con, contract, linked[linked["dataset"] == contract.id], key)
        by_method = linked["linked_by"].value_counts().to_dict()
        by_dataset = (linked.assign(linked=linked["linked_by"] != "unlinked").groupby("dataset")["linked"].mean() * 100).round(1)
        return dg.MaterializeResult(
            metadata={
                "records": len(linked),
                "persons": int(linked["person_id"].nunique()),
                "linked_by": dg.MetadataValue.json({k: int(v) for k, v in by_method.items()}),
                "linked_percent_by_dataset": dg.MetadataValue.md(by_dataset.to_frame("linked %").to_markdown()),
            }
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
    con.register("pseudonyms_frame", table)
    con.execute(f"CREATE OR REPLACE TABLE linkage.{contract.id} AS SELECT * FROM pseudonyms_frame")
    con.unregister("pseudonyms_frame")
