"""Clerical review as a workflow: a reviewer's decisions, put through the decisions folder, are
applied on the next run and survive new records and a full relink; a bad decisions file is refused.

A hand-made table of a few children (scored with the default model, as a table this small is):
two pairs are held back by the twins guard (forenames entirely different), so they are queued.
A reviewer says one is the same person and the other two people. A record that arrives later
shares an SCN with one twin and everything else with the other, which without the decision
chains the twins into one person. The zone is given a stored model after the first run, so the
runs without the full-relink tag take the incremental path.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.bidi_controls import BIDI_CONTROLS
from assets.folders import IndexFolders
from assets.ingest.raw_zone import ensure_raw_zone, raw_table
from assets.linkage.clerical_review import write_review_page
from assets.linkage.core import link_people
from assets.linkage.factory import build_person_links_asset
from assets.linkage.person_links import FULL_RELINK, LINKAGE_TAG, _store_model
from assets.linkage.probabilistic import default_model
from assets.model.contracts import load_contracts
from orchestration.resources import pseudonymisation_key
from tests.support.paths import CONTRACTS, SHARED

DATASET = "hearings_referrals"
CHILDREN = [  # forename, surname, date of birth, sex, SCN
    ("<b>Aileen</b>", "Reid", "2012-02-03", "F", None),
    ("Murdo", "Reid", "2012-02-03", "F", "111111118"),
    ("Sandy", "Campbell", "2010-07-08", "M", None),
    ("Alasdair", "Campbell", "2010-07-08", "M", None),
    ("Kirsty", "Munro", "2011-03-04", "F", None),
    ("Ewan", "Grant", "2008-09-10", "M", None),
    ("Isla", "Stewart", "2013-05-06", "F", None),
]
LATE = [("Aileen", "Reid", "2012-02-03", "F", "111111118")]  # Murdo's SCN, Aileen's name


def _load(con: duckdb.DuckDBPyConnection, rows: list[tuple], sha: str) -> None:
    frame = pd.DataFrame(rows, columns=["forename", "surname", "date_of_birth", "sex", "scn"]).assign(
        date_of_birth=lambda f: pd.to_datetime(f["date_of_birth"]).dt.date, _agency="SCRA", _period="2024-25", _file_sha256=sha, _entry_id=f"entry-{sha}",
    )
    frame["_row_number"] = range(1, len(frame) + 1)
    con.execute(f"INSERT INTO {raw_table(load_contracts(CONTRACTS)[DATASET])} BY NAME SELECT * FROM frame")


def _persons(zone: Path) -> dict[str, str]:
    with duckdb.connect(str(zone), read_only=True) as con:
        rows = con.execute("SELECT record_key, person_id FROM linkage.person_registry").fetchall()
    return dict(rows)


def _key(sha: str, row: int) -> str:
    return f"{DATASET}|{sha}|{row}"


def _queue(zone: Path) -> pd.DataFrame:
    with duckdb.connect(str(zone), read_only=True) as con:
        return con.execute("SELECT pair_reference, record_key_l, record_key_r, decision FROM linkage.clerical_review").df()


def test_decisions_from_the_folder_are_applied_next_run_and_survive_new_records_and_a_full_relink(story_env: Path, tmp_path: Path) -> None:
    contract = load_contracts(CONTRACTS)[DATASET]
    zone = tmp_path / "linkage_zone.duckdb"
    with duckdb.connect(str(zone)) as con:
        ensure_raw_zone(con, contract)
        _load(con, CHILDREN, "first")
    asset = build_person_links_asset({DATASET: contract})
    resources = {
        "linkage_zone": DuckDBResource(database=str(zone)),
        "index_folders": IndexFolders(data_dir=str(tmp_path), shared_dir=str(SHARED)),
        "pseudonymisation_key": pseudonymisation_key(),
    }
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([asset], resources=resources, instance=instance).success
    with duckdb.connect(str(zone)) as con:  # as if trained on a larger zone: later runs without the tag link incrementally
        _store_model(con, default_model(), len(CHILDREN))

    queue = _queue(zone)
    twins = {_key("first", 1), _key("first", 2)}
    alike = {_key("first", 3), _key("first", 4)}
    reference = {frozenset(pair): ref for ref, *pair, _ in queue.itertuples(index=False)}
    assert {frozenset(twins), frozenset(alike)} <= set(reference), "both pairs are held back for review"
    page = (tmp_path / "clerical_review" / "queue" / "review.html").read_text()
    assert reference[frozenset(twins)] in page and "Exact match on surname" in page
    assert "&lt;b&gt;Aileen&lt;/b&gt;" in page and "<b>Aileen" not in page, "values from agencies are escaped"
    assert "<script" not in page and "http" not in page, "the page needs nothing from a network"

    inbox = tmp_path / "clerical_review" / "decisions" / "JMB"
    inbox.mkdir(parents=True)
    (inbox / "clerical_decisions_JMB_2026-12.csv").write_text(
        f"pair_reference,decision,note\n{reference[frozenset(alike)]},same,Sandy is short for Alasdair\n{reference[frozenset(twins)]},different,twins\n"
    )
    (inbox / "clerical_decisions_JMB_2026-10.csv").write_text(f"pair_reference,decision,note\n{reference[frozenset(twins)]},maybe,\n")
    (inbox / "clerical_decisions_JMB_2026-11.csv").write_text("pair_reference,decision,note\nR-000000000000,same,\n")
    second = dg.materialize([asset], resources=resources, instance=instance)
    assert second.success
    metadata = second.asset_materializations_for_node(asset.op.name)[0].metadata
    assert metadata["linkage_mode"].value == "incremental"
    assert metadata["clerical_decisions_taken"].value == 2 and metadata["clerical_decision_files_refused"].value.count("JMB/") == 2
    reports = {p.name.split("_JMB_")[1][:7]: p.read_text() for p in (tmp_path / "clerical_review" / "refused" / "JMB").glob("*.refusal.md")}
    assert "decision" in reports["2026-10"] and "cannot_tell" in reports["2026-10"], reports["2026-10"]
    assert "not pairs the linkage put up for review" in reports["2026-11"], reports["2026-11"]
    assert not list(inbox.iterdir()), "every file is answered: taken or refused"

    persons = _persons(zone)
    assert persons[_key("first", 3)] == persons[_key("first", 4)], "'same' joined a pair the twins guard held back"
    assert persons[_key("first", 1)] != persons[_key("first", 2)]
    assert not {frozenset(twins), frozenset(alike)} & {frozenset(p) for p in _queue(zone)[["record_key_l", "record_key_r"]].itertuples(index=False)}
    assert metadata["clerical_review_pairs"].value == len(_queue(zone))

    # Without the reviewer's "different", the late record chains the twins into one person.
    everyone = pd.DataFrame(CHILDREN + LATE, columns=["forename", "surname", "date_of_birth", "sex", "scn"])
    clusters = link_people(everyone).clusters["cluster"]
    assert clusters[0] == clusters[1] == clusters[len(CHILDREN)]

    with duckdb.connect(str(zone)) as con:
        _load(con, LATE, "late")
    for tags in ({}, {LINKAGE_TAG: FULL_RELINK}):
        run = dg.materialize([asset], resources=resources, instance=instance, tags=tags)
        assert run.success
        assert run.asset_materializations_for_node(asset.op.name)[0].metadata["linkage_mode"].value.startswith("full" if tags else "incremental")
        persons = _persons(zone)
        assert persons[_key("late", 1)] == persons[_key("first", 2)], "the shared SCN still links"
        assert persons[_key("first", 1)] != persons[_key("first", 2)], f"'different' overturned ({tags or 'incremental'})"
        assert persons[_key("first", 3)] == persons[_key("first", 4)], f"'same' overturned ({tags or 'incremental'})"
    routes = run.asset_materializations_for_node(asset.op.name)[0].metadata["records_by_route"].value
    assert "clerical" in routes


def test_the_review_page_writes_out_a_direction_control_in_a_record_never_obeys_it(tmp_path: Path) -> None:
    """A surname holding a right-to-left override would draw as another name beside its pair: the page shows the control by its code."""
    keys = [_key("first", 1), _key("first", 2)]
    queue = pd.DataFrame({
        "pair_reference": ["R-0123456789ab"], "queued_at": [pd.Timestamp("2026-12-01")], "match_probability": [0.6], "match_weight": [0.5],
        "decision": ["below_threshold"], "record_key_l": keys[:1], "record_key_r": keys[1:],
    })
    records = pd.DataFrame({"record_key": keys, "dataset": DATASET, "_agency": ["SCRA", "SCRA\u2066"], "surname": ["Smith\u202eenilno", "<b>Smith</b>"]})
    page = write_review_page(queue, records, pd.DataFrame({"record_key": keys}), None, tmp_path, pd.Timestamp("2026-12-07").to_pydatetime()).read_text(encoding="utf-8")
    assert not BIDI_CONTROLS & set(map(ord, page))
    assert "Smith[U+202E]enilno" in page and "SCRA[U+2066]" in page and "&lt;b&gt;Smith&lt;/b&gt;" in page
