"""Sections built from the optional mart tables: community voice (Q1), organisations (Q3),
early warnings and revisions.

Each function returns ``None`` when its table is not in the mart yet, and the template then
says "not yet available"; an empty table (present, nothing to say) returns an empty list.
Column names follow the tables the team agreed (see the creators' module docstrings).
"""

from __future__ import annotations

import pandas as pd

from assets.disclosure.disclosure_control import CONFIDENTIAL
from assets.model.reference import SCOTLAND_CODE
from assets.reports.places import Place

LENSES = {"whats_working": "What is working", "gaps": "Gaps", "experience_of_change": "Experience of change"}
WARNING_KINDS = {"against_direction": "Moving the wrong way", "data_overdue": "Data overdue"}
PROGRESS_FIGURES = ("commitments", "milestones_due", "completed_on_time", "overdue", "at_risk")


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def community_themes(table: pd.DataFrame | None, vision_titles: dict[int, str]) -> list[dict] | None:
    """Themes people raised, per vision statement and lens, in the latest period (counts as published).

    ``all_hidden`` marks a group whose every count is hidden: it is said in words (which themes
    were raised, each by fewer than 5 people) rather than printed as a table of [c].
    """
    if table is None:
        return None
    if table.empty:
        return []
    latest = table[table.period == table.period.max()]
    count_column = next(c for c in latest.columns if c.startswith("count"))
    out = []
    for (vision_id, lens), rows in latest.groupby(["vision_id", "lens"], sort=True):
        out.append({
            "vision": f"Vision {vision_id}: {vision_titles.get(int(vision_id), '')}",
            "lens": LENSES.get(lens, lens.replace("_", " ")),
            "period": rows.period.iloc[0],
            "themes": [{"theme": r.theme, "count": _text(getattr(r, count_column))} for r in rows.itertuples()],
            "all_hidden": all(_text(c) == CONFIDENTIAL for c in rows[count_column]),
        })
    return out


def quotes(table: pd.DataFrame | None, limit_per_vision: int = 2) -> list[dict] | None:
    """A few quotes per vision statement (published with consent, identifiers already removed)."""
    if table is None:
        return None
    picked = table.sort_values(["vision_id", "lens", "theme"]).groupby("vision_id").head(limit_per_vision)
    return [{"vision_id": int(r.vision_id), "lens": LENSES.get(r.lens, r.lens), "theme": r.theme, "quote": r.quote} for r in picked.itertuples()]


def early_warnings(table: pd.DataFrame | None, place: Place, titles: dict[str, str], names: dict[str, str]) -> list[dict] | None:
    """Warnings for the place: a council sees its own and Scotland's.

    Scotland's report lists Scotland's figures and late data, and counts the warnings about
    single councils rather than listing them: those are in each council's own report, and a
    national reader needs the national picture, not pages of small-area movements.
    """
    if table is None:
        return None
    own = table.geography_code.eq(SCOTLAND_CODE) | (table.geography_code.eq(place.code) if not place.is_scotland else table.kind.eq("data_overdue"))
    rows = table[own].sort_values(["kind", "measure_id", "geography_code"])
    listed = [
        {
            "kind": WARNING_KINDS.get(r.kind, r.kind.replace("_", " ")),
            "measure": titles.get(r.measure_id, r.measure_id),
            "place": names.get(r.geography_code, r.geography_code),
            "period": _text(r.period),
            "message": r.message,
        }
        for r in rows.itertuples()
    ]
    elsewhere = table[~own]
    if place.is_scotland and len(elsewhere):
        councils = elsewhere.geography_code.nunique()
        listed.append({
            "kind": "Councils",
            "measure": "Warnings about single councils",
            "place": f"{councils} council{'s' if councils != 1 else ''}",
            "period": "",
            "message": f"{len(elsewhere)} warning{'s' if len(elsewhere) != 1 else ''} about single councils' figures, each listed in that council's own report.",
        })
    return listed


# The figures revised since the previous edition listed per measure, up to this many; the downloads mark every one.
LISTED_MOVES = 8


def revisions(table: pd.DataFrame | None, moved: pd.DataFrame | None, place: Place, names: dict[str, str], titles: dict[str, str]) -> list[dict] | None:
    """The methods section's list of revised figures: each source revision, then per measure the
    figures that moved since the previous edition (``mart.figure_revisions``); a council's report
    lists the council's and Scotland's. None when neither table exists."""
    if table is None and moved is None:
        return None
    listed = []
    if table is not None:
        geography = next((c for c in table.columns if c.startswith("geography")), None)
        rows = table if place.is_scotland or geography is None else table[table[geography].isin([place.code, "S92000003"])]
        note = next(c for c in ("note", "message", "explanation") if c in rows.columns)
        listed += [{"place": names.get(getattr(r, geography), getattr(r, geography)) if geography else "", "note": getattr(r, note)} for r in rows.itertuples()]
    moves = moved if moved is None or place.is_scotland else moved[moved["geography_code"].isin([place.code, "S92000003"])]
    for measure_id, rows in (moves.groupby("measure_id", sort=True) if moves is not None and not moves.empty else ()):
        figures = [f"{_figure(r, names)}: {r.previous_display} then, {r.display} now" if r.previous_display else f"{_figure(r, names)}: {r.display} now"
                   for r in rows.itertuples()]
        more = f"; and {len(figures) - LISTED_MOVES} more, each marked [r] in the downloads" if len(figures) > LISTED_MOVES else ""
        count = f"{len(figures)} figure{'s' if len(figures) != 1 else ''}"
        listed.append({"place": "", "note": f"{titles.get(measure_id, measure_id)}: {count} revised since the previous edition ({rows['previous_edition'].iloc[0]}): {'; '.join(figures[:LISTED_MOVES])}{more}."})
    return listed


def _figure(row, names: dict[str, str]) -> str:
    """Which figure of a measure: place and period, and its breakdown when it is not the total."""
    breakdown = "" if row.breakdown == "total" else f" ({row.breakdown.replace('_', ' ')} {row.category})"
    return f"{names.get(row.geography_code, row.geography_code)} {row.period}{breakdown}"


def organisation_overview(progress: pd.DataFrame | None) -> dict | None:
    """How many organisations reported, on which themes, in the latest round (never a ranking)."""
    if progress is None:
        return None
    if progress.empty:
        return {"organisations": 0, "period": "", "themes": []}
    latest = progress[progress.period == progress.period.max()]
    themes = []
    for theme, rows in latest.groupby("theme", sort=True):
        themes.append({"theme": theme, "organisations": rows.organisation_code.nunique(), **{f: _sum(rows[f]) for f in PROGRESS_FIGURES if f in rows}})
    return {"organisations": latest.organisation_code.nunique(), "period": latest.period.iloc[0], "themes": themes, "figures": [f for f in PROGRESS_FIGURES if f in latest]}


def _sum(column: pd.Series) -> str:
    """The total of a published count column, or [x] when any part of it is not published (a partial sum would mislead)."""
    numbers = pd.to_numeric(column, errors="coerce")
    return "[x]" if numbers.isna().any() else f"{int(numbers.sum()):,}"
