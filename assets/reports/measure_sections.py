"""One measure, for one place: headline, direction of travel, chart and the tables behind it.

Everything is read from the published long format (``mart.published_measures``), so a
measure the team adds to the catalogue appears in every report once the mart holds it, with
no template change. Figures are shown as published (``value_display``: a number, ``[c]``,
``[x]`` or ``[z]``); this module only picks and arranges them.
"""

from __future__ import annotations

import re

import pandas as pd

from assets.model.measures import Measure
from assets.reports.charts import Line, trend_svg
from assets.reports.direction import direction_of_travel
from assets.reports.family_groups import compare_with_group
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


Row = dict  # one row of mart.published_measures, as a dict (``DataFrame.to_dict("records")``)


def _missing(value: object) -> bool:
    return value is None or pd.isna(value)


def _series(rows: list[Row], code: str) -> list[Row]:
    return sorted((r for r in rows if r["geography_code"] == code and r["breakdown"] == "total"), key=lambda r: r["period"])


def _points(series: list[Row]) -> list[tuple[str, float | None]]:
    return [(r["period"], None if _missing(r["value_published"]) else float(r["value_published"])) for r in series]


def _interval(row: Row) -> str:
    if _missing(row["lower_published"]) or _missing(row["upper_published"]):
        return ""
    return f"{row['lower_published']:,.1f} to {row['upper_published']:,.1f}"


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


Revised = dict[tuple[str, str, str, str], str]  # (place code, period, breakdown, category): the note on its [r]


def revision_notes(revisions: pd.DataFrame | None, moved: pd.DataFrame | None = None) -> dict[str, Revised]:
    """Per measure, the note on each revised figure: those the source's latest release revised
    (``mart.indicator_revisions``: a figure revised more than once keeps its latest note) and
    those that moved since the previous edition (``mart.figure_revisions``), both notes when both."""
    notes: dict[str, Revised] = {}
    if revisions is not None and not revisions.empty:
        latest = revisions[revisions["is_latest"].astype(bool)] if "is_latest" in revisions else revisions
        for r in latest.itertuples():
            notes.setdefault(r.measure_id, {})[(r.geography_code, str(r.period), "total", "total")] = r.note
    for r in (moved.itertuples() if moved is not None else ()):
        key = (r.geography_code, str(r.period), r.breakdown, r.category)
        earlier = notes.setdefault(r.measure_id, {}).get(key)
        notes[r.measure_id][key] = f"{earlier}; {r.note}" if earlier else r.note
    return notes


def measure_section(
    table: pd.DataFrame, entry: Measure, place: Place, council_names: dict[str, str], revised: Revised | None = None, group: list[str] | None = None,
) -> dict:
    """What the report shows for ``entry`` in ``place``; ``available`` is False when nothing is published there.

    ``revised``: the measure's revision notes (``revision_notes``); a revised figure is marked
    ``[r]``: in the chart's table with its note beside the value, which is shown as published;
    in the breakdown and council tables beside the value. ``group``: the codes of councils like
    a council (``table`` holds their rows), to compare a rate or share with.
    """
    revised = revised or {}
    # Plain rows, not DataFrame filters: a report builds some forty of these per place, and
    # pandas' cost per small operation was most of the time it took to build a report's context.
    records = table.to_dict("records")
    series = _series(records, place.code)
    base = {"id": entry.id, "title": entry.title, "unit": entry.unit, "desired_direction": DESIRED[entry.desired_direction], "place": place.name, "family_group": None}
    if all(_missing(r["value_published"]) for r in series):
        return {**base, "available": False}
    head = headline([(r["period"], None if _missing(r["value_published"]) else float(r["value_published"]), r["value_display"]) for r in series], entry)
    latest, direction = head["latest"], head["direction"]
    # a measure published only for earlier years still shows what there is
    charted = [r for r in series if period_end_year(r["period"]) >= FIRST_CHART_YEAR] or series
    charted_periods = {r["period"] for r in charted}
    scotland = _series(records, SCOTLAND.code) if not place.is_scotland else []
    compare = not place.is_scotland and comparable_with_scotland(entry) and bool(scotland)
    lines = [Line(place.name, _points(charted))]
    if compare:
        lines.append(Line(SCOTLAND.name, _points([r for r in scotland if r["period"] in charted_periods])))
    has_interval = any(not _missing(r["lower_published"]) for r in charted)
    scotland_display = {r["period"]: str(r["value_display"]) for r in scotland}
    rows = [
        {
            "period": r["period"], "value": r["value_display"], "scotland": scotland_display.get(r["period"], "[x]") if compare else "", "interval": _interval(r) if has_interval else "",
            "vintage": "" if _missing(r["vintage"]) else str(r["vintage"]), "revision": revised.get((place.code, str(r["period"]), "total", "total"), ""),
        }
        for r in charted
    ]
    values: dict[str, dict[str, str]] = {}
    for r in records:
        if r["geography_code"] == place.code and r["period"] == latest:
            values.setdefault(r["breakdown"], {})[r["category"]] = _marked(r, revised)
    breakdowns = [
        {"name": breakdown.replace("_", " "), "rows": [{"category": label, "value": values[breakdown][code]} for code, label in ordered(breakdown, list(values[breakdown]))]}
        for breakdown in entry.breakdowns
        if values.get(breakdown)
    ]
    if compare and group:
        latest_totals = {r["geography_code"]: (None if _missing(r["value_published"]) else float(r["value_published"]), str(r["value_display"]))
                         for r in records if r["breakdown"] == "total" and r["period"] == latest}
        base["family_group"] = compare_with_group(place.name, latest_totals.get(place.code), [latest_totals.get(c, (None, "[x]")) for c in group], entry, latest)
    council_rows = [r for r in records if r["geography_level"] == "council" and r["breakdown"] == "total" and r["period"] == latest] if place.is_scotland else []
    council_rows = [{**r, "value_display": _marked(r, revised)} for r in council_rows]
    return {
        **base,
        "available": True,
        **head,
        "compare_with_scotland": compare,
        "has_interval": has_interval,
        "has_vintage": any(r["vintage"] for r in rows),
        "has_revisions": any(r["revision"] for r in rows),
        "chart_svg": trend_svg(lines, entry.unit) if any(not _missing(r["value_published"]) for r in charted) else "",
        "chart_alt": f"{entry.title}, {place.name}{' and Scotland' if compare else ''}, {min(charted_periods)} to {latest}: {direction.words}. The figures are in the table beside the chart.",
        "series": rows,
        "breakdowns": breakdowns,
        "councils": _side_by_side(sorted(({"name": council_names.get(r["geography_code"], r["geography_code"]), "value": r["value_display"]} for r in council_rows), key=lambda r: r["name"])),
    }


def _marked(row: Row, revised: Revised) -> str:
    """A figure as shown, with ``[r]`` beside it when it is revised."""
    key = (row["geography_code"], str(row["period"]), row["breakdown"], row["category"])
    return f"{row['value_display']} [r]" if key in revised else str(row["value_display"])


def _side_by_side(rows: list[dict], columns: int = 3) -> list[list[dict | None]]:
    """Alphabetical rows in ``columns`` blocks side by side (read down each), so 32 councils take 11 lines."""
    height = -(-len(rows) // columns)
    return [[rows[i + k * height] if i + k * height < len(rows) else None for k in range(columns)] for i in range(height)]
