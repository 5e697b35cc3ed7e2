"""On a real Dagster instance with a sample mart: the agencies' data-quality digest and its monthly schedule, and the edition sealed after a partial run (or held back, when a file would identify someone)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.linkage.person_links import FULL_RELINK, LINKAGE_TAG
from assets.model.contracts import load_contracts
from assets.model.keys import PUBLISHED_EDITION
from assets.model.reference import councils
from assets.partitions import council_partitions
from assets.reports.factory import DATA_QUALITY_DIGEST, DIGEST_STEM, build_report_assets
from orchestration.definitions import build_definitions
from orchestration.resources import build_resources
from orchestration.settings import Settings
from tests.support.paths import CONTRACTS, SHARED
from tests.support.sample_mart import build_sample_mart, report_test_measures


def _digest_asset():
    assets = build_report_assets(report_test_measures(), load_contracts(CONTRACTS), council_partitions(SHARED / "reference"))
    return next(a for a in assets if a.key == DATA_QUALITY_DIGEST)


def _materialise(settings: Settings):
    with dg.instance_for_test() as instance:
        return dg.materialize([_digest_asset()], resources=build_resources(settings), instance=instance, raise_on_error=False)


def test_digest_names_overdue_returns_and_refused_files(story_env: Path):
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True)
    build_sample_mart(settings.warehouse_path, settings.reference_dir, entries=report_test_measures(), optional=False)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        # The monthly job runs before any measure is computed: the digest needs only the ledger.
        con.execute("DROP TABLE mart.published_measures")
    result = _materialise(settings)
    assert result.success
    page = (settings.published_dir / "digests" / "latest" / f"{DIGEST_STEM}.html").read_text()
    # The sample ledger: the first council's (by code) last looked after return is 800 days old; the second had a file refused.
    names = councils(settings.reference_dir).names
    late, refused = sorted(names)[:2]
    section = re.search(rf'<section class="agency" aria-labelledby="agency-{late}">.*?</section>', page, re.S).group(0)
    assert names[late] in section
    refresh = load_contracts(CONTRACTS)["looked_after_episodes"].refresh_days
    overdue = re.search(r"<caption>[^<]*returns overdue</caption>.*?</table>", section, re.S).group(0)
    assert re.search(rf'<th scope="row">looked after episodes</th><td>2022</td><td>[^<]+</td><td class="num">{refresh}</td>', overdue)
    assert f"school_exclusions_{refused}_2024-25.csv" in page
    metadata = result.asset_materializations_for_node("reports__data_quality_digest")[0].metadata
    assert metadata["preview"].value.startswith("![first page")
    assert metadata["refused_files"].value == 1


def test_digest_with_an_identifier_is_not_published(story_env: Path):
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True)
    build_sample_mart(settings.warehouse_path, settings.reference_dir, entries=report_test_measures(), optional=False)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        # An agency named a refused file after a child's postcode: the digest must not go out.
        con.execute("UPDATE mart.data_coverage SET file_name = 'school_exclusions EH1 1YZ.csv' WHERE outcome = 'refused'")
    result = _materialise(settings)
    assert not result.success
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    digests = settings.published_dir / "digests"
    assert not (digests.exists() and list(digests.rglob("*.html")))


def test_monthly_digest_schedule_sits_beside_the_quarterly_one_and_starts_stopped(story_env):
    by_name = {s.name: s for s in build_definitions(Settings.from_env()).schedules}
    assert set(by_name) == {"quarterly_edition", "monthly_data_quality_digest", "daily_retention"}  # retention: the index role's own
    assert all(s.default_status == dg.DefaultScheduleStatus.STOPPED for s in by_name.values())
    monthly = by_name["monthly_data_quality_digest"]
    assert monthly.cron_schedule == "0 7 1 * *"
    assert monthly.default_status == dg.DefaultScheduleStatus.STOPPED
    assert monthly.job.name == "data_quality_digest"
    # The quarterly edition renders every council's report in one run, after relinking every person.
    with dg.instance_for_test() as instance:
        [request] = by_name["quarterly_edition"].evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
    assert (request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]) == ("S12000005", "S12000050")
    assert request.tags[LINKAGE_TAG] == FULL_RELINK


def test_an_edition_from_a_partial_run_still_holds_every_report(story_env: Path):
    """A run that rendered one council's report and nothing else: the national report, the
    organisations' and the other councils' are carried from the latest edition, byte for byte."""
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True)
    build_sample_mart(settings.warehouse_path, settings.reference_dir, entries=report_test_measures(), optional=False)
    latest = settings.published_dir / "latest"
    for path in ("national/story-of-progress-scotland.html", "councils/fife.html", "councils/glasgow-city.html", "organisations/org-one.html"):
        (latest / path).parent.mkdir(parents=True, exist_ok=True)
        (latest / path).write_text(f"<title>{path}</title> from edition E1")
    (latest / "manifest.json").write_text('{"edition": "E1", "carried_forward": {}}')
    edition = next(a for a in build_report_assets(report_test_measures(), load_contracts(CONTRACTS), council_partitions(SHARED / "reference")) if a.key == PUBLISHED_EDITION)
    with dg.instance_for_test() as instance:
        result = dg.materialize([edition], resources=build_resources(settings), instance=instance)
    assert result.success
    new_latest = settings.published_dir / "latest"
    manifest = json.loads((new_latest / "manifest.json").read_text())
    assert set(manifest["carried_forward"]) == {"national/story-of-progress-scotland.html", "councils/fife.html", "councils/glasgow-city.html", "organisations/org-one.html"}
    assert (new_latest / "councils" / "fife.html").read_text() == "<title>councils/fife.html</title> from edition E1"
    # The edition's home page is its website's, and links the carried reports; the list of editions leads to it.
    home = (new_latest / "index.html").read_text()
    assert 'href="national/story-of-progress-scotland.html"' in home and 'href="site/places.html"' in home
    assert 'href="../councils/fife.html"' in (new_latest / "site" / "places.html").read_text()
    editions = (settings.published_dir / "index.html").read_text()
    assert 'href="latest/index.html"' in editions and 'href="latest/site/story.css"' in editions


@pytest.mark.parametrize("planted", ["a carried report", "a download"])
def test_an_edition_with_an_identifier_in_any_file_is_held_back(story_env: Path, planted: str):
    """Reports are scanned while the downloads and website are written, the rest after: either way an identifier stops the edition."""
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True)
    build_sample_mart(settings.warehouse_path, settings.reference_dir, entries=report_test_measures(), optional=False)
    latest = settings.published_dir / "latest"
    (latest / "councils").mkdir(parents=True)
    chi = "0101012349"  # a valid check digit (tests/unit/test_linkage_core.py)
    (latest / "councils" / "fife.html").write_text(f"<title>Fife</title> {chi if planted == 'a carried report' else ''}")
    (latest / "manifest.json").write_text('{"edition": "E1", "carried_forward": {}}')
    if planted == "a download":
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute("UPDATE mart.data_coverage SET file_name = 'school_exclusions EH1 1YZ.csv' WHERE outcome = 'refused'")
    edition = next(a for a in build_report_assets(report_test_measures(), load_contracts(CONTRACTS), council_partitions(SHARED / "reference")) if a.key == PUBLISHED_EDITION)
    with dg.instance_for_test() as instance:
        result = dg.materialize([edition], resources=build_resources(settings), instance=instance, raise_on_error=False)
    assert not result.success
    [check] = result.get_asset_check_evaluations()
    found = check.metadata["found"].value
    assert not check.passed and ("councils/fife.html: a CHI-like number" if planted == "a carried report" else "a postcode") in found
    assert json.loads((latest / "manifest.json").read_text())["edition"] == "E1"  # latest is still the last edition
