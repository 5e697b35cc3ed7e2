"""Render report HTML with Jinja2 and turn that same HTML into a PDF with WeasyPrint.

Autoescape is on, so every agency-supplied string is escaped, and ``StrictUndefined`` makes
a template that asks for a figure the context does not hold fail loudly instead of printing
a blank. Templates only place figures; they never compute them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import jinja2
import weasyprint

import report_templates

TEMPLATES = Path(str(files(report_templates)))


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(template: str, context: dict) -> str:
    return environment().get_template(template).render(**context)


def write_pdf(html: str, destination: Path) -> int:
    """Write a tagged PDF (PDF/UA-1) from the HTML; returns the number of pages."""
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render()
    document.write_pdf(destination, pdf_variant="pdf/ua-1")
    return len(document.pages)
