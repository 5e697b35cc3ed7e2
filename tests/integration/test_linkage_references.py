"""An agency's own reference for a person (a contract column marked ``classification: identifier``
that is not a standard one) joins that agency's records of the person, and no other agency's."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.folders import IndexFolders
from assets.ingest.raw_zone import ensure_raw_zone, raw_table
from assets.linkage.factory import build_person_links_asset
from assets.linkage.person_links import reference_columns
from assets.model.contracts import load_contracts
from orchestration.resources import pseudonymisation_key
from tests.support.paths import CONTRACTS, SHARED

DATASET = "looked_after_episodes"
ROWS = [  # agency, child_ref, forename, surname, date of birth, sex: the first two are one child who took a new family name
    ("S12000033", "C-0042", "Skye", "Mackay", "2014-04-04", "F"),
    ("S12000033", "c0042", "Skye", "Dunbar", "2014-04-04", "F"),
    ("S12000034", "C0042", "Fraser", "Bell", "2009-09-09", "M"),
    ("S12000033", "C0077", "Lewis", "Orr", "2012-12-12", "M"),
]


def test_a_councils_child_reference_links_its_records_and_only_its_own(story_env: Path, tmp_path: Path) -> None:
    contract = load_contracts(CONTRACTS)[DATASET]
    assert reference_columns({DATASET: contract}) == ["reference_child_ref"]
    zone = tmp_path / "linkage_zone.duckdb"
    frame = pd.DataFrame(ROWS, columns=["_agency", "child_ref", "forename", "surname", "date_of_birth", "sex"]).assign(
        date_of_birth=lambda f: pd.to_datetime(f["date_of_birth"]).dt.date, _period="2024", _file_sha256="file", _entry_id="entry",
        _row_number=range(1, len(ROWS) + 1),
    )
    with duckdb.connect(str(zone)) as con:
        con.register("children", frame)
        ensure_raw_zone(con, contract)
        con.execute(f"INSERT INTO {raw_table(contract)} BY NAME SELECT * FROM children")
    resources = {
        "linkage_zone": DuckDBResource(database=str(zone)),
        "index_folders": IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED)),
        "pseudonymisation_key": pseudonymisation_key(),
    }
    assert dg.materialize([build_person_links_asset({DATASET: contract})], resources=resources).success
    with duckdb.connect(str(zone), read_only=True) as con:
        registry = con.execute("SELECT _row_number, person_id, linked_by FROM linkage.person_registry ORDER BY _row_number").df()
    person, linked_by = registry["person_id"].tolist(), registry["linked_by"].tolist()
    assert person[0] == person[1] and linked_by[:2] == ["reference_child_ref"] * 2
    assert len(set(person[1:])) == 3, "another council's child 0042 is another child"
