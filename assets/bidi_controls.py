"""Unicode's bidirectional controls, taken out of every string the edition publishes, and shown where a person must fix them.

The embeddings and overrides (U+202A-U+202E), the isolates (U+2066-U+2069) and the
left-to-right and right-to-left marks (U+200E, U+200F) reorder how the text around them is
drawn, so an agency's string holding one can show a reader something other than what it says
(display spoofing: "Trojan Source", CVE-2021-42574). They are removed where strings are
published: every value a report or website template prints (``assets.reports.render``, so the
PDF made from that HTML too), every text cell of a CSV download or the spreadsheet
(``assets.spreadsheet_formulas.neutralise``) and the edition's manifest. Where a person must
find the character and act on it (a refusal report, the clerical review page) each is written
out as its code point instead, ``[U+202E]``. Not refused at intake: the marks are ordinary in
right-to-left writing (a young person's quote in Arabic or Urdu), and a refusal would not reach
strings already held or those that come another way (a file's name).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

BIDI_CONTROLS = frozenset({0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_REMOVED = dict.fromkeys(BIDI_CONTROLS)
_SHOWN = {code: f"[U+{code:04X}]" for code in BIDI_CONTROLS}


def without_bidi_controls(value: object) -> object:
    """A string without bidirectional controls (a ``markupsafe.Markup`` stays one); anything else as it is."""
    if not isinstance(value, str):
        return value
    cleaned = value.translate(_REMOVED)
    return value if cleaned == value else type(value)(cleaned)


def bidi_controls_shown(value: object) -> object:
    """A string with each bidirectional control written as its code point, ``[U+202E]``, so a reader sees
    that it is there and can find it (a ``markupsafe.Markup`` stays one); anything else as it is."""
    if not isinstance(value, str) or BIDI_CONTROLS.isdisjoint(map(ord, value)):
        return value
    return type(value)(value.translate(_SHOWN))


def bidi_controls_named(text: str) -> list[str]:
    """Each bidirectional control in ``text``, once, as ``U+202E RIGHT-TO-LEFT OVERRIDE``, in code point order."""
    return [_named(code) for code in sorted(BIDI_CONTROLS.intersection(map(ord, text)))]


def bidi_controls_table() -> dict[str, dict[str, str]]:
    """Each control, by the character, as written out and as named: for the browser page "Check a file", which looks them up."""
    return {chr(code): {"shown": _SHOWN[code], "named": _named(code)} for code in sorted(BIDI_CONTROLS)}


def _named(code: int) -> str:
    return f"U+{code:04X} {unicodedata.name(chr(code))}"


def every_string(value: object, change: Callable[[str], object]) -> object:
    """Plain data (as written to JSON) with ``change`` made to every string in it, dictionary keys too."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {every_string(k, change): every_string(v, change) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [every_string(v, change) for v in value]
    return value
