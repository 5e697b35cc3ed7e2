"""How a return is read: the format, encoding and delimiter an agency's system wrote, made into the
one text every check reads, or refused naming exactly the bytes that made it ambiguous.

Method notes: docs/intake.md, "Notes on `assets/ingest/reading.py`".
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from assets.ingest.file_checks import SAVE_AS_UTF8, as_contract_names, not_a_text_file, size_problem
from assets.ingest.problems import Problem
from assets.model.contracts import Contract

_CHUNK = 1 << 20
_LISTED = 10  # bytes named in a refusal's message and examples, of each kind
_SAMPLE = 1 << 16  # bytes around non-UTF-8 runs shown to charset-normalizer for its guess
_UNDEFINED_IN_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_LETTER = frozenset({"Lu", "Ll", "Lt", "Lo"})
_FITS_ANYWHERE = _LETTER | {"Zs", "Pd"}
_DELIMITERS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated"}
_ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European; Excel's plain 'CSV (Comma delimited)')",
    "cp1250": "Windows-1250 (Central European)",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "iso8859_15": "Latin-9 (ISO-8859-15)",
    "mac_roman": "Mac Roman (Excel for Mac's 'CSV (Macintosh)')",
    "cp850": "DOS Latin-1 (code page 850)",
    "cp437": "DOS (code page 437)",
    "utf_16": "UTF-16 (Excel calls it 'Unicode Text')",
}
UTF8, UTF8_BOM, CP1252 = "UTF-8", "UTF-8 with byte order mark", "Windows-1252"
_CODECS = {UTF8: "utf-8", UTF8_BOM: "utf-8-sig", CP1252: "cp1252"}


@dataclass(frozen=True)
class Reading:
    """A return as the checks read it: UTF-8, comma-separated text, and how it was read.

    ``text`` is None when the file could not be read (``problems`` says why); ``read_as`` is
    empty when it was not read at all (an empty file, a file too large).
    """

    text: Path | None
    read_as: str = ""
    problems: tuple[Problem, ...] = field(default=())


def read_return(source: Path, name: str, contract: Contract, working_copy: Path) -> Reading:
    """Read ``source`` (the agency's bytes, sent under ``name``) as the contract's text, writing a
    converted copy to ``working_copy`` when it is not UTF-8 comma-separated text already."""
    if problem := size_problem(source, contract):
        return Reading(None, problems=(problem,))
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".ods"):
        from assets.ingest.workbooks import read_workbook  # python-calamine, only when a workbook comes

        return read_workbook(source, suffix, contract, working_copy)
    return _read_text(source, contract, working_copy)


def _read_text(source: Path, contract: Contract, working_copy: Path) -> Reading:
    if problem := not_a_text_file(source):
        return Reading(None, problems=(problem,))
    encoding = text_encoding(source)
    if isinstance(encoding, Problem):
        return Reading(None, problems=(encoding,))
    with source.open("r", encoding=_CODECS[encoding], newline="") as handle:
        delimiter = header_delimiter(handle.readline(), contract)
    read_as = f"CSV, {encoding}, {_DELIMITERS[delimiter]}"
    if encoding != CP1252 and delimiter == ",":
        return Reading(source, read_as)
    try:
        _write_utf8_commas(source, _CODECS[encoding], delimiter, working_copy)
    except csv.Error as error:
        return Reading(None, read_as, (unreadable_as(delimiter, str(error)),))
    return Reading(working_copy, read_as)


def unreadable_as(delimiter: str, error: str) -> Problem:
    """A file separated by ``delimiter`` that Python's csv module could not read (``error``, its words)."""
    return Problem(
        check="unreadable",
        message=f"The file could not be read as {_DELIMITERS[delimiter]} values: {error}.",
        fix="Check that every double quote that opens a value also closes it, or save the file again as 'CSV UTF-8 (Comma delimited)'.",
    )


def header_delimiter(header_line: str, contract: Contract) -> str:
    """The delimiter the header shows unambiguously: ``;`` or a tab when the header has no comma and,
    split at it, is exactly the contract's columns; else a comma (and the checks say what is wrong)."""
    line = header_line.rstrip("\r\n")
    if "," in line:
        return ","
    for delimiter in (";", "\t"):
        if delimiter in line and as_contract_names(_split(line, delimiter), contract) == contract.column_names:
            return delimiter
    return ","


def _split(line: str, delimiter: str) -> list[str]:
    return [h.strip() for h in next(csv.reader([line], delimiter=delimiter))]


def _write_utf8_commas(source: Path, encoding: str, delimiter: str, target: Path) -> None:
    """The same table as UTF-8, comma-separated text: bytes transcoded as they are when only the
    encoding differs (line breaks and quotes untouched, so every check sees what was sent), rows
    written again when the delimiter does (each line ending as the header's, the last as the file's)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("r", encoding=encoding, newline="") as text, target.open("w", encoding="utf-8", newline="") as out:
        if delimiter == ",":
            while chunk := text.read(_CHUNK):
                out.write(chunk)
            return
        header = text.readline()
        ending = header[len(header.rstrip("\r\n")):] or "\n"
        text.seek(0)
        writer = csv.writer(out, lineterminator=ending)
        for row in csv.reader(text, delimiter=delimiter, strict=True):
            writer.writerow(row)
    if not _ends_with_line_break(source):
        with target.open("rb+") as out:  # a last line without its line break stays so (a file cut short)
            out.seek(-len(ending.encode()), 2)
            out.truncate()


def _ends_with_line_break(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def text_encoding(path: Path) -> str | Problem:
    """``UTF8``, ``UTF8_BOM`` or ``CP1252``, by the principle in the module's docstring, or the problem naming the bytes that decide against it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
        handle.seek(0)
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return _single_byte_encoding(path)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return ENDS_PART_WAY
    return UTF8_BOM if bom else UTF8


ENDS_PART_WAY = Problem(check="encoding", message="The file ends part-way through a character: it is not valid UTF-8 or it was cut short.", fix="Resend the complete file, saved as 'CSV UTF-8 (Comma delimited)'.")
NEITHER = "not a character in Windows-1252 (nor UTF-8)"


@dataclass(frozen=True)
class _Bytes:
    """Some bytes of the file: where they are and how they read."""

    offset: int
    line: int
    data: bytes
    reads: str  # what they read as, in words

    def __str__(self) -> str:
        where = f"byte {self.offset:,}" if len(self.data) == 1 else f"bytes {self.offset:,}-{self.offset + len(self.data) - 1:,}"
        return f"{where} (line {self.line:,}): {self.data.hex(' ').upper()}, {self.reads}"


@dataclass
class _Found:
    """What a look at every non-ASCII byte of a file that is not UTF-8 found: up to ``_LISTED`` of each kind, and how many."""

    undefined: list[_Bytes] = field(default_factory=list)
    utf8: list[_Bytes] = field(default_factory=list)
    single_byte: list[_Bytes] = field(default_factory=list)
    misfits: list[_Bytes] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"undefined": 0, "utf8": 0, "single_byte": 0, "misfits": 0})
    sample: bytearray = field(default_factory=bytearray)

    def add(self, kind: str, found: _Bytes) -> None:
        self.counts[kind] += 1
        listed = getattr(self, kind)
        if len(listed) < _LISTED:
            listed.append(found)


def _single_byte_encoding(path: Path) -> str | Problem:
    found = _Found()
    with path.open("rb") as handle:
        base, line, rest = 0, 1, b""
        while True:
            chunk = handle.read(_CHUNK)
            data = rest + chunk
            if chunk:  # look at whole lines only: a run of accented bytes never spans two reads
                end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
                if end == 0:
                    rest = data
                    continue
                data, rest = data[:end], data[end:]
            _look_at(data, base, line, found)
            base, line = base + len(data), line + data.count(b"\n")
            if not chunk:
                break
    return _verdict(found)


def _look_at(data: bytes, base: int, line: int, found: _Found) -> None:
    position, counted = 0, line
    for run in _HIGH_RUN.finditer(data):
        counted += data.count(b"\n", position, run.start())
        position = run.start()
        _classify(data, run.start(), run.end(), base, counted, found)


def _classify(data: bytes, start: int, end: int, base: int, line: int, found: _Found) -> None:
    run = data[start:end]
    if len(found.sample) < _SAMPLE:
        found.sample += data[max(0, start - 40) : end + 40] + b"\n"
    undefined = [i for i, byte in enumerate(run) if byte in _UNDEFINED_IN_CP1252]
    for i in undefined:
        found.add("undefined", _Bytes(base + start + i, line, run[i : i + 1], NEITHER))
    if undefined:
        return
    try:
        as_utf8 = run.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        found.add("utf8", _Bytes(base + start, line, run, f"UTF-8 for {as_utf8!r} (in Windows-1252 they would read {run.decode('cp1252')!r})"))
        return
    text = run.decode("cp1252")
    found.add("single_byte", _Bytes(base + start, line, run, f"not UTF-8 (in Windows-1252 {text!r})"))
    before = chr(data[start - 1]) if start > 0 else " "
    after = chr(data[end]) if end < len(data) else " "
    around = before + text + after
    for i, character in enumerate(text):
        if why := _misfit(character, around[i], around[i + 2]):
            found.add("misfits", _Bytes(base + start + i, line, run[i : i + 1], f"in Windows-1252 {character!r} ({unicodedata.name(character, 'a control character').lower()}), {why}"))


def _is_letter(character: str) -> bool:
    return unicodedata.category(character) in _LETTER


def _misfit(character: str, before: str, after: str) -> str | None:
    """Why a character read from Windows-1252 does not fit between its neighbours in a written value, or None if it does.

    Letters, spaces, dashes and the apostrophe fit anywhere; what opens (a quote, a bracket, an
    inverted mark) may touch what follows it, not what precedes; what closes (a quote, an
    ellipsis, a trademark or a unit's power) the reverse; the degree sign may follow a digit;
    every other symbol or mark is written apart from letters.
    """
    category = unicodedata.category(character)
    if category in _FITS_ANYWHERE or character in "\u00ad\u2019":
        return None
    if category in ("Cc", "Cf"):
        return "which is not text"
    joined_before = _is_letter(before) or before.isdigit()
    joined_after = _is_letter(after) or after.isdigit()
    if category in ("Pi", "Ps") or character in "\u00a1\u00bf":
        return "an opening mark straight after a letter or digit" if joined_before else None
    if category == "Pf" or character in "\u2026\u00ae\u2122\u00a9\u00b2\u00b3\u00b9":
        return "a closing mark straight before a letter or digit" if joined_after else None
    if character == "\u00b0" and before.isdigit():
        return None
    return "a symbol touching a letter" if _is_letter(before) or _is_letter(after) else None


def _likely(sample: bytes, besides: str = "cp1252") -> str:
    """charset-normalizer's best guess at the encoding, other than ``besides``, in words."""
    guess = next((m for m in from_bytes(sample) if m.encoding != besides), None)
    return _ENCODING_NAMES.get(guess.encoding, guess.encoding) if guess else "an encoding that could not be recognised"


def _listed(items: list[_Bytes], count: int) -> str:
    more = f", and {count - len(items):,} more" if count > len(items) else ""
    return "; ".join(str(b) for b in items[:3]) + more


def _verdict(found: _Found, likely: Callable[[bytes], str] = _likely) -> str | Problem:
    """``CP1252``, or the problem naming what decides against it (``likely`` guesses what the file was saved in)."""
    counts = found.counts
    if counts["undefined"]:
        return Problem(
            check="encoding",
            message=(
                f"The file is neither UTF-8 nor Windows-1252 text: {counts['undefined']:,} byte(s) are characters in neither "
                f"({_listed(found.undefined, counts['undefined'])}). It looks like it was saved as {likely(bytes(found.sample))}."
            ),
            examples=tuple(str(b) for b in found.undefined),
            fix=SAVE_AS_UTF8,
        )
    if counts["utf8"] and counts["single_byte"]:
        return Problem(
            check="encoding",
            message=(
                f"The file mixes two encodings, so it cannot be read either way without garbling some letters: "
                f"{counts['utf8']:,} run(s) of bytes are UTF-8 ({_listed(found.utf8, counts['utf8'])}), but "
                f"{counts['single_byte']:,} are not UTF-8 ({_listed(found.single_byte, counts['single_byte'])}). "
                "Part of the file was probably typed or pasted in another program."
            ),
            examples=tuple(str(b) for b in found.utf8[:5] + found.single_byte[:5]),
            fix="Open the file in the spreadsheet it came from, check the names on the lines listed, and save the whole file again as 'CSV UTF-8 (Comma delimited)'.",
        )
    if counts["misfits"]:
        return Problem(
            check="encoding",
            message=(
                f"The file is not UTF-8, and read as Windows-1252 (what Excel's plain 'CSV' saves) {counts['misfits']:,} byte(s) do not read as letters where letters belong "
                f"({_listed(found.misfits, counts['misfits'])}): it was probably saved in another encoding, most likely {likely(bytes(found.sample))}, "
                "so which letters were meant is ambiguous."
            ),
            examples=tuple(str(b) for b in found.misfits),
            fix=SAVE_AS_UTF8,
        )
    return CP1252
