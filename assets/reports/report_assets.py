"""Report assets: the national report (HTML and PDF) and the published edition that holds it."""


import base64
import importlib.metadata
import subprocess

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.keys import PUBLISHED_MEASURES, DATA_COVERAGE, NATIONAL_REPORT, PUBLISHED_EDITION
from assets.measures.catalogue import Measure
from assets.reports.editions import NATIONAL_STEM, edition_id, promote_to_latest, write_index, write_manifest
from assets.reports.national import national_context
from assets.reports.render import render_html, write_pdf
from checks.identifier_scan import scan_published
from orchestration.resources import StoryFolders

def _edition_dir(context: dg.AssetExecutionContext, folders: StoryFolders):
    """One folder per run: named by the run's creation time and id, so every asset of the run agrees."""
    created = context.instance.get_run_record_by_id(context.run_id).create_timestamp
    path = folders.settings.published_dir / edition_id(context.run_id, created)
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_national_report_asset(entries: dict[str, Measure]) -> dg.AssetsDefinition:
    @dg.asset(
        key=NATIONAL_REPORT,
        group_name="reports",
        kinds={"html", "pdf"},
        deps=[PUBLISHED_MEASURES, DATA_COVERAGE],
        description="The national Story of Progress report, as HTML and as a PDF rendered from that HTML.",
    )
    def national_report(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        edition_dir = _edition_dir(context, folders)
        with warehouse.get_connection() as con:
            story = national_context(con, entries, folders.settings.reference_dir, edition_dir.name, importlib.metadata.version("story-of-progress"))
        context.log.info("[1/2] rendering HTML")
        html = render_html("national.html.j2", story)
        html_path = edition_dir / "national" / f"{NATIONAL_STEM}.html"
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html, encoding="utf-8")
        context.log.info("[2/2] rendering PDF")
        pdf_path = html_path.with_suffix(".pdf")
        pages = write_pdf(html, pdf_path)
        return dg.MaterializeResult(metadata={
            "html": dg.MetadataValue.path(str(html_path)),
            "pdf": dg.MetadataValue.path(str(pdf_path)),
            "pdf_pages": pages,
            "edition": edition_dir.name,
            "preview": dg.MetadataValue.md(_preview(pdf_path)),
        })

    return national_report


def _preview(pdf_path) -> str:
    """The first page as a small PNG, inline in the asset's metadata, when poppler is installed."""
    try:
        png = subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf_path)], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return f"PDF written to {pdf_path}"
    return f"![first page](data:image/png;base64,{base64.b64encode(png).decode()})"


@dg.asset(
    key=PUBLISHED_EDITION,
    group_name="reports",
    kinds={"json"},
    deps=[NATIONAL_REPORT],
    description="Seals the run's edition: manifest.json with every file's sha256 and the data it was built from; updates published/latest and the index of editions.",
    check_specs=[dg.AssetCheckSpec("no_identifiers_in_published_files", asset=PUBLISHED_EDITION, blocking=True, description="No CHI-like number or postcode in any published file.")],
)
def published_edition(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource):
    settings = folders.settings
    edition_dir = _edition_dir(context, folders)
    identifiers = scan_published(edition_dir)
    if identifiers:
        # Never promote an edition that could identify someone; the check says what was found.
        yield dg.AssetCheckResult(check_name="no_identifiers_in_published_files", passed=False, metadata={"found": dg.MetadataValue.md("\n".join(f"- {i}" for i in identifiers))})
        raise dg.Failure(description=f"Edition {edition_dir.name} not published: identifiers found in {len(identifiers)} file(s).")
    with warehouse.get_connection() as con:
        inputs = con.execute(
            "SELECT dataset, agency, period, file_name, sha256, rows, received_at FROM mart.data_coverage WHERE outcome = 'accepted' ORDER BY dataset, agency, period"
        ).df().to_dict("records")
    manifest = write_manifest(edition_dir, edition_dir.name, context.run_id, inputs)
    latest = promote_to_latest(settings.published_dir, edition_dir)
    write_index(settings.published_dir)
    yield dg.MaterializeResult(metadata={
        "edition": edition_dir.name,
        "manifest": dg.MetadataValue.path(str(manifest)),
        "latest_html": dg.MetadataValue.path(str(latest / "national" / f"{NATIONAL_STEM}.html")),
        "latest_pdf": dg.MetadataValue.path(str(latest / "national" / f"{NATIONAL_STEM}.pdf")),
    })
    yield dg.AssetCheckResult(check_name="no_identifiers_in_published_files", passed=True, metadata={"files_scanned": len(list(edition_dir.rglob("*"))), "threshold": "0 identifiers"})
