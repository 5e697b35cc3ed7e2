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
_MAX_ROWS_LISTED = 50


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
                guess = from_bytes(sample).best()
                found = guess.encoding if guess else "unknown"
                handle.seek(0)
                line = handle.read(position).count(b"\n") + 1
                return Problem(
                    check="encoding",
                    message=(
                        f"The file is not UTF-8 text: byte {position} (on line {line}) cannot be read as UTF-8. "
                        f"It looks like it was saved as {found}. Save it again as 'CSV UTF-8' and resend it."
                    ),
                )
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Problem(check="encoding", message="The file ends part-way through a character: it is not valid UTF-8 or it was cut short. Resend the complete file saved as 'CSV UTF-8'.")
    return None


def check_file(path: Path, contract: Contract) -> tuple[list[Problem], int]:
    """Return the blocking file-level problems and the number of data rows read."""
    size = path.stat().st_size
    if size == 0:
        return [Problem(check="empty_file", message="The file is empty (0 bytes). Send the file with its header row and data.")], 0
    if size > contract.max_file_bytes:
        return [Problem(check="file_size", message=f"The file is {size:,} bytes, more than the {contract.max_file_bytes:,} bytes this dataset allows. Split it by period or contact the data team.")], 0
    if problem := _encoding_problem(path):
        return [problem], 0

    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header_line = handle.readline()
        if not header_line.strip():
            return [Problem(check="header", message="The first line is blank: the first line must be the header row naming the columns.")], 0
        if "," not in header_line and any(d in header_line for d in (";", "\t", "|")):
            found = next(name for d, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")) if d in header_line)
            return [Problem(check="delimiter", message=f"Columns are separated by {found}; this dataset needs commas. Save the file as 'CSV UTF-8 (comma delimited)'.")], 0
        header = next(csv.reader([header_line]))
        problems = _header_problems([h.strip() for h in header], contract)
        if problems:
            return problems, 0
        return _row_shape_problems(handle, len(header), ends_with_newline=_ends_with_newline(path))


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def _header_problems(header: list[str], contract: Contract) -> list[Problem]:
    expected = contract.column_names
    problems: list[Problem] = []
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        problems.append(Problem(check="header", columns=tuple(duplicates), message=f"These columns appear more than once in the header: {', '.join(duplicates)}. Each column must appear once."))
    missing = [c for c in expected if c not in header]
    if missing:
        problems.append(Problem(check="header", columns=tuple(missing), message=f"These columns are missing from the header: {', '.join(missing)}. The header must be: {','.join(expected)}"))
    unexpected = [h for h in header if h not in expected]
    if unexpected:
        problems.append(Problem(check="header", columns=tuple(unexpected), message=f"These columns are not in the data contract: {', '.join(repr(u) for u in unexpected)}. Remove them or check their spelling; the header must be: {','.join(expected)}"))
    if not problems and header != expected:
        problems.append(Problem(check="header", message=f"The columns are in a different order from the contract. The header must be: {','.join(expected)}"))
    return problems


def _row_shape_problems(handle, width: int, *, ends_with_newline: bool) -> tuple[list[Problem], int]:
    bad_rows: list[int] = []
    counts: list[str] = []
    row_number = 0
    for row_number, row in enumerate(csv.reader(handle), start=1):
        if len(row) != width and row != []:
            bad_rows.append(row_number)
            if len(counts) < 5:
                counts.append(f"row {row_number} has {len(row)} values")
    if row_number == 0:
        return [Problem(check="empty_file", message="The file has a header row but no data rows.")], 0
    problems: list[Problem] = []
    if bad_rows and bad_rows[-1] == row_number and not ends_with_newline and len(bad_rows) == 1:
        problems.append(Problem(check="truncated", rows=(row_number,), rows_affected=1, message=f"The last row (row {row_number}) is incomplete and the file does not end with a line break: the file looks cut short in transfer. Resend the complete file."))
    elif bad_rows:
        problems.append(Problem(
            check="row_length",
            rows=tuple(bad_rows[:_MAX_ROWS_LISTED]),
            rows_affected=len(bad_rows),
            examples=tuple(counts),
            message=f"{len(bad_rows):,} row(s) do not have the {width} values the header has ({'; '.join(counts)}). A value containing a comma must be in double quotes.",
        ))
    return problems, row_number
