"""Gather what one Story of Progress report shows (Scotland, or a council beside Scotland).

Generic over the catalogue and the mart: every catalogue measure the mart holds appears,
grouped by question and vision statement, so a measure added by the team needs no template
edit. Sections whose mart table does not exist yet are marked unavailable and the report
says so. This module picks, arranges and words; the templates only place.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from assets.disclosure.disclosure_control import DisclosureRule
from assets.model.measures import Measure
from assets.model.reference import FamilyGroups
from assets.publication.frameworks import Frameworks
from assets.reports.coverage_section import coverage_section
from assets.reports.evidence_sections import community_themes, early_warnings, organisation_overview, quotes, revisions
from assets.reports.family_groups import family_group
from assets.reports.mart_snapshot import MartSnapshot
from assets.reports.measure_sections import DESIRED, Revised, measure_section
from assets.reports.places import SCOTLAND, Place

QUESTIONS = {
    "Q1": "Does the care community feel the impact of the promise being kept?",
    "Q2": "How is Scotland doing in its progress towards keeping the promise?",
    "Q3": "How are organisations doing in their work to keep the promise?",
}


@dataclass(frozen=True)
class EditionInputs:
    """Everything every report of an edition shares, read once (picklable, for worker processes)."""

    mart: MartSnapshot
    entries: dict[str, Measure]
    visions: pd.DataFrame  # vision_id, short_title, statement
    council_names: dict[str, str]
    family_groups: FamilyGroups  # councils like each council (children's services scheme)
    returns: pd.DataFrame  # coverage_section.agency_returns
    rule: DisclosureRule
    edition: str
    generated: str
    tool_version: str
    frameworks: Frameworks  # the published outcomes and wellbeing indicators the website places measures under
    revised: dict[str, Revised]  # measure_sections.revision_notes, made once for every report and page
    route_maps: pd.DataFrame | None = None  # assets.model.reference.route_maps: the Plan 24-30 themes and where Scotland needs to be by 2030


def _by_vision(inputs: EditionInputs, question: str, place: Place, by_measure: dict[str, pd.DataFrame], group: list[str] | None) -> list[dict]:
    sections = []
    for vision in inputs.visions.itertuples():
        entries = [e for e in inputs.entries.values() if e.question == question and e.vision_id == vision.vision_id and e.id in by_measure]
        measures = [measure_section(by_measure[e.id], e, place, inputs.council_names, inputs.revised.get(e.id), group) for e in entries]
        if measures:
            sections.append({"vision_id": vision.vision_id, "title": vision.short_title, "statement": vision.statement, "measures": measures})
    return sections


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def tally(sections: list[dict]) -> dict:
    """How many measures with published figures moved the right way, the wrong way, or little."""
    measures = [m for s in sections for m in s["measures"] if m["available"]]
    judged = Counter(m["direction"].judgement for m in measures)
    return {"measures": len(measures), "improving": judged["improving"], "worsening": judged["worsening"], "little_change": judged["little_change"], "not_assessed": judged["not_assessed"]}


def glance_words(counts: dict, what: str) -> str:
    """``tally``'s counts in one plain sentence."""
    if not counts["measures"]:
        return f"No {what} are published for this place yet."
    parts = [f"{counts['improving']} moved the right way", f"{counts['worsening']} the wrong way", f"{counts['little_change']} changed little"]
    if counts["not_assessed"]:
        parts.append(f"{counts['not_assessed']} have no right direction or not enough data to say")
    return f"Since the promise was made, of {counts['measures']} {what}: " + ", ".join(parts) + "."


def _easy_read(place: Place, q2: dict, q1: dict, headline: dict | None, q3: dict | None) -> list[str]:
    lines = [f"In 2020 Scotland made a promise to children and young people in care: they will grow up loved, safe and respected. This report shows how {place.name} is doing."]
    if headline:
        lines.append(f"{headline['title']}: {headline['latest_display']} {headline['unit']} in {headline['latest']}. In {headline['baseline']} it was {headline['baseline_display']}. That is {headline['direction'].words}.")
    if q2["measures"]:
        lines.append(f"We looked at {q2['measures']} things we can count. {q2['improving']} got better and {q2['worsening']} got worse.")
    if q1["measures"]:
        lines.append(f"We asked people with care experience how things feel. On {q1['improving']} of {q1['measures']} questions, more people said things are good than in 2020.")
    if q3 is None:
        lines.append("We do not yet have reports from organisations about their work.")
    lines.append("We hide very small numbers so that nobody can be recognised.")
    return lines


def _vintages(table: pd.DataFrame, titles: dict[str, str]) -> list[dict]:
    rows = table.dropna(subset=["vintage"]).groupby("measure_id").vintage.unique()
    return [{"measure": titles.get(m, m), "vintages": ", ".join(sorted(map(str, v)))} for m, v in rows.items()]


def _rows_shown(published: pd.DataFrame, place: Place, group: list[str]) -> pd.DataFrame:
    """The published figures a place's report can show: a council's report shows the council
    beside councils like it (``group``) and Scotland, Scotland's shows every council too. Picked
    once here, so that no measure's section filters every council's rows again."""
    return published if place.is_scotland else published[published.geography_code.isin([place.code, *group, SCOTLAND.code])]


def _definitions(entries: list[Measure]) -> list[dict]:
    return [
        {"title": e.title, "id": e.id, "numerator": e.numerator, "denominator": e.denominator or "none (a count)", "unit": e.unit, "sources": ", ".join(e.sources), "baseline": e.baseline_period, "desired": DESIRED[e.desired_direction], "counted_in": e.year_counted_in}
        for e in entries
    ]


def report_context(inputs: EditionInputs, place: Place) -> dict:
    mart = inputs.mart
    names = {"S92000003": "Scotland", **inputs.council_names}
    group = None if place.is_scotland else family_group(place.code, inputs.family_groups, names)
    others = [c["code"] for c in group["others"]] if group else []
    by_measure = dict(tuple(_rows_shown(mart.published_measures, place, others).groupby("measure_id")))
    titles = {e.id: e.title for e in inputs.entries.values()}
    vision_titles = dict(zip(inputs.visions.vision_id, inputs.visions.short_title))
    q2_sections = _by_vision(inputs, "Q2", place, by_measure, others)
    q1_sections = _by_vision(inputs, "Q1", place, by_measure, others)
    q2, q1 = tally(q2_sections), tally(q1_sections)
    headline = next((m for s in q2_sections for m in s["measures"] if m["available"]), None)
    q3 = organisation_overview(mart.table("organisation_progress"))
    themes = community_themes(mart.table("community_themes"), vision_titles)
    published = [e for e in inputs.entries.values() if e.id in by_measure]
    missing = [e for e in inputs.entries.values() if e.id not in by_measure]
    return {
        "title": f"The Promise Story of Progress: {place.name}",
        "place": place.name,
        "is_scotland": place.is_scotland,
        "family_group": group,
        "edition": inputs.edition,
        "generated": inputs.generated,
        "tool_version": inputs.tool_version,
        "questions": QUESTIONS,
        "easy_read": _easy_read(place, q2, q1, headline, q3),
        "glance": {
            "Q1": glance_words(q1, "experience measures") if q1["measures"] or themes is None else f"{len(themes)} groups of themes from the care community are published.",
            "Q2": glance_words(q2, "measures"),
            "Q3": "not yet available" if q3 is None else f"{_count(q3['organisations'], 'organisation')} reported on their commitments in {q3['period'] or 'the latest round'}.",
        },
        "headline": headline,
        "q1_sections": q1_sections,
        "q2_sections": q2_sections,
        "community_themes": themes,
        "quotes": quotes(mart.table("published_quotes")),
        "q3": q3,
        "early_warnings": early_warnings(mart.table("early_warnings"), place, titles, names),
        "revisions": revisions(mart.table("indicator_revisions"), mart.table("figure_revisions"), place, names, titles),
        "coverage": coverage_section(mart.data_coverage, inputs.returns, None if place.is_scotland else place.code, mart.table("linkage_rates")),
        # The definitions are the same for every place, so they are printed once, in the Scotland
        # report (and on the website's measure pages); a council's report points there. They
        # were a sixth of each council report's pages (text is cheap to render, so less of its time).
        "definitions": _definitions(published) if place.is_scotland else None,
        "not_yet_published": [e.title for e in missing],
        "vintages": _vintages(mart.published_measures, titles),
        "disclosure": {"min": inputs.rule.min_count, "max": inputs.rule.max_suppressed_count},
    }
