"""A measure's page on the website: its series since the baseline, every council beside Scotland, its definition and releases.

The figures are the mart's as published: ``value_display`` (a number, ``[c]``, ``[x]`` or
``[z]``) in every table, ``value_published`` only to draw the chart. What the Data Map knows
about the measure's sources (who sent them, for which periods, last updated and next update
due) is read from ``mart.data_map``, so the page never works those out again.
"""

from __future__ import annotations

import pandas as pd

from assets.model.measures import Measure
from assets.reports.evidence_sections import WARNING_KINDS
from assets.reports.measure_sections import DESIRED, comparable_with_scotland
from assets.reports.places import SCOTLAND, Place
from assets.reports.site_links import SiteLinks, place_page

NOT_AVAILABLE = "[x]"
SYMBOLS = ("[c]", "[x]", "[z]")
# A table is worth reading as a table when at least half its rows hold a figure: below that, the
# symbols are most of what a reader sees, so the page says so in a sentence and names the rest.
MOSTLY_HIDDEN_BELOW = 0.5


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %B %Y}"


def text_of(value) -> str:
    """A mart cell as text: empty where it is missing (NA, None), never "nan"."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def every_place_table(table: pd.DataFrame, periods: list[str], councils: list[Place], links: SiteLinks) -> dict:
    """Scotland, then every council, by period: each figure exactly as published ([x] where there is no row).

    When fewer than half the councils have any published figure, ``mostly_hidden`` says so in a
    sentence, and the table keeps only the places with one (the rest are named in ``no_figures``)."""
    totals = table[table["breakdown"] == "total"]
    shown = totals.set_index(["geography_code", "period"])["value_display"].to_dict()
    rows = [
        {"name": place.name, "href": links.to(place_page(place)), "is_scotland": place.is_scotland, "values": [shown.get((place.code, p), NOT_AVAILABLE) for p in periods]}
        for place in [SCOTLAND, *councils]
    ]
    has_figure = [row["is_scotland"] or any(v not in SYMBOLS for v in row["values"]) for row in rows]
    with_figures = sum(has_figure) - 1
    if not councils or with_figures >= MOSTLY_HIDDEN_BELOW * len(councils):
        return {"periods": periods, "rows": rows, "mostly_hidden": None, "no_figures": []}
    if with_figures == 0 and all(v == NOT_AVAILABLE for row in rows[1:] for v in row["values"]):
        sentence = "This measure is published for Scotland only: no council has a figure, so only Scotland's is shown."
    elif with_figures == 0:
        sentence = f"No council's figure for {periods[0]} to {periods[-1]} can be published: each is hidden to protect privacy ([c]) or not available ([x]), so only Scotland's is shown."
    else:
        sentence = (f"Most councils' figures for this measure are hidden to protect privacy ([c]) or not available ([x]): "
                    f"{with_figures} of {len(councils)} councils have a published figure, shown below with Scotland; the others are named after the table.")
    return {"periods": periods, "rows": [r for r, keep in zip(rows, has_figure) if keep], "mostly_hidden": sentence,
            "no_figures": [r for r, keep in zip(rows, has_figure) if not keep] if with_figures else []}


def source_rows(data_map: pd.DataFrame | None, entry: Measure) -> list[dict]:
    """What the Data Map says of each source of the measure (the contract's dataset, who sent it, when)."""
    if data_map is None:
        return [{"dataset": d, "dataset_name": d.replace("_", " "), "sent_by": "", "periods": "", "last_received": "", "last_updated": "", "next_update_due": "", "published_by": ""} for d in entry.sources]
    mine = data_map[data_map["measure_id"] == entry.id]
    return [
        {
            "dataset": r.dataset,
            "dataset_name": text_of(r.dataset_name) or r.dataset.replace("_", " "),
            "sent_by": text_of(r.sent_by),
            "periods": text_of(r.periods),
            "last_received": _date(r.last_received),
            "last_updated": _date(r.last_updated),
            "next_update_due": _date(r.next_update_due),
            "published_by": text_of(r.published_by),
        }
        for r in mine.itertuples()
    ]


def measure_warnings(warnings: pd.DataFrame | None, entry: Measure, names: dict[str, str]) -> list[dict] | None:
    if warnings is None:
        return None
    mine = warnings[warnings["measure_id"] == entry.id].sort_values(["kind", "geography_code"])
    return [{"kind": WARNING_KINDS.get(r.kind, r.kind.replace("_", " ")), "place": names.get(r.geography_code, r.geography_code), "period": text_of(r.period), "message": r.message} for r in mine.itertuples()]


def measure_page_context(
    entry: Measure, section: dict | None, table: pd.DataFrame | None, councils: list[Place], vision: dict | None,
    data_map: pd.DataFrame | None, warnings: pd.DataFrame | None, names: dict[str, str], links: SiteLinks,
) -> dict:
    """The measure page. ``section``: Scotland's ``measure_section`` (None when the mart holds no figure)."""
    available = section is not None and section["available"]
    periods = [row["period"] for row in section["series"]] if available else []
    return {
        "measure": {
            "id": entry.id, "title": entry.title, "question": entry.question, "unit": entry.unit, "numerator": entry.numerator,
            "denominator": entry.denominator or "none (a count)", "desired": DESIRED[entry.desired_direction], "baseline": entry.baseline_period, "counted_in": entry.year_counted_in,
            "tolerance": f"{entry.tolerance_percent:g}%", "breakdowns": ", ".join(b.replace("_", " ") for b in entry.breakdowns),
        },
        "vision": vision,
        "comparable": comparable_with_scotland(entry),
        "available": available,
        "section": section,
        "every_place": every_place_table(table, periods, councils, links) if available else None,
        "sources": source_rows(data_map, entry),
        "warnings": measure_warnings(warnings, entry, names),
    }
