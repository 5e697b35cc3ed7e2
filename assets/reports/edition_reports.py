"""Render the reports of an edition: one file pair (HTML, PDF) per place, in parallel.

WeasyPrint is single-threaded and takes seconds per report (4 to 8 s for a 28-page council
report on the 2-core bench machines), so the 32 council reports render in a pool of worker
processes (one per core), the national report beside them when the run renders it too. The
parent works out each report's context (from the edition's inputs, a snapshot of the mart as
DataFrames) and whether its inputs are unchanged since the latest edition: such a report is
copied from it, not rendered (``assets.reports.report_inputs``). Only the reports left to
render go to the workers, each as its template and context; the pool is started for the first
of them, so an edition whose reports are all carried starts no worker. Workers come from
``worker_pool``, so none inherits the parent's open DuckDB connection or threads; what they
run (``render.render_report``) lives in a module that imports only Jinja2 and WeasyPrint, not
this module's pandas and DuckDB.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable
from concurrent.futures import as_completed, wait
from pathlib import Path

import duckdb

from assets.ingest.returns import agency_returns, expectations
from assets.model.contracts import Contract
from assets.model.measures import Measure
from assets.model.reference import councils, family_groups, route_maps, vision_statements
from assets.publication.frameworks import Frameworks
from assets.publication.mart import RULE
from assets.reports.mart_snapshot import read_mart
from assets.reports.measure_sections import revision_notes
from assets.reports.organisation_context import Organisation, organisation_context
from assets.reports.places import Place
from assets.reports.render import TEMPLATES, Rendering, render_report
from assets.reports.report_inputs import carry_unchanged, inputs_digest, rendered_here
from assets.reports.story_context import EditionInputs, report_context
from assets.reports.worker_pool import worker_pool

REPORT_TEMPLATE = "report.html.j2"
ORGANISATION_TEMPLATE = "organisation.html.j2"
Subject = Place | Organisation


def edition_inputs(con: duckdb.DuckDBPyConnection, entries: dict[str, Measure], contracts: dict[str, Contract], reference_dir: Path, edition: str, tool_version: str) -> EditionInputs:
    """Read the mart once and gather what every report of the edition shares."""
    mart = read_mart(con)
    council_ref = councils(reference_dir)
    today = dt.datetime.now(dt.timezone.utc).date()
    return EditionInputs(
        mart=mart,
        # Only the declarations travel to workers; computations may be closures that do not pickle.
        entries={k: dataclasses.replace(e, figures=None) for k, e in entries.items()},
        visions=vision_statements(reference_dir),
        council_names=council_ref.names,
        family_groups=family_groups(reference_dir),
        returns=agency_returns(mart.data_coverage, expectations(contracts, council_ref.codes), council_ref.names, today) if not mart.data_coverage.empty else agency_returns(mart.data_coverage, [], {}, today),
        rule=RULE,
        edition=edition,
        generated=f"{today:%d %B %Y}",
        tool_version=tool_version,
        frameworks=Frameworks.load(reference_dir).checked(entries),
        revised=revision_notes(mart.table("indicator_revisions"), mart.table("figure_revisions")),
        route_maps=route_maps(reference_dir),
    )


def page_context(inputs: EditionInputs, subject: Subject) -> tuple[str, dict]:
    """The template and context of a place's report (Scotland, or a council beside Scotland) or an organisation's own report."""
    if isinstance(subject, Organisation):
        return ORGANISATION_TEMPLATE, organisation_context(inputs, subject)
    return REPORT_TEMPLATE, report_context(inputs, subject)


def _result(subject: Subject, folder: Path, stem: str) -> dict:
    html_path = folder / f"{stem}.html"
    return {"place": subject.name, "code": subject.code, "html": str(html_path), "pdf": str(html_path.with_suffix(".pdf"))}


def _carry_or_prepare(inputs: EditionInputs, subject: Subject, folder: Path, stem: str, previous: Path | None) -> dict | Rendering:
    """The report's result when it needs no rendering, else what rendering it needs.

    No rendering when the edition holds it already from the same inputs (rendered ahead by
    an earlier step of the run), or when ``previous`` holds it from the same inputs (its files
    are copied)."""
    template, context = page_context(inputs, subject)
    digest = inputs_digest(template, context, TEMPLATES)
    record = rendered_here(folder, stem, digest, inputs.edition)
    if record is not None:
        return {**_result(subject, folder, stem), "pages": record["pages"], "carried": False, "ahead": True}
    record = carry_unchanged(previous, folder, stem, digest) if previous is not None else None
    if record is not None:
        return {**_result(subject, folder, stem), "pages": record["pages"], "carried": True}
    return Rendering(template, context, digest, folder, stem, inputs.edition)


def render_places(
    inputs: EditionInputs, jobs: Iterable[tuple[Subject, Path, str]], progress: Callable[[int, int, dict], None], workers: int | None = None, previous: Path | None = None,
    ahead: Iterable[tuple[Subject, Path, str, Path | None]] = (), behind: Iterable[tuple[Subject, Path, str, Path | None]] = (),
) -> list[dict]:
    """Render every (place, folder, stem) job; ``progress(done, total, result)`` after each one.

    Reports whose inputs match their copy in ``previous`` (the latest edition's folder of the
    jobs' kind) are carried from it instead of rendered. That is decided here, before any
    worker starts: the worker pool is started only when a report is to be rendered, and
    workers are sent each report's context, not the edition's inputs.

    ``ahead``: (subject, folder, stem, previous) reports that a later step of the run will
    ask for, rendered here in the same pool, first (the national report is the longest). A
    run executes its steps one after another, so the national report's step otherwise renders
    on one core while the other idles, after a one-council run rendered its council on one
    core too. The later step finds the report rendered from its inputs (``rendered_here``)
    and keeps it; if rendering it ahead failed, that step renders it and reports the error.
    ``behind``: such reports too, rendered after the jobs: short ones (the organisations'),
    which keep both workers busy while the last long report finishes, where a step of their
    own would start a pool again for a few seconds' work.
    """
    jobs = list(jobs)
    renders = [r for r in (_carry_or_prepare(inputs, *job) for job in ahead) if isinstance(r, Rendering)]
    behind = list(behind)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) + len(renders) + len(behind)))
    results: list[dict] = []

    def done(result: dict) -> None:
        results.append(result)
        progress(len(results), len(jobs), result)

    pool = None
    futures = {}
    rendered_ahead = []
    try:
        if workers > 1 and renders:
            pool = worker_pool(workers)
            rendered_ahead = [pool.submit(render_report, r) for r in renders]
        for subject, folder, stem in jobs:
            prepared = _carry_or_prepare(inputs, subject, folder, stem, previous)
            if isinstance(prepared, dict):
                done(prepared)
            elif workers == 1:
                done({**_result(subject, folder, stem), "pages": render_report(prepared), "carried": False})
            else:
                pool = pool or worker_pool(workers)
                futures[pool.submit(render_report, prepared)] = _result(subject, folder, stem)
        if workers > 1:
            renders_behind = [r for r in (_carry_or_prepare(inputs, *job) for job in behind) if isinstance(r, Rendering)]
            if renders_behind:
                pool = pool or worker_pool(workers)
                rendered_ahead += [pool.submit(render_report, r) for r in renders_behind]
        for future in as_completed(futures):
            done({**futures[future], "pages": future.result(), "carried": False})
        if rendered_ahead:
            wait(rendered_ahead)  # a failure is the later step's to report: it renders the report itself
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results if workers == 1 else sorted(results, key=lambda r: r["place"])
