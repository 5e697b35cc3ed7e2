"""A council's corrected return, as the incremental-run test and benchmark send one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def withdraw_open_episodes(path: Path, year: str, children: int) -> int:
    """Rewrite a looked after episodes file with up to ``children`` episodes open on 31 July of
    ``year`` withdrawn, each a child with one row, so the looked after count falls by as many.
    Returns how many were withdrawn."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    census = f"{year}-07-31"
    once = rows.child_ref.map(rows.child_ref.value_counts()) == 1
    open_then = (rows.episode_end == "") & (rows.placement_end == "") & (rows.placement_start <= census) & (rows.episode_start <= census)
    withdrawn = rows[once & open_then].index[:children]
    rows.drop(withdrawn).to_csv(path, index=False)
    return len(withdrawn)
