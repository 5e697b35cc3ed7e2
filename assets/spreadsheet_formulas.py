"""What a spreadsheet would run as a formula (CSV injection), defined once, for refusing and for neutralising.

A cell is formula-like, following OWASP's CSV injection advice, when it starts with a tab or a
carriage return, or when, after any leading whitespace of any Unicode kind and the invisible
format characters that show as nothing (a non-breaking or zero-width space, a byte order mark,
a newline), it starts with ``=``, ``+`` or ``@``, or with a minus sign not followed by a plain
number and nothing else (``-5`` is a number, ``-1+1`` and ``-2+3+cmd|...`` are formulas);
full-width and small forms of these signs count too. A cell holding a DDE call
(``cmd|' /C calc'!A0``, ``DDE(...)``) is formula-like wherever the call sits.

The data contracts refuse formula-like free text (``assets.ingest.validation``, in DuckDB SQL);
every CSV the pipeline writes prefixes such a cell with a single quote, which spreadsheets
show as text, as defence in depth (``neutralise``). Both read the same two patterns, written
here once for Python's ``re`` and once for DuckDB's RE2, from the same lists of characters.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# Leading characters a reader cannot see: Unicode White_Space, the information separators
# Python counts as space, and the invisible format characters (soft hyphen, zero-width spaces
# and joiners, direction marks and isolates, word joiner, byte order mark).
_SPACE = [(0x09, 0x0D), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0xAD, 0xAD), (0x1680, 0x1680), (0x180E, 0x180E),
          (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x2069), (0x3000, 0x3000), (0xFEFF, 0xFEFF)]
_ALWAYS = [(ord(c), ord(c)) for c in "=+@\uff1d\ufe66\uff0b\ufe62\uff20\ufe6b"]  # = + @ and their full-width and small forms
_MINUS = [(ord(c), ord(c)) for c in "-\u2212\uff0d\ufe63"]  # hyphen-minus, minus sign, full-width and small hyphen-minus
# app|'topic'!item, DDE(...) and DDEAUTO(...); ASCII classes only, so both engines read it alike.
_DDE = r"\|[ \t]*'[^']*'[ \t]*!|(^|[^A-Za-z0-9_])(?i:dde(auto)?)[ \t]*\("


def _class(ranges: list[tuple[int, int]], escape) -> str:
    return "[" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]"


def _patterns(escape) -> tuple[str, str]:
    space, signs, minus = _class(_SPACE, escape), _class(_ALWAYS + _MINUS, escape), _class(_MINUS, escape)
    start = rf"^[\t\r]|^{space}*{signs}|{_DDE}"
    plain_number = rf"^{space}*{minus}?([0-9]+(\.[0-9]*)?|\.[0-9]+){space}*$"
    return start, plain_number


_PYTHON_START, _PYTHON_PLAIN = (re.compile(p) for p in _patterns(lambda code: f"\\U{code:08x}"))
_RE2_START, _RE2_PLAIN = _patterns(lambda code: f"\\x{{{code:04x}}}")


def formula_like(value: str) -> bool:
    return bool(_PYTHON_START.search(value)) and not _PYTHON_PLAIN.fullmatch(value)


def formula_like_sql(column: str) -> str:
    """The same test as a DuckDB condition on ``column`` (NULL for an empty cell)."""
    def literal(pattern: str) -> str:
        return "'" + pattern.replace("'", "''") + "'"

    return f"(regexp_matches({column}, {literal(_RE2_START)}) AND NOT regexp_full_match({column}, {literal(_RE2_PLAIN)}))"


def neutralise(value: object) -> object:
    """A formula-like text cell with a leading single quote, so a spreadsheet shows it as text; anything else as it is."""
    return "'" + value if isinstance(value, str) and formula_like(value) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell neutralised (numbers stay numbers: a negative count is not a formula).

    Each distinct value of a column is tested once: a published table repeats its place names,
    periods, categories and statuses on every row, and testing each cell was most of the time a
    national edition's downloads took to write."""
    import pandas as pd  # here: the contract checks read this module's patterns without pandas

    text = [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    changed = {}
    for column in text:
        values = frame[column]
        unsafe = {v: neutralise(v) for v in values.dropna().unique() if isinstance(v, str) and formula_like(v)}
        if unsafe:
            changed[column] = values.map(lambda v: unsafe.get(v, v) if isinstance(v, str) else v)
    return frame.assign(**changed) if changed else frame
