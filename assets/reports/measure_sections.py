"""One measure, for one place: headline, direction of travel, chart and the tables behind it.

Everything is read from the published long format (``mart.published_measures``), so a
measure the team adds to the catalogue appears in every report once the mart holds it, with
no template change. Figures are shown as published (``value_display``: a number, ``[c]``,
``[x]`` or ``[z]``); this module only picks and arranges them.
"""

from __future__ import annotations

import re

import pandas as pd

from assets.measures.catalogue import Measure
from assets.reports.charts import Line, trend_svg
from assets.reports.direction import direction_of_travel
from assets.reports.labels import ordered
from assets.reports.places import SCOTLAND, Place

# The promise was made in February 2020: charts start with the first period ending in 2020.
FIRST_CHART_YEAR = 2020
DESIRED = {"down": "fewer is better", "up": "more is better", "none": "no desired direction"}


def period_end_year(period: str) -> int:
    """The calendar year a period ends in: "2021" -> 2021, "2019-20" -> 2020, "2024-Q3" -> 2024."""
    match = re.match(r"(\d{4})(?:[-/](\d{2,4}))?", str(period))
    if not match:
        return 0
    start, end = match.groups()
    if end and len(end) == 2:
        return int(start[:2] + end)
    return int(end) if end and len(end) == 4 else int(start)


def _series(table: pd.DataFrame, code: str) -> pd.DataFrame:
    rows = table[(table.geography_code == code) & (table.breakdown == "total")]
    return rows.sort_values("period")


def _display(series: pd.DataFrame, period: str) -> str:
    row = series[series.period == period]
    return "[x]" if row.empty else str(row.value_display.iloc[0])


def _points(series: pd.DataFrame) -> list[tuple[str, float | None]]:
    return [(r.period, None if pd.isna(r.value_published) else float(r.value_published)) for r in series.itertuples()]


def _interval(row) -> str:
    if pd.isna(row.lower_published) or pd.isna(row.upper_published):
        return ""
    return f"{row.lower_published:,.1f} to {row.upper_published:,.1f}"


def headline(points: list[tuple[str, float | None, str]], entry: Measure) -> dict:
    """The latest figure, the baseline and the direction of travel between them, from one place's
    series as (period, value_published, value_display): the baseline is the declared period when
    the place has it, otherwise its first. Shared by the reports and the website's place pages.
    """
    by_period = {period: (value, display) for period, value, display in points}
    latest = max(by_period)
    baseline = entry.baseline_period if entry.baseline_period in by_period else min(by_period)
    direction = direction_of_travel(by_period[baseline][0], by_period[latest][0], entry.desired_direction, entry.tolerance_percent)
    return {"baseline": baseline, "baseline_display": by_period[baseline][1], "latest": latest, "latest_display": by_period[latest][1], "direction": direction}


def comparable_with_scotland(entry: Measure) -> bool:
    """Rates and shares compare across places; a council's count beside Scotland's does not."""
    return entry.denominator is not None


def revision_notes(revisions: pd.DataFrame | None) -> dict[str, dict[tuple[str, str], str]]:
    """Per measure, the note on each revised figure (place code, period) that the latest release revised.

    Read from ``mart.indicator_revisions``; a figure revised more than once keeps its latest note.
    """
    if revisions is None or revisions.empty:
        return {}
    latest = revisions[revisions["is_latest"].astype(bool)] if "is_latest" in revisions else revisions
    notes: dict[str, dict[tuple[str, str], str]] = {}
    for r in latest.itertuples():
        notes.setdefault(r.measure_id, {})[(r.geography_code, str(r.period))] = r.note
    return notes


def measure_section(table: pd.DataFrame, entry: Measure, place: Place, council_names: dict[str, str], revised: dict[tuple[str, str], str] | None = None) -> dict:
    """What the report shows for ``entry`` in ``place``; ``available`` is False when nothing is published there.

    ``revised``: the measure's revision notes (``revision_notes``); a revised figure is marked
    ``[r]`` with its note beside the value, which is shown as published.
    """
    revised = revised or {}
    series = _series(table, place.code)
    base = {"id": entry.id, "title": entry.title, "unit": entry.unit, "desired_direction": DESIRED[entry.desired_direction], "place": place.name}
    if series.empty or series.value_published.isna().all():
        return {**base, "available": False}
    head = headline([(r.period, None if pd.isna(r.value_published) else float(r.value_published), r.value_display) for r in series.itertuples()], entry)
    latest, direction = head["latest"], head["direction"]
    charted = series[series.period.map(period_end_year) >= FIRST_CHART_YEAR]
    if charted.empty:  # a measure published only for earlier years still shows what there is
        charted = series
    scotland = _series(table, SCOTLAND.code) if not place.is_scotland else series.iloc[0:0]
    compare = not place.is_scotland and comparable_with_scotland(entry) and not scotland.empty
    lines = [Line(place.name, _points(charted))]
    if compare:
        lines.append(Line(SCOTLAND.name, _points(scotland[scotland.period.isin(charted.period)])))
    has_interval = charted.lower_published.notna().any()
    rows = [
        {
            "period": r.period, "value": r.value_display, "scotland": _display(scotland, r.period) if compare else "", "interval": _interval(r) if has_interval else "",
            "vintage": "" if pd.isna(r.vintage) else str(r.vintage), "revision": revised.get((place.code, str(r.period)), ""),
        }
        for r in charted.itertuples()
    ]
    breakdowns = []
    for breakdown in entry.breakdowns:
        rows_at = table[(table.geography_code == place.code) & (table.breakdown == breakdown) & (table.period == latest)].set_index("category")
        if not rows_at.empty:
            breakdowns.append({
                "name": breakdown.replace("_", " "),
                "rows": [{"category": label, "value": rows_at.loc[code, "value_display"]} for code, label in ordered(breakdown, list(rows_at.index))],
            })
    council_rows = table[(table.geography_level == "council") & (table.breakdown == "total") & (table.period == latest)] if place.is_scotland else table.iloc[0:0]
    return {
        **base,
        "available": True,
        **head,
        "compare_with_scotland": compare,
        "has_interval": has_interval,
        "has_vintage": any(r["vintage"] for r in rows),
        "has_revisions": any(r["revision"] for r in rows),
        "chart_svg": trend_svg(lines, entry.unit) if charted.value_published.notna().any() else "",
        "chart_alt": f"{entry.title}, {place.name}{' and Scotland' if compare else ''}, {charted.period.min()} to {latest}: {direction.words}. The figures are in the table beside the chart.",
        "series": rows,
        "breakdowns": breakdowns,
        "councils": _side_by_side(sorted(({"name": council_names.get(r.geography_code, r.geography_code), "value": r.value_display} for r in council_rows.itertuples()), key=lambda r: r["name"])),
    }


def _side_by_side(rows: list[dict], columns: int = 3) -> list[list[dict | None]]:
    """Alphabetical rows in ``columns`` blocks side by side (read down each), so 32 councils take 11 lines."""
    height = -(-len(rows) // columns)
    return [[rows[i + k * height] if i + k * height < len(rows) else None for k in range(columns)] for i in range(height)]
