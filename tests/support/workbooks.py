"""An agency's sample return as Excel and LibreOffice save it, for the intake's tests of spreadsheets."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter

from tests.support.samples import COLUMNS, EpisodesFile

DATES = {"date_of_birth", "episode_start", "episode_end", "placement_start", "placement_end"}


def xlsx(
    path: Path, sample: EpisodesFile, *, formula: bool = False, first_sheet: str | None = None, hidden: bool = False, sheet: str = "Return", date_1904: bool = False,
) -> bytes:
    """The sample as Excel saves it: dates as date cells (one as a bare serial), numbers as numbers."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    if first_sheet:
        book.add_worksheet(first_sheet).write(0, 0, "Notes for the data team")
    cells = book.add_worksheet(sheet)
    if hidden:
        cells.activate()
        book.worksheets()[0].hide()
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    cells.write_row(0, 0, COLUMNS)
    for r, row in enumerate(sample.rows, start=1):
        for c, column in enumerate(COLUMNS):
            value = row[column]
            if not value:
                continue
            if column in DATES:
                day = dt.date.fromisoformat(value)
                if r == 2 and column == "placement_start":  # a date typed into a cell formatted General: its serial
                    cells.write_number(r, c, (day - (dt.date(1904, 1, 1) if date_1904 else dt.date(1899, 12, 30))).days)
                else:
                    cells.write_datetime(r, c, dt.datetime.combine(day, dt.time()), date_format)
            elif column in ("year_ending", "scn"):
                cells.write_number(r, c, float(value))  # stored as 2021.0, 123456789.0
            else:
                cells.write_string(r, c, value)
    if formula:
        cells.write_formula(3, COLUMNS.index("year_ending"), f"={sample.period}-0", None, int(sample.period))
    book.close()
    return path.read_bytes()


def ods(sample: EpisodesFile) -> bytes:
    """The sample as LibreOffice saves it (the parts a reader needs): typed date and float cells."""
    def cell(column: str, value: str) -> str:
        if not value:
            return "<table:table-cell/>"
        if column in DATES:
            return f'<table:table-cell office:value-type="date" office:date-value="{value}"><text:p>{value}</text:p></table:table-cell>'
        if column == "year_ending":
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    rows = ["<table:table-row>" + "".join(cell("", c) for c in COLUMNS) + "</table:table-row>"]
    rows += ["<table:table-row>" + "".join(cell(c, row[c]) for c in COLUMNS) + "</table:table-row>" for row in sample.rows]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{"".join(rows)}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("META-INF/manifest.xml", manifest)
        book.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
