"""Report assets: the national report, the 32 council reports and the published edition that holds them.

Each report asset records where its files are and a preview of a first page in its Dagster
metadata. ``published_edition`` runs only after every report asset (and so after the mart's
blocking checks) has succeeded, and refuses to publish a file that holds an identifier.
"""

import base64
import importlib.metadata
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.folders import StoryFolders
from assets.model.contracts import Contract
from assets.model.keys import (
    COMMUNITY_VOICE,
    DATA_COVERAGE,
    DATA_MAP,
    NATIONAL_REPORT,
    ORGANISATION_PROGRESS,
    PUBLISHED_EDITION,
    PUBLISHED_LINKAGE_RATES,
    PUBLISHED_MEASURES,
)
from assets.model.measures import Measure
from assets.model.outcome import CheckOutcome
from assets.privacy.identifier_scan import is_scanned, published_paths, scan_published
from assets.publication.downloads import write_downloads
from assets.reports.digest_context import digest_context, digest_month
from assets.reports.edition_reports import edition_inputs, render_places
from assets.reports.editions import (
    DIGEST_STAGING,
    DOWNLOADS_FOLDER,
    NATIONAL_STEM,
    REPORT_FOLDERS,
    building_dir,
    carry_forward,
    clear_leftovers,
    edition_id,
    list_reports,
    promote_to_latest,
    scanned_clean,
    seal,
    sealed_path,
    write_index,
    write_manifest,
)
from assets.reports.organisation_context import organisations
from assets.reports.places import SCOTLAND, council_places
from assets.reports.preflight import write_edition_preflight
from assets.reports.render import render_html, write_pdf
from assets.reports.report_inputs import carried_unchanged
from assets.reports.website import write_downloads_page, write_website
from assets.reports.worker_pool import start_fork_server, worker_pool
from checks.publication import no_identifiers_in_files

COUNCIL_REPORTS = dg.AssetKey(["reports", "council_reports"])
# Every asset that writes a mart table a report reads: reports wait for all of them.
MART_WRITERS = [PUBLISHED_MEASURES, DATA_COVERAGE, COMMUNITY_VOICE, ORGANISATION_PROGRESS, PUBLISHED_LINKAGE_RATES]


ORGANISATION_REPORTS = dg.AssetKey(["reports", "organisation_reports"])
REPORT_KEYS = (NATIONAL_REPORT, COUNCIL_REPORTS, ORGANISATION_REPORTS)
DATA_QUALITY_DIGEST = dg.AssetKey(["reports", "data_quality_digest"])
DIGEST_STEM = "data-quality-digest"


RUNNING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def _running(context: dg.AssetExecutionContext) -> set[str]:
    """The runs under way (the first 8 characters of their ids, which their editions' names end with)."""
    return {context.run_id[:8]} | {r.run_id[:8] for r in context.instance.get_runs(filters=dg.RunsFilter(statuses=RUNNING))}


def _edition_dir(context: dg.AssetExecutionContext, folders: StoryFolders) -> Path:
    """One folder per run, built hidden: named by the run's creation time and id, so every asset of
    the run agrees. The run's first report step clears what failed runs left."""
    created = context.instance.get_run_record_by_id(context.run_id).create_timestamp
    path = building_dir(folders.layout.published_dir, edition_id(context.run_id, created))
    if not path.exists():
        for leftover in clear_leftovers(folders.layout.published_dir, _running(context)):
            context.log.info(f"Removed {leftover.name}, left half made by a run that did not finish")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _preview(pdf_path: str) -> str:
    """The first page as a small PNG, inline in the asset's metadata, when poppler is installed."""
    try:
        png = subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf_path], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return f"PDF written to {pdf_path}"
    return f"![first page of {Path(pdf_path).name}](data:image/png;base64,{base64.b64encode(png).decode()})"


def _inputs_for(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource, entries: dict[str, Measure], contracts: dict[str, Contract]):
    """The run's edition folder and the inputs every report of it is rendered from."""
    start_fork_server()  # for the report workers and the spreadsheet's, ready when they are wanted
    edition_dir = _edition_dir(context, folders)
    with warehouse.get_connection() as con:
        inputs = edition_inputs(con, entries, contracts, folders.layout.reference_dir, edition_dir.name, importlib.metadata.version("story-of-progress"))
    return edition_dir, inputs


def _log_progress(context: dg.AssetExecutionContext):
    def note(result: dict) -> str:
        return " (inputs unchanged: carried from the latest edition)" if result["carried"] else " (rendered ahead, beside the council reports)" if result.get("ahead") else ""

    return lambda done, total, result: context.log.info(f"[{done}/{total}] {result['place']}: {result['pages']} pages{note(result)}")


def _previous(folders: StoryFolders, kind: str) -> Path:
    """The latest edition's folder of reports of this kind: a report with the same inputs there is carried, not rendered."""
    return folders.layout.published_dir / "latest" / kind


def _counts(results: list[dict]) -> dict:
    carried = sum(r["carried"] for r in results)
    return {"rendered": len(results) - carried, "carried_unchanged": carried}


def build_national_report(entries: dict[str, Measure], contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    """The national report, rendered from the mart."""

    @dg.asset(
        key=NATIONAL_REPORT,
        group_name="reports",
        kinds={"html", "pdf"},
        deps=MART_WRITERS,
        description="The national Story of Progress report, as HTML and as a PDF rendered from that HTML.",
    )
    def national_report(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        edition_dir, inputs = _inputs_for(context, folders, warehouse, entries, contracts)
        [result] = render_places(inputs, [(SCOTLAND, edition_dir / "national", NATIONAL_STEM)], _log_progress(context), workers=1, previous=_previous(folders, "national"))
        return dg.MaterializeResult(metadata={
            "html": dg.MetadataValue.path(sealed_path(result["html"])),
            "pdf": dg.MetadataValue.path(sealed_path(result["pdf"])),
            "pdf_pages": result["pages"],
            **_counts([result]),
            "edition": edition_dir.name,
            "preview": dg.MetadataValue.md(_preview(result["pdf"])),
        })

    return national_report


def build_council_reports(entries: dict[str, Measure], contracts: dict[str, Contract], council_partitions: dg.StaticPartitionsDefinition) -> dg.AssetsDefinition:
    """One report per council, partitioned by council."""

    @dg.asset(
        key=COUNCIL_REPORTS,
        group_name="reports",
        kinds={"html", "pdf"},
        deps=MART_WRITERS,
        partitions_def=council_partitions,
        # However many councils a run selects, they render in one step, in parallel.
        backfill_policy=dg.BackfillPolicy.single_run(),
        description="One report per council, comparing the council with Scotland, as HTML and PDF; partitioned by council (GSS code), rendered in parallel.",
    )
    def council_reports(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        edition_dir, inputs = _inputs_for(context, folders, warehouse, entries, contracts)
        selected = set(context.partition_keys)
        places = [p for p in council_places(folders.layout.reference_dir) if p.code in selected]
        # The national and organisation reports, when this run renders them too, are rendered
        # beside the councils (``render_places``): the national first, the organisations' last.
        in_run = context.job_def.asset_layer.executable_asset_keys
        national = [(SCOTLAND, edition_dir / "national", NATIONAL_STEM, _previous(folders, "national"))] if NATIONAL_REPORT in in_run else []
        progress = inputs.mart.table("organisation_progress")
        behind = [(o, edition_dir / "organisations", o.slug, _previous(folders, "organisations")) for o in organisations(progress)] if ORGANISATION_REPORTS in in_run and progress is not None else []
        results = render_places(inputs, [(p, edition_dir / "councils", p.slug) for p in places], _log_progress(context), previous=_previous(folders, "councils"), ahead=national, behind=behind)
        listing = "\n".join(f"| {r['place']} | `{sealed_path(r['html'])}` | `{sealed_path(r['pdf'])}` | {r['pages']} |" for r in results)
        return dg.MaterializeResult(metadata={
            "reports": len(results),
            **_counts(results),
            "folder": dg.MetadataValue.path(sealed_path(edition_dir / "councils")),
            "files": dg.MetadataValue.md("| council | HTML | PDF | pages |\n|---|---|---|---|\n" + listing),
            "edition": edition_dir.name,
            "preview": dg.MetadataValue.md(_preview(results[0]["pdf"])),
        })

    return council_reports


def build_organisation_reports(entries: dict[str, Measure], contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    """One report per organisation in the Q3 returns."""

    @dg.asset(
        key=ORGANISATION_REPORTS,
        group_name="reports",
        kinds={"html", "pdf"},
        deps=MART_WRITERS,
        description="One report per organisation in the Q3 returns (mart.organisation_progress), beside its own account of learning; never a ranking.",
    )
    def organisation_reports(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        edition_dir, inputs = _inputs_for(context, folders, warehouse, entries, contracts)
        progress = inputs.mart.table("organisation_progress")
        if progress is None:
            context.log.info("mart.organisation_progress does not exist yet: no organisation reports in this edition")
            return dg.MaterializeResult(metadata={"reports": 0, "status": "not yet available: mart.organisation_progress does not exist"})
        results = render_places(inputs, [(o, edition_dir / "organisations", o.slug) for o in organisations(progress)], _log_progress(context), previous=_previous(folders, "organisations"))
        listing = "\n".join(f"| {r['place']} | `{sealed_path(r['html'])}` | `{sealed_path(r['pdf'])}` | {r['pages']} |" for r in results)
        return dg.MaterializeResult(metadata={
            "reports": len(results),
            **_counts(results),
            "folder": dg.MetadataValue.path(sealed_path(edition_dir / "organisations")),
            "files": dg.MetadataValue.md("| organisation | HTML | PDF | pages |\n|---|---|---|---|\n" + listing),
            "edition": edition_dir.name,
            **({"preview": dg.MetadataValue.md(_preview(results[0]["pdf"]))} if results else {}),
        })

    return organisation_reports


def build_published_edition(entries: dict[str, Measure], contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    """The edition: carried reports, downloads, the website and the manifest, scanned and sealed."""

    @dg.asset(
        key=PUBLISHED_EDITION,
        group_name="reports",
        kinds={"json"},
        deps=[*REPORT_KEYS, DATA_MAP],
        description="Seals the run's edition: the edition's website (home page index.html, a page per vision statement, measure, place and organisation, the Data Map), the downloads and manifest.json (every report, every published file's sha256 and the ledger entries it was built from, by their opaque ids); updates published/latest and the index of editions.",
        check_specs=[dg.AssetCheckSpec("no_identifiers_in_published_files", asset=PUBLISHED_EDITION, blocking=True, description="No CHI-like number or postcode in any published file.")],
    )
    def published_edition(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource):
        layout = folders.layout
        edition_dir, site_inputs = _inputs_for(context, folders, warehouse, entries, contracts)
        # Reports this run did not render are carried unchanged from the latest edition, so an
        # edition always holds every report: other councils' partitions, and the national or
        # organisation reports when a partial run left them out.
        latest = layout.published_dir / "latest"
        carried = carry_forward(edition_dir, latest, "councils")
        for folder in ("national", "organisations"):
            if not (edition_dir / folder).exists():
                carried |= carry_forward(edition_dir, latest, folder)
        # Reports the run's report assets carried because their inputs were unchanged.
        carried |= carried_unchanged(edition_dir, tuple(REPORT_FOLDERS))
        # The reports are final now: their PDFs, most of the identifier scan (pdftotext, in its own
        # processes), are read while the downloads and the website are written, and the
        # spreadsheet (the longest download) is written in a process of its own meanwhile; the
        # downloads page, which gives every file's size, and the scan of the rest come last. Reports
        # carried byte for byte from the latest edition are not read again: they passed this scan.
        reports = [p for p in published_paths(edition_dir) if p.relative_to(edition_dir).parts[0] in REPORT_FOLDERS]
        clean = scanned_clean(latest, reports)
        with ThreadPoolExecutor(max_workers=1) as ahead, worker_pool(1) as spreadsheets:
            reports_scanned = ahead.submit(scan_published, edition_dir, [p for p in reports if p not in clean])
            with warehouse.get_connection() as con:
                # The figures behind the reports as tidy CSV, scanned and listed in the manifest with them.
                downloads = write_downloads(
                    con, edition_dir / DOWNLOADS_FOLDER, edition=site_inputs.edition,
                    titles={e.id: e.title for e in site_inputs.entries.values()}, geography_names={SCOTLAND.code: SCOTLAND.name, **site_inputs.council_names},
                    spreadsheets=spreadsheets,
                )
            # The website links only files the edition holds, so it is written after the carried reports and the downloads.
            # 'Check a file before you send it', its engine once per edition, before the website that links it.
            site = write_edition_preflight(edition_dir, contracts, layout.reference_dir, latest)
            site += write_website(edition_dir, site_inputs, downloads_page=False)
            written = [p for p in [*site, *downloads] if isinstance(p, Path) and is_scanned(p)]
            found = reports_scanned.result() + scan_published(edition_dir, written)
            downloads = [d.result() if isinstance(d, Future) else d for d in downloads]
            site += write_downloads_page(edition_dir, site_inputs)
            scanned = {*reports, *written}
            found += scan_published(edition_dir, [p for p in published_paths(edition_dir) if p not in scanned])
        identifiers = _counted(edition_dir, found, len(clean))
        if not identifiers.passed:
            # Never promote an edition that could identify someone; the check says what was found.
            yield check_result("no_identifiers_in_published_files", identifiers)
            raise dg.Failure(description=f"Edition {edition_dir.name} not published: identifiers found in {len(identifiers.listed['found'])} file(s).")
        with warehouse.get_connection() as con:
            inputs = con.execute(
                "SELECT entry_id, dataset, agency, period, received_on FROM mart.data_coverage WHERE outcome = 'accepted' ORDER BY dataset, agency, period"
            ).df().to_dict("records")
        write_manifest(edition_dir, edition_dir.name, context.run_id, inputs, carried)
        rendered = sum(1 for r in list_reports(edition_dir) if r["html"] not in carried)
        # latest first: an edition is listed only once it is latest (a failure between the two leaves it hidden, and cleared)
        latest = promote_to_latest(layout.published_dir, edition_dir)
        sealed = seal(edition_dir, layout.published_dir)
        write_index(layout.published_dir)
        yield dg.MaterializeResult(metadata={
            "edition": sealed.name,
            "manifest": dg.MetadataValue.path(str(sealed / "manifest.json")),
            "downloads": dg.MetadataValue.path(str(latest / DOWNLOADS_FOLDER)),
            "download_files": len(downloads),
            "website_pages": len(site) - 1,
            "reports_rendered": rendered,
            "reports_carried": len(list_reports(sealed)) - rendered,
            "index": dg.MetadataValue.path(str(latest / "index.html")),
            "latest_html": dg.MetadataValue.path(str(latest / "national" / f"{NATIONAL_STEM}.html")),
            "latest_pdf": dg.MetadataValue.path(str(latest / "national" / f"{NATIONAL_STEM}.pdf")),
        })
        yield check_result("no_identifiers_in_published_files", identifiers)

    return published_edition


def build_data_quality_digest(entries: dict[str, Measure], contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    """The data-quality digest for agencies."""

    @dg.asset(
        key=DATA_QUALITY_DIGEST,
        group_name="reports",
        kinds={"html", "pdf"},
        deps=[DATA_COVERAGE],
        description="The data-quality digest for agencies (overdue returns and refused files per agency), published to published/digests/ (monthly schedule, and with every edition).",
        check_specs=[dg.AssetCheckSpec("no_identifiers_in_digest", asset=DATA_QUALITY_DIGEST, blocking=True, description="No CHI-like number or postcode in the digest; it is published only when this passes.")],
    )
    def data_quality_digest(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource):
        digests = folders.layout.published_dir / "digests"
        created = context.instance.get_run_record_by_id(context.run_id).create_timestamp
        name = edition_id(context.run_id, created)
        staging = digests / f"{DIGEST_STAGING}{name}"
        clear_leftovers(folders.layout.published_dir, _running(context))
        with warehouse.get_connection() as con:
            inputs = edition_inputs(con, entries, contracts, folders.layout.reference_dir, name, importlib.metadata.version("story-of-progress"))
        story = digest_context(inputs, digest_month(created.date()))
        staging.mkdir(parents=True, exist_ok=True)
        html = render_html("digest.html.j2", story)
        (staging / f"{DIGEST_STEM}.html").write_text(html, encoding="utf-8")
        pages = write_pdf(html, staging / f"{DIGEST_STEM}.pdf")
        identifiers = _identifiers_in(staging)
        if not identifiers.passed:
            shutil.rmtree(staging)
            yield check_result("no_identifiers_in_digest", identifiers)
            raise dg.Failure(description=f"Digest {name} not published: identifiers found.")
        published = digests / name
        staging.rename(published)
        latest = promote_to_latest(digests, published)
        yield dg.MaterializeResult(metadata={
            "html": dg.MetadataValue.path(str(published / f"{DIGEST_STEM}.html")),
            "pdf": dg.MetadataValue.path(str(published / f"{DIGEST_STEM}.pdf")),
            "latest": dg.MetadataValue.path(str(latest)),
            "pdf_pages": pages,
            "agencies_named": len(story["agencies"]),
            "overdue_returns": story["overdue_total"],
            "refused_files": story["refused_total"],
            "preview": dg.MetadataValue.md(_preview(str(published / f"{DIGEST_STEM}.pdf"))),
        })
        yield check_result("no_identifiers_in_digest", identifiers)

    return data_quality_digest


def build_report_assets(entries: dict[str, Measure], contracts: dict[str, Contract], council_partitions: dg.StaticPartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The report assets and the edition asset; generic over the catalogue and the mart."""
    return [
        build_national_report(entries, contracts),
        build_council_reports(entries, contracts, council_partitions),
        build_organisation_reports(entries, contracts),
        build_published_edition(entries, contracts),
        build_data_quality_digest(entries, contracts),
    ]


def _identifiers_in(folder: Path) -> CheckOutcome:
    return _counted(folder, scan_published(folder))


def _counted(folder: Path, found: list[str], clean_before: int = 0) -> CheckOutcome:
    return no_identifiers_in_files(found, sum(1 for p in folder.rglob("*") if p.is_file()), clean_before)
