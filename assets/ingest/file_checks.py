"""File-level checks that no row-level expectation can make.

Before a file is read as a table we must know it *is* a table we can read: not empty, not
too large, UTF-8 (with or without a byte order mark), comma-separated, with exactly the
contract's header, and no row cut short (a truncated upload). Each failure becomes a
``Problem`` in plain words, naming the row and column where there is one.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from charset_normalizer import from_bytes

from assets.ingest.contracts import Contract
from assets.ingest.problems import Problem

_CHUNK = 1 << 20
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
# charset_normalizer's names for the encodings spreadsheets save in, in words an analyst knows.
_ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European; Excel's plain 'CSV (Comma delimited)')",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "iso8859_15": "Latin-9 (ISO-8859-15)",
    "mac_roman": "Mac Roman",
    "utf_16": "UTF-16 (Excel calls it 'Unicode Text')",
}
_SAVE_AS_UTF8 = "Save it again as 'CSV UTF-8 (Comma delimited)' and resend it."


def _likely_encoding(sample: bytes) -> str:
    """Name the encoding a non-UTF-8 sample was probably saved in.

    On a few kilobytes charset_normalizer cannot tell the single-byte encodings apart (it
    calls a Scottish 'à' Baltic), so the one UK spreadsheets actually produce, Windows-1252,
    is named whenever the sample reads as it; otherwise charset_normalizer's best guess.
    """
    try:
        sample.decode("cp1252")
        return _ENCODING_NAMES["cp1252"]
    except UnicodeDecodeError:
        guess = from_bytes(sample).best()
        return _ENCODING_NAMES.get(guess.encoding, guess.encoding) if guess else "an encoding that could not be recognised"


def _not_a_text_file(path: Path) -> Problem | None:
    with path.open("rb") as handle:
        head = handle.read(8)
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return Problem(
                check="not_csv",
                message=f"The file is named .csv but is {what}, not a CSV text file.",
                fix="Open it in the program that made it and use 'Save as' > 'CSV UTF-8 (Comma delimited)'; do not rename a file to change its type.",
            )
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return Problem(check="encoding", message=f"The file is not UTF-8 text: it was saved as {encoding}.", fix=_SAVE_AS_UTF8)
    return None


def _encoding_problem(path: Path) -> Problem | None:
    """Decode the whole file incrementally so a large file is never held in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                position = offset + error.start
                handle.seek(max(0, position - 2000))
                sample = handle.read(4000)
                found = _likely_encoding(sample)
                handle.seek(0)
                line = handle.read(position).count(b"\n") + 1
                return Problem(
                    check="encoding",
                    message=f"The file is not UTF-8 text: byte {position:,} (on line {line:,}) cannot be read as UTF-8. It looks like it was saved as {found}.",
                    fix=_SAVE_AS_UTF8,
                )
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Problem(check="encoding", message="The file ends part-way through a character: it is not valid UTF-8 or it was cut short.", fix="Resend the complete file, saved as 'CSV UTF-8 (Comma delimited)'.")
    return None


def check_file(path: Path, contract: Contract) -> list[Problem]:
    """The blocking file-level problems found before the file is read as a table.

    Rows of the wrong length are found by DuckDB's strict read while staging (fast); only
    a file it cannot read is scanned row by row here, by ``explain_unreadable_rows``.
    """
    size = path.stat().st_size
    if size == 0:
        return [Problem(check="empty_file", message="The file is empty (0 bytes).", fix="Send the file again with its header row and data: the upload may have failed.")]
    if size > contract.max_file_bytes:
        return [Problem(
            check="file_size",
            message=f"The file is {size:,} bytes, more than the {contract.max_file_bytes:,} bytes this dataset allows.",
            fix="Check the file holds only this dataset and one period; if it really is this large, contact the data team before sending it.",
        )]
    if problem := _not_a_text_file(path) or _encoding_problem(path):
        return [problem]

    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header_line = handle.readline()
        if not header_line.strip():
            return [Problem(check="header", message="The first line is blank: the first line must be the header row naming the columns.", fix=f"Remove the blank line(s) at the top. The header must be: {','.join(contract.column_names)}")]
        if "," not in header_line and any(d in header_line for d in (";", "\t", "|")):
            found = next(name for d, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")) if d in header_line)
            return [Problem(check="delimiter", message=f"Columns are separated by {found}; this dataset needs commas.", fix="Save the file as 'CSV UTF-8 (Comma delimited)'; if your spreadsheet uses semicolons, change the list separator or export with commas.")]
        header = [h.strip() for h in next(csv.reader([header_line]))]
        if not set(header) & set(contract.column_names):
            # Never echo the line: without a header it is a data row and may hold identifiers.
            return [Problem(
                check="header",
                message=f"The first line is not a header row: none of its {len(header)} values is a column name of this dataset, so it looks like data.",
                fix=f"Add the header row as the first line: {','.join(contract.column_names)}",
            )]
        return _header_problems(header, contract)


def explain_unreadable_rows(path: Path, width: int) -> list[Problem]:
    """Why a file whose header is right could not be read as a table: the rows of the wrong length."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        handle.readline()
        problems = _row_shape_problems(handle, width, ends_with_newline=_ends_with_newline(path))
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
