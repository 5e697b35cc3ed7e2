"""The whole pipeline on a real Dagster instance and real DuckDB files, from agency drops to PDF.

Agency files are generated calibrated to the published looked after table (2020 and 2021),
one bad file and one duplicate are dropped beside them, and the job runs end to end. The
assertions read what users read: the published HTML and PDF, the manifest, the quarantine.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import shutil
import subprocess
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from assets.disclosure.disclosure_control import FIGURE_KEY
from assets.disclosure.intruder_audit import audit_disclosure
from assets.folders import IndexFolders
from assets.ingest.sealing import SEALED_SUFFIX, CannotOpen, opened
from assets.measures.catalogue import catalogue
from assets.measures.indicators import measure_id_of
from assets.model.contracts import load_contracts
from assets.model.reference import (
    SCOTLAND_CODE,
    core_wellbeing_indicators,
    councils,
    family_groups,
    plan_themes,
    progress_framework_indicators,
    progress_framework_outcomes,
    vision_statements,
)
from assets.partitions import RANGE_END, RANGE_START
from assets.privacy.identifier_scan import is_scanned, scan_database, scan_published
from assets.publication.downloads import all_figures_downloads, measure_download, table_download
from assets.publication.mart import AUDIT_MEMO, AUDIT_SECONDS, RULE, disclosure_declarations
from assets.reports.factory import COUNCIL_REPORTS, ORGANISATION_REPORTS
from assets.reports.places import Place
from assets.reports.site_links import theme_page
from orchestration.definitions import build_definitions
from orchestration.settings import Settings
from synthetic.corrections import withdraw_open_episodes
from synthetic.generate import generate
from tests.support.family_group_figures import with_group_figures
from tests.support.paths import CONTRACTS, REFERENCE, SHARED
from tests.support.sealed import SEALING_KEY
from tests.support.website_links import broken_links, parse_page, site_pages

pytestmark = pytest.mark.slow
REPORT = Path("published/latest/national/story-of-progress-scotland")
QUESTIONS = (
    "Does the care community feel the impact of the promise being kept?",
    "How is Scotland doing in its progress towards keeping the promise?",
    "How are organisations doing in their work to keep the promise?",
)


# The first run renders three councils' reports (a range of partitions) to keep CI quick;
# tests/integration/test_reports.py covers every council's report on its own.
FIRST_COUNCILS = {RANGE_START: "S12000047", RANGE_END: "S12000049"}  # Fife, Perth and Kinross, Glasgow City
GLASGOW = "S12000049"
KEY = secrets.token_hex(32)  # drawn once per session: a key written here would be one anyone could read, and is refused
CHI_SHAPED = "1405062002"  # a date and four digits, as a CHI number is
REFUSED = "scn,date_of_birth,la_code,school_year,exclusion_date,days_excluded\n123456789,2010-01-01,S12000036,2024-25,2024-13-01,1\n"  # an impossible date


def _story_env(env: pytest.MonkeyPatch, root: Path) -> None:
    env.setenv("STORY_DATA_DIR", str(root / "data"))
    env.setenv("STORY_SHARED_DIR", str(SHARED))
    env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    env.setenv("STORY_PSEUDONYMISATION_KEY", KEY)
    env.setenv("STORY_SEALING_KEY", SEALING_KEY.hex())
    env.setenv("STORY_SETTLE_SECONDS", "0")  # the files were just generated: take them at once


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Generate, drop a bad file and a duplicate, run the job once; return the data root."""
    root = tmp_path_factory.mktemp("e2e")
    data, home = root / "data", root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    with pytest.MonkeyPatch.context() as env:
        _story_env(env, root)
        generate(data, "demo", seed=7, calibrate=SHARED / "reference" / "looked_after_by_placement_national.csv")
        glasgow = data / "landing" / GLASGOW / "looked_after_episodes"
        shutil.copytree(glasgow, root / "sent_by_glasgow")  # Glasgow's own copy: a file taken in leaves landing
        good = glasgow / "looked_after_episodes_S12000049_2024.csv"
        # The same bytes again under another name: must be counted once.
        shutil.copyfile(good, glasgow / "looked_after_episodes_S12000049_2024 (copy).csv")
        # A refused file: an impossible exclusion date on data row 1.
        bad_dir = data / "landing" / "S12000036" / "school_exclusions"
        bad_dir.mkdir(parents=True, exist_ok=True)
        (bad_dir / "school_exclusions_S12000036_2024-25.csv").write_text(REFUSED)
        # A file whose name holds what looks like a CHI number: refused for its name, and it must not stop the edition (issue 33).
        (data / "landing" / "S12000045" / "looked_after_episodes").mkdir(parents=True, exist_ok=True)
        (data / "landing" / "S12000045" / "looked_after_episodes" / f"looked_after_episodes_S12000045_{CHI_SHAPED}.csv").write_text("child_id\n1\n")
        defs = build_definitions(Settings.from_env())
        with dg.instance_for_test(temp_dir=str(home)) as instance:
            result = defs.resolve_job_def("story_of_progress").execute_in_process(instance=instance, tags=FIRST_COUNCILS)
        assert result.success
    return data


def test_scotland_totals_match_the_published_table_exactly(built: Path):
    html = (built / REPORT.with_suffix(".html")).read_text()
    table = re.search(r"Data behind the chart: Children looked after on 31 July, Scotland</caption>(.*?)</table>", html, re.S).group(1)
    figures = dict(re.findall(r'<th scope="row">(\d{4})</th><td class="num">([^<]+)</td>', table))
    assert figures["2020"] == "14,458"
    assert figures["2021"] == "13,255"


def test_scotland_placement_types_match_the_published_table_to_the_unit(built: Path):
    published = pd.read_csv(SHARED / "reference" / "looked_after_by_placement_national.csv", dtype={"year_ending_31_july": str})
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        mart = con.execute(
            "SELECT period, category AS placement_type, numerator_published FROM mart.published_measures "
            "WHERE measure_id = 'looked_after_31_july' AND geography_code = 'S92000003' AND breakdown = 'placement_type' AND period IN ('2020', '2021')"
        ).df()
    ours = {(r.period, r.placement_type): r.numerator_published for r in mart.itertuples()}
    theirs = {(r.year_ending_31_july, r.placement_type): r.children for r in published.itertuples()}
    assert ours == theirs


def test_the_pdf_is_a_report_with_title_contents_and_the_three_questions(built: Path):
    pdf = built / REPORT.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+The Promise Story of Progress: Scotland$", info, re.M)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 30 <= pages <= 70  # demo data: about 45 (every measure with its chart, data table and councils)
    laid_out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Contents" in laid_out
    # The table of contents gives page numbers for its entries.
    assert re.search(r"Data quality and coverage\s*\.+\s*\d+", laid_out)
    reading_order = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for question in QUESTIONS:
        assert question in reading_order


def test_manifest_lists_every_file_with_its_hash(built: Path):
    latest = built / "published" / "latest"
    manifest = json.loads((latest / "manifest.json").read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    for suffix, kind in ((".html", "html"), (".pdf", "pdf")):
        entry = listed[f"national/story-of-progress-scotland{suffix}"]
        assert entry["kind"] == kind
        assert entry["sha256"] == hashlib.sha256((latest / entry["path"]).read_bytes()).hexdigest()
    assert any(i["dataset"] == "population_estimates" for i in manifest["built_from"])
    every_figure = all_figures_downloads(manifest["edition"], [SCOTLAND_CODE, GLASGOW])
    for name in (measure_download(manifest["edition"], "looked_after_31_july", [SCOTLAND_CODE, GLASGOW]), *every_figure):
        download = listed[f"downloads/{name}"]
        assert download["sha256"] == hashlib.sha256((latest / download["path"]).read_bytes()).hexdigest()


def test_the_edition_is_a_website_with_every_page_linked_and_the_data_map(built: Path):
    """The home page is the edition's index; every vision, measure, council and organisation has its
    page, every link resolves, nothing needs a script, and the Data Map covers all ten visions."""
    latest = built / "published" / "latest"
    pages = site_pages(latest)
    names = {p.name for p in pages}
    assert {f"vision-{v}.html" for v in range(1, 11)} <= names
    assert {f"measure-{m}.html" for m in catalogue(REFERENCE, load_contracts(CONTRACTS))} <= names
    assert {"place-scotland.html", "place-glasgow-city.html", "place-orkney-islands.html", "data-map.html"} <= names
    assert any(n.startswith("organisation-") for n in names)
    assert broken_links(pages, latest) == []
    assert all(parse_page(p).scripts == 0 for p in pages)
    home = (latest / "index.html").read_text()
    assert all(q in home for q in QUESTIONS) and 'id="easy-read"' in home
    listed = {f["path"] for f in json.loads((latest / "manifest.json").read_text())["files"]}
    assert {str(p.relative_to(latest)) for p in pages} <= listed
    data_map = pd.read_csv(latest / "downloads" / table_download(json.loads((latest / "manifest.json").read_text())["edition"], "data_map", pd.DataFrame()))
    assert set(data_map.vision_id.dropna().astype(int)) == set(range(1, 11))
    measure_page = (latest / "site" / "measure-indicator_looked_after_31_july.html").read_text()
    assert "Last updated" in measure_page and re.search(r"<td>\d{2} \w+ \d{4}</td><td>\d{2} \w+ \d{4}</td>", measure_page), "the producer's release dates"


def test_vision_pages_show_the_published_outcomes_and_the_dashboard_streams_with_their_release_dates(built: Path):
    """Visions with published outcomes list them with their indicators under them (the others say
    so); each dashboard stream is published under its outcome, with its last update, next update
    due and download; the wellbeing page counts the indicators the edition has figures for."""
    latest = built / "published" / "latest"
    edition = json.loads((latest / "manifest.json").read_text())["edition"]
    outcomes, indicators = progress_framework_outcomes(REFERENCE), progress_framework_indicators(REFERENCE)
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    for vision_id in vision_statements(REFERENCE).vision_id:
        page = (latest / "site" / f"vision-{vision_id}.html").read_text()
        mine = outcomes[outcomes.vision_id == vision_id]
        assert ("outcomes for this vision statement are not published" in page) == mine.empty
        for outcome in mine.itertuples():
            section = re.search(rf'<section class="outcome" id="outcome-{outcome.outcome_id}".*?</section>', page, re.S).group(0)
            assert all(i.replace("'", "&#39;") in section for i in indicators[indicators.outcome_id == outcome.outcome_id].indicator)
    dashboard = pd.read_csv(SHARED / "reference" / "ppf_dashboard_indicator_values.csv", dtype=str)
    for indicator_id, rows in dashboard.groupby("indicator_id"):
        measure_id = measure_id_of(indicator_id)
        year, month = map(int, rows.vintage.max().split("-"))
        named = pd.Timestamp(year, month, 1).strftime("%B")
        page = (latest / "site" / f"measure-{measure_id}.html").read_text()
        assert re.search(rf"<td>\d{{2}} {named} {year}</td><td>\d{{2}} {named} {year + 1}</td>", page), f"{measure_id}: last updated and next update due"
        assert "Outcome: <a href=" in page
        vision = (latest / "site" / f"vision-{entries[measure_id].vision_id}.html").read_text()
        assert re.search(rf'<section class="outcome"[^>]*>(?:(?!</section>).)*measure-{measure_id}\.html', vision, re.S), f"{measure_id} under its outcome"
        assert (latest / "downloads" / measure_download(edition, measure_id, [SCOTLAND_CODE])).exists()
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        published = {m for (m,) in con.execute("SELECT DISTINCT measure_id FROM mart.published_measures").fetchall()}
    with_figures = {i for e in entries.values() if e.id in published for i in e.core_wellbeing}
    known = core_wellbeing_indicators(REFERENCE)
    wellbeing = (latest / "site" / "wellbeing.html").read_text()
    assert all(f'<tr id="{i}">' in wellbeing for i in known.indicator_id)
    assert f"<strong>{len(with_figures)} of the {len(known)}</strong>" in wellbeing


def test_every_route_map_has_a_page_linked_from_its_organisations_and_the_data_map_reads_what_is_held(built: Path):
    latest = built / "published" / "latest"
    assert all((latest / theme_page(t)).is_file() for t in plan_themes(REFERENCE))
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        worked_on = con.execute("SELECT DISTINCT organisation_name, theme FROM mart.route_map_milestones").fetchall()
        findings = con.execute("SELECT vision_id, kind FROM mart.data_map_findings").df()
    assert worked_on
    for name, theme in worked_on:
        organisation = next(p for p in (latest / "site").glob("organisation-*.html") if f"<h1>{name}</h1>" in p.read_text().replace("&#39;", "'"))
        assert f'href="../{theme_page(theme)}"' in organisation.read_text()
    # The synthetic holdings returns have all three: held but not sent, restraint counted twice, and nothing held about custody (vision 8).
    assert {"held_not_sent", "collected_more_than_once"} <= set(findings.kind)
    assert "collected_more_than_once" in set(findings.loc[findings.vision_id == 5, "kind"])
    assert "nothing_held" in set(findings.loc[findings.vision_id == 8, "kind"])


def test_each_measure_is_published_in_the_year_it_counts_in_and_the_reports_say_which(built: Path):
    """SCRA's referrals are counted in SCRA's year (1 April to 31 March); the looked after measures in the social
    work year; the website's measure pages and the report's method notes say each measure's year."""
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    report = (built / REPORT.with_suffix(".html")).read_text()
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        for measure_id, period in (("hearings_child_views_recorded_share", r"\d{4}-\d{2}"), ("looked_after_31_july", r"\d{4}")):
            periods = [r[0] for r in con.execute("SELECT DISTINCT period FROM mart.published_measures WHERE measure_id = ?", [measure_id]).fetchall()]
            assert periods and all(re.fullmatch(period, p) for p in periods), (measure_id, periods)
            said = html.escape(entries[measure_id].year_counted_in)
            assert f"<dt>Year counted in</dt><dd>{said}</dd>" in (built / "published" / "latest" / "site" / f"measure-{measure_id}.html").read_text()
            assert f"Counted in {said}." in report
    assert "1 April to 31 March" in entries["hearings_child_views_recorded_share"].year_counted_in


def test_csv_downloads_carry_published_figures_only(built: Path):
    latest = built / "published" / "latest"
    edition = json.loads((latest / "manifest.json").read_text())["edition"]
    rows = pd.read_csv(latest / "downloads" / measure_download(edition, "looked_after_31_july", [SCOTLAND_CODE, GLASGOW]), dtype={"period": str})
    scotland = rows[(rows.geography_code == "S92000003") & (rows.breakdown == "total")].set_index("period")
    assert scotland.loc["2020", "numerator_published"] == 14458
    hidden = rows[rows.value_display == "[c]"]
    assert len(hidden) > 0 and hidden["numerator_published"].isna().all()
    assert "numerator" not in rows.columns  # the raw counts of hidden cells never leave the warehouse
    # A file's row count is a count of records (children in custody, incidents): it stays in
    # the linkage zone, out of the coverage download and the edition's manifest.
    coverage = pd.read_csv(latest / "downloads" / table_download(edition, "data_coverage", pd.DataFrame()))
    assert len(coverage) > 0 and not {"rows", "bytes"} & set(coverage.columns)
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["built_from"] and all(not {"rows", "bytes"} & set(entry) for entry in manifest["built_from"])
    # Linkage rates: the linkage hands over exact counts per dataset; only rounded ones (or [c]) are published.
    exact = pd.read_csv(built / "linkage_rates.csv").set_index("dataset")
    rates = pd.read_csv(latest / "downloads" / table_download(edition, "linkage_rates", pd.DataFrame()), dtype=str).set_index("dataset")
    assert set(rates.index) == set(exact.index) and len(rates) > 1
    for column in ("records", "linked_records"):
        shown = rates[column].str.replace(",", "")
        assert (shown.eq("[c]") | shown.str.fullmatch(r"\d*0")).all(), rates[column]
        assert (shown.where(shown != "[c]").dropna().astype(int) - exact.loc[shown.index, column][shown != "[c]"]).abs().le(5).all()


def test_no_hidden_count_follows_from_a_stock_and_its_flows_in_the_downloads(built: Path):
    """A reader of the measure downloads tries stock(t) = stock(t-1) + in(t) - out(t), place by
    place, on every breakdown the stock and its flows are all published by (not only the declared
    ones), and trusts it for a breakdown where it holds in every fully published case: there,
    where one of the four is [c] and the other three are published, the value it names must
    never be the true count. (By age band it fails where children moved up a band, so a reader
    cannot trust it, though it is sometimes right by chance.)"""
    latest = built / "published" / "latest"
    edition = json.loads((latest / "manifest.json").read_text())["edition"]
    key = ["geography_code", "breakdown", "category", "period"]

    def published(measure_id: str) -> pd.DataFrame:
        rows = pd.read_csv(latest / "downloads" / measure_download(edition, measure_id, [SCOTLAND_CODE, GLASGOW]), dtype={"period": str})
        return rows.assign(period=rows["period"].astype(int), hidden=rows["value_display"].eq("[c]"))[[*key, "numerator_published", "hidden"]]

    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        def truth(measure_id: str) -> pd.DataFrame:
            return con.execute(f"SELECT geography_code, breakdown, category, period::INTEGER AS period, numerator FROM measures.{measure_id}").df()

        balances = {m: entry.stock_and_flow for m, entry in catalogue(REFERENCE, load_contracts(CONTRACTS)).items() if entry.stock_and_flow}
        assert balances
        with_hidden = 0
        for stock, (inflow, outflow, _) in balances.items():
            end, into, out = published(stock), published(inflow), published(outflow)
            four = (end.merge(end.assign(period=end["period"] + 1), on=key, suffixes=("", "_start"))
                    .merge(into, on=key, suffixes=("", "_in")).merge(out, on=key, suffixes=("", "_out")))
            hidden = four[["hidden", "hidden_start", "hidden_in", "hidden_out"]].to_numpy()
            values = four[["numerator_published", "numerator_published_start", "numerator_published_in", "numerator_published_out"]].astype(float)
            whole = hidden.sum(axis=1) == 0
            holds = (values.to_numpy() @ np.array([1, -1, -1, 1]) == 0)[whole]
            trusted = {b for b, ok in pd.Series(holds).groupby(four["breakdown"].to_numpy()[whole]) if ok.all()}
            assert "total" in trusted
            with_hidden += int((hidden.any(axis=1) & four["breakdown"].isin(trusted)).sum())
            one = four[(hidden.sum(axis=1) == 1) & four["breakdown"].isin(trusted)]
            value = values.loc[one.index]
            signed = value.fillna(0).to_numpy() * [1, -1, -1, 1]  # end - start - in + out = 0
            named = -signed.sum(axis=1) * np.where(value.isna().to_numpy(), [1, -1, -1, 1], 0).sum(axis=1)
            which = np.argmax(value.isna().to_numpy(), axis=1)
            guesses = one[key].assign(period=one["period"] - (which == 1), measure=np.array([stock, stock, inflow, outflow])[which], guess=named)
            true = pd.concat([truth(m).assign(measure=m) for m in (stock, inflow, outflow)])
            hits = guesses.merge(true, on=["measure", *key]).query("guess == numerator")
            assert hits.empty, hits.head().to_string()
        assert with_hidden > 0  # the identity had hidden cells to work on


def _published_text(folders: list[Path]) -> str:
    """Every published file as text: HTML, CSV and JSON as they are, PDFs through pdftotext, workbooks' XML unzipped."""
    parts = []
    for path in sorted(p for folder in folders for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            parts.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                parts += [book.read(n).decode("utf-8", "replace") for n in book.namelist()]
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_nothing_published_lets_a_guesser_confirm_what_an_agency_sent(built: Path):
    """Issue 33: a guesser who can rebuild a small file's bytes must find nothing to check them against.

    Every digest an intruder might try (md5, sha1, sha256, sha512, blake2b; hex either case and
    base64, by their first 12 characters, as kept file names once used) of every file agencies
    sent, accepted or refused (opened from their sealed copies), is looked for in every 12
    characters of every run of such characters in the latest edition and digest, PDF text and
    workbook XML included; so is the CHI-like name an agency chose.
    """
    published = _published_text([built / "published" / "latest", built / "published" / "digests" / "latest"])
    with duckdb.connect(str(built / "linkage_zone.duckdb"), read_only=True) as con:
        entries = con.execute("SELECT dataset, agency, sha256 FROM ingest_ledger WHERE outcome IN ('accepted', 'superseded', 'refused')").fetchall()
    sealed = {p.read_bytes()[:200].split(b"\n")[1].decode(): p for zone in ("accepted", "quarantine") for p in (built / zone).rglob(f"*{SEALED_SUFFIX}")}
    sent = [opened(sealed[f"{d}|{a}|{sha}"].read_bytes(), SEALING_KEY, d, a, sha) for d, a, sha in entries if f"{d}|{a}|{sha}" in sealed]
    assert len(sent) > 100
    prefixes = set()
    for content in sent:
        for algorithm in ("md5", "sha1", "sha256", "sha512", "blake2b"):
            digest = hashlib.new(algorithm, content)
            prefixes |= {digest.hexdigest()[:12], digest.hexdigest()[:12].upper(), base64.b64encode(digest.digest()).decode()[:12]}
    runs = (m.group(0) for m in re.finditer(r"[A-Za-z0-9+/]{12,}", published))
    assert not {run[i:i + 12] for run in runs for i in range(len(run) - 11)} & prefixes, "a digest of an agency's file is published"
    assert CHI_SHAPED not in published
    manifest = json.loads((built / "published" / "latest" / "manifest.json").read_text())
    assert manifest["built_from"] and all(set(entry) == {"entry_id", "dataset", "agency", "period", "received_on"} for entry in manifest["built_from"])
    assert all(re.fullmatch(r"[a-z]{4}-[a-z]{4}-[a-z]{4}", entry["entry_id"]) for entry in manifest["built_from"])


def test_a_file_named_like_a_chi_number_is_refused_and_the_edition_still_publishes(built: Path):
    with duckdb.connect(str(built / "linkage_zone.duckdb"), read_only=True) as con:
        [(outcome, entry)] = con.execute("SELECT outcome, entry_id FROM ingest_ledger WHERE file_name LIKE ?", [f"%{CHI_SHAPED}%"]).fetchall()
    assert outcome == "refused"
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT file_name, period FROM mart.data_coverage WHERE entry_id = ?", [entry]).fetchall() == [(None, None)]
    digest = next((built / "published" / "digests" / "latest").glob("*.html")).read_text()
    assert entry in digest and "a file not named as agreed" in digest


def test_a_refused_file_is_kept_byte_for_byte_with_a_report_naming_rows_and_columns(built: Path):
    [kept] = [p for p in (built / "quarantine" / "S12000036" / "school_exclusions").iterdir() if p.suffix == SEALED_SUFFIX]
    assert not (built / "landing" / "S12000036" / "school_exclusions" / "school_exclusions_S12000036_2024-25.csv").exists()  # sealed and kept, it left landing
    sha = hashlib.sha256(REFUSED.encode()).hexdigest()
    assert opened(kept.read_bytes(), SEALING_KEY, "school_exclusions", "S12000036", sha) == REFUSED.encode()
    with pytest.raises(CannotOpen):  # only the sealing key opens it
        opened(kept.read_bytes(), secrets.token_bytes(32), "school_exclusions", "S12000036", sha)
    report = Path(str(kept) + ".refusal.md").read_text()
    assert "exclusion_date" in report and "Rows (counting the first row after the header as row 1): 1" in report


def test_the_same_file_dropped_twice_is_counted_once(built: Path):
    with duckdb.connect(str(built / "linkage_zone.duckdb"), read_only=True) as con:
        outcomes = con.execute(
            "SELECT count(*) FROM ingest_ledger WHERE dataset = 'looked_after_episodes' AND agency = 'S12000049' AND period = '2024'"
        ).fetchone()[0]
    assert outcomes == 1


def test_no_identifiers_reach_the_warehouse_or_the_published_files(built: Path):
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        schemas = {schema for (schema,) in con.execute("SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()}
        assert {"analysis", "measures", "mart"} <= schemas
        assert scan_database(con) == []
    assert scan_published(built / "published" / "latest") == []
    # The linkage zone, by contrast, does hold them: the scan is not blind.
    with duckdb.connect(str(built / "linkage_zone.duckdb"), read_only=True) as con:
        assert scan_database(con)


def test_no_store_holds_identifiers_beside_content(built: Path):
    """Issue 30, separation of functions: every DuckDB file under the data root, table by table, and every other readable file.

    Identifiers (the columns contracts class as identifiers) and content (every other column a
    contract declares, but the sex the linkage also compares) never share a table; the index
    zone holds no content column at all, and the content zone and the person index no identifier
    column or identifier-shaped value.
    """
    contracts = load_contracts(CONTRACTS)
    identifiers = {c.name for k in contracts.values() for c in k.columns if c.identifier}
    content = {c.name for k in contracts.values() for c in k.columns if not c.identifier} - {"sex"} - identifiers
    databases = sorted(built.rglob("*.duckdb"))
    assert {p.name for p in databases} >= {"linkage_zone.duckdb", "content_zone.duckdb", "person_index.duckdb", "warehouse.duckdb"}
    for database in databases:
        with duckdb.connect(str(database), read_only=True) as con:
            tables = con.execute("SELECT schema_name, table_name, list(column_name) FROM duckdb_columns() WHERE database_name = current_database() GROUP BY ALL").fetchall()
            for schema, table, columns in tables:
                held = set(columns)
                assert not (held & identifiers and held & content), f"{database.name} {schema}.{table} holds {sorted(held & identifiers)} beside {sorted(held & content)}"
                # The ledger's period and outcome are a file's, the destruction log's kind what was destroyed: neither a record's.
                if database.name == "linkage_zone.duckdb" and table not in ("ingest_ledger", "destruction_log"):
                    assert not held & content, f"the index zone's {schema}.{table} holds content: {sorted(held & content)}"
            if database.name in ("content_zone.duckdb", "person_index.duckdb"):
                assert scan_database(con) == [], database.name
    with duckdb.connect(str(built / "content_zone.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM content.looked_after_episodes").fetchone()[0] > 1000  # the scan read real tables
    # Every other readable file (outside the edition and the generator's answer key): agencies'
    # originals are kept sealed, and leave landing once taken in, so none reads as identifiers beside content.
    files = [p for p in built.rglob("*") if p.is_file() and p.suffix != ".duckdb" and not {"published", "ground_truth"} & set(p.relative_to(built).parts)]
    assert any(p.suffix == SEALED_SUFFIX for p in files)
    for path in files:
        header = set(re.split(r"[,;\t]", path.read_bytes()[:4096].decode("utf-8", "replace").splitlines()[0].strip().lower())) if path.stat().st_size else set()
        assert not (header & identifiers and header & content), f"{path.relative_to(built)} holds {sorted(header & identifiers)} beside {sorted(header & content)}"


def _glasgow_looked_after(data: Path, period: str) -> int:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT numerator_published FROM mart.published_measures WHERE measure_id = 'looked_after_31_july' "
            "AND geography_code = ? AND breakdown = 'total' AND period = ?", [GLASGOW, period]
        ).fetchone()[0]


def test_every_council_page_compares_with_its_family_group_and_the_audit_with_group_figures_finds_nothing(built: Path):
    """Issue 32: each council page names its family group (children's services scheme) and
    compares with it; the intruder audit of the edition, given every group figure a council page
    can print, finds nothing (its components are those the mart's own audit settled)."""
    latest = built / "published" / "latest"
    groups = family_groups(REFERENCE)
    compared = 0
    for code, name in councils(REFERENCE).names.items():
        page = (latest / "site" / f"place-{Place(code, name, 'council').slug}.html").read_text()
        assert 'id="councils-like-it"' in page and f"family group {groups.group_of[code]} of the children&#39;s services scheme" in page, name
        compared += len(re.findall(r'<span class="compare">(?:higher than|lower than|about the same as) councils like it</span>', page))
    assert compared > 0
    assert 'id="councils-like-it"' in (latest / "councils" / "glasgow-city.html").read_text()
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT * FROM mart.published_measures").df()
        measures = pd.concat([con.execute(f"SELECT * FROM measures.{m}").df() for m in entries], ignore_index=True)
        memo = {digest: json.loads(findings) for digest, findings in con.execute(f"SELECT digest, findings FROM {AUDIT_MEMO}").fetchall()}
    measures["numerator"] = measures["numerator"].astype("Int64")
    published, truth = with_group_figures(stored, measures, groups, entries)
    assert (published["geography_level"] == "family_group").any()
    _, compositions, balances = disclosure_declarations(entries)
    audit = audit_disclosure(published, truth, compositions=compositions, balances=balances, smallest_safe=RULE.max_suppressed_count + 1, allow_provably_small=RULE.allow_provably_small, time_limit=AUDIT_SECONDS, memo=memo)
    print(f"audit with group figures: {audit.cells_audited} cells, {audit.components} components ({audit.components_reused} reused), {audit.seconds:.1f} s")
    assert audit.passed and audit.cells_audited > 0, audit.failures[:5]


def test_a_new_council_file_re_renders_only_that_councils_report(built: Path, tmp_path: Path):
    """Runs last: it adds an edition. Glasgow corrects its 2024 return; the landing sensor asks
    for Glasgow's intake and partition only; Glasgow's report changes, the others are carried."""
    before = _glasgow_looked_after(built, "2024")
    previous = json.loads((built / "published" / "latest" / "manifest.json").read_text())
    old_files = {f["path"]: f["sha256"] for f in previous["files"]}
    sent = built.parent / "sent_by_glasgow" / "looked_after_episodes_S12000049_2024.csv"
    withdraw_open_episodes(sent, "2024", children=20)
    shutil.copy(sent, built / "landing" / GLASGOW / "looked_after_episodes" / sent.name)  # Glasgow sends its corrected return
    with pytest.MonkeyPatch.context() as env:
        _story_env(env, built.parent)
        defs = build_definitions(Settings.from_env())
        job = defs.resolve_job_def("story_of_progress")
        sensor = defs.resolve_sensor_def("landing_files")
        folders = IndexFolders(data_dir=str(built), shared_dir=str(SHARED))
        first_look = sensor(dg.build_sensor_context(resources={"index_folders": folders}))
        assert first_look.run_requests == []  # it may still be uploading
        [request] = sensor(dg.build_sensor_context(cursor=first_look.cursor, resources={"index_folders": folders})).run_requests
        assert request.partition_key == GLASGOW and request.tags["story/dataset"] == "looked_after_episodes"
        with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
            result = job.execute_in_process(instance=instance, partition_key=request.partition_key, asset_selection=request.asset_selection)
            assert result.success
            done = [e.event_specific_data.materialization for e in result.get_asset_materialization_events()]
            [scan] = [c for c in result.get_asset_check_evaluations() if c.check_name == "no_identifiers_in_published_files"]
    raw = sorted(m.asset_key.to_user_string() for m in done if m.asset_key.path[0] == "raw")
    council_partitions = [m.partition for m in done if m.asset_key == COUNCIL_REPORTS]
    assert raw == ["raw/looked_after_episodes"]  # no other dataset's intake ran
    keys = {m.asset_key.to_user_string() for m in done}
    assert "measures/looked_after_31_july" in keys and "measures/experience_positive_vision_1" not in keys  # nor what the file cannot reach
    assert council_partitions == [GLASGOW]  # one council's report, not 32
    assert _glasgow_looked_after(built, "2024") == before - 20

    latest = built / "published" / "latest"
    manifest = json.loads((latest / "manifest.json").read_text())
    new_files = {f["path"]: f["sha256"] for f in manifest["files"]}
    councils = sorted(p for p in old_files if p.startswith("councils/"))
    assert len(councils) == 9  # three councils: HTML, PDF and the record of their inputs
    for path in councils:
        changed = new_files[path] != old_files[path]
        assert changed == path.startswith("councils/glasgow-city"), path
    carried = manifest["carried_forward"]
    assert {p for p in carried if p.startswith("councils/")} == {p for p in councils if not p.startswith("councils/glasgow-city")}
    assert set(carried.values()) == {previous["edition"]}
    # What was carried byte for byte had passed the identifier scan before the latest edition was published: not read again.
    assert scan.passed and scan.metadata["clean_in_latest_edition"].value == sum(1 for p in carried if is_scanned(Path(p))) > 0
    # The organisations' reports ran in this run, but a council's looked after return does not reach them: carried, not rendered.
    [organisations] = [m.metadata for m in done if m.asset_key == ORGANISATION_REPORTS]
    assert organisations["reports"].value > 0 and organisations["rendered"].value == 0
    assert all(new_files[p] == old_files[p] for p in new_files if p.startswith("organisations/"))
    glasgow = (latest / "councils" / "glasgow-city.html").read_text()
    table = re.search(r"Data behind the chart: Children looked after on 31 July, Glasgow City</caption>(.*?)</table>", glasgow, re.S).group(1)
    assert dict(re.findall(r'<th scope="row">(\d{4})</th><td class="num">([^<]+)</td>', table))["2024"] == f"{before - 20:,}"
    # The edition after a correction marks what moved [r] (issue 30): Glasgow's 2024 count, beside the figure, and not its 2023.
    marked = dict(re.findall(r'<th scope="row">(\d{4})</th><td class="num">[^<]+</td>\s*(?:<td[^>]*>[^<]*</td>\s*)*?<td>(\[r\][^<]*)</td>', table))
    assert f"where it was {before:,}" in marked["2024"] and "2023" not in marked
    figures = pd.read_csv(latest / "downloads" / all_figures_downloads(manifest["edition"], [SCOTLAND_CODE, GLASGOW])[0], dtype=str, keep_default_na=False)
    status = figures[(figures.measure_id == "looked_after_31_july") & (figures.geography_code == GLASGOW) & (figures.breakdown == "total")].set_index("period")["status"]
    assert "[r]" in status["2024"] and "[r]" not in status["2023"]
    # What the previous edition hid stays hidden (differencing across editions, issue 30): none of its [c] is shown now.
    [then_file] = (built / "published" / previous["edition"] / "downloads").glob("*_all-published-figures_*.csv")
    then = pd.read_csv(then_file, dtype=str, keep_default_na=False)
    hidden_then = set(map(tuple, then.loc[then.status.str.contains("[c]", regex=False), FIGURE_KEY].to_numpy()))
    shown_now = set(map(tuple, figures.loc[~figures.status.str.contains("[c]", regex=False), FIGURE_KEY].to_numpy()))
    assert hidden_then and not hidden_then & shown_now
