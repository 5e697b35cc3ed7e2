"""Gather what the national report shows, from the publication mart only.

Every figure comes from ``mart.published_measures`` after disclosure control, already
formatted (``value_display``: a number, ``[c]``, ``[x]`` or ``[z]``). This module picks and
arranges; the template places.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from assets.measures.catalogue import Measure
from assets.publication.mart import RULE
from assets.reference import councils, vision_statements
from assets.reports.charts import trend_svg
from assets.reports.direction import direction_of_travel
from assets.reports.labels import ordered
from orchestration.settings import SCOTLAND_CODE

QUESTIONS = {
    "Q1": "Does the care community feel the impact of the promise being kept?",
    "Q2": "How is Scotland doing in its progress towards keeping the promise?",
    "Q3": "How are organisations doing in their work to keep the promise?",
}


def _published(con: duckdb.DuckDBPyConnection, measure_id: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM mart.published_measures WHERE measure_id = ? ORDER BY period", [measure_id]).df()


def _series(table: pd.DataFrame, geography: str = SCOTLAND_CODE) -> pd.DataFrame:
    return table[(table.geography_code == geography) & (table.breakdown == "total")].sort_values("period")


def _value(series: pd.DataFrame, period: str) -> float | None:
    row = series[series.period == period]
    return None if row.empty or pd.isna(row.value_published.iloc[0]) else float(row.value_published.iloc[0])


def measure_section(con: duckdb.DuckDBPyConnection, entry: Measure, reference_dir: Path) -> dict:
    table = _published(con, entry.id)
    series = _series(table)
    latest = series.period.max()
    baseline = entry.baseline_period if entry.baseline_period in set(series.period) else series.period.min()
    direction = direction_of_travel(_value(series, baseline), _value(series, latest), entry.desired_direction, entry.tolerance_percent)
    names = councils(reference_dir).names
    council_rows = table[(table.geography_level == "council") & (table.breakdown == "total") & (table.period == latest)]
    breakdown_tables = []
    for breakdown in entry.breakdowns:
        rows = table[(table.geography_code == SCOTLAND_CODE) & (table.breakdown == breakdown) & (table.period == latest)].set_index("category")
        breakdown_tables.append({
            "name": breakdown.replace("_", " "),
            "rows": [{"category": label, "value": rows.loc[code, "value_display"]} for code, label in ordered(breakdown, list(rows.index))],
        })
    latest_display = series[series.period == latest].value_display.iloc[0]
    baseline_display = series[series.period == baseline].value_display.iloc[0]
    return {
        "id": entry.id,
        "title": entry.title,
        "unit": entry.unit,
        "numerator": entry.numerator,
        "denominator": entry.denominator or "none (a count)",
        "desired_direction": {"down": "fewer is better", "up": "more is better", "none": "no desired direction"}[entry.desired_direction],
        "sources": ", ".join(entry.sources),
        "baseline": baseline,
        "baseline_display": baseline_display,
        "latest": latest,
        "latest_display": latest_display,
        "direction": direction,
        "chart_svg": trend_svg(series.assign(value=series.value_published.astype("float")), entry.unit),
        "chart_alt": f"{entry.title}, Scotland, {series.period.min()} to {latest}: {baseline_display} in {baseline} and {latest_display} in {latest}, {direction.words}.",
        "series": [{"period": r.period, "value": r.value_display} for r in series.itertuples()],
        "breakdowns": breakdown_tables,
        "councils": sorted(({"name": names.get(r.geography_code, r.geography_code), "code": r.geography_code, "value": r.value_display} for r in council_rows.itertuples()), key=lambda r: r["name"]),
    }


def coverage(con: duckdb.DuckDBPyConnection) -> dict:
    ledger = con.execute("SELECT dataset, outcome, count(*) AS files, sum(rows) AS rows FROM mart.data_coverage GROUP BY ALL ORDER BY dataset, outcome").df()
    by_dataset = []
    for dataset, rows in ledger.groupby("dataset"):
        outcome = dict(zip(rows.outcome, rows.files))
        by_dataset.append({
            "dataset": dataset.replace("_", " "),
            "accepted": int(outcome.get("accepted", 0)),
            "superseded": int(outcome.get("superseded", 0)),
            "refused": int(outcome.get("refused", 0)),
            "rows": f"{int(rows[rows.outcome == 'accepted'].rows.sum()):,}",
        })
    refusals = con.execute("SELECT agency, dataset, file_name FROM mart.data_coverage WHERE outcome = 'refused' ORDER BY agency, dataset, file_name").df()
    return {"datasets": by_dataset, "refusals": refusals.to_dict("records")}


def national_context(con: duckdb.DuckDBPyConnection, entries: dict[str, Measure], reference_dir: Path, edition: str, tool_version: str) -> dict:
    visions = vision_statements(reference_dir)
    sections = []
    for vision in visions.itertuples():
        measures = [measure_section(con, e, reference_dir) for e in entries.values() if e.question == "Q2" and e.vision_id == vision.vision_id]
        if measures:
            sections.append({"vision_id": vision.vision_id, "title": vision.short_title, "statement": vision.statement, "measures": measures})
    headline = sections[0]["measures"][0] if sections else None
    return {
        "title": "The Promise Story of Progress: Scotland",
        "place": "Scotland",
        "edition": edition,
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%d %B %Y"),
        "tool_version": tool_version,
        "questions": QUESTIONS,
        "headline": headline,
        "q2_sections": sections,
        "coverage": coverage(con),
        "measures": list(entries.values()),
        "disclosure": {"min": RULE.min_count, "max": RULE.max_suppressed_count},
    }
