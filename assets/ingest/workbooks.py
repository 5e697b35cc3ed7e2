"""Workbooks as agencies keep them: Excel (``.xlsx``) and OpenDocument (``.ods``), read with ``python-calamine``.

The sheet read is the one the contract names (``customProperties: sheet``), else the workbook's
first visible worksheet. Its cells become the rows of a UTF-8, comma-separated working copy
that the same checks as any CSV then read (``reading``), from cell A1, so a refusal's row 1 is
the sheet's row 2. Typed cells are written as the contract expects them:

Method notes: docs/intake.md, "Notes on `assets/ingest/workbooks.py`".
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from assets.ingest.problems import Problem
from assets.ingest.reading import Reading
from assets.model.contracts import Contract

_CHUNK = 1 << 20
_LISTED = 20
_FORMATS = {".xlsx": "Excel workbook (.xlsx)", ".ods": "OpenDocument spreadsheet (.ods)"}
_WHAT = {".xlsx": "an Excel workbook", ".ods": "an OpenDocument (LibreOffice) spreadsheet"}
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
# What a formula or an error cell looks like in the part's bytes, searched as plain strings (a regular
# expression tried at every '<' of a large sheet took seconds): <f>, <f t="shared" .../>, a prefixed
# <x:f>, and t="e". A hit is only a lead; the part is then parsed.
_XLSX_SCREEN = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/", b't="e"')
_ODS_SCREEN = (b":formula=", b":formula =")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1 January 1900 (after Excel's 29 February 1900, the same count as LibreOffice's)
_EPOCH_1904 = dt.date(1904, 1, 1)
_LAST_SERIAL = 2_958_465  # 31 December 9999
_MOST_UNPACKED_PER_BYTE = 100


def read_workbook(source: Path, suffix: str, contract: Contract, working_copy: Path) -> Reading:
    import python_calamine

    what = _WHAT[suffix]
    if problem := unpacks_too_big(source, contract):
        return Reading(None, problems=(problem,))
    try:
        book = python_calamine.load_workbook(str(source))
    except Exception as error:  # calamine's errors (not a zip, damaged XML, a password) share no base class worth naming
        return Reading(None, problems=(unopenable(suffix, f"{type(error).__name__}: {str(error)[:200]}"),))
    names = list(book.sheet_names)
    if contract.sheet is not None and contract.sheet not in names:
        return Reading(None, problems=(no_such_sheet(contract.sheet, names),))
    name = contract.sheet if contract.sheet is not None else _first_visible(book, names)
    if name is None:
        return Reading(None, problems=(NO_WORKSHEET,))
    read_as = f"{_FORMATS[suffix]}, sheet {name!r}" + (f" ({names.index(name) + 1} of {len(names)})" if len(names) > 1 else "")
    try:
        found = _formula_cells(source, suffix, name)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        return Reading(None, read_as, (Problem(
            check="not_a_workbook",
            message=f"The workbook's parts could not be read ({type(error).__name__}: {str(error)[:200]}).",
            fix=f"Open it in the program that made it and save it again as {what} ({suffix}).",
        ),))
    if found:
        return Reading(None, read_as, (formula_problem(found, name),))
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    epoch = _EPOCH_1904 if suffix == ".xlsx" and _uses_1904(source) else _EXCEL_EPOCH  # the formula screen read its workbook part already
    written = _write_csv(rows, contract, epoch, working_copy)
    if not written:
        return Reading(None, read_as, (empty_sheet(name),))
    return Reading(working_copy, read_as)


# The refusals, as functions of what was found: the intake's words, and the browser page's (``preflight_plan``).
NO_WORKSHEET = Problem(check="sheet", message="The workbook has no worksheet to read.", fix="Put the return on the first sheet of the workbook, and send it again.")


def unpacks_too_big(source: Path, contract: Contract) -> Problem | None:
    """A workbook whose parts unpack to more than its limit (the module's docstring says which); None when within it or not a zip (calamine then says why)."""
    try:
        with zipfile.ZipFile(source) as book:
            unpacked = sum(member.file_size for member in book.infolist())
    except (zipfile.BadZipFile, OSError):
        return None
    size = source.stat().st_size
    limit = min(contract.max_file_bytes, _MOST_UNPACKED_PER_BYTE * size)
    if unpacked <= limit:
        return None
    return Problem(
        check="file_size",
        message=(
            f"The workbook is {size:,} bytes but unpacks to {unpacked:,} bytes, more than the {limit:,} bytes it may unpack to "
            f"({_MOST_UNPACKED_PER_BYTE} times its size, and never more than the {contract.max_file_bytes:,} bytes a file of this dataset may be)."
        ),
        fix=(
            "Delete the empty or repeated rows and columns below and beside the data, or split the return across smaller workbooks "
            "(fewer rows each), and send it again; or save it as 'CSV UTF-8 (Comma delimited)', which is limited only by its size."
        ),
    )


def unopenable(suffix: str, error: str) -> Problem:
    what = _WHAT[suffix]
    return Problem(
        check="not_a_workbook",
        message=f"The file is named {suffix} but could not be opened as {what} ({error}).",
        fix=f"Open it in the program that made it and save it again as {what} ({suffix}) without a password, or as 'CSV UTF-8 (Comma delimited)'.",
    )


def no_such_sheet(sheet: str, names: list[str]) -> Problem:
    return Problem(
        check="sheet",
        message=f"The workbook has no sheet named {sheet!r}, the sheet this dataset's return is read from (its sheets: {', '.join(repr(n) for n in names)}).",
        fix=f"Put the return on a sheet named {sheet!r} (the name exactly), and send the workbook again.",
    )


def empty_sheet(name: str) -> Problem:
    return Problem(check="empty_file", message=f"The sheet {name!r} is empty.", fix="Put the header row and the data on the sheet (from cell A1) and send the workbook again.")


def _first_visible(book, names: list[str]) -> str | None:
    for meta in book.sheets_metadata:
        if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith(".Visible"):
            return meta.name
    return names[0] if names else None


def _write_csv(rows: list[list], contract: Contract, epoch: dt.date, target: Path) -> int:
    """Write the sheet's rows as UTF-8 CSV, typed cells as the contract expects; returns the rows written (0: nothing on the sheet)."""
    last = len(rows)
    while last and not any(_filled(cell) for cell in rows[last - 1]):
        last -= 1
    if last == 0:
        return 0
    header = [_text(cell, "string", epoch) for cell in rows[0]]
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    types = {c.name.casefold(): c.logical_type for c in contract.columns}
    kinds = [types.get(h.strip().casefold(), "string") for h in header[:width]]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header[:width])
        for row in rows[1:last]:
            end = max(width, max((i + 1 for i, cell in enumerate(row) if _filled(cell)), default=0))
            cells = list(row[:end]) + [""] * (end - len(row))
            writer.writerow([_text(cell, kinds[i] if i < width else "string", epoch) for i, cell in enumerate(cells)])
    return last


def _filled(cell: object) -> bool:
    return not (cell is None or (isinstance(cell, str) and cell == ""))


def _text(cell: object, kind: str, epoch: dt.date) -> str:
    """A cell as the contract's text: dates ISO, whole numbers without ``.0``, serials in date columns as dates."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time):
        return cell.isoformat()
    if isinstance(cell, dt.timedelta):
        return str(cell)
    if isinstance(cell, (int, float)):
        number = float(cell)
        if kind == "date" and 1 <= number <= _LAST_SERIAL:
            day = epoch + dt.timedelta(days=int(number))
            fraction = number - int(number)
            if fraction == 0:
                return day.isoformat()
            return (dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=round(fraction * 86400))).isoformat(sep=" ")
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return format(Decimal(repr(number)), "f")
    return str(cell)


def _uses_1904(source: Path) -> bool:
    with zipfile.ZipFile(source) as book:
        root = ElementTree.fromstring(book.read("xl/workbook.xml"))
    properties = next((e for e in root if _local(e.tag) == "workbookPr"), None)
    return properties is not None and properties.get("date1904", "").lower() in ("1", "true")


def _formula_cells(source: Path, suffix: str, sheet: str) -> tuple:
    """The first formula cells and error cells of the sheet (as A1 references), and how many in all; empty when none."""
    with zipfile.ZipFile(source) as book:
        if suffix == ".xlsx":
            member = _xlsx_sheet_part(book, sheet)
            if not _screened(book, member, _XLSX_SCREEN):
                return ()
            return _xlsx_formulas(book, member)
        if not _screened(book, "content.xml", _ODS_SCREEN):
            return ()
        return _ods_formulas(book, sheet)


def _screened(book: zipfile.ZipFile, member: str, needles: tuple[bytes, ...]) -> bool:
    """Whether any of ``needles`` occurs in the part, read a chunk at a time (one may straddle two chunks)."""
    tail = b""
    with book.open(member) as part:
        while chunk := part.read(_CHUNK):
            data = tail + chunk
            if any(needle in data for needle in needles):
                return True
            tail = chunk[-16:]
    return False


def _local(tag: str) -> str:
    """An element's or attribute's name without its namespace: transitional and strict OOXML name them alike."""
    return tag.rpartition("}")[2]


def _xlsx_sheet_part(book: zipfile.ZipFile, sheet: str) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    relationship = next(
        (value for s in workbook.iter() if _local(s.tag) == "sheet" and s.get("name") == sheet for key, value in s.attrib.items() if _local(key) == "id"),
        None,
    )
    relationships = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in relationships.iter() if _local(r.tag) == "Relationship" and r.get("Id") == relationship), None)
    if relationship is None or target is None:
        raise KeyError(f"the workbook does not say where its sheet {sheet!r} is")
    path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return str(PurePosixPath(*[p for p in PurePosixPath(path).parts if p != "."]))


def _xlsx_formulas(book: zipfile.ZipFile, member: str) -> tuple:
    formulas: list[str] = []
    errors: list[str] = []
    count = 0
    with book.open(member) as part:
        for _, element in ElementTree.iterparse(part, events=("end",)):
            if _local(element.tag) != "c":
                continue
            if any(_local(child.tag) == "f" for child in element):
                count += 1
                if len(formulas) < _LISTED:
                    formulas.append(element.get("r", "?"))
            elif element.get("t") == "e":
                count += 1
                if len(errors) < _LISTED:
                    errors.append(element.get("r", "?"))
            element.clear()
    return (formulas, errors, count) if count else ()


def _ods_formulas(book: zipfile.ZipFile, sheet: str) -> tuple:
    formulas: list[str] = []
    count = 0
    inside, row, column = False, 0, 0
    table, table_row = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row"
    cells = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
    with book.open("content.xml") as part:
        for event, element in ElementTree.iterparse(part, events=("start", "end")):
            if element.tag == table:
                inside = event == "start" and element.get(f"{{{_TABLE}}}name") == sheet
                row = 0
            elif not inside:
                continue
            elif element.tag == table_row and event == "start":
                column = 0
            elif element.tag == table_row:
                row += int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
                element.clear()
            elif element.tag in cells and event == "start":
                repeated = int(element.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                if element.get(f"{{{_TABLE}}}formula") is not None:
                    count += repeated
                    if len(formulas) < _LISTED:
                        formulas.append(f"{_column_letters(column)}{row + 1}")
                column += repeated
    return (formulas, [], count) if count else ()


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def formula_problem(found: tuple[list[str], list[str], int], sheet: str) -> Problem:
    formulas, errors, count = found
    cells = formulas + errors
    rows = sorted({int(re.sub(r"[A-Z]+", "", c)) - 1 for c in cells if re.fullmatch(r"[A-Z]+[0-9]+", c)} - {0})
    parts = []
    if formulas:
        parts.append(f"formula cells ({', '.join(formulas)})")
    if errors:
        parts.append(f"error values such as #N/A ({', '.join(errors)})")
    more = f"; {count - len(cells):,} more" if count > len(cells) else ""
    return Problem(
        check="formula_cell",
        rows=tuple(rows),
        rows_affected=count,
        examples=tuple(cells),
        message=(
            f"The sheet {sheet!r} has {count:,} cell(s) that are not plain values, {' and '.join(parts)}{more}: a return holds the values themselves, "
            "since what a formula shows is worked out when the workbook is opened and may change."
        ),
        fix="Replace the formulas by their values (select the cells, Copy, then Paste Special > Values), correct any error values, and send the workbook again.",
    )
