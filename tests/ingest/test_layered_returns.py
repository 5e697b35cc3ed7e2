"""A looked after return sent layered, as Scotland's collection is: child, episode, placement and legal-reason files.

Accepted without names or CHI; a rule between files refuses the whole return naming the rows;
a part alone waits; and the same children sent layered or flat give the same measures.
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
from dagster_duckdb import DuckDBResource

from assets.analysis.factory import build_analysis_asset
from assets.folders import IndexFolders, StoryFolders
from assets.ingest.contract_docs import render_contract_page
from assets.ingest.preflight_plan import not_in_the_page
from assets.ingest.raw_zone import LEDGER, withdraw
from assets.linkage.factory import build_person_links_asset
from assets.measures.catalogue import catalogue
from orchestration.cli import main
from orchestration.resources import pseudonymisation_key
from synthetic.layered import write_layered
from tests.ingest.test_split_returns import CONTRACTS_BY_ID, REFERENCE_DIR, _intake
from tests.support.paths import SHARED
from tests.support.samples import DATASET, EpisodesFile

CONTRACT = CONTRACTS_BY_ID[DATASET]
PARTS = [p.name for p in CONTRACT.layered]


def _layered(tmp_path: Path, sample: EpisodesFile | None = None) -> dict[str, str]:
    """A small valid return's layered files, as text, without names or CHI."""
    sample = sample or EpisodesFile.valid("S12000049", "2021")
    flat = tmp_path / "made" / sample.file_name
    flat.parent.mkdir(parents=True, exist_ok=True)
    flat.write_bytes(sample.bytes())
    return {part: path.read_text(encoding="utf-8") for part, path in write_layered(flat, CONTRACT, flat.parent).items()}


def _drop(root: Path, parts: dict[str, str]) -> None:
    folder = root / "landing" / "S12000049" / DATASET
    folder.mkdir(parents=True, exist_ok=True)
    for part, text in parts.items():
        (folder / f"{DATASET}_S12000049_2021_{part}.csv").write_text(text, encoding="utf-8")


def test_a_layered_return_without_names_or_chi_is_accepted_whole(story_env: Path, tmp_path: Path) -> None:
    parts = _layered(tmp_path)
    assert "forename" in parts["child"].splitlines()[0] and "Ailsa" not in parts["child"]
    _drop(tmp_path / "root", parts)
    results = _intake(tmp_path / "root")
    assert sorted(r.landed.part for r in results) == sorted(PARTS) and {r.outcome for r in results} == {"accepted"}
    with duckdb.connect(str(tmp_path / "root" / "linkage_zone.duckdb")) as con:
        raw = con.execute(f"SELECT child_ref, forename, chi, scn, date_of_birth FROM raw.{DATASET} ORDER BY _row_number").fetchall()
        con.execute(f"ATTACH '{tmp_path / 'root' / 'content_zone.duckdb'}' AS content_zone")
        content = con.execute(f"SELECT * FROM content_zone.content.{DATASET} ORDER BY _row_number").df()
        episode_entry = con.execute(f"SELECT entry_id FROM {LEDGER} WHERE file_name LIKE '%_episode.csv'").fetchone()[0]
        withdraw(con, CONTRACTS_BY_ID, episode_entry, "sent in error")  # any file of the return withdraws it whole
        assert con.execute(f"SELECT count(*) FROM raw.{DATASET}").fetchone()[0] == 0
        assert con.execute(f"SELECT count(*) FROM content_zone.content.{DATASET}").fetchone()[0] == 0
        assert [o for (o,) in con.execute(f"SELECT outcome FROM {LEDGER}").fetchall()] == ["withdrawn"] * 4
    assert [r[0] for r in raw] == ["C0001", "C0001", "C0002"] and {r[1] for r in raw} == {r[2] for r in raw} == {None}
    assert not {"child_ref", "forename", "chi", "scn", "date_of_birth"} & set(content.columns)  # identifiers only in the index zone
    assert list(content["placement_type"]) == ["foster_provided_by_la", "kinship_friends_relatives", "la_home"]
    assert list(content["legal_reason"]) == ["compulsory_supervision_order"] * 3


def test_a_part_alone_waits(story_env: Path, tmp_path: Path) -> None:
    parts = _layered(tmp_path)
    _drop(tmp_path / "root", {"child": parts["child"], "episode": parts["episode"]})
    results = _intake(tmp_path / "root")
    assert {r.outcome for r in results} == {"waiting"} and len(results) == 2
    assert all("legal_reason.csv" in r.problems[0].message for r in results)
    _drop(tmp_path / "root", parts)
    assert {r.outcome for r in _intake(tmp_path / "root")} == {"accepted"}


def test_a_broken_rule_between_files_refuses_the_whole_return_naming_the_rows(story_env: Path, tmp_path: Path) -> None:
    parts = _layered(tmp_path)
    legal = list(csv.reader(io.StringIO(parts["legal_reason"])))
    legal[3][legal[0].index("legal_start")] = "2020-11-01"  # the third placement (from 2020-10-15) now starts before any legal reason
    placements = parts["placement"] + "C0009,2020-11-01,,la_home,N\n"  # a fourth placement for a child with no episode
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(legal)
    _drop(tmp_path / "root", {**parts, "legal_reason": out.getvalue(), "placement": placements})
    results = _intake(tmp_path / "root")
    assert {r.outcome for r in results} == {"refused"} and len(results) == 4
    by_rule = {p.message.split(":")[1].strip(): p for p in results[0].problems if p.check == "cross_part"}
    assert by_rule["Every placement lies within one of its child's episodes (it starts on or after the episode starts, and ends by the day the episode ends)"].rows == (4,)
    assert by_rule["A legal reason covers the day each placement starts"].rows == (3, 4)
    assert all(r.problems == results[0].problems for r in results)  # one list, by file and row, in every file's report
    report = Path(f"{results[0].kept_at}.refusal.md").read_text(encoding="utf-8")
    assert "In the placement file" in report and f"{DATASET}_S12000049_<period>_legal_reason.csv" in report
    with duckdb.connect(str(tmp_path / "root" / "linkage_zone.duckdb"), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM raw.{DATASET}").fetchone()[0] == 0
        assert {o for (o,) in con.execute(f"SELECT outcome FROM {LEDGER}").fetchall()} == {"refused"}
        assert all(json.loads(p) for (p,) in con.execute(f"SELECT problems FROM {LEDGER}").fetchall())


def _link_analyse_and_measure(root: Path) -> tuple[int, dict[str, pd.DataFrame]]:
    """Linkage, the analysis table and every measure of looked after episodes alone, as the two roles' runs make them;
    with the linkage's count of records linked without names."""
    contracts = {DATASET: CONTRACT}
    index = {"linkage_zone": DuckDBResource(database=str(root / "linkage_zone.duckdb")), "index_folders": IndexFolders(data_dir=str(root), shared_dir=str(SHARED)), "pseudonymisation_key": pseudonymisation_key()}
    linked = dg.materialize([build_person_links_asset(contracts)], resources=index)
    [materialized] = linked.get_asset_materialization_events()
    without_names = materialized.materialization.metadata["records_linked_without_names"].value
    content = {"folders": StoryFolders(content_dir=str(root), shared_dir=str(SHARED)), "warehouse": DuckDBResource(database=str(root / "warehouse.duckdb"))}
    assert dg.materialize([build_analysis_asset(CONTRACT)], resources=content).success
    measures = {m.id: m for m in catalogue(REFERENCE_DIR, CONTRACTS_BY_ID).values() if m.sources == (DATASET,)}
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return without_names, {id_: m.figures(con) for id_, m in measures.items()}


def test_a_councils_layered_return_gives_the_measures_of_the_same_children_sent_flat(story_env: Path, tmp_path: Path, tiny_landing: Path) -> None:
    landing = tiny_landing
    flat, layered = tmp_path / "flat", tmp_path / "layered"
    for source in sorted(landing.glob(f"S12000049/{DATASET}/*_202[2-4].csv")):
        folder = source.relative_to(landing).parent
        for root in (flat, layered):
            (root / "landing" / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, flat / "landing" / folder / source.name)
        write_layered(source, CONTRACT, layered / "landing" / folder)  # the council's own return, layered, without names or CHI
    taken = {root: _intake(root) for root in (flat, layered)}
    assert {r.outcome for r in taken[flat]} == {r.outcome for r in taken[layered]} == {"accepted"}
    assert len(taken[layered]) == len(taken[flat]) + 3 * 3  # three years of four files in place of one
    (flat_without_names, ours), (layered_without_names, theirs) = (_link_analyse_and_measure(root) for root in (flat, layered))
    assert layered_without_names > flat_without_names  # the council's children linked on SCN, date of birth and sex
    assert ours.keys() == theirs.keys() and len(ours) >= 3
    for measure, figures in ours.items():
        assert len(figures) > 0, measure
        order = list(figures.columns)
        pd.testing.assert_frame_equal(figures.sort_values(order).reset_index(drop=True), theirs[measure][order].sort_values(order).reset_index(drop=True), obj=measure)


def test_the_contract_page_shows_the_layered_form(tmp_path: Path) -> None:
    page = render_contract_page(CONTRACT, REFERENCE_DIR)
    assert "Sending it layered" in page and "Sending it layered" not in render_contract_page(CONTRACTS_BY_ID["secure_admissions"], REFERENCE_DIR)
    for part in CONTRACT.layered:
        assert f"{DATASET}_" in page and f"_{part.name}.csv</code>" in page
        assert all(rule.description.replace("'", "&#39;") in page for rule in part.cross_rules)
    assert "<code>forename</code> (optional)" in page and "<code>date_of_birth</code>," in page


def test_story_check_judges_one_file_against_its_part_and_the_page_says_it_cannot_judge_a_layered_return(story_env: Path, tmp_path: Path, capsys) -> None:
    parts = _layered(tmp_path)
    child = tmp_path / "returns" / f"{DATASET}_S12000049_2021_child.csv"
    child.parent.mkdir()
    child.write_text(parts["child"], encoding="utf-8")
    assert main(["check", str(child), "--dataset", DATASET, "--agency", "S12000049"]) == 0
    assert "rules between its files are checked when the intake takes all 4 in together" in capsys.readouterr().out
    child.write_text(parts["child"].replace(",F,", ",X,", 1), encoding="utf-8")
    assert main(["check", str(child), "--dataset", DATASET, "--agency", "S12000049"]) == 1
    assert "'sex'" in capsys.readouterr().out
    told = [line for line in not_in_the_page(CONTRACTS_BY_ID) if "sent layered" in line]
    assert len(told) == sum(1 for c in CONTRACTS_BY_ID.values() if c.layered) == 1 and "looked after episodes" in told[0]


def test_a_rule_of_the_contract_broken_across_files_names_the_placement_row(story_env: Path, tmp_path: Path) -> None:
    parts = _layered(tmp_path)
    born = "2015-06-07"  # the second child's date of birth
    _drop(tmp_path / "root", {**parts, "child": parts["child"].replace(born, "2001-06-07")})  # 19 when the episode and its placement start
    results = _intake(tmp_path / "root")
    assert {r.outcome for r in results} == {"refused"}
    ages = [p for p in results[0].problems if p.check == "plausible_age"]
    assert len(ages) == 2 and all(p.message.startswith("In the placement file: Checked with each placement's child") and p.rows == (3,) for p in ages)
