"""A place's page on the website: every measure's latest figure for the place, by question and vision statement.

A place page is a map of the place's report rather than a second copy of it: each measure's
latest figure, its baseline and the direction of travel (worked out by the reports' own
``headline``), councils like it (``family_groups``) and Scotland beside it where they compare, and links to the
measure's page and to its section in the full report. All places are read in one pass over
the mart's headline rows, so 33 pages cost about what one report does.
"""

from __future__ import annotations

import pandas as pd

from assets.model.measures import Measure
from assets.reports.family_groups import Figure, compare_with_group
from assets.reports.measure_sections import comparable_with_scotland, headline
from assets.reports.places import SCOTLAND, Place
from assets.reports.site_links import SiteLinks, report_anchor
from assets.reports.site_measures import MOSTLY_HIDDEN_BELOW, SYMBOLS
from assets.reports.story_context import glance_words, tally

QUESTION_ORDER = ("Q2", "Q1")
WHAT = {"Q2": "measures", "Q1": "experience measures"}


class PlaceFigures:
    """Every place's headline series of every measure, read once from ``mart.published_measures``."""

    def __init__(self, published: pd.DataFrame, entries: dict[str, Measure]):
        totals = published[published["breakdown"] == "total"]
        self.entries = entries
        self.series: dict[tuple[str, str], list[tuple[str, float | None, str]]] = {}
        for measure_id, code, period, value, display in zip(totals["measure_id"], totals["geography_code"], totals["period"], totals["value_published"], totals["value_display"]):
            self.series.setdefault((measure_id, code), []).append((str(period), None if pd.isna(value) else float(value), str(display)))
        self.figure: dict[tuple[str, str, str], Figure] = {(m, code, p): (v, d) for (m, code), points in self.series.items() for p, v, d in points}
        # Measures published for some council: the others (national indicators) are Scotland's only.
        self.for_councils = {m for m, code in self.series if code != SCOTLAND.code}

    def headline(self, measure_id: str, code: str) -> dict | None:
        """The place's latest figure, baseline and direction; None when nothing is published there."""
        points = self.series.get((measure_id, code))
        if not points or all(value is None for _, value, _ in points):
            return None
        return headline(points, self.entries[measure_id])


def place_sections(figures: PlaceFigures, place: Place, visions: list[dict], links: SiteLinks, report_html: str | None, group: list[str] | None = None) -> dict[str, list[dict]]:
    """Per question, per vision statement (and measures linked to none): a row per measure; on a
    council's page, measures published for Scotland only are named apart rather than as rows of [x],
    and a rate or share is compared with ``group`` (the codes of councils like it) where given."""
    out: dict[str, list[dict]] = {}
    vision_ids = {v["id"] for v in visions}
    for question in QUESTION_ORDER:
        sections = []
        for vision in [*visions, None]:
            vision_id = vision["id"] if vision else None
            entries = [e for e in figures.entries.values() if e.question == question and e.vision_id == vision_id]
            if not entries:
                continue
            rows, scotland_only = [], []
            for entry in entries:
                if not place.is_scotland and entry.id not in figures.for_councils:
                    scotland_only.append({"title": entry.title, "href": links.measure(entry.id)})
                    continue
                head = figures.headline(entry.id, place.code)
                compare = head is not None and not place.is_scotland and comparable_with_scotland(entry)
                rows.append({
                    "title": entry.title, "unit": entry.unit, "href": links.measure(entry.id), "available": head is not None, "head": head,
                    "direction": head["direction"] if head else None,
                    "scotland": figures.figure.get((entry.id, SCOTLAND.code, head["latest"]), (None, "[x]"))[1] if compare else None,
                    "group": compare_with_group(place.name, figures.figure.get((entry.id, place.code, head["latest"])), [figures.figure.get((entry.id, c, head["latest"]), (None, "[x]")) for c in group], entry, head["latest"]) if compare and group else None,
                    "in_report": f"{links.to(report_html)}{anchor}" if report_html and (anchor := report_anchor(entry, vision_ids)) is not None else None,
                })
            sections.append({"vision": vision, "title": f"Vision {vision_id}: {vision['title']}" if vision else "Not linked to a vision statement", "href": links.vision(vision_id) if vision else None, "measures": rows, "no_figures": [], "scotland_only": scotland_only})
        out[question] = sections
    return out


def place_glance(sections: dict[str, list[dict]]) -> dict[str, str]:
    """The place's answer to questions 1 and 2 in one sentence each, as its report words it."""
    return {q: glance_words(tally(sections.get(q, [])), WHAT[q]) for q in QUESTION_ORDER}


def known(row: dict) -> bool:
    """The row's latest figure is a published number (not [c], [x] or [z])."""
    return row["available"] and row["head"]["latest_display"] not in SYMBOLS


def small_place(sections: dict[str, list[dict]], place: str) -> tuple[str | None, dict[str, list[dict]]]:
    """When fewer than half of a council's measures have a published latest figure: one sentence
    saying so, and sections whose tables hold only the measures with figures (the rest named in
    ``no_figures``). Otherwise no sentence and the sections unchanged."""
    rows = [m for q in sections.values() for s in q for m in s["measures"]]
    shown = sum(known(m) for m in rows)
    if not rows or shown >= MOSTLY_HIDDEN_BELOW * len(rows):
        return None, sections
    sentence = (f"Most figures for {place} are hidden to protect privacy ([c]) or not available ([x]): "
                f"{shown} of {len(rows)} measures have a published latest figure, shown below; the others are named under each table.")
    trimmed = {q: [{**s, "measures": [m for m in s["measures"] if known(m)], "no_figures": [m for m in s["measures"] if not known(m)]} for s in q_sections]
               for q, q_sections in sections.items()}
    return sentence, trimmed
