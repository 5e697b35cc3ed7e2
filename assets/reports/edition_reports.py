"""Render the reports of an edition: one file pair (HTML, PDF) per place, in parallel.

WeasyPrint is single-threaded and takes about a second or more per report, so the 32 council
reports render in a pool of worker processes (one per core). Each worker receives the
edition's inputs once (a snapshot of the mart as DataFrames) and renders whole reports;
workers start by ``spawn`` so none inherits the parent's open DuckDB connection or threads.
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
from assets.reports.render import render_html, write_pdf
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


def page_html(inputs: EditionInputs, subject: Subject) -> str:
    """A place's report (Scotland, or a council beside Scotland) or an organisation's own report."""
    if isinstance(subject, Organisation):
        return render_html(ORGANISATION_TEMPLATE, organisation_context(inputs, subject))
    return render_html(REPORT_TEMPLATE, report_context(inputs, subject))


def render_place(inputs: EditionInputs, place: Subject, folder: Path, stem: str) -> dict:
    """Write ``<folder>/<stem>.html`` and its PDF; return where they are and the page count."""
    html = page_html(inputs, place)
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = html_path.with_suffix(".pdf")
    pages = write_pdf(html, pdf_path)
    return {"place": place.name, "code": place.code, "html": str(html_path), "pdf": str(pdf_path), "pages": pages}


_WORKER_INPUTS: EditionInputs | None = None


def _start_worker(inputs: EditionInputs) -> None:
    global _WORKER_INPUTS
    _WORKER_INPUTS = inputs


def _render_in_worker(place: Subject, folder: Path, stem: str) -> dict:
    return render_place(_WORKER_INPUTS, place, folder, stem)


def render_places(inputs: EditionInputs, jobs: Iterable[tuple[Subject, Path, str]], progress: Callable[[int, int, dict], None], workers: int | None = None) -> list[dict]:
    """Render every (place, folder, stem) job; ``progress(done, total, result)`` after each one."""
    jobs = list(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results = []
    if workers == 1:
        for job in jobs:
            results.append(render_place(inputs, *job))
            progress(len(results), len(jobs), results[-1])
        return results
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(inputs,)) as pool:
        futures = [pool.submit(_render_in_worker, *job) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            progress(len(results), len(jobs), results[-1])
    return sorted(results, key=lambda r: r["place"])
