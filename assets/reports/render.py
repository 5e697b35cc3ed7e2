"""Render report HTML with Jinja2 and turn that same HTML into a PDF with WeasyPrint.

It is also what a report-rendering worker process imports, so it imports nothing heavier than
Jinja2 and WeasyPrint (``edition_reports`` decides what to render and sends ``Rendering`` jobs).
WeasyPrint is imported where a PDF is written: loading it takes over half a second, which every
run's process would otherwise pay to load the code (the fork server loads it once for the workers).

Autoescape is on, so every agency-supplied string is escaped, every printed value loses its
bidirectional controls (``assets.bidi_controls``: no text is drawn reordered), and ``StrictUndefined`` makes
a template that asks for a figure the context does not hold fail loudly instead of printing
a blank. Templates only place figures; they never compute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import jinja2

import report_templates
from assets.bidi_controls import without_bidi_controls
from assets.reports.report_inputs import write_record

TEMPLATES = Path(str(files(report_templates)))


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        finalize=without_bidi_controls,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(template: str, context: dict) -> str:
    return environment().get_template(template).render(**context)


def write_pdf(html: str, destination: Path) -> int:
    """Write a tagged PDF (PDF/UA-1) from the HTML; returns the number of pages."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render()
    document.write_pdf(destination, pdf_variant="pdf/ua-1")
    return len(document.pages)


@dataclass(frozen=True)
class Rendering:
    """A report to render: everything a worker needs, so workers never see the edition's inputs."""

    template: str
    context: dict
    digest: str
    folder: Path
    stem: str
    edition: str


def render_report(job: Rendering) -> int:
    """Write ``<folder>/<stem>.html``, its PDF and its inputs record; returns the page count."""
    html = render_html(job.template, job.context)
    job.folder.mkdir(parents=True, exist_ok=True)
    html_path = job.folder / f"{job.stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pages = write_pdf(html, html_path.with_suffix(".pdf"))
    write_record(job.folder, job.stem, job.digest, pages, job.edition)
    return pages
