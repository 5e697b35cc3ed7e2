"""``linkage/person_links`` materialized twice on synthetic records: ids stay, quality shows.

The raw zone is filled straight from tiny synthetic landing files (two person datasets) so the
test exercises the asset, the registry and the Dagster instance without running ingestion.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.folders import IndexFolders
from assets.ingest.destruction_log import IDENTIFIERS, RetentionPeriods
from assets.ingest.raw_zone import ensure_raw_zone
from assets.ingest.retention import Expired, destroy
from assets.linkage.factory import RATE_CHECK, build_person_links_asset
from assets.model.contracts import load_contracts
from assets.model.keys import PERSON_LINKS
from orchestration.resources import pseudonymisation_key
from tests.support.index_zone import load_identifiers
from tests.support.paths import CONTRACTS, SHARED

DATASETS = ("looked_after_episodes", "hearings_referrals", "school_exclusions")  # exclusions carry no names


def _load(con: duckdb.DuckDBPyConnection, contract, path: Path) -> None:
    load_identifiers(con, contract, path, f"sha-{path.name}")


@pytest.mark.slow
def test_rerun_with_an_extra_council_file_keeps_every_person_id(story_env: Path, tmp_path: Path) -> None:
    root = tmp_path / "synthetic"
    subprocess.run([sys.executable, "-m", "synthetic", "--scale", "tiny", "--seed", "3", "--out", str(root)], check=True, capture_output=True)
    contracts = {name: load_contracts(CONTRACTS)[name] for name in DATASETS}
    files = {name: sorted((root / "landing").glob(f"*/{name}/*.csv")) for name in DATASETS}
    extra = files["looked_after_episodes"][-1]  # one council's latest return arrives late
    zone = tmp_path / "linkage_zone.duckdb"
    with duckdb.connect(str(zone)) as con:
        for name, contract in contracts.items():
            ensure_raw_zone(con, contract)
            for path in files[name]:
                if path != extra:
                    _load(con, contract, path)

    asset = build_person_links_asset(contracts)
    resources = {"linkage_zone": DuckDBResource(database=str(zone)), "index_folders": IndexFolders(data_dir=str(zone.parent), shared_dir=str(SHARED)), "pseudonymisation_key": pseudonymisation_key()}
    instance = dg.DagsterInstance.ephemeral()
    first = dg.materialize([asset], resources=resources, instance=instance)
    assert first.success
    retired = files["hearings_referrals"][0]  # its identifiers' retention period ends before the late return arrives
    with duckdb.connect(str(zone)) as con:
        before = con.execute("SELECT record_key, person_id FROM linkage.person_registry").df()
        rows = con.execute("SELECT count(*) FROM raw.hearings_referrals WHERE _entry_id = ?", [f"entry-sha-{retired.name}"]).fetchone()[0]
        due = Expired(IDENTIFIERS, f"entry-sha-{retired.name}", "hearings_referrals", "SCRA", dt.date(2020, 1, 1), rows=rows)
        destroy(con, contracts, [due], RetentionPeriods())  # rebuilds the file, and closes the connection that held it
    with duckdb.connect(str(zone)) as con:
        _load(con, contracts["looked_after_episodes"], extra)
    second = dg.materialize([asset], resources=resources, instance=instance)
    assert second.success

    with duckdb.connect(str(zone), read_only=True) as con:
        after = con.execute("SELECT record_key, person_id FROM linkage.person_registry").df()
        review = con.execute("SELECT * FROM linkage.clerical_review").df()
        changes = con.execute("SELECT count(*) FROM linkage.person_id_changes").fetchone()[0]
    kept = before.merge(after, on="record_key", suffixes=("_before", "_after"))
    assert len(kept) == len(before) and len(after) > len(before)
    assert (kept["person_id_before"] == kept["person_id_after"]).all()  # the retired records' too
    assert changes == 0
    with duckdb.connect(str(zone), read_only=True) as con:  # retired: no identifiers, not linked, still indexed
        retired_keys = con.execute(f"SELECT 'hearings_referrals|' || _file_sha256 || '|' || _row_number FROM raw.hearings_referrals WHERE _entry_id = '{due.entry_id}' AND chi IS NULL AND surname IS NULL").df().iloc[:, 0]
        prepared = set(con.execute("SELECT record_key FROM linkage.prepared_people").df()["record_key"])
    assert len(retired_keys) == rows > 0 and not prepared & set(retired_keys) and set(retired_keys) <= set(after["record_key"])
    with duckdb.connect(str(zone.parent / "person_index.duckdb"), read_only=True) as index:
        indexed = index.execute("SELECT count(person_id) FROM links.hearings_referrals WHERE _entry_id = ?", [due.entry_id]).fetchone()[0]
    assert indexed == rows

    metadata = second.asset_materializations_for_node(asset.op.name)[0].metadata
    assert metadata["records"].value == len(after)
    assert metadata["clerical_review_pairs"].value == len(review)
    assert ((review["match_probability"] >= 0.5) & (review["person_id_l"] != review["person_id_r"])).all()
    assert "deterministic" in metadata["linked_by_dataset"].value and "S12" in metadata["linked_by_council"].value
    # Records linked with no name to go on: every linked exclusion (the contract has no name column), no named record.
    with duckdb.connect(str(zone), read_only=True) as con:
        linked = dict(con.execute("SELECT dataset, count(*) FROM linkage.person_registry WHERE linked_by <> 'unlinked' GROUP BY ALL").fetchall())
    assert not {"forename", "surname"} & set(contracts["school_exclusions"].column_names)
    assert metadata["records_linked_without_names"].value == linked["school_exclusions"] > 0
    assert metadata["previous_linkage_rate_percent"].value == first.asset_materializations_for_node(asset.op.name)[0].metadata["linkage_rate_percent"].value
    check = second.get_asset_check_evaluations()[0]
    assert check.check_name == RATE_CHECK and check.passed
    assert instance.get_latest_materialization_event(PERSON_LINKS) is not None
