"""Accessibility: the national and one council report, and the website's pages, loaded in headless Chromium and checked by axe-core.

axe-core is the npm package pinned in package.json (``make setup`` runs ``npm ci``); Chromium
is Debian's (scripts/install-system-packages.sh). Nothing is downloaded here. The report is
copied with axe and a small runner inlined; Chromium runs it with a virtual time budget and
prints the finished DOM, from which the runner's JSON result is read. Serious and critical
violations fail the test; others are printed for the record.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from assets.model.contracts import load_contracts
from assets.model.reference import family_groups
from assets.reports.edition_reports import REPORT_TEMPLATE, edition_inputs
from assets.reports.places import SCOTLAND, council_places
from assets.reports.render import render_html
from assets.reports.site_links import DATA_MAP, WELLBEING, measure_page, place_page, theme_page, vision_page
from assets.reports.story_context import report_context
from assets.reports.website import write_website
from orchestration.settings import REPO_ROOT
from tests.support.paths import CONTRACTS, SHARED
from tests.support.sample_mart import build_sample_mart, report_test_measures

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# td-has-header is experimental in axe 4.14 and off unless asked for; our tables must pass it.
RUNNER = """
<pre id="axe-results"></pre>
<script>
axe.run(document, {rules: {"td-has-header": {enabled: true}}, resultTypes: ["violations"]}).then(function (r) {
  document.getElementById("axe-results").textContent = JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); })};
  }));
}).catch(function (e) { document.getElementById("axe-results").textContent = JSON.stringify({error: String(e)}); });
</script>
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: run `make setup` (scripts/install-system-packages.sh installs it)"
    assert AXE.exists(), "axe-core is missing: run `make setup` (npm ci installs the pinned version)"
    return found


def axe_violations(page: str, workdir: Path) -> list[dict]:
    """Run axe-core over the HTML ``page`` in headless Chromium; return its violations.

    The page is checked as ``workdir/checked.html``, so links relative to ``workdir`` (a stylesheet) resolve.
    """
    checked = workdir / "checked.html"
    checked.write_text(page.replace("</body>", f"<script>{AXE.read_text(encoding='utf-8')}</script>{RUNNER}</body>"), encoding="utf-8")
    profile = workdir / "profile"
    dom = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=60000", "--dump-dom", checked.as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    ).stdout
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', dom, re.S)
    assert found and found.group(1), "axe-core did not finish in Chromium"
    result = json.loads(html.unescape(found.group(1)))
    assert "error" not in result, result
    return result


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("axe")
    entries = report_test_measures()
    warehouse = build_sample_mart(root / "warehouse.duckdb", SHARED / "reference", entries=entries)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return edition_inputs(con, entries, load_contracts(CONTRACTS), SHARED / "reference", "axe-test", "0.0.0")


@pytest.mark.parametrize("which", ["national", "council"])
def test_reports_have_no_serious_or_critical_accessibility_violations(inputs, which: str, tmp_path: Path):
    place = SCOTLAND if which == "national" else council_places(SHARED / "reference")[0]
    violations = axe_violations(render_html(REPORT_TEMPLATE, report_context(inputs, place)), tmp_path)
    for v in violations:
        print(f"axe {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], blocking


def _small_council():
    """The last council of the first council's family group: its figures are hidden but for one rate."""
    first = council_places(SHARED / "reference")[0]
    groups = family_groups(SHARED / "reference")
    code = groups.members(groups.group_of[first.code])[-1]
    return next(p for p in council_places(SHARED / "reference") if p.code == code)


@pytest.fixture(scope="module")
def website(inputs, tmp_path_factory) -> Path:
    """The website, with one council of the first council's group mostly hidden (its page says so in words)."""
    edition = tmp_path_factory.mktemp("website")
    table = inputs.mart.published_measures
    rate = next(e.id for e in inputs.entries.values() if e.denominator)
    hide = (table.geography_code == _small_council().code) & (table.measure_id != rate)
    hidden = table.assign(value_published=table.value_published.mask(hide), value_display=table.value_display.mask(hide, "[c]"))
    write_website(edition, dataclasses.replace(inputs, mart=dataclasses.replace(inputs.mart, published_measures=hidden)))
    return edition


def _site_page(which: str, inputs) -> str:
    if which == "measure":
        return measure_page(next(iter(inputs.entries)))
    if which == "mostly hidden council":
        return place_page(_small_council())
    if which == "vision":  # outcomes, each with its indicators and their tables of figures
        return vision_page(int(inputs.frameworks.outcomes.vision_id.iloc[0]))
    if which == "wellbeing":
        return WELLBEING
    if which == "route_map":
        return theme_page(inputs.mart.table("route_map_milestones").theme.iloc[0])
    if which == "data_map":
        return DATA_MAP
    return place_page(council_places(SHARED / "reference")[0])


# The largest page types (a measure's chart, tables and scrolling table; a council's many
# tables, its family group and place selector; a vision's outcomes; the wellbeing indicators;
# a route map's commitment tables; the Data Map's holdings table and findings), and a council
# page whose figures are mostly hidden; each Chromium run costs about 2 s, so the others are
# not repeated here.
@pytest.mark.parametrize("which", ["measure", "council", "mostly hidden council", "vision", "wellbeing", "route_map", "data_map"])
def test_website_pages_have_no_serious_or_critical_accessibility_violations(website: Path, inputs, which: str):
    """Each page checked where it sits, so its stylesheet applies (colour contrast is judged as shown)."""
    page = website / _site_page(which, inputs)
    if which == "mostly hidden council":
        assert 'class="mostly-hidden"' in page.read_text(encoding="utf-8")
    violations = axe_violations(page.read_text(encoding="utf-8"), page.parent)
    for v in violations:
        print(f"axe {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], blocking


def test_axe_finds_violations_on_a_page_that_has_them(tmp_path: Path):
    """The harness is not blind: an image without a text alternative and a nameless link are caught."""
    page = '<!DOCTYPE html><html lang="en"><head><title>bad</title></head><body><main><img src="x.png"><a href="#"></a></main></body></html>'
    found = {v["id"] for v in axe_violations(page, tmp_path)}
    assert {"image-alt", "link-name"} <= found
