"""The edition's website, rendered from the sample mart: every page there, every link resolving, hidden figures as [c], agency text inert."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from markupsafe import escape

from assets.model.contracts import load_contracts
from assets.model.reference import (
    core_wellbeing_indicators,
    family_groups,
    plan_themes,
    progress_framework_indicators,
    progress_framework_outcomes,
    route_maps,
    vision_statements,
)
from assets.publication.downloads import all_figures_downloads, measure_download, write_downloads
from assets.reports.edition_reports import REPORT_TEMPLATE, edition_inputs
from assets.reports.editions import NATIONAL_STEM, write_manifest
from assets.reports.organisation_context import organisations
from assets.reports.places import SCOTLAND, council_places
from assets.reports.render import render_html
from assets.reports.site_links import (
    DATA_MAP,
    DOWNLOADS,
    HOME,
    MEASURES,
    ORGANISATIONS,
    PLACES,
    ROUTE_MAPS,
    VISIONS,
    WELLBEING,
    measure_page,
    organisation_page,
    place_page,
    theme_page,
    vision_page,
)
from assets.reports.story_context import report_context
from assets.reports.website import write_website
from tests.support.paths import CONTRACTS, REFERENCE
from tests.support.sample_mart import build_sample_mart, report_test_measures
from tests.support.website_links import broken_links, parse_page, site_pages

AGENCY_SCRIPT = '<script>alert("from an agency")</script>'
# A small council, in the first council's family group, whose figures are hidden but for one rate.
SMALL = next(p for p in council_places(REFERENCE) if p.name == "Orkney Islands")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, object]:
    """The sample edition as the pipeline seals it: reports (the national one and one council's), downloads, the website, the manifest."""
    root = tmp_path_factory.mktemp("site")
    # A measure of no vision statement too: the site lists it apart, and the reports leave it out.
    rate = next(e for e in report_test_measures().values() if e.question == "Q2" and e.denominator)
    unlinked = dataclasses.replace(rate, id="unlinked_rate", vision_id=None, title="A rate of no vision statement")
    # And a national indicator published for Scotland only (its council rows are removed below),
    # declared to give figures for the first core wellbeing indicator.
    first_wellbeing = core_wellbeing_indicators(REFERENCE).indicator_id.iloc[0]
    national = dataclasses.replace(rate, id="scotland_only_rate", title="A rate published for Scotland only", core_wellbeing=(first_wellbeing,))
    entries = {**report_test_measures(), unlinked.id: unlinked, national.id: national}
    warehouse = build_sample_mart(root / "warehouse.duckdb", REFERENCE, entries=entries)
    edition = root / "edition"
    with duckdb.connect(str(warehouse)) as con:
        # An agency's text reaches the mart as sent: the site must show it, never run it.
        con.execute("UPDATE mart.organisation_learning SET what_is_working = ?", [f"Young people come back {AGENCY_SCRIPT}"])
        con.execute("UPDATE mart.community_themes SET theme = ? WHERE lens = 'gaps'", [f"Moving {AGENCY_SCRIPT}"])
        con.execute("UPDATE mart.route_map_milestones SET responsible = ? WHERE milestone_id LIKE '%M02'", [f"Lead {AGENCY_SCRIPT}"])
        con.execute("UPDATE mart.data_holdings SET what_is_recorded = ? WHERE topic = 'workforce'", [f"Staff {AGENCY_SCRIPT}"])
        con.execute("DELETE FROM mart.published_measures WHERE measure_id = 'scotland_only_rate' AND geography_code <> ?", [SCOTLAND.code])
        con.execute("UPDATE mart.published_measures SET value_published = NULL, numerator_published = NULL, value_display = '[c]' WHERE geography_code = ? AND measure_id <> ?", [SMALL.code, rate.id])
        inputs = edition_inputs(con, entries, load_contracts(CONTRACTS), REFERENCE, "test-edition", "0.0.0")
        write_downloads(con, edition / "downloads", edition=inputs.edition, titles={e.id: e.title for e in entries.values()}, geography_names={SCOTLAND.code: SCOTLAND.name, **inputs.council_names})
    council = council_places(REFERENCE)[0]
    for place, folder, stem in [(SCOTLAND, "national", NATIONAL_STEM), (council, "councils", council.slug)]:
        (edition / folder).mkdir(parents=True)
        (edition / folder / f"{stem}.html").write_text(render_html(REPORT_TEMPLATE, report_context(inputs, place)), encoding="utf-8")
        # The site only links the PDF; rendering one is test_reports.py's business.
        (edition / folder / f"{stem}.pdf").write_bytes(b"%PDF-1.7 stand-in")
    write_website(edition, inputs)
    write_manifest(edition, "test-edition", "run", [], {})
    return edition, inputs


def test_every_page_type_exists_for_every_vision_measure_place_and_organisation(site):
    edition, inputs = site
    expected = {HOME, VISIONS, MEASURES, PLACES, ORGANISATIONS, ROUTE_MAPS, DATA_MAP, DOWNLOADS, WELLBEING}
    expected |= {theme_page(t) for t in plan_themes(REFERENCE)}
    expected |= {vision_page(v) for v in vision_statements(REFERENCE).vision_id}
    expected |= {measure_page(m) for m in inputs.entries}
    expected |= {place_page(p) for p in [SCOTLAND, *council_places(REFERENCE)]}
    orgs = organisations(inputs.mart.table("organisation_progress"))
    assert orgs, "the sample has an organisation"
    expected |= {organisation_page(o) for o in orgs}
    written = {str(p.relative_to(edition)) for p in site_pages(edition)}
    assert written == expected
    assert len(list((edition / "site").glob("*.css"))) == 1, "one stylesheet"


def test_every_internal_link_resolves_to_a_file_and_an_anchor(site):
    edition, _ = site
    assert broken_links(site_pages(edition), edition) == []


def test_the_site_needs_no_script_and_shows_agency_text_inert(site):
    edition, inputs = site
    pages = site_pages(edition)
    assert all(parse_page(p).scripts == 0 for p in pages)
    org = organisations(inputs.mart.table("organisation_progress"))[0]
    escaped = "&lt;script&gt;alert(&#34;from an agency&#34;)&lt;/script&gt;"
    assert escaped in (edition / organisation_page(org)).read_text()
    assert escaped in (edition / vision_page(1)).read_text()
    assert escaped in (edition / theme_page("Listening")).read_text()
    assert escaped in (edition / DATA_MAP).read_text()


def test_hidden_figures_show_c_exactly_as_the_mart_displays_them(site):
    edition, inputs = site
    table = inputs.mart.published_measures
    hidden = table[(table.value_display == "[c]") & (table.breakdown == "total") & (table.geography_level == "council") & (table.period.str[:4] >= "2020")]
    assert not hidden.empty, "the sample hides some council figures"
    names = inputs.council_names
    for cell in hidden.drop_duplicates("measure_id").itertuples():
        page = (edition / measure_page(cell.measure_id)).read_text()
        periods = re.findall(r'<th scope="col" class="num">([^<]+)</th>', re.search(r'<table class="every-place">.*?</thead>', page, re.S).group(0))
        row = re.search(rf'<th scope="row"><a href="[^"]+">{re.escape(names[cell.geography_code])}</a></th>(.*?)</tr>', page, re.S).group(1)
        shown = dict(zip(periods, re.findall(r'<td class="num">([^<]*)</td>', row)))
        published = table[(table.measure_id == cell.measure_id) & (table.geography_code == cell.geography_code) & (table.breakdown == "total")].set_index("period").value_display
        assert shown == {p: published[p] for p in periods}
        assert shown[cell.period] == "[c]"


def test_home_page_answers_the_three_questions_with_the_easy_read_and_links_the_reports(site):
    edition, _ = site
    home = (edition / HOME).read_text()
    for question in ("Does the care community feel the impact", "How is Scotland doing", "How are organisations doing"):
        assert question in home
    assert 'id="easy-read"' in home
    assert f'href="national/{NATIONAL_STEM}.pdf"' in home
    places = (edition / PLACES).read_text()
    assert f'href="../councils/{council_places(REFERENCE)[0].slug}.pdf"' in places


def test_data_map_page_covers_every_vision_and_names_the_gaps(site):
    edition, inputs = site
    page = (edition / DATA_MAP).read_text()
    for vision in vision_statements(REFERENCE).itertuples():
        assert f"Vision {vision.vision_id}: {vision.short_title}" in page
    gaps = inputs.mart.table("data_map_gaps")
    assert len(gaps) and all(g.replace("'", "&#39;") in page for g in gaps["gap"])
    assert f'href="../downloads/story-of-progress_{inputs.edition}_data-map.csv"' in page


def test_themes_whose_every_count_is_hidden_are_said_in_words_not_as_a_table_of_c(site):
    edition, inputs = site
    themes = inputs.mart.table("community_themes")
    hidden = themes[themes.count_display == "[c]"]
    assert len(hidden) and (themes.groupby(["vision_id", "lens"]).count_display.apply(lambda c: (c == "[c]").all())).any()
    for page in (edition / vision_page(int(hidden.vision_id.iloc[0])), edition / "national" / f"{NATIONAL_STEM}.html"):
        html = page.read_text()
        assert "Each was raised by fewer than 5 people, so the numbers are not shown." in html
        assert f'<th scope="row">{escape(hidden.theme.iloc[0])}</th>' not in html


def test_a_council_page_names_scotland_only_indicators_apart_rather_than_as_rows_of_x(site):
    edition, _ = site
    council = (edition / place_page(council_places(REFERENCE)[0])).read_text()
    listed = re.search(r'Published for Scotland only, with no council figures: (.*?)</p>', council, re.S)
    assert listed and f'href="../{measure_page("scotland_only_rate")}"' in listed.group(1)
    assert council.count('href="../' + measure_page("scotland_only_rate") + '"') == 1, "not also a row of the table"
    scotland = (edition / place_page(SCOTLAND)).read_text()
    assert "Published for Scotland only" not in scotland and re.search(rf'<a href="../{re.escape(measure_page("scotland_only_rate"))}">[^<]+</a> <span class="unit">', scotland)


def test_downloads_are_linked_by_names_that_say_what_and_where(site):
    edition, inputs = site
    page = (edition / DOWNLOADS).read_text()
    csv_name, spreadsheet_name = all_figures_downloads(inputs.edition, [SCOTLAND.code, council_places(REFERENCE)[0].code])
    assert f'href="../downloads/{spreadsheet_name}"' in page and f'href="../downloads/{csv_name}"' in page
    national = measure_download(inputs.edition, "scotland_only_rate", [SCOTLAND.code])
    assert national == f"measures/story-of-progress_{inputs.edition}_scotland-only-rate_scotland.csv"
    assert (edition / "downloads" / national).exists()
    assert f'href="../downloads/{national}"' in (edition / measure_page("scotland_only_rate")).read_text()


def test_a_council_page_names_its_family_group_and_compares_with_it_and_scotland(site):
    edition, inputs = site
    council = council_places(REFERENCE)[0]
    groups = family_groups(REFERENCE)
    others = [c for c in groups.members(groups.group_of[council.code]) if c != council.code]
    assert SMALL.code in others, "the reference data puts the small council in the first council's group"
    page = (edition / place_page(council)).read_text()
    about = re.search(r'<section id="councils-like-it".*?</section>', page, re.S).group(0)
    assert f"family group {groups.group_of[council.code]} of the children&#39;s services scheme" in about and "Local Government Benchmarking Framework" in about
    for code in others:
        assert f'>{inputs.council_names[code]}</a>' in about
    table = inputs.mart.published_measures
    covers = []
    for measure_id in ("unlinked_rate", next(e.id for e in inputs.entries.values() if e.question == "Q2" and e.denominator and e.id != "unlinked_rate" and e.id != "scotland_only_rate")):
        mine = table[(table.measure_id == measure_id) & (table.breakdown == "total")]
        latest = mine[mine.geography_code == council.code].period.max()
        covered = mine[(mine.period == latest) & mine.geography_code.isin(others) & mine.value_published.notna()]
        row = re.search(rf'href="../{re.escape(measure_page(measure_id))}">.*?</tr>', page, re.S).group(0)
        assert f"{len(covered)} of {len(others)} councils" in row
        covers.append(len(covered))
        assert re.search(r'<span class="compare">(higher than|lower than|about the same as) councils like it</span>', row)
    assert min(covers) < len(others), "the small council's hidden rate is left out of its group's figures, and counted"
    report = (edition / "councils" / f"{council.slug}.html").read_text()
    assert f"family group ({groups.group_of[council.code]})" in report and 'class="group-comparison"' in report


def test_a_mostly_hidden_council_page_says_so_in_a_sentence_and_shows_what_is_known(site):
    edition, inputs = site
    page = (edition / place_page(SMALL)).read_text()
    sentence = re.search(r'<p class="mostly-hidden"><strong>(.*?)</strong></p>', page, re.S)
    assert sentence and sentence.group(1).startswith(f"Most figures for {SMALL.name} are hidden")
    tables = re.findall(r'<table class="measure-list[^"]*">.*?</table>', page, re.S)
    assert tables and not any('<td class="num">[c]' in t for t in tables), "no wall of symbols"
    rate = next(e for e in inputs.entries.values() if e.question == "Q2" and e.denominator and e.id not in ("unlinked_rate", "scotland_only_rate"))
    assert any(measure_page(rate.id) in t for t in tables), "the one published figure is shown"
    named = "".join(re.findall(r"No published latest figure for .*?</p>", page, re.S))
    assert f'href="../{measure_page("unlinked_rate")}">' in named and f'href="../{measure_page(next(e.id for e in inputs.entries.values() if e.denominator is None))}">' in named
    other = (edition / place_page(council_places(REFERENCE)[0])).read_text()
    assert 'class="mostly-hidden"' not in other


def test_a_measure_page_for_scotland_only_says_so_rather_than_showing_rows_of_x(site):
    edition, _ = site
    page = (edition / measure_page("scotland_only_rate")).read_text()
    assert "This measure is published for Scotland only" in page
    body = re.search(r'<table class="every-place">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    assert body.count("<tr") == 1 and "Scotland" in body
def _outcome_section(page: str, outcome_id: str) -> str:
    return re.search(rf'<section class="outcome" id="outcome-{re.escape(outcome_id)}".*?</section>', page, re.S).group(0)


def test_vision_pages_place_each_indicator_under_its_outcome_or_say_outcomes_are_not_published(site):
    edition, inputs = site
    outcomes, indicators = progress_framework_outcomes(REFERENCE), progress_framework_indicators(REFERENCE)
    placed = {i: e.id for e in inputs.entries.values() for i in e.progress_framework}
    assert placed, "the sample has measures declared under the framework"
    for vision_id in vision_statements(REFERENCE).vision_id:
        page = (edition / vision_page(vision_id)).read_text()
        mine = outcomes[outcomes.vision_id == vision_id]
        if mine.empty:
            assert "outcomes for this vision statement are not published" in page and 'class="outcome"' not in page
            continue
        assert "not published" not in page
        for outcome in mine.itertuples():
            section = _outcome_section(page, outcome.outcome_id)
            assert str(escape(outcome.outcome)) in section
            for indicator in indicators.itertuples():
                assert (str(escape(indicator.indicator)) in section) == (indicator.outcome_id == outcome.outcome_id)
            for framework_id in [outcome.outcome_id, *indicators[indicators.outcome_id == outcome.outcome_id].indicator_id]:
                if framework_id in placed:
                    assert f'href="../{measure_page(placed[framework_id])}"' in section


def test_measure_pages_name_the_outcome_they_serve(site):
    edition, inputs = site
    outcome_of = dict(zip(progress_framework_indicators(REFERENCE).indicator_id, progress_framework_indicators(REFERENCE).outcome_id))
    vision_of = dict(zip(progress_framework_outcomes(REFERENCE).outcome_id, progress_framework_outcomes(REFERENCE).vision_id))
    declared = [e for e in inputs.entries.values() if e.progress_framework]
    assert declared
    for entry in declared:
        page = (edition / measure_page(entry.id)).read_text()
        for framework_id in entry.progress_framework:
            outcome_id = outcome_of.get(framework_id, framework_id)
            assert f'Outcome: <a href="../{vision_page(vision_of[outcome_id])}#outcome-{outcome_id}">' in page


def test_the_wellbeing_page_lists_every_known_indicator_and_says_how_many_have_figures(site):
    edition, inputs = site
    known = core_wellbeing_indicators(REFERENCE)
    page = (edition / WELLBEING).read_text()
    for row in known.itertuples():
        listed = re.search(rf'<tr id="{row.indicator_id}">(.*?)</tr>', page, re.S).group(1)
        assert str(escape(row.indicator)) in listed and str(escape(row.my_world_triangle)) in listed and str(escape(row.data_source)) in listed
    published = set(inputs.mart.published_measures.measure_id)
    with_figures = {i for e in inputs.entries.values() if e.id in published for i in e.core_wellbeing}
    assert with_figures, "the sample gives figures for a wellbeing indicator"
    assert f"<strong>{len(with_figures)} of the {len(known)}</strong>" in page
    gaps = inputs.mart.table("data_map_gaps")
    without = gaps[gaps.kind == "wellbeing_indicator_without_figures"]
    assert len(without) == len(known) - len(with_figures)
    assert all(f"indicator {i} (" in " ".join(without.gap) for i in set(known.indicator_id) - with_figures)


def test_a_theme_page_per_route_map_linked_from_its_organisations_and_the_visions_it_serves(site):
    edition, inputs = site
    maps = route_maps(REFERENCE)
    assert len(maps) == len(plan_themes(REFERENCE)) and set(maps.theme) == set(plan_themes(REFERENCE))
    listing = (edition / ROUTE_MAPS).read_text()
    assert all(f'href="../{theme_page(t)}"' in listing for t in maps.theme)
    milestones = inputs.mart.table("route_map_milestones")
    for theme, rows in milestones.groupby("theme"):
        page = (edition / theme_page(theme)).read_text()
        for m in rows.itertuples():
            assert escape(m.milestone) in page and escape(m.responsible) in page
            assert f"{pd.Timestamp(m.due_date):%d %B %Y}" in page
        org = next(o for o in organisations(inputs.mart.table("organisation_progress")) if o.code == rows.organisation_code.iloc[0])
        assert f'href="../{theme_page(theme)}"' in (edition / organisation_page(org)).read_text()
        assert f'href="../{organisation_page(org)}"' in page
        learned = inputs.mart.table("organisation_learning").query("theme == @theme").what_has_been_learned.iloc[-1]
        assert escape(learned) in page
    served = {(e.vision_id, e.theme) for e in inputs.entries.values() if e.theme and e.vision_id}
    assert served, "the sample's measures declare a theme"
    for vision_id, theme in served:
        assert f'href="../{theme_page(theme)}"' in (edition / vision_page(vision_id)).read_text()
        know = (edition / theme_page(theme)).read_text().split('id="know-heading"')[1]
        assert f'href="../{vision_page(vision_id)}"' in know
        assert any(f'href="../{measure_page(e.id)}"' in know for e in inputs.entries.values() if e.theme == theme)


def test_a_theme_page_says_where_the_2030_wording_was_cut_off_or_not_found(site):
    edition, _ = site
    maps = route_maps(REFERENCE)
    not_found = maps[maps.where_scotland_needs_to_be_by_2030 == ""].theme
    cut_off = maps[maps.where_scotland_needs_to_be_by_2030.str.endswith("…")].theme
    whole = maps[maps.complete == "yes"].theme
    assert len(not_found) and len(cut_off) and len(whole)
    assert all("was not found in any source we could read" in (edition / theme_page(t)).read_text() for t in not_found)
    assert all("was cut off" in (edition / theme_page(t)).read_text() for t in cut_off)
    for t in whole:
        page = (edition / theme_page(t)).read_text()
        assert "cut off" not in page and str(escape(maps.set_index("theme").where_scotland_needs_to_be_by_2030[t])) in page


def test_data_map_page_shows_held_not_sent_duplicates_and_gaps_under_their_vision(site):
    edition, inputs = site
    page = (edition / DATA_MAP).read_text()
    findings = inputs.mart.table("data_map_findings")
    assert {"held_not_sent", "collected_more_than_once", "nothing_held"} <= set(findings.kind)
    sections = re.split(r"<h3>", page.split('id="by-vision-heading"')[1].split('id="datasets"')[0])
    for f in findings.itertuples():
        section = next(s for s in sections if s.startswith(f'<a href="../{vision_page(f.vision_id)}">'))
        assert str(escape(f.finding)) in section
    holdings = inputs.mart.table("data_holdings")
    assert all(str(escape(w)) in page.split('id="held-heading"')[1] for w in holdings.what_is_recorded)
