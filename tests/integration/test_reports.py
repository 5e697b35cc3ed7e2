"""Reports rendered from a sample mart: national and council editions, their PDFs and the edition listing.

The sample mart (tests/support/sample_mart.py) passes seeded counts through the real
disclosure control, for a few catalogue measures chosen by kind (a count with breakdowns, a
rate, a Q1 measure), so these tests do not wait for the whole pipeline.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from assets.model.contracts import load_contracts
from assets.reports import edition_reports, render
from assets.reports.edition_reports import edition_inputs, render_places
from assets.reports.editions import NATIONAL_STEM, carry_forward, write_manifest
from assets.reports.organisation_context import organisations
from assets.reports.places import SCOTLAND, council_places
from assets.reports.report_inputs import RECORD_SUFFIX, read_record
from assets.reports.story_context import QUESTIONS
from assets.reports.website import write_website
from tests.support.paths import CONTRACTS, SHARED
from tests.support.sample_mart import LINKAGE_COUNTS, build_sample_mart, report_test_measures

REFERENCE = SHARED / "reference"


def _inputs(tmp: Path, optional: bool):
    entries = report_test_measures()
    warehouse = build_sample_mart(tmp / f"warehouse-{optional}.duckdb", REFERENCE, entries=entries, optional=optional)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return entries, edition_inputs(con, entries, load_contracts(CONTRACTS), REFERENCE, "test-edition", "0.0.0")


@pytest.fixture(scope="module")
def sample_inputs(tmp_path_factory):
    return _inputs(tmp_path_factory.mktemp("mart"), optional=True)[1]


@pytest.fixture(scope="module")
def edition(tmp_path_factory, sample_inputs) -> Path:
    """National and two council reports (rendered by two worker processes), then the website and manifest."""
    root = tmp_path_factory.mktemp("edition")
    inputs = sample_inputs
    render_places(inputs, [(SCOTLAND, root / "national", NATIONAL_STEM)], lambda *_: None, workers=1)
    two = council_places(REFERENCE)[:2]
    render_places(inputs, [(p, root / "councils", p.slug) for p in two], lambda *_: None, workers=2)
    write_website(root, inputs)
    write_manifest(root, "test-edition", "run", [], {})
    return root


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_pdfs_have_title_contents_with_page_numbers_and_every_question(edition: Path):
    for pdf, title in [(edition / "national" / f"{NATIONAL_STEM}.pdf", "Scotland"), (edition / "councils" / "aberdeen-city.pdf", "Aberdeen City")]:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(rf"^Title:\s+The Promise Story of Progress: {title}$", info, re.M)
        assert 5 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 30
        text = _text(pdf)
        assert re.search(r"Data quality and coverage\s*\.{3,}\s*\d+", text), "contents entries carry page numbers"
        flat = " ".join(text.split())
        for question in QUESTIONS.values():
            assert question in flat
        assert "Page 2 of" in text


def test_council_report_compares_the_council_with_scotland_and_councils_like_it(edition: Path):
    html = (edition / "councils" / "aberdeen-city.html").read_text()
    assert "Aberdeen City compared with Scotland" in html
    assert re.search(r'<p id="councils-like-it">Councils like Aberdeen City are the other councils of its family group \(\d\)', html)
    rate = next(e for e in report_test_measures().values() if e.denominator is not None)
    section = re.search(rf'id="q2-measure-{rate.id}".*?</section>', html, re.S).group(0)
    assert '<th scope="col" class="num">Scotland</th>' in section
    assert re.search(r'<p class="group-comparison">In \S+, Aberdeen City \([\d.,]+\) was (higher than|lower than|about the same as) councils like it\.', section)
    # Direction of travel in words and a symbol, never colour alone.
    assert re.search(r'<span aria-hidden="true">[▲▼►–]</span> (little change|up|down|not enough)', section)
    # A count is not put beside Scotland's count.
    count = next(e for e in report_test_measures().values() if e.denominator is None)
    count_section = re.search(rf'id="q2-measure-{count.id}".*?</section>', html, re.S).group(0)
    assert '<th scope="col" class="num">Scotland</th>' not in count_section and "group-comparison" not in count_section


def test_definitions_are_printed_once_in_the_scotland_report_and_a_council_report_points_there(edition: Path, sample_inputs):
    national = (edition / "national" / f"{NATIONAL_STEM}.html").read_text()
    council = (edition / "councils" / "aberdeen-city.html").read_text()
    published = set(sample_inputs.mart.published_measures.measure_id)
    for entry in (e for e in sample_inputs.entries.values() if e.id in published):
        assert f'<span class="measure-id">({entry.id})</span>' in national
        assert f'<span class="measure-id">({entry.id})</span>' not in council
    assert '<dl class="definitions">' not in council
    definitions = re.search(r'<dl class="definitions">.*?</dl>', national, re.S).group(0)
    assert ".." not in definitions, "a definition ending in a full stop is not given a second one"
    assert "listed under \"How the figures are made\" in the Scotland report" in " ".join(council.split())


def test_national_report_shows_optional_tables_when_present(edition: Path):
    html = (edition / "national" / f"{NATIONAL_STEM}.html").read_text()
    assert "revised from 12,206 to 12,084" in html
    assert "No looked after return since 2022." in html
    assert "My worker listens to me now." in html
    assert "by council" in html and "Aberdeen City" in html
    assert "Linkage rates: " not in html
    linkage = re.search(r"<caption>Records linked to another record.*?</table>", html, re.S).group(0)
    assert "12,350" in linkage and "10,920" in linkage and "88%" in linkage
    for exact in LINKAGE_COUNTS[["records", "linked_records"]].to_numpy().ravel():
        assert f">{exact:,}<" not in linkage, f"the exact count {exact} is published"
    small = re.search(r"secure admissions.*?</tr>", linkage, re.S).group(0)
    assert small.count("[c]") == 2, "a small dataset's few records not linked are not published, nor its linked count"


def test_early_edition_says_not_yet_available_for_each_absent_table(tmp_path: Path):
    _, inputs = _inputs(tmp_path, optional=False)
    [result] = render_places(inputs, [(council_places(REFERENCE)[0], tmp_path, "early")], lambda *_: None, workers=1)
    html = Path(result["html"]).read_text()
    for section in ("q1", "q3", "early-warnings"):
        body = re.search(rf'<section id="{section}".*?</section>', html, re.S).group(0)
        assert "not yet available" in body, section
    assert "No list of revised figures was made for this edition." in html
    # Overdue and refused returns come from the ledger and the contracts' refreshDays.
    assert "Overdue (expected every" in html


def test_manifest_and_website_list_every_report(edition: Path):
    manifest = json.loads((edition / "manifest.json").read_text())
    listed = {(r["kind"], r["title"]) for r in manifest["reports"]}
    assert listed == {
        ("national", "The Promise Story of Progress: Scotland"),
        ("councils", "The Promise Story of Progress: Aberdeen City"),
        ("councils", "The Promise Story of Progress: Aberdeenshire"),
    }
    files = {f["path"] for f in manifest["files"]}
    assert {"councils/aberdeenshire.pdf", "councils/aberdeenshire.html", "index.html", "site/places.html"} <= files
    assert 'href="national/story-of-progress-scotland.html"' in (edition / "index.html").read_text()
    places = (edition / "site" / "places.html").read_text()
    assert 'href="../councils/aberdeenshire.pdf"' in places and 'href="../councils/aberdeen-city.html"' in places


def test_organisation_report_sits_beside_its_own_account_and_ranks_nobody(tmp_path: Path):
    _, inputs = _inputs(tmp_path, optional=True)
    [organisation] = organisations(inputs.mart.table("organisation_progress"))
    [result] = render_places(inputs, [(organisation, tmp_path / "organisations", organisation.slug)], lambda *_: None, workers=1)
    html = Path(result["html"]).read_text()
    assert "The Promise Story of Progress: Sample Health Board" in html
    theme = re.search(r'<section class="theme".*?</section>', html, re.S).group(0)
    assert "Listening" in theme and "Young people come back" in theme and "one more completed" in theme
    assert "not compared or ranked" in html
    assert 1 <= result["pages"] <= 6


def test_reports_not_rendered_in_a_run_are_carried_byte_for_byte_from_the_latest_edition(tmp_path: Path):
    latest, edition = tmp_path / "latest", tmp_path / "new"
    (latest / "councils").mkdir(parents=True)
    (edition / "councils").mkdir(parents=True)
    for name in ("fife.html", "fife.pdf", "glasgow-city.html"):
        (latest / "councils" / name).write_bytes(f"old {name}".encode())
    (latest / "manifest.json").write_text(json.dumps({"edition": "E2", "carried_forward": {"councils/fife.pdf": "E1"}}))
    (edition / "councils" / "glasgow-city.html").write_text("new")
    carried = carry_forward(edition, latest, "councils")
    assert carried == {"councils/fife.html": "E2", "councils/fife.pdf": "E1"}  # each names the edition it was rendered in
    assert (edition / "councils" / "fife.pdf").read_bytes() == b"old fife.pdf"
    assert (edition / "councils" / "glasgow-city.html").read_text() == "new"  # this run's render is kept
    assert carry_forward(edition, tmp_path / "no-edition-yet", "councils") == {}


def test_reports_that_are_all_carried_start_no_worker_process(edition: Path, sample_inputs, tmp_path: Path, monkeypatch):
    """Carrying is decided before the pool starts: an edition whose reports are unchanged (the
    organisation reports after one council's correction) starts no process and imports no WeasyPrint in one."""

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started although every report is carried")

    monkeypatch.setattr(edition_reports, "worker_pool", no_pool)
    two = council_places(REFERENCE)[:2]
    next_edition = dataclasses.replace(sample_inputs, edition="next-edition")
    results = render_places(next_edition, [(p, tmp_path / "councils", p.slug) for p in two], lambda *_: None, workers=2, previous=edition / "councils")
    assert [r["carried"] for r in results] == [True, True]


def test_a_report_whose_inputs_are_unchanged_is_carried_byte_for_byte_without_rendering(edition: Path, sample_inputs, tmp_path: Path, monkeypatch):
    """The next edition renders the two councils again from the same mart, templates and code: nothing is rendered.
    Then one council's figure changes: that council's report is rendered, the other is still carried."""

    def must_not_render(html, destination):
        raise AssertionError(f"{destination.name} was rendered although its inputs are unchanged")

    monkeypatch.setattr(render, "write_pdf", must_not_render)
    two = council_places(REFERENCE)[:2]
    jobs = [(p, tmp_path / "councils", p.slug) for p in two]
    # Another edition on another day: only what names the edition differs.
    next_edition = dataclasses.replace(sample_inputs, edition="next-edition", generated="1 January 2030")
    results = render_places(next_edition, jobs, lambda *_: None, workers=1, previous=edition / "councils")
    assert [r["carried"] for r in results] == [True, True]
    for place in two:
        for suffix in (".html", ".pdf", RECORD_SUFFIX):
            assert (tmp_path / "councils" / f"{place.slug}{suffix}").read_bytes() == (edition / "councils" / f"{place.slug}{suffix}").read_bytes()
        assert read_record(tmp_path / "councils", place.slug)["rendered_in"] == "test-edition"

    rendered = []

    def count_renders(html, destination):
        rendered.append(destination.name)
        destination.write_bytes(b"%PDF stand-in")
        return 1

    monkeypatch.setattr(render, "write_pdf", count_renders)
    changed, unchanged = two[1], two[0]
    measures = sample_inputs.mart.published_measures.copy()
    mine = measures.index[measures.geography_code == changed.code][-1]
    measures.loc[mine, "value_display"] = "a corrected figure"
    corrected = dataclasses.replace(next_edition, mart=dataclasses.replace(sample_inputs.mart, published_measures=measures))
    results = render_places(corrected, [(p, tmp_path / "corrected", p.slug) for p in two], lambda *_: None, workers=1, previous=edition / "councils")
    assert rendered == [f"{changed.slug}.pdf"]
    assert {r["place"]: r["carried"] for r in results} == {unchanged.name: True, changed.name: False}
    assert read_record(tmp_path / "corrected", changed.slug)["rendered_in"] == "next-edition"

    # A new code version renders every report again.
    rendered.clear()
    render_places(dataclasses.replace(next_edition, tool_version="0.0.1"), jobs, lambda *_: None, workers=1, previous=edition / "councils")
    assert sorted(rendered) == sorted(f"{p.slug}.pdf" for p in two)


def test_the_national_report_rendered_ahead_beside_a_council_is_kept_by_the_national_step(sample_inputs, tmp_path: Path, monkeypatch):
    """A one-council run renders its council and, on the other core, the national report its
    next step will ask for; that step finds it rendered from its own inputs and renders nothing."""
    ahead_edition = dataclasses.replace(sample_inputs, edition="ahead-edition")
    council = council_places(REFERENCE)[0]
    national = (SCOTLAND, tmp_path / "national", NATIONAL_STEM)
    [result] = render_places(ahead_edition, [(council, tmp_path / "councils", council.slug)], lambda *_: None, workers=2, ahead=[(*national, None)])
    assert result["place"] == council.name and not result["carried"]
    assert read_record(tmp_path / "national", NATIONAL_STEM)["rendered_in"] == "ahead-edition"
    assert subprocess.run(["pdfinfo", str(tmp_path / "national" / f"{NATIONAL_STEM}.pdf")], capture_output=True).returncode == 0

    def must_not_render(html, destination):
        raise AssertionError(f"{destination.name} was rendered again although this edition holds it from the same inputs")

    monkeypatch.setattr(render, "write_pdf", must_not_render)
    [kept] = render_places(ahead_edition, [national], lambda *_: None, workers=1)
    assert kept["ahead"] and not kept["carried"] and kept["pages"] == read_record(tmp_path / "national", NATIONAL_STEM)["pages"]
    # Other inputs (a corrected figure) are not the report rendered ahead: the step renders its own.
    monkeypatch.setattr(render, "write_pdf", lambda html, destination: destination.write_bytes(b"%PDF stand-in") and 1)
    measures = sample_inputs.mart.published_measures.copy()
    measures.loc[measures.index[measures.geography_code == SCOTLAND.code][-1], "value_display"] = "a corrected figure"
    corrected = dataclasses.replace(ahead_edition, mart=dataclasses.replace(sample_inputs.mart, published_measures=measures))
    [rendered] = render_places(corrected, [national], lambda *_: None, workers=1)
    assert "ahead" not in rendered and not rendered["carried"]


def test_organisation_reports_rendered_behind_the_councils_are_kept_by_their_own_step(sample_inputs, tmp_path: Path, monkeypatch):
    """The organisations' short reports fill the council step's pool once the councils are
    handed out; the organisation step then renders none of them, and reports them as rendered ahead."""
    behind_edition = dataclasses.replace(sample_inputs, edition="behind-edition")
    council = council_places(REFERENCE)[0]
    orgs = organisations(sample_inputs.mart.table("organisation_progress"))
    assert orgs
    jobs = [(o, tmp_path / "organisations", o.slug) for o in orgs]
    [result] = render_places(behind_edition, [(council, tmp_path / "councils", council.slug)], lambda *_: None, workers=2, behind=[(*job, None) for job in jobs])
    assert result["place"] == council.name
    for o in orgs:
        assert read_record(tmp_path / "organisations", o.slug)["rendered_in"] == "behind-edition"

    def must_not_render(html, destination):
        raise AssertionError(f"{destination.name} was rendered again although this edition holds it from the same inputs")

    monkeypatch.setattr(render, "write_pdf", must_not_render)
    kept = render_places(behind_edition, jobs, lambda *_: None, workers=2)
    assert [k["place"] for k in kept] == sorted(o.name for o in orgs) and all(k["ahead"] and not k["carried"] for k in kept)
