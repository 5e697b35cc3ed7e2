"""Returns split at source (``story split``): the two halves taken in as one return.

The same agency files dropped combined in one data root and split in another, with the same
pseudonymisation key, give the same person ids record for record (an id is minted from what
both forms share, never from a file's bytes), the same analysis tables and the same published
figures. A half alone waits, halves whose references do not match are refused
with the rows named, and the same half sent twice counts once.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dagster_duckdb import DuckDBResource

from assets.analysis.factory import build_analysis_asset
from assets.disclosure.disclosure_control import apply_disclosure_control
from assets.folders import IndexFolders, StoryFolders
from assets.ingest.contract_docs import csv_template, example_agency, example_row
from assets.ingest.intake import IntakeFolders, IntakeResult, answers_for, judge, take_in
from assets.ingest.landing import files_waiting, landed_file
from assets.ingest.raw_zone import LEDGER, withdraw
from assets.ingest.split_names import CONTENT, IDENTIFIERS
from assets.ingest.split_parts import part_contract
from assets.ingest.split_returns import split_return
from assets.linkage.factory import build_person_links_asset
from assets.measures.catalogue import catalogue
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from assets.publication.mart import PUBLISHED_COLUMNS, RULE, disclosure_declarations, publishable_denominators
from orchestration.cli import main
from orchestration.resources import pseudonymisation_key
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile
from tests.support.sealed import SEALING_KEY, original
from tests.support.workbooks import xlsx

REFERENCE_DIR = SHARED / "reference"
CONTRACTS_BY_ID = load_contracts(CONTRACTS)
PERSON_DATASETS = ("looked_after_episodes", "hearings_referrals")


def _intake(root: Path, datasets=(DATASET,)) -> list[IntakeResult]:
    landing = root / "landing"
    kept = IntakeFolders(root / "accepted", root / "quarantine", root / "staging", root / "content_zone.duckdb", SEALING_KEY)
    results = []
    with duckdb.connect(str(root / "linkage_zone.duckdb")) as con:
        for dataset in datasets:
            contract = CONTRACTS_BY_ID[dataset]
            entries = files_waiting(landing, dataset, answers_for(contract, CONTRACTS_BY_ID, councils(REFERENCE_DIR).codes))
            results += take_in(entries, contract, con, councils(REFERENCE_DIR), REFERENCE_DIR, kept, landing)
    return results


def _ledger(root: Path) -> dict[str, tuple]:
    with duckdb.connect(str(root / "linkage_zone.duckdb"), read_only=True) as con:
        return {name: (outcome, json.loads(problems or "[]"), entry_id) for name, outcome, problems, entry_id in con.execute(f"SELECT file_name, outcome, problems, entry_id FROM {LEDGER}").fetchall()}


def _split_into(source: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    split = split_return(source, CONTRACTS_BY_ID[source.parent.name], folder)
    assert not split.problems, split.problems
    return split.halves


def _link_and_analyse(root: Path) -> dict[str, pd.DataFrame]:
    """Linkage and the analysis tables of the person datasets, as the two roles' runs make them."""
    contracts = {d: CONTRACTS_BY_ID[d] for d in PERSON_DATASETS}
    index = {"linkage_zone": DuckDBResource(database=str(root / "linkage_zone.duckdb")), "index_folders": IndexFolders(data_dir=str(root), shared_dir=str(SHARED)), "pseudonymisation_key": pseudonymisation_key()}
    assert dg.materialize([build_person_links_asset(contracts)], resources=index).success
    content = {"folders": StoryFolders(content_dir=str(root), shared_dir=str(SHARED)), "warehouse": DuckDBResource(database=str(root / "warehouse.duckdb"))}
    assert dg.materialize([build_analysis_asset(c) for c in contracts.values()], resources=content).success
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return {d: con.execute(f"SELECT * EXCLUDE (_entry_id) FROM analysis.{d}").df() for d in PERSON_DATASETS}


def _published(root: Path) -> dict[str, pd.DataFrame]:
    """The edition's figures of every measure made from the person datasets alone, each as disclosure
    control publishes it (the intruder audit aside: it judges these same tables)."""
    entries = {i: e for i, e in catalogue(REFERENCE_DIR, CONTRACTS_BY_ID).items() if set(e.sources) <= set(PERSON_DATASETS)}
    public, compositions, balances = disclosure_declarations(entries)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        measures = pd.concat([entry.compute(con) for entry in entries.values()], ignore_index=True)
    controlled = apply_disclosure_control(measures, RULE, public_denominators=public, compositions=compositions, balances=balances)
    controlled["denominator_published"] = publishable_denominators(controlled, public)
    return {measure: table[list(PUBLISHED_COLUMNS)].reset_index(drop=True) for measure, table in controlled.groupby("measure_id")}


def _persons_by_row(root: Path, dataset: str) -> pd.Series:
    """Each record's person id, by (agency, period, row of the agency's file)."""
    with duckdb.connect(str(root / "content_zone.duckdb"), read_only=True) as con:
        con.execute(f"ATTACH '{root / 'person_index.duckdb'}' AS pi (READ_ONLY)")
        rows = con.execute(
            f"SELECT c._agency, c._period, c._row_number, l.person_id FROM content.{dataset} c JOIN pi.links.{dataset} l USING (_entry_id, _row_number)"
        ).fetchall()
    return pd.Series({(agency, period, row): person for agency, period, row, person in rows}).sort_index()


def test_a_split_drop_gives_the_person_ids_analysis_tables_and_published_figures_of_the_combined_drop(story_env: Path, tmp_path: Path, tiny_landing: Path) -> None:
    landing = tiny_landing
    sources = sorted(landing.glob("S1200004[79]/looked_after_episodes/*_202[2-4].csv")) + sorted(landing.glob("SCRA/hearings_referrals/*_2023-24.csv"))  # SCRA's year, 1 April to 31 March
    combined, split = tmp_path / "combined", tmp_path / "split"
    for source in sources:
        folder = source.relative_to(landing).parent
        (combined / "landing" / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, combined / "landing" / folder / source.name)
        _split_into(source, split / "landing" / folder)

    taken = {root: _intake(root, PERSON_DATASETS) for root in (combined, split)}
    assert {r.outcome for r in taken[combined]} == {r.outcome for r in taken[split]} == {"accepted"}
    assert len(taken[split]) == 2 * len(taken[combined]) == 2 * len(sources)
    assert not list((split / "landing").rglob("*.csv"))  # each half left landing once sealed and answered
    tables = {root: _link_and_analyse(root) for root in (combined, split)}

    for dataset in PERSON_DATASETS:
        persons = {root: _persons_by_row(root, dataset) for root in (combined, split)}
        assert persons[combined].notna().all() and persons[combined].nunique() < len(persons[combined])  # persons hold several records: the linkage had work to do
        pd.testing.assert_series_equal(persons[combined], persons[split])
        ours, theirs = tables[combined][dataset], tables[split][dataset]
        order = list(ours.columns)
        pd.testing.assert_frame_equal(ours.sort_values(order).reset_index(drop=True), theirs[order].sort_values(order).reset_index(drop=True))
    # SCRA's own reference for a referral is keyed as a council's child_ref is: never in the content zone as sent.
    with duckdb.connect(str(combined / "linkage_zone.duckdb"), read_only=True) as con:
        sent = {r for (r,) in con.execute("SELECT referral_id FROM raw.hearings_referrals").fetchall()}
    keyed = tables[combined]["hearings_referrals"]
    assert "referral_id" not in keyed and keyed["referral_id_key"].nunique() == len(keyed) == len(sent) and not sent & set(keyed["referral_id_key"])
    assert not any(r.encode() in (combined / "content_zone.duckdb").read_bytes() for r in list(sent)[:20])
    published = {root: _published(root) for root in (combined, split)}
    shown = pd.concat(published[combined].values())["value_display"]
    assert len(published[combined]) >= 5 and shown.str.match(r"^\d").any() and shown.eq("[c]").any()  # figures published and figures hidden
    assert published[combined].keys() == published[split].keys()
    for measure, table in published[combined].items():
        pd.testing.assert_frame_equal(table, published[split][measure], obj=measure)


def _drop(root: Path, name: str, text: str) -> Path:
    path = root / "landing" / "S12000049" / DATASET / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _halves(tmp_path: Path) -> dict[str, str]:
    """The two halves of a small valid return, as text."""
    sample = EpisodesFile.valid("S12000049", "2021")
    source = tmp_path / "made" / "S12000049" / DATASET / sample.file_name
    source.parent.mkdir(parents=True)
    source.write_bytes(sample.bytes())
    return {part: path.read_text(encoding="utf-8") for part, path in _split_into(source, tmp_path / "halves").items()}


def test_a_half_alone_waits_and_is_taken_with_the_other_half_once(story_env: Path, tmp_path: Path) -> None:
    halves, root = _halves(tmp_path), tmp_path / "root"
    names = {part: f"{DATASET}_S12000049_2021_{part}.csv" for part in (IDENTIFIERS, CONTENT)}
    alone = _drop(root, names[IDENTIFIERS], halves[IDENTIFIERS])
    [waiting] = _intake(root)
    assert waiting.outcome == "waiting" and alone.exists()
    outcome, problems, _ = _ledger(root)[names[IDENTIFIERS]]
    assert outcome == "waiting" and "waiting for the content half" in problems[0]["message"]

    _drop(root, names[CONTENT], halves[CONTENT])
    _drop(root, f"{DATASET}_S12000049_2021_identifiers.xlsx.csv", halves[IDENTIFIERS])  # the same bytes again, under another name
    results = _intake(root)
    assert sorted(r.outcome for r in results) == ["accepted", "accepted", "duplicate"]
    for result in (r for r in results if r.outcome == "accepted"):
        assert original(result, DATASET).decode() == halves[result.landed.part]  # each half sealed as sent
    ledger = _ledger(root)
    assert [ledger[n][0] for n in names.values()] == ["accepted", "accepted"]
    with duckdb.connect(str(root / "linkage_zone.duckdb")) as con:
        assert con.execute(f"SELECT count(*) FROM raw.{DATASET}").fetchone()[0] == 3
        con.execute(f"ATTACH '{root / 'content_zone.duckdb'}' AS content_zone")
        content = con.execute(f"SELECT _entry_id, birth_year, birth_month FROM content_zone.content.{DATASET} ORDER BY _row_number").fetchall()
        assert {entry for entry, *_ in content} == {ledger[names[IDENTIFIERS]][2]}
        assert sorted(tuple(born) for _, *born in content) == [(2012, 3), (2012, 3), (2015, 6)]
        withdraw(con, CONTRACTS_BY_ID, ledger[names[CONTENT]][2], "sent in error")  # either half withdraws the return
        assert con.execute(f"SELECT count(*) FROM raw.{DATASET}").fetchone()[0] == 0
        assert con.execute(f"SELECT count(*) FROM content_zone.content.{DATASET}").fetchone()[0] == 0
    assert [_ledger(root)[n][0] for n in names.values()] == ["withdrawn", "withdrawn"]


def test_halves_whose_references_do_not_match_are_refused_naming_the_rows(story_env: Path, tmp_path: Path) -> None:
    halves, root = _halves(tmp_path), tmp_path / "root"
    content = list(csv.reader(io.StringIO(halves[CONTENT])))
    content[2][0] = "zzzz-zzzz-zzzz-zzzz"  # row 2's reference changed in the content half only
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(content)
    _drop(root, f"{DATASET}_S12000049_2021_identifiers.csv", halves[IDENTIFIERS])
    _drop(root, f"{DATASET}_S12000049_2021_content.csv", out.getvalue())
    results = {r.landed.part: r for r in _intake(root)}
    assert {r.outcome for r in results.values()} == {"refused"}
    for part, result in results.items():
        [problem] = [p for p in result.problems if p.check == "record_reference_unmatched"]
        assert problem.rows == (2,) and problem.rows_affected == 1
        assert problem.examples == ((content[2][0],) if part == CONTENT else (halves[IDENTIFIERS].splitlines()[2].split(",")[0],))
        assert "row(s) of this" in Path(f"{result.kept_at}.refusal.md").read_text(encoding="utf-8")
    with duckdb.connect(str(root / "linkage_zone.duckdb"), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM raw.{DATASET}").fetchone()[0] == 0


def test_story_split_refuses_a_file_that_fails_the_column_check(story_env: Path, tmp_path: Path, capsys) -> None:
    sample = EpisodesFile.valid("S12000049", "2021")
    (tmp_path / "returns").mkdir()
    source = tmp_path / "returns" / sample.file_name
    source.write_text(sample.text([c for c in sample.rows[0] if c != "surname"]), encoding="utf-8")
    assert main(["split", str(source), "--dataset", DATASET]) == 1
    assert "surname" in capsys.readouterr().out and sorted(p.name for p in source.parent.iterdir()) == [source.name]
    source.write_bytes(sample.bytes())
    assert main(["split", str(source), "--dataset", DATASET]) == 0
    assert sorted(p.name for p in source.parent.iterdir()) == sorted([source.name, f"{source.stem}_identifiers.csv", f"{source.stem}_content.csv"])


@pytest.mark.parametrize("dataset", sorted(d for d, c in CONTRACTS_BY_ID.items() if c.identifier_columns))
def test_each_half_of_a_documented_example_is_accepted_against_its_part(dataset: str, tmp_path: Path) -> None:
    contract = CONTRACTS_BY_ID[dataset]
    agency = example_agency(contract, REFERENCE_DIR)
    source = tmp_path / "landing" / agency / dataset / contract.expected_file_name(agency, contract.example_period)
    source.parent.mkdir(parents=True)
    source.write_text(csv_template(contract) + ",".join(example_row(contract, REFERENCE_DIR).values()) + "\n", encoding="utf-8")
    halves = _split_into(source, source.parent)
    for part, path in halves.items():
        with duckdb.connect() as staging:
            [verdict] = judge([landed_file(path)], part_contract(contract, part), councils(REFERENCE_DIR), REFERENCE_DIR, staging)
        assert verdict.accepted and verdict.rows == 1, (part, verdict.problems)


def test_a_content_half_is_refused_an_age_no_day_of_the_birth_month_gives(tmp_path: Path) -> None:
    """The third row's episode and placement start on 15 October 2020 (``EpisodesFile``): a child born
    in October 2002 may be 17 that day (if born after the 15th), one born in September 2002 is 18."""
    contract = part_contract(CONTRACTS_BY_ID[DATASET], CONTENT)
    content = list(csv.reader(io.StringIO(_halves(tmp_path)[CONTENT])))
    verdicts = []
    for month in ("10", "9"):
        content[3][content[0].index("birth_year")], content[3][content[0].index("birth_month")] = "2002", month
        path = tmp_path / "landing" / "S12000049" / DATASET / f"{DATASET}_S12000049_2021_content.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(content)
        with duckdb.connect() as staging:
            [verdict] = judge([landed_file(path)], contract, councils(REFERENCE_DIR), REFERENCE_DIR, staging)
        verdicts.append(verdict)
    assert verdicts[0].accepted
    ages = [p for p in verdicts[1].problems if p.check == "plausible_age"]
    assert len(ages) == 2  # at the episode's start and the placement's, both that day
    assert all(age.rows == (3,) and age.examples == ("aged 18",) for age in ages), ages


def test_a_unique_key_across_the_halves_is_checked_by_references(story_env: Path, tmp_path: Path) -> None:
    """Rows 1 and 2 are one child's placements (``child_ref`` in the identifier half): given the same
    ``placement_start`` in the content half, the pair is refused naming both rows."""
    halves, root = _halves(tmp_path), tmp_path / "root"
    content = list(csv.reader(io.StringIO(halves[CONTENT])))
    start = content[0].index("placement_start")
    content[2][start] = content[1][start]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(content)
    _drop(root, f"{DATASET}_S12000049_2021_identifiers.csv", halves[IDENTIFIERS])
    _drop(root, f"{DATASET}_S12000049_2021_content.csv", out.getvalue())
    results = {r.landed.part: r for r in _intake(root)}
    assert {r.outcome for r in results.values()} == {"refused"}
    [repeated] = [p for p in results[CONTENT].problems if p.check == "unique_key"]
    assert repeated.rows == (1, 2) and repeated.columns == ("child_ref", "placement_start") and repeated.examples == (f"placement_start={content[1][start]}",)
    assert [p.check for p in results[IDENTIFIERS].problems] == ["other_half_refused"]


def test_a_workbook_is_split_as_the_intake_reads_it(tmp_path: Path) -> None:
    """The same return as an Excel workbook (date cells, numbers as numbers) and as CSV splits into the same halves, references aside."""
    sample = EpisodesFile.valid("S12000049", "2021")
    made = {}
    for suffix in (".xlsx", ".csv"):
        source = tmp_path / suffix[1:] / DATASET / f"{DATASET}_S12000049_2021{suffix}"
        source.parent.mkdir(parents=True)
        xlsx(source, sample) if suffix == ".xlsx" else source.write_bytes(sample.bytes())
        made[suffix] = {part: [row[1:] for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))] for part, path in _split_into(source, source.parent).items()}
    assert made[".xlsx"] == made[".csv"] and len(made[".csv"][CONTENT]) == 4
