"""The bad-file matrix: each kind of bad file an agency may send, how to spoil a valid sample into
it, and what its refusal must say. The intake's tests drop each one; the preflight page's tests open each one."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.samples import COLUMNS, DATASET, EpisodesFile

SIZE_LIMIT = 10_240  # bytes, for this test's contract: every sample (and what a workbook sample unpacks to) is smaller, the big one larger


def _without_header(sample: EpisodesFile) -> bytes:
    return sample.text().split("\n", 1)[1].encode()


def _drop_column(sample: EpisodesFile) -> bytes:
    return sample.text([c for c in COLUMNS if c != "sex"]).encode()


def _extra_column(sample: EpisodesFile) -> bytes:
    lines = sample.text().splitlines()
    return ("\n".join([lines[0] + ",notes"] + [line + ",seen" for line in lines[1:]]) + "\n").encode()


def _duplicate_column(sample: EpisodesFile) -> bytes:
    lines = sample.text().splitlines()
    return ("\n".join([lines[0] + ",sex"] + [line + ",F" for line in lines[1:]]) + "\n").encode()


def _truncated(sample: EpisodesFile) -> bytes:
    data = sample.bytes()
    return data[: len(data) - 60]


def _ragged(sample: EpisodesFile) -> bytes:
    lines = sample.text().splitlines()
    lines[2] += ",extra"
    return ("\n".join(lines) + "\n").encode()


def _duplicate_row(sample: EpisodesFile) -> bytes:
    sample.rows.append(dict(sample.rows[2]))
    return sample.bytes()


def _workbook(_: EpisodesFile) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _one_line_edited_on_windows(sample: EpisodesFile) -> bytes:
    lines = sample.text().split("\n")
    lines[2] += "\r"  # data row 2 ends with CR LF, the others with LF
    return "\n".join(lines).encode()


def _empty_rows_below_the_data(sample: EpisodesFile) -> bytes:
    """As Excel saves a sheet whose cells below the data were once used."""
    return (sample.text() + ("," * (len(COLUMNS) - 1) + "\n") * 15).encode()


def _xlsx(sample: EpisodesFile) -> bytes:
    """A workbook as Excel saves it, with the sample on its sheet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", f"<sheetData>{sample.text()}</sheetData>")
    return buffer.getvalue()


def _xlsx_with_a_formula(sample: EpisodesFile) -> bytes:
    """A workbook (the few parts Excel needs, so it fits this test's size limit) whose year_ending on data row 2 is a formula."""
    def cell(reference: str, value: str, column: str) -> str:
        if column == "year_ending" and reference.endswith("3"):
            return f'<c r="{reference}"><f>{value}+0</f><v>{value}</v></c>'
        return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>' if value else ""

    rows = [dict(zip(COLUMNS, COLUMNS)), *sample.rows]
    letters = [chr(65 + i) if i < 26 else "A" + chr(65 + i - 26) for i in range(len(COLUMNS))]
    cells = "".join(
        f'<row r="{r}">' + "".join(cell(f"{letters[i]}{r}", row[c], c) for i, c in enumerate(COLUMNS)) + "</row>" for r, row in enumerate(rows, start=1)
    )
    main, relationships = "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ))
        book.writestr("_rels/.rels", f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        book.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>')
    return buffer.getvalue()


def _mixed_encodings(sample: EpisodesFile) -> bytes:
    """UTF-8, but for the last row, typed in a program that saves Windows-1252."""
    sample.set(1, "sibling_group_ref", "Zoë").set(3, "sibling_group_ref", "Siobhán")
    text = sample.text()
    cut = text.rindex("\n", 0, len(text) - 1) + 1
    return text[:cut].encode("utf-8") + text[cut:].encode("cp1252")


def _oversized(sample: EpisodesFile) -> bytes:
    text = sample.text()
    return (text + text.split("\n", 1)[1] * 20).encode()


@dataclass(frozen=True)
class Bad:
    """One kind of bad file: how to spoil a valid sample and what the refusal must say."""

    kind: str
    spoil: Callable[[EpisodesFile], bytes]
    says: str  # words the refusal must contain
    column: str | None = None  # the column the refusal must name
    rows: tuple[int, ...] | None = None  # the row numbers it must give
    file_name: str | None = None  # "{agency}" and "{period}" are filled in


BAD_FILES = [
    # Windows-1252 (and Latin-1 for its letters) is read now (issue 35, tests/ingest/test_agency_formats.py); Mac Roman's "à" reads there as a symbol inside a word.
    Bad("mac_roman", lambda s: s.set(1, "sibling_group_ref", "Sgàire").text().encode("mac_roman"), "(line 2): 88, in Windows-1252 'ˆ' (modifier letter circumflex accent), a symbol touching a letter"),
    Bad("mixed_encodings", _mixed_encodings, "The file mixes two encodings"),
    Bad("utf_16", lambda s: s.text().encode("utf-16"), "saved as UTF-16"),
    # A semicolon file is read when its header is exactly the contract's (issue 35); this one lacks a column.
    Bad("semicolons_header_not_the_contracts", lambda s: _drop_column(s).decode().replace(",", ";").encode(), "separated by semicolons, which is taken only when the header", column="sex"),
    Bad("no_header", _without_header, "not a header row"),
    Bad("missing_required_column", _drop_column, "required columns are missing from the header: sex", column="sex"),
    Bad("unexpected_column", _extra_column, "not in the data contract: 'notes'", column="notes"),
    Bad("duplicate_column", _duplicate_column, "appear more than once in the header: sex", column="sex"),
    Bad("empty", lambda s: b"", "empty (0 bytes)"),
    Bad("header_only", lambda s: s.text().split("\n", 1)[0].encode() + b"\n", "header row but no data rows"),
    Bad("truncated", _truncated, "cut short", rows=(3,)),
    Bad("ragged", _ragged, "do not have the 23 values the header has", rows=(2,)),
    Bad("wrong_type", lambda s: s.set(2, "placement_start", "31/12/2020").bytes(), "must be a date written YYYY-MM-DD", column="placement_start", rows=(2,)),
    Bad("impossible_date", lambda s: s.set(3, "episode_start", "2023-02-30").bytes(), "does not exist in the calendar", column="episode_start", rows=(3,)),
    Bad("date_outside_year", lambda s: s.set(3, "placement_start", f"{int(s.period)}-09-01").bytes(), "end of the reporting period", column="placement_start", rows=(3,)),
    Bad("episode_ends_before_start", lambda s: s.set(3, "episode_end", f"{int(s.period) - 1}-10-01").bytes(), "An episode ends on or after the day it starts", column="episode_end", rows=(3,)),
    Bad("unknown_code", lambda s: s.set(1, "placement_type", "fostering").bytes(), "not one of the allowed codes", column="placement_type", rows=(1,)),
    Bad("malformed_postcode", lambda s: s.set(3, "postcode", "G12 8Q!").bytes(), "not in the expected format", column="postcode", rows=(3,)),
    Bad("duplicate_key", _duplicate_row, "child_ref, placement_start must appear once", column="child_ref", rows=(3, 4)),
    Bad("agency_not_folder", lambda s: s.set(2, "la_code", "S12000005" if s.agency != "S12000005" else "S12000006").bytes(), "the agency whose folder", column="la_code", rows=(2,)),
    Bad("formula_cell", lambda s: s.set(1, "sibling_group_ref", '=HYPERLINK("http://example.org","open me")').bytes(), "spreadsheet formula", column="sibling_group_ref", rows=(1,)),
    Bad("workbook_renamed_csv", _workbook, "ZIP archive or an Excel workbook"),
    # .xlsx is read now (issue 35): this one is damaged, and an old-style .xls is still not taken.
    Bad("damaged_xlsx", _xlsx, "is named .xlsx but could not be opened as an Excel workbook", file_name=f"{DATASET}_{{agency}}_{{period}}.xlsx"),
    Bad("workbook_sent_as_xls", _xlsx, "The file is an old-style Excel workbook (.xls), which is not taken", file_name=f"{DATASET}_{{agency}}_{{period}}.xls"),
    Bad("xlsx_with_a_formula", _xlsx_with_a_formula, "formula cells (B3)", rows=(2,), file_name=f"{DATASET}_{{agency}}_{{period}}.xlsx"),
    Bad("one_line_ending_differently", _one_line_edited_on_windows, "3 with a Unix line break (LF), 1 with a Windows line break (CR LF)", rows=(2,)),
    Bad("empty_rows_at_end", _empty_rows_below_the_data, "The file ends with 15 empty row(s)"),
    Bad("over_size_limit", _oversized, f"more than the {SIZE_LIMIT:,} bytes"),
    Bad("path_traversal_name", lambda s: s.bytes(), r"characters that are not allowed: '\\'", file_name=f"{DATASET}_{{agency}}_..\\..\\{{period}}.csv"),
    Bad("non_ascii_name", lambda s: s.bytes(), r"characters that are not allowed: '\xe9'", file_name=f"{DATASET}_{{agency}}_{{period}}_r\u00e9vis\u00e9.csv"),
]
