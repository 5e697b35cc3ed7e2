"""Render the reports of an edition: one file pair (HTML, PDF) per place, in parallel.

WeasyPrint is single-threaded and takes about a second or more per report, so the 32 council
reports render in a pool of worker processes (one per core). Each worker receives the
edition's inputs once (a snapshot of the mart as DataFrames) and renders whole reports;
workers start by ``spawn`` so none inherits the parent's open DuckDB connection or threads.
A report whose inputs are unchanged since the latest edition is copied from it, not rendered
(``assets.reports.report_inputs``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import duckdb

from assets.ingest.contracts import Contract
from assets.ingest.returns import agency_returns, expectations
from assets.measures.catalogue import Measure
from assets.publication.mart import RULE
from assets.reference import councils, vision_statements
from assets.reports.mart_snapshot import read_mart
from assets.reports.organisation_context import Organisation, organisation_context
from assets.reports.places import Place
from assets.reports.render import TEMPLATES, render_html, write_pdf
from assets.reports.report_inputs import carry_unchanged, inputs_digest, write_record
from assets.reports.story_context import EditionInputs, report_context

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
        returns=agency_returns(mart.data_coverage, expectations(contracts, council_ref.codes), council_ref.names, today) if not mart.data_coverage.empty else agency_returns(mart.data_coverage, [], {}, today),
        rule=RULE,
        edition=edition,
        generated=f"{today:%d %B %Y}",
        tool_version=tool_version,
    )


def page_context(inputs: EditionInputs, subject: Subject) -> tuple[str, dict]:
    """The template and context of a place's report (Scotland, or a council beside Scotland) or an organisation's own report."""
    if isinstance(subject, Organisation):
        return ORGANISATION_TEMPLATE, organisation_context(inputs, subject)
    return REPORT_TEMPLATE, report_context(inputs, subject)


def render_place(inputs: EditionInputs, place: Subject, folder: Path, stem: str, previous: Path | None = None) -> dict:
    """Write ``<folder>/<stem>.html``, its PDF and its inputs record; return where they are and the page count.

    When ``previous`` (the latest edition's folder of this kind) holds the report with the same
    inputs, its files are copied instead and the result says ``carried``.
    """
    template, context = page_context(inputs, place)
    digest = inputs_digest(template, context, TEMPLATES)
    html_path = folder / f"{stem}.html"
    pdf_path = html_path.with_suffix(".pdf")
    result = {"place": place.name, "code": place.code, "html": str(html_path), "pdf": str(pdf_path)}
    record = carry_unchanged(previous, folder, stem, digest) if previous is not None else None
    if record is not None:
        return {**result, "pages": record["pages"], "carried": True}
    html = render_html(template, context)
    folder.mkdir(parents=True, exist_ok=True)
    html_path.write_text(html, encoding="utf-8")
    pages = write_pdf(html, pdf_path)
    write_record(folder, stem, digest, pages, inputs.edition)
    return {**result, "pages": pages, "carried": False}


_WORKER_INPUTS: EditionInputs | None = None


def _start_worker(inputs: EditionInputs) -> None:
    global _WORKER_INPUTS
    _WORKER_INPUTS = inputs


def _render_in_worker(place: Subject, folder: Path, stem: str, previous: Path | None) -> dict:
    return render_place(_WORKER_INPUTS, place, folder, stem, previous)


def render_places(inputs: EditionInputs, jobs: Iterable[tuple[Subject, Path, str]], progress: Callable[[int, int, dict], None], workers: int | None = None, previous: Path | None = None) -> list[dict]:
    """Render every (place, folder, stem) job; ``progress(done, total, result)`` after each one.

    Reports whose inputs match their copy in ``previous`` (the latest edition's folder of the
    jobs' kind) are carried from it instead of rendered.
    """
    jobs = list(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results = []
    if workers == 1:
        for job in jobs:
            results.append(render_place(inputs, *job, previous))
            progress(len(results), len(jobs), results[-1])
        return results
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(inputs,)) as pool:
        futures = [pool.submit(_render_in_worker, *job, previous) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            progress(len(results), len(jobs), results[-1])
    return sorted(results, key=lambda r: r["place"])
