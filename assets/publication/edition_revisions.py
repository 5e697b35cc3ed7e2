"""Figures that moved since the previous edition, marked revised ``[r]`` (the Analysis Function's shorthand).

A corrected or withdrawn file, an erasure or a late return changes figures already published.
Each is compared with what the previous edition *published* (its all-published-figures file in
``published/latest/downloads``), never with unpublished values: a figure is revised when what
is shown for it differs, a number that changed, or a figure shown in one edition and ``[c]``
or ``[x]`` in the other. ``[c]`` in both editions is never marked, whatever the values behind
it: the mark is a function of the two editions' published cells alone, so it tells a reader
nothing that setting the two editions side by side would not (a hidden figure that changed
and one that did not look the same). A figure shown for the first time (a new period or
place) is new, not revised; one the previous edition showed and this one does not is not
marked (there is no cell to mark).

``hidden_before`` names the figures the previous edition showed no number for, which disclosure
control keeps hidden: a figure shown in one edition and hidden in the other is a difference a
reader could take between the two.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from assets.disclosure.disclosure_control import FIGURE_KEY

REVISION_COLUMNS = (*FIGURE_KEY, "previous_edition", "previous_display", "display", "note")
_SYMBOLS = ("[c]", "[x]", "[z]")
_ALL_FIGURES = "_all-published-figures_"  # ``downloads.ALL_FIGURES`` in the file's name (``downloads`` reads this module)


def previous_figures(latest: Path) -> tuple[str, pd.DataFrame] | None:
    """The previous edition's name and its published figures (``FIGURE_KEY``, ``value``, ``status``), or None before the first edition."""
    found = sorted((latest / "downloads").glob(f"*{_ALL_FIGURES}*.csv")) if (latest / "manifest.json").exists() else []
    if not found:
        return None
    edition = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))["edition"]
    figures = pd.read_csv(found[0], dtype={c: str for c in (*FIGURE_KEY, "status")}, keep_default_na=False, na_values={"value": [""]})
    return edition, figures[[*FIGURE_KEY, "value", "status"]]


def _shown(symbol: str, value: float | None) -> str | float:
    """What a reader sees of a figure: its symbol, else its number."""
    return symbol if symbol else (math.nan if value is None or pd.isna(value) else float(value))


def _same(before: str | float, now: str | float) -> bool:
    if isinstance(before, str) or isinstance(now, str):
        return before == now
    return (math.isnan(before) and math.isnan(now)) or math.isclose(before, now, rel_tol=1e-9, abs_tol=1e-9)


def _written(shown: str | float, like: str) -> str:
    """A previous number written as the current display writes numbers (one decimal for rates, whole numbers for counts)."""
    if isinstance(shown, str):
        return shown
    return f"{shown:,.1f}" if "." in like or not float(shown).is_integer() else f"{int(shown):,}"


def moved_figures(published: pd.DataFrame, previous: tuple[str, pd.DataFrame] | None) -> pd.DataFrame:
    """The figures of ``published`` (``mart.published_measures`` rows) whose shown value differs from ``previous``'s (``previous_figures``)."""
    if previous is None or published.empty:
        return pd.DataFrame(columns=list(REVISION_COLUMNS), dtype="string")
    edition, before = previous
    now = published.astype({c: str for c in FIGURE_KEY})
    paired = now.merge(before, on=list(FIGURE_KEY), how="inner")
    rows = []
    for r in paired.itertuples(index=False):
        symbol_before = next((s for s in _SYMBOLS if s in r.status), "")
        display = str(r.value_display)
        shown_before = _shown(symbol_before, r.value)
        shown_now = _shown(display if display in _SYMBOLS else "", r.value_published)
        if not _same(shown_before, shown_now):
            # A figure hidden now does not print what it was: beside a [c], the old value invites working out the new one.
            was = "" if display in _SYMBOLS else _written(shown_before, display)
            rows.append({**{c: getattr(r, c) for c in FIGURE_KEY}, "previous_edition": edition, "previous_display": was, "display": display,
                         "note": f"revised since the previous edition ({edition})" + (f", where it was {was}" if was else "")})
    return pd.DataFrame(rows, columns=list(REVISION_COLUMNS), dtype="string")


def hidden_before(measures: pd.DataFrame, previous: tuple[str, pd.DataFrame] | None) -> np.ndarray:
    """Which rows of ``measures`` (``FIGURE_KEY``) the previous edition (``previous_figures``) showed no
    number for: hidden as ``[c]``, or left out of a measure and period it published. Kept hidden in
    this edition, no hidden count can be taken as the difference between a figure in one edition and
    the same figure, or the figures around it, in the other (issue 30's differencing across editions)."""
    if previous is None:
        return np.zeros(len(measures), dtype=bool)
    _, before = previous
    keys = measures[list(FIGURE_KEY)].astype(str).reset_index(drop=True)
    shown = before.assign(hidden=before["status"].str.contains("[c]", regex=False))[[*FIGURE_KEY, "hidden"]].drop_duplicates(list(FIGURE_KEY))
    paired = keys.merge(shown, on=list(FIGURE_KEY), how="left")
    published_periods = before[["measure_id", "period"]].drop_duplicates().assign(published_period=True)
    paired = paired.merge(published_periods, on=["measure_id", "period"], how="left")
    left_out = paired["hidden"].isna() & paired["published_period"].notna()
    return (paired["hidden"].fillna(False).astype(bool) | left_out).to_numpy()
