"""File-level checks that no row-level expectation can make.

Before a file is read as a table we must know it *is* a table we can read: not empty, not
too large, text (its encoding and delimiter are found, and a workbook read, by ``reading``, which
hands these checks UTF-8, comma-separated text), with exactly the contract's header, and no row
cut short (a truncated upload). Each failure becomes a
``Problem`` in plain words, naming the row and column where there is one, and saying what the
sender most likely did (saved a workbook, left empty rows below the data, edited one line in
another program), since that is what they have to undo.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from assets.ingest.problems import Problem
from assets.model.contracts import Contract

_CHUNK = 1 << 20
_TAIL = 1 << 16  # read back from the end of a file this much at a time
_MAX_ROWS_LISTED = 20
# What a file really is when its first bytes say so, whatever its name: the usual mistake is a
# workbook or an archive renamed .csv.
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)
_BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16 (Excel calls it 'Unicode Text')"),
    (b"\xfe\xff", "UTF-16 (Excel calls it 'Unicode Text')"),
)
SAVE_AS_UTF8 = "Save it again as 'CSV UTF-8 (Comma delimited)' and resend it."
# Spreadsheet files taken as they are (``reading``): Excel's .xlsx and OpenDocument's .ods.
# These others are not: in a macro-enabled workbook a macro may change what a cell shows, and in
# the binary formats (.xls, .xlsb) and Numbers files a formula cannot be told from a typed value.
_WORKBOOKS = {
    ".xlsm": ("a macro-enabled Excel workbook", "macros"),
    ".xlsb": ("an Excel binary workbook", "a binary format, in which formulas cannot be told from typed values"),
    ".xls": ("an old-style Excel workbook", "a binary format, in which formulas cannot be told from typed values"),
    ".numbers": ("an Apple Numbers spreadsheet", "a format the pipeline does not read"),
}
_SAVE_AS = {
    ".numbers": "in Numbers use File > Export To > Excel (.xlsx), or Export To > CSV with text encoding 'Unicode (UTF-8)'",
}
_EXCEL_SAVE_AS = "in Excel use File > Save As and choose the file type 'Excel Workbook (*.xlsx)' or 'CSV UTF-8 (Comma delimited) (*.csv)'"
# A row a spreadsheet writes for cells below the data that were once touched: only commas and spaces.
_EMPTY_ROW = re.compile(rb"[ \t]*,[, \t]*")
_HOLDS_A_VALUE = re.compile(rb"[^, \t\r\n]")
_LINE_BREAKS = {"\r\n": "a Windows line break (CR LF)", "\n": "a Unix line break (LF)", "\r": "an old Mac line break (CR)"}
_QUOTE_OR_LINE_BREAK = re.compile(r'"|\r\n|\r|\n')


def workbook_problem(file_name: str, contract: Contract, agency: str) -> Problem | None:
    """A spreadsheet in a format not taken, told apart by its name: saving it as .xlsx or CSV is the fix, not renaming it."""
    name = Path(file_name)
    suffix = name.suffix.lower()
    if suffix not in _WORKBOOKS:
        return None
    period = name.stem.removeprefix(f"{contract.id}_{agency}_")
    saved = contract.expected_file_name(agency, period if contract.period_is_well_formed(period) else "<period>")
    what, why = _WORKBOOKS[suffix]
    how = _SAVE_AS.get(suffix, _EXCEL_SAVE_AS)
    return Problem(
        check="not_csv",
        message=f"The file is {what} ({suffix}), which is not taken ({why}): this dataset is taken as CSV text, an Excel workbook (.xlsx) or an OpenDocument spreadsheet (.ods).",
        fix=f"Open it, {how}, and send the saved file, named {saved} (or the same name ending .xlsx). Changing the name alone does not change the file's format.",
    )


def size_problem(path: Path, contract: Contract) -> Problem | None:
    """An empty file, or one larger than the contract allows."""
    size = path.stat().st_size
    if size == 0:
        return Problem(check="empty_file", message="The file is empty (0 bytes).", fix="Send the file again with its header row and data: the upload may have failed.")
    if size > contract.max_file_bytes:
        return Problem(
            check="file_size",
            message=f"The file is {size:,} bytes, more than the {contract.max_file_bytes:,} bytes this dataset allows.",
            fix="Check the file holds only this dataset and one period; if it really is this large, contact the data team before sending it.",
        )
    return None


def not_a_text_file(path: Path) -> Problem | None:
    with path.open("rb") as handle:
        head = handle.read(8)
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return Problem(
                check="not_csv",
                message=f"The file is named .csv but is {what}, not a CSV text file.",
                fix="Send it as it is under its own type's name (a workbook named .xlsx), or open it in the program that made it and use 'Save as' > 'CSV UTF-8 (Comma delimited)'; do not rename a file to change its type.",
            )
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return Problem(check="encoding", message=f"The file is not UTF-8 text: it was saved as {encoding}.", fix=SAVE_AS_UTF8)
    return None


def check_file(path: Path, contract: Contract) -> list[Problem]:
    """The blocking file-level problems of UTF-8 text (as ``reading.read_return`` hands it over), found before it is read as a table.

    Rows of the wrong length are found by DuckDB's strict read while staging (fast); only
    a file it cannot read is scanned row by row here, by ``explain_unreadable_rows``.
    """
    if problem := size_problem(path, contract) or not_a_text_file(path):
        return [problem]

    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header_line = handle.readline()
        if not header_line.strip():
            return [Problem(check="header", message="The first line is blank: the first line must be the header row naming the columns.", fix=f"Remove the blank line(s) at the top. The header must be: {','.join(contract.column_names)}")]
        if "," not in header_line and any(d in header_line for d in (";", "\t", "|")):
            return [_delimiter_problem(header_line, contract)]
        sent = [h.strip() for h in next(csv.reader([header_line]))]
    header = as_contract_names(sent, contract)
    if not set(header) & set(contract.column_names):
        # Never echo the line: without a header it is a data row and may hold identifiers.
        return [Problem(
            check="header",
            message=f"The first line is not a header row: none of its {len(header)} values is a column name of this dataset, so it looks like data.",
            fix=f"Add the header row as the first line: {','.join(contract.column_names)}",
        )]
    problems = _header_problems(header, contract)
    if header != sent:
        problems.append(_column_case_warning(contract))
    if empty := _empty_rows_at_end(path):
        problems.append(_empty_rows_problem(empty))
    return problems


def explain_unreadable_rows(path: Path, width: int) -> list[Problem]:
    """Why a file whose header is right could not be read as a table: rows of the wrong length,
    or lines ending in different ways (DuckDB reads a file with one kind of line break)."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        mixed = _mixed_line_breaks(handle)
        handle.seek(0)
        handle.readline()
        problems = _row_shape_problems(handle, width, ends_with_newline=_ends_with_newline(path))
    problems += [mixed] if mixed else []
    return problems or [Problem(
        check="unreadable",
        message="The file could not be read as a table although every row has the right number of values (a quote may be left open).",
        fix="Check that every double quote that opens a value also closes it, or save the file again as 'CSV UTF-8 (Comma delimited)'.",
    )]


def no_rows_problem() -> Problem:
    return Problem(check="no_rows", message="The file has a header row but no data rows.", fix="Send the file with its data; if you truly have nothing to report for the period, tell the data team instead of sending an empty file.")


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def _delimiter_problem(header_line: str, contract: Contract) -> Problem:
    """A header separated by something other than commas that is not, split at it, exactly the contract's header."""
    must_be = f"The header must be: {','.join(contract.column_names)}"
    delimiter, found = next((d, name) for d, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")) if d in header_line)
    if delimiter == "|":
        return Problem(check="delimiter", message="Columns are separated by vertical bars; this dataset needs commas (or semicolons or tabs).", fix=f"Save the file as 'CSV UTF-8 (Comma delimited)'. {must_be}")
    split = as_contract_names([h.strip() for h in next(csv.reader([header_line.rstrip("\r\n")], delimiter=delimiter))], contract)
    wrong = _header_problems(split, contract)
    return Problem(
        check="delimiter",
        columns=tuple(c for p in wrong for c in p.columns),
        message=(
            f"Columns are separated by {found}, which is taken only when the header, split at them, is exactly this dataset's header; here it is not"
            + (": " + " ".join(p.message for p in wrong) if wrong else ".")
        ),
        fix=f"Correct the header row, or save the file as 'CSV UTF-8 (Comma delimited)'. {must_be}",
    )


def as_contract_names(header: list[str], contract: Contract) -> list[str]:
    """The header with each name that is a contract column but for its capitals written as the contract writes it.

    Such a header names the contract's columns unambiguously (they differ by more than case), and
    the table is read by the contract's names, never the header's; refusing it would only cost
    the sender a round trip, so it is a warning.
    """
    spelt = {name.casefold(): name for name in contract.column_names}
    return [spelt.get(name.casefold(), name) for name in header]


def _column_case_warning(contract: Contract) -> Problem:
    return Problem(
        check="column_case",
        blocking=False,
        message="Some column names in the header are written in capitals, where the contract writes them in lower case; they were matched to the contract's columns, so this does not stop the file.",
        fix=f"Next time write the column names in lower case as in the contract: {','.join(contract.column_names)}",
    )


def _empty_rows_at_end(path: Path) -> int:
    """How many rows at the end of the file hold only commas and spaces, read back from the end
    (a few reads, whatever the file's size)."""
    empty = 0
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        cut = b""  # the start of the line the last read began inside
        while end > 0:
            start = max(0, end - _TAIL)
            handle.seek(start)
            lines = (handle.read(end - start) + cut).splitlines()
            # The first line is cut by the read, or is the header: it is looked at with the next read, or never.
            for line in reversed(lines[1:]):
                if _EMPTY_ROW.fullmatch(line):
                    empty += 1
                elif line.strip():
                    return empty
            cut = lines[0] if lines else b""
            if _HOLDS_A_VALUE.search(cut):
                return empty
            end = start
    return empty


def _empty_rows_problem(empty: int) -> Problem:
    return Problem(
        check="empty_rows_at_end",
        rows_affected=empty,
        message=f"The file ends with {empty:,} empty row(s): rows with commas but no values, as a spreadsheet saves cells below the data that were once used.",
        fix=f"Remove the {empty:,} empty row(s) at the end: in the spreadsheet select the rows below your data and delete them (right-click > Delete), then save again as 'CSV UTF-8 (Comma delimited)'; or delete the lines of commas at the end in a text editor.",
    )


def _mixed_line_breaks(handle) -> Problem | None:
    """Lines that end differently from the rest (one line edited in another program), counting
    only line breaks that end a row, not those inside a quoted value."""
    ending: dict[str, list[int]] = {}
    row, quoted = 0, False
    while chunk := handle.read(_CHUNK):
        if chunk.endswith("\r"):
            chunk += handle.read(1)  # a CR LF split between two reads is one line break
        for token in _QUOTE_OR_LINE_BREAK.findall(chunk):
            if token == '"':
                quoted = not quoted
            elif not quoted:
                ending.setdefault(token, []).append(row)
                row += 1
    if len(ending) < 2:
        return None
    usual = max(ending, key=lambda kind: len(ending[kind]))
    odd = sorted(row for kind, rows in ending.items() if kind != usual for row in rows)
    data_rows = [row for row in odd if row > 0]
    kinds = ", ".join(f"{len(rows):,} with {_LINE_BREAKS[kind]}" for kind, rows in sorted(ending.items(), key=lambda item: -len(item[1])))
    header = " (the header row among them)" if odd[0] == 0 else ""
    return Problem(
        check="line_endings",
        rows=tuple(data_rows[:_MAX_ROWS_LISTED]),
        rows_affected=len(data_rows),
        message=(
            f"The lines of the file do not all end the same way: {kinds}. A file is read as a table only when every line "
            f"ends with the same kind of line break; {len(odd):,} line(s){header} differ from the rest, usually because they were edited in another program."
        ),
        fix="Make every line end the same way: save the file again from your spreadsheet as 'CSV UTF-8 (Comma delimited)', or convert the line endings of the whole file to one kind in your text editor (for example 'Windows (CR LF)').",
    )


def _header_problems(header: list[str], contract: Contract) -> list[Problem]:
    expected = contract.column_names
    must_be = f"The header must be: {','.join(expected)}"
    problems: list[Problem] = []
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        problems.append(Problem(check="duplicate_column", columns=tuple(duplicates), message=f"These columns appear more than once in the header: {', '.join(duplicates)}.", fix=f"Keep one copy of each column. {must_be}"))
    missing = [c for c in expected if c not in header]
    if missing:
        required = [c for c in missing if contract.column(c).required]
        kind = "required " if required == missing else ""
        problems.append(Problem(check="missing_column", columns=tuple(missing), message=f"These {kind}columns are missing from the header: {', '.join(missing)}.", fix=f"Add the missing columns (leave optional ones empty if you have no values). {must_be}"))
    unexpected = [h for h in header if h not in expected]
    if unexpected:
        problems.append(Problem(check="unexpected_column", columns=tuple(unexpected), message=f"These columns are not in the data contract: {', '.join(repr(u) for u in unexpected)}.", fix=f"Remove them or check their spelling. {must_be}"))
    if not problems and header != expected:
        problems.append(Problem(check="column_order", message="The columns are in a different order from the contract.", fix=must_be))
    return problems


def _row_shape_problems(handle, width: int, *, ends_with_newline: bool) -> list[Problem]:
    bad_rows: list[int] = []
    counts: list[str] = []
    row_number = 0
    for row_number, row in enumerate(csv.reader(handle), start=1):
        if len(row) != width and row != []:
            bad_rows.append(row_number)
            if len(counts) < 5:
                counts.append(f"row {row_number} has {len(row)} values")
    if bad_rows and bad_rows[-1] == row_number and not ends_with_newline and len(bad_rows) == 1:
        return [Problem(
            check="truncated", rows=(row_number,), rows_affected=1,
            message=f"The last row (row {row_number:,}) is incomplete and the file does not end with a line break: the file looks cut short in transfer.",
            fix="Resend the complete file.",
        )]
    if bad_rows:
        return [Problem(
            check="row_length",
            rows=tuple(bad_rows[:_MAX_ROWS_LISTED]),
            rows_affected=len(bad_rows),
            examples=tuple(counts),
            message=f"{len(bad_rows):,} row(s) do not have the {width} values the header has.",
            fix="A value that contains a comma must be in double quotes; a row must not be split over lines. Saving from a spreadsheet as 'CSV UTF-8' does this for you.",
        )]
    return []
