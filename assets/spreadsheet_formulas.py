"""What a spreadsheet would run as a formula (CSV injection), defined once, for refusing and for neutralising.

A cell is formula-like, following OWASP's CSV injection advice, when it starts with a tab or a
carriage return, or when, after any leading characters that show as nothing (every control,
format character, space, line or paragraph separator and combining mark, by Unicode category,
and the few letters and symbols drawn blank), it starts with ``=``, ``+`` or ``@``, or with a
minus sign not followed by a plain number and nothing else (``-5`` is a number, ``-1+1`` and
``-2+3+cmd|...`` are formulas); full-width and small forms of these signs count too. A cell
holding a DDE call (``cmd|' /C calc'!A0``, ``DDE(...)``) is formula-like wherever the call sits.

The data contracts refuse formula-like free text (``assets.ingest.validation``, in DuckDB SQL);
every CSV the pipeline writes prefixes such a cell with a single quote, which spreadsheets
show as text, as defence in depth (``neutralise``, which also takes out bidirectional controls). Both read the same two patterns, written
here once for Python's ``re`` and once for DuckDB's RE2, from the same code point ranges.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from assets.bidi_controls import BIDI_CONTROLS, without_bidi_controls

if TYPE_CHECKING:
    import pandas as pd

# What a reader cannot see before the sign, by category so that no code point is missed: controls,
# format characters (direction marks, joiners, tags), spaces, line and paragraph separators,
# and combining marks, which have nothing to combine with there (variation selectors, the
# grapheme joiner). Then what is drawn blank though it is a letter or symbol (the Hangul fillers,
# the Braille blank, the null notehead), and the code points Unicode reserves as default-ignorable,
# which show as nothing even before they are assigned (the tag block among them). Other code
# points this Python's Unicode does not know are not skipped: most are new emoji, which show.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
_DRAWN_BLANK = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x1D159, 0x2065, *range(0xFFF0, 0xFFF9), *range(0xE0000, 0xE1000)})
_ALWAYS = [(ord(c), ord(c)) for c in "=+@\uff1d\ufe66\uff0b\ufe62\uff20\ufe6b"]  # = + @ and their full-width and small forms
_MINUS = [(ord(c), ord(c)) for c in "-\u2212\uff0d\ufe63"]  # hyphen-minus, minus sign, full-width and small hyphen-minus
# app|'topic'!item, DDE(...) and DDEAUTO(...); ASCII classes only, so both engines read it alike.
_DDE = r"\|[ \t]*'[^']*'[ \t]*!|(^|[^A-Za-z0-9_])(?i:dde(auto)?)[ \t]*\("
# How each engine writes a code point in a character class.
_ESCAPE = {"python": lambda code: f"\\U{code:08x}", "re2": lambda code: f"\\x{{{code:04x}}}"}


@cache
def _invisible() -> list[tuple[int, int]]:
    """The invisible code points as ranges, read from ``unicodedata`` once, on first use (a tenth of a second)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if code in _DRAWN_BLANK or unicodedata.category(chr(code)) in _INVISIBLE_CATEGORIES:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return [(first, last) for first, last in ranges]


def _class(ranges: list[tuple[int, int]], escape) -> str:
    return "[" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]"


@cache
def _patterns(engine: str) -> tuple[str, str]:
    escape = _ESCAPE[engine]
    space, signs, minus = _class(_invisible(), escape), _class(_ALWAYS + _MINUS, escape), _class(_MINUS, escape)
    start = rf"^[\t\r]|^{space}*{signs}|{_DDE}"
    plain_number = rf"^{space}*{minus}?([0-9]+(\.[0-9]*)?|\.[0-9]+){space}*$"
    return start, plain_number


@cache
def _python() -> tuple[re.Pattern[str], re.Pattern[str]]:
    start, plain_number = _patterns("python")
    return re.compile(start), re.compile(plain_number)


def formula_like(value: str) -> bool:
    start, plain_number = _python()
    return bool(start.search(value)) and not plain_number.fullmatch(value)


def formula_like_sql(column: str) -> str:
    """The same test as a DuckDB condition on ``column`` (NULL for an empty cell)."""
    def literal(pattern: str) -> str:
        return "'" + pattern.replace("'", "''") + "'"

    start, plain_number = _patterns("re2")
    return f"(regexp_matches({column}, {literal(start)}) AND NOT regexp_full_match({column}, {literal(plain_number)}))"


def neutralise(value: object) -> object:
    """A text cell as it may be published: without bidirectional controls (``assets.bidi_controls``), and
    if formula-like with a leading single quote, so a spreadsheet shows it as text; anything else as it is."""
    value = without_bidi_controls(value)
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
        unsafe = {v: neutralise(v) for v in values.dropna().unique() if isinstance(v, str) and (formula_like(v) or not BIDI_CONTROLS.isdisjoint(map(ord, v)))}
        if unsafe:
            changed[column] = values.map(lambda v: unsafe.get(v, v) if isinstance(v, str) else v)
    return frame.assign(**changed) if changed else frame
