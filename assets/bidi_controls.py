"""Unicode's bidirectional controls, taken out of every string the edition publishes.

The embeddings and overrides (U+202A-U+202E), the isolates (U+2066-U+2069) and the
left-to-right and right-to-left marks (U+200E, U+200F) reorder how the text around them is
drawn, so an agency's string holding one can show a reader something other than what it says
(display spoofing: "Trojan Source", CVE-2021-42574). They are removed where strings are
published: every value a report or website template prints (``assets.reports.render``, so the
PDF made from that HTML too) and every text cell of a CSV download or the spreadsheet
(``assets.spreadsheet_formulas.neutralise``). Not refused at intake: the marks are ordinary in
right-to-left writing (a young person's quote in Arabic or Urdu), and a refusal would not reach
strings already held or those that come another way (a file's name).
"""

from __future__ import annotations

BIDI_CONTROLS = frozenset({0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_REMOVED = dict.fromkeys(BIDI_CONTROLS)


def without_bidi_controls(value: object) -> object:
    """A string without bidirectional controls (a ``markupsafe.Markup`` stays one); anything else as it is."""
    if not isinstance(value, str):
        return value
    cleaned = value.translate(_REMOVED)
    return value if cleaned == value else type(value)(cleaned)
