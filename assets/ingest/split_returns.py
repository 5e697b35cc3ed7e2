"""``story split``: an agency's combined return written as its two halves, as Scotland's indexing expects.

The return is read as the intake reads it (``reading``: CSV in the encodings and delimiters
agencies' systems write, or a workbook) and must pass the contract's column check first. Each
row gets a fresh random record reference (``split_names``); the identifier half holds it with
the row's identifier columns and what the linkage compares (``split_parts``), the content half
holds it with the content columns, a date of birth as year and month. Both are UTF-8 CSV, rows
in the order of the return, named so the landing folder pairs them (``split_names``); both are
written, or neither.
"""

from __future__ import annotations

import csv
import re
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.file_checks import check_file
from assets.ingest.problems import Problem
from assets.ingest.reading import read_return
from assets.ingest.split_names import PARTS, REFERENCE, new_reference
from assets.ingest.split_parts import part_columns
from assets.model.contracts import Contract

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-[0-9]{2}")


@dataclass(frozen=True)
class Split:
    """What ``split_return`` wrote (each half's path), how many rows, or the problems that stopped it."""

    halves: dict[str, Path]
    rows: int
    problems: list[Problem]


def half_paths(source: Path, out_dir: Path) -> dict[str, Path]:
    """The halves' names: the return's own name with ``_identifiers`` or ``_content`` before ``.csv``."""
    return {part: out_dir / f"{source.stem}_{part}.csv" for part in PARTS}


def split_return(source: Path, contract: Contract, out_dir: Path) -> Split:
    """Write ``source``'s two halves into ``out_dir`` (existing halves are not overwritten)."""
    paths = half_paths(source, out_dir)
    if there := [p for p in paths.values() if p.exists()]:
        return Split({}, 0, [Problem(check="exists", message=f"{', '.join(str(p) for p in there)} exists already: nothing was written.", fix="Remove the earlier halves, or write these to another folder with --out.")])
    with tempfile.TemporaryDirectory(prefix="story-split-") as spare:
        reading = read_return(source, source.name, contract, Path(spare) / "read.csv")
        problems = list(reading.problems) if reading.text is None else [p for p in check_file(reading.text, contract) if p.blocking]
        if problems:
            return Split({}, 0, problems)
        return _write_halves(reading.text, contract, paths)


def _write_halves(text: Path, contract: Contract, paths: dict[str, Path]) -> Split:
    columns = {part: part_columns(contract, part) for part in PARTS}
    partial = {part: path.with_name(f".{path.name}.partial") for part, path in paths.items()}
    try:
        with ExitStack() as files, text.open(encoding="utf-8-sig", newline="") as handle:
            writers = {part: csv.writer(files.enter_context(partial[part].open("w", encoding="utf-8", newline="")), lineterminator="\n") for part in PARTS}
            for part, writer in writers.items():
                writer.writerow([REFERENCE, *(c.name for c in columns[part])])
            reader = csv.reader(handle)
            next(reader)  # the header, which the column check found to be the contract's
            references: set[str] = set()
            for number, row in enumerate(reader, start=1):
                if len(row) != len(contract.columns):
                    return Split({}, 0, [_misshapen(number, len(row), len(contract.columns))])
                sent = dict(zip(contract.column_names, row, strict=True))
                halves = {part: [_value(c.name, sent) for c in columns[part]] for part in PARTS}
                if any(v is None for values in halves.values() for v in values):
                    return Split({}, 0, [_not_a_date(number)])
                reference = new_reference()
                while reference in references:
                    reference = new_reference()
                references.add(reference)
                for part, writer in writers.items():
                    writer.writerow([reference, *halves[part]])
        for part in PARTS:
            partial[part].replace(paths[part])
        return Split(paths, len(references), [])
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)


def _value(name: str, sent: dict[str, str]) -> str | None:
    """A half's value: the return's own, or the year or month of its date of birth (None when that is not a date)."""
    if name in sent:
        return sent[name]
    birth = sent["date_of_birth"].strip()
    if not birth:
        return ""
    date = _DATE.fullmatch(birth)
    if date is None:
        return None
    return str(int(date[1] if name == "birth_year" else date[2]))


def _misshapen(row: int, found: int, expected: int) -> Problem:
    return Problem(
        check="row_length", rows=(row,),
        message=f"Row {row} has {found} values where the header has {expected}: nothing was written.",
        fix="Correct the row (a comma inside a value must be inside double quotes), then split the return again.",
    )


def _not_a_date(row: int) -> Problem:
    return Problem(
        check="type", columns=("date_of_birth",), rows=(row,),
        message=f"'date_of_birth' on row {row} is not a date written YYYY-MM-DD, so its year and month cannot go in the content half: nothing was written.",
        fix="Write every date of birth as YYYY-MM-DD (for example 2006-05-14), then split the return again; story check names every row to correct.",
    )
