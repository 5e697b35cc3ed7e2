"""An edition as a website: every vision statement, measure, place and organisation on its own page.

Rendered from the same mart snapshot as the reports (``EditionInputs``), into the edition
folder beside the reports and downloads, with one stylesheet and no script: a reader can get
from the home page to any figure by following links, and every page says where it is
(navigation and breadcrumbs) and links to the PDF reports. Templates are in
``report_templates/site/``; Jinja2 escapes every string (agency text included), and figures
are shown as the mart's ``value_display`` has them, so a hidden figure reads ``[c]``.

Pages (paths in ``assets.reports.site_links``): the home page (the three questions at a
glance and the easy-read summary, for Scotland), one page per vision statement (its Q2
indicators, under the Promise Progress Framework's outcomes where they are published, beside
the Q1 experience for the same vision), the core wellbeing indicators, per catalogue measure, per place
(Scotland and each council: the report's content, navigable), per organisation and per
Plan 24-30 route map (``site_themes``), the Data Map, the downloads, and a list page for each kind. A page links a report only when its file
is in the edition, so no link is left dangling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from assets.publication.downloads import all_figures_downloads, download_title, measure_download, table_download
from assets.publication.frameworks import framework_places, vision_outcomes, wellbeing_indicators
from assets.reports.coverage_section import coverage_section
from assets.reports.editions import DOWNLOADS_FOLDER, NATIONAL_STEM
from assets.reports.evidence_sections import LENSES, community_themes, early_warnings
from assets.reports.family_groups import family_group
from assets.reports.measure_sections import measure_section
from assets.reports.organisation_context import Organisation, organisation_context, organisations
from assets.reports.places import SCOTLAND, Place, places_of
from assets.reports.preflight import EDITION_FOLDER as PREFLIGHT_FOLDER
from assets.reports.preflight import OFFLINE_COPY as PREFLIGHT_OFFLINE_COPY
from assets.reports.render import environment
from assets.reports.site_links import (
    DATA_MAP,
    DOWNLOADS,
    HOME,
    MEASURES,
    ORGANISATIONS,
    PLACES,
    ROUTE_MAPS,
    STYLESHEET,
    VISIONS,
    WELLBEING,
    SiteLinks,
    breadcrumbs,
    measure_page,
    navigation,
    organisation_page,
    place_page,
    report_anchor,
    theme_page,
    vision_page,
)
from assets.reports.site_measures import measure_page_context, text_of
from assets.reports.site_places import PlaceFigures, place_glance, place_sections, small_place
from assets.reports.site_themes import commitments, destination
from assets.reports.story_context import QUESTIONS, EditionInputs, report_context

DATA_MAP_DOWNLOADS = ("data_map", "data_map_returns", "data_map_gaps", "data_holdings", "data_map_findings")
NOT_LINKED = "Not linked to a vision statement"


class Website:
    """What every page of one edition's website shares, worked out once."""

    def __init__(self, edition_dir: Path, inputs: EditionInputs):
        self.edition_dir = edition_dir
        self.inputs = inputs
        mart = inputs.mart
        self.names = {SCOTLAND.code: SCOTLAND.name, **inputs.council_names}
        self.councils = places_of(inputs.council_names)
        self.organisations = organisations(mart.table("organisation_progress"))
        self.visions = [{"id": int(v.vision_id), "title": v.short_title, "statement": v.statement} for v in inputs.visions.itertuples()]
        self.by_measure = dict(tuple(mart.published_measures.groupby("measure_id")))
        self.titles = {e.id: e.title for e in inputs.entries.values()}
        self.figures = PlaceFigures(mart.published_measures, inputs.entries)
        self.route_maps = [] if inputs.route_maps is None else [r for _, r in inputs.route_maps.iterrows()]
        # Scotland's section of every measure the mart holds, shared by the vision, measure and list pages.
        self.scotland = {
            e.id: measure_section(self.by_measure[e.id], e, SCOTLAND, inputs.council_names, inputs.revised.get(e.id))
            for e in inputs.entries.values() if e.id in self.by_measure
        }

    # --- what every page has -------------------------------------------------------------
    def report(self, folder: str, stem: str, anchor: str = "") -> dict | None:
        """A report's HTML and PDF paths, when the edition holds them."""
        html, pdf = f"{folder}/{stem}.html", f"{folder}/{stem}.pdf"
        if not (self.edition_dir / html).exists():
            return None
        return {"html": html + anchor, "pdf": pdf if (self.edition_dir / pdf).exists() else None}

    def national_report(self, anchor: str = "") -> dict | None:
        return self.report("national", NATIONAL_STEM, anchor)

    def place_report(self, place: Place) -> dict | None:
        return self.national_report() if place.is_scotland else self.report("councils", place.slug)

    def common(self, path: str, title: str, section: str, trail: list[tuple[str, str]]) -> dict:
        links = SiteLinks.from_page(path)
        return {
            "title": title,
            "edition": self.inputs.edition,
            "generated": self.inputs.generated,
            "tool_version": self.inputs.tool_version,
            "links": links,
            "root": links.root,
            "stylesheet": STYLESHEET,
            "nav": navigation(section),
            "breadcrumbs": breadcrumbs(*trail) if path != HOME else breadcrumbs(),
            "national_report": self.national_report(),
            "manifest": "manifest.json",
        }

    def vision_of(self, vision_id: int | None) -> dict | None:
        return next((v for v in self.visions if v["id"] == vision_id), None)

    def measures_of(self, vision_id: int | None, question: str, links: SiteLinks) -> list[dict]:
        entries = [e for e in self.inputs.entries.values() if e.vision_id == vision_id and e.question == question]
        return [self.measure_row(e, links) for e in entries]

    def measure_row(self, entry, links: SiteLinks) -> dict:
        return {"id": entry.id, "title": entry.title, "href": links.measure(entry.id), "unit": entry.unit, "section": self.scotland.get(entry.id)}

    def outcomes(self, vision_id: int, links: SiteLinks) -> list[dict]:
        """The vision's published outcomes, each indicator with the rows of the measures declared under it."""
        entries = self.inputs.entries

        def rows(ids: list[str]) -> list[dict]:
            return [self.measure_row(entries[m], links) for m in ids]

        return [
            {**o, "measures": rows(o["measures"]), "indicators": [{**i, "measures": rows(i["measures"])} for i in o["indicators"]]}
            for o in vision_outcomes(self.inputs.frameworks, entries, vision_id)
        ]

    def place_links(self, links: SiteLinks) -> list[dict]:
        return [{"name": p.name, "href": links.to(place_page(p)), "is_scotland": p.is_scotland} for p in [SCOTLAND, *self.councils]]

    def data_map_rows(self, vision_id: int | None) -> pd.DataFrame | None:
        table = self.inputs.mart.table("data_map")
        if table is None:
            return None
        return table[table["vision_id"].isna()] if vision_id is None else table[table["vision_id"] == vision_id]

    def gaps_of(self, vision_id: int | None) -> list[str] | None:
        gaps = self.inputs.mart.table("data_map_gaps")
        if gaps is None:
            return None
        mine = gaps[gaps["vision_id"] == vision_id] if vision_id is not None else gaps[gaps["vision_id"].isna() & gaps["measure_id"].fillna("").eq("")]
        return list(mine["gap"])

    # --- pages -------------------------------------------------------------------------
    def home(self) -> dict:
        story = report_context(self.inputs, SCOTLAND)
        page = self.common(HOME, "The Promise Story of Progress", HOME, [])
        links = page["links"]
        return {
            **story,
            **page,
            "visions": [{**v, "href": links.vision(v["id"])} for v in self.visions],
            "places": self.place_links(links),
            "organisations": len(self.organisations),
            "measures_count": len(self.inputs.entries),
            # Linked only when the edition holds the page (its engine is installed): ``published_edition`` writes it first.
            "check_a_file": links.to(f"{PREFLIGHT_FOLDER}/index.html") if (self.edition_dir / PREFLIGHT_FOLDER / "index.html").exists() else None,
            "check_a_file_offline": links.to(PREFLIGHT_OFFLINE_COPY) if (self.edition_dir / PREFLIGHT_OFFLINE_COPY).exists() else None,
        }

    def vision_list(self) -> dict:
        page = self.common(VISIONS, "Vision statements", VISIONS, [(VISIONS, "Vision statements")])
        links = page["links"]
        rows = [
            {**v, "href": links.vision(v["id"]), "q2": len(self.measures_of(v["id"], "Q2", links)), "q1": len(self.measures_of(v["id"], "Q1", links)),
             "outcomes": len(vision_outcomes(self.inputs.frameworks, self.inputs.entries, v["id"]))}
            for v in self.visions
        ]
        return {**page, "visions": rows, "wellbeing": links.to(WELLBEING)}

    def vision(self, vision: dict) -> dict:
        path = vision_page(vision["id"])
        page = self.common(path, f"Vision {vision['id']}: {vision['title']}", VISIONS, [(VISIONS, "Vision statements"), (path, f"Vision {vision['id']}")])
        links = page["links"]
        data = self.data_map_rows(vision["id"])
        outcomes = self.outcomes(vision["id"], links)
        placed = {m["id"] for o in outcomes for m in [*o["measures"], *(m for i in o["indicators"] for m in i["measures"])]}
        return {
            **page,
            "vision": vision,
            "questions": QUESTIONS,
            "outcomes": outcomes,
            "q2": [m for m in self.measures_of(vision["id"], "Q2", links) if m["id"] not in placed],
            "q1": [{**m, "change": self.experience_change(m["section"])} for m in self.measures_of(vision["id"], "Q1", links)],
            "themes": self.themes(vision["id"]),
            "quotes": self.quotes(vision["id"]),
            "datasets": _datasets(data) if data is not None else None,
            "gaps": self.gaps_of(vision["id"]),
            "route_maps": [{"theme": t, "href": links.theme(t)} for t in self.themes_serving(vision["id"])],
        }

    def themes_serving(self, vision_id: int) -> list[str]:
        """The route maps whose measures inform the vision statement (the catalogue's declared theme of each measure)."""
        declared = {e.theme for e in self.inputs.entries.values() if e.vision_id == vision_id and e.theme}
        return [r["theme"] for r in self.route_maps if r["theme"] in declared]

    def experience_change(self, section: dict | None) -> str:
        """Q1's change since the last period for Scotland, in the words of ``mart.experience_change``."""
        change = self.inputs.mart.table("experience_change")
        if change is None or section is None or not section["available"]:
            return ""
        row = change[(change["measure_id"] == section["id"]) & (change["geography_code"] == SCOTLAND.code) & (change["breakdown"] == "total") & (change["period"].astype(str) == str(section["latest"]))]
        return text_of(row["change_in_words"].iloc[0]) if len(row) else ""

    def themes(self, vision_id: int) -> list[dict] | None:
        """Themes people raised on the vision in its latest period, by lens, as the reports group them."""
        table = self.inputs.mart.table("community_themes")
        if table is None:
            return None
        return community_themes(table[table["vision_id"] == vision_id], {v["id"]: v["title"] for v in self.visions})

    def quotes(self, vision_id: int) -> list[dict] | None:
        table = self.inputs.mart.table("published_quotes")
        if table is None:
            return None
        mine = table[table["vision_id"] == vision_id].sort_values(["lens", "theme"])
        return [{"lens": LENSES.get(r.lens, r.lens), "theme": r.theme, "quote": r.quote} for r in mine.itertuples()]

    def measure_list(self) -> dict:
        page = self.common(MEASURES, "Measures", MEASURES, [(MEASURES, "Measures")])
        links = page["links"]
        groups = []
        for vision in [*self.visions, None]:
            vision_id = vision["id"] if vision else None
            measures = [m | {"question": q} for q in ("Q2", "Q1") for m in self.measures_of(vision_id, q, links)]
            if measures:
                groups.append({"vision": vision, "href": links.vision(vision_id) if vision else None, "title": f"Vision {vision_id}: {vision['title']}" if vision else NOT_LINKED, "measures": measures})
        return {**page, "groups": groups}

    def measure(self, entry) -> dict:
        path = measure_page(entry.id)
        vision = self.vision_of(entry.vision_id)
        trail = [(VISIONS, "Vision statements"), (vision_page(vision["id"]), f"Vision {vision['id']}")] if vision else [(MEASURES, "Measures")]
        page = self.common(path, entry.title, MEASURES, [*trail, (path, entry.title)])
        links = page["links"]
        mart = self.inputs.mart
        context = measure_page_context(
            entry, self.scotland.get(entry.id), self.by_measure.get(entry.id), self.councils, vision and {**vision, "href": links.vision(vision["id"])},
            mart.table("data_map"), mart.table("early_warnings"), self.names, links,
        )
        download = self.measure_download(entry.id)
        frameworks = self.inputs.frameworks
        wellbeing = [w for w in wellbeing_indicators(frameworks, {entry.id: entry}, [entry.id]) if w["has_figures"]]
        return {
            **page,
            **context,
            "framework": [{**p, "href": f"{links.vision(p['vision_id'])}#outcome-{p['outcome_id']}"} for p in framework_places(frameworks, entry)],
            "wellbeing": [{**w, "href": f"{links.to(WELLBEING)}#{w['id']}"} for w in wellbeing],
            "download": download and download["path"],
            "in_report": self.national_report(anchor) if entry.id in self.by_measure and (anchor := report_anchor(entry, {v["id"] for v in self.visions})) is not None else None,
        }

    def place_list(self) -> dict:
        page = self.common(PLACES, "Places", PLACES, [(PLACES, "Places")])
        links = page["links"]
        rows = [{"name": p.name, "href": links.to(place_page(p)), "report": self.place_report(p)} for p in [SCOTLAND, *self.councils]]
        return {**page, "places": rows}

    def place(self, place: Place) -> dict:
        path = place_page(place)
        page = self.common(path, place.name, PLACES, [(PLACES, "Places"), (path, place.name)])
        report = self.place_report(place)
        links = page["links"]
        group = None if place.is_scotland else family_group(place.code, self.inputs.family_groups, self.names)
        if group:
            group["others"] = [{**c, "href": links.to(place_page(Place(c["code"], c["name"], "council")))} for c in group["others"]]
        sections = place_sections(self.figures, place, self.visions, links, report["html"] if report else None, [c["code"] for c in group["others"]] if group else None)
        mostly_hidden, shown = small_place(sections, place.name) if not place.is_scotland else (None, sections)
        mart = self.inputs.mart
        return {
            **page,
            "place": place.name,
            "is_scotland": place.is_scotland,
            "questions": QUESTIONS,
            "glance": place_glance(sections),
            "family_group": group,
            "mostly_hidden": mostly_hidden,
            "sections": shown,
            "places": self.place_links(page["links"]),
            "report": report,
            "early_warnings": early_warnings(mart.table("early_warnings"), place, self.titles, self.names),
            "coverage": coverage_section(mart.data_coverage, self.inputs.returns, None if place.is_scotland else place.code, mart.table("linkage_rates")),
        }

    def organisation_list(self) -> dict:
        page = self.common(ORGANISATIONS, "Organisations", ORGANISATIONS, [(ORGANISATIONS, "Organisations")])
        links = page["links"]
        available = self.inputs.mart.table("organisation_progress") is not None
        rows = [{"name": o.name, "kind": o.kind.replace("_", " "), "href": links.to(organisation_page(o)), "report": self.report("organisations", o.slug)} for o in self.organisations]
        return {**page, "available": available, "organisations": rows, "question": QUESTIONS["Q3"]}

    def organisation(self, organisation: Organisation) -> dict:
        path = organisation_page(organisation)
        page = self.common(path, organisation.name, ORGANISATIONS, [(ORGANISATIONS, "Organisations"), (path, organisation.name)])
        context = organisation_context(self.inputs, organisation)
        pages = {r["theme"] for r in self.route_maps}
        themes = [{**t, "href": page["links"].theme(t["theme"]) if t["theme"] in pages else None} for t in context["themes"]]
        return {**context, **page, "themes": themes, "report": self.report("organisations", organisation.slug)}

    def theme_list(self) -> dict:
        page = self.common(ROUTE_MAPS, "Plan 24-30 route maps", ROUTE_MAPS, [(ROUTE_MAPS, "Route maps")])
        links = page["links"]
        milestones = self.inputs.mart.table("route_map_milestones")
        working = milestones.groupby("theme")["organisation_code"].nunique().to_dict() if milestones is not None else {}
        foundations: dict[str, list[dict]] = {}
        for r in self.route_maps:
            foundations.setdefault(r["foundation"], []).append({"theme": r["theme"], "href": links.theme(r["theme"]), "organisations": working.get(r["theme"], 0)})
        return {**page, "foundations": foundations, "available": milestones is not None, "question": QUESTIONS["Q3"]}

    def theme(self, route_map) -> dict:
        theme = route_map["theme"]
        path = theme_page(theme)
        page = self.common(path, f"Route map: {theme}", ROUTE_MAPS, [(ROUTE_MAPS, "Route maps"), (path, theme)])
        links = page["links"]
        mart = self.inputs.mart
        organisations = commitments(mart.table("route_map_milestones"), mart.table("organisation_progress"), mart.table("organisation_learning"), theme)
        pages = {o.code: links.to(organisation_page(o)) for o in self.organisations}
        entries = [e for e in self.inputs.entries.values() if e.theme == theme]
        vision_ids = sorted({e.vision_id for e in entries if e.vision_id is not None})
        return {
            **page,
            "theme": theme,
            "foundation": route_map["foundation"],
            "destination": destination(route_map),
            "organisations": None if organisations is None else [{**o, "href": pages.get(o["code"])} for o in organisations],
            "learning_available": mart.table("organisation_learning") is not None,
            "measures": [{"title": e.title, "href": links.measure(e.id), "unit": e.unit, "section": self.scotland.get(e.id)} for e in entries],
            "visions": [{**v, "href": links.vision(v["id"])} for v in self.visions if v["id"] in vision_ids],
            "question": QUESTIONS["Q3"],
        }

    def data_map(self) -> dict:
        page = self.common(DATA_MAP, "The Data Map", DATA_MAP, [(DATA_MAP, "The Data Map")])
        links = page["links"]
        mart = self.inputs.mart
        table, returns, gaps = mart.table("data_map"), mart.table("data_map_returns"), mart.table("data_map_gaps")
        findings, holdings = mart.table("data_map_findings"), mart.table("data_holdings")
        if table is None:
            return {**page, "available": False}
        by_vision = []
        for vision in [*self.visions, None]:
            vision_id = vision["id"] if vision else None
            rows = self.data_map_rows(vision_id)
            measures = rows.dropna(subset=["measure_id"]).drop_duplicates("measure_id")
            if vision is None and measures.empty:
                continue
            by_vision.append({
                "title": f"Vision {vision_id}: {vision['title']}" if vision else NOT_LINKED,
                "href": links.vision(vision_id) if vision else None,
                "measures": [
                    {"title": r.measure, "href": links.measure(r.measure_id), "question": r.question, "datasets": list(rows.loc[rows["measure_id"] == r.measure_id, "dataset"].dropna()),
                     "councils": "Scotland only" if r.councils_without_figures == "all" else f"{text_of(r.councils_with_figures)} of {len(self.councils)}"}
                    for r in measures.itertuples()
                ],
                "gaps": _with_what_is_held(self.gaps_of(vision_id), findings, vision_id) if vision else [],
                "held": _findings_of(findings, vision_id) if vision else None,
            })
        downloads = [f["path"] for name in DATA_MAP_DOWNLOADS if (f := self.table_download(name))]
        wellbeing = wellbeing_indicators(self.inputs.frameworks, self.inputs.entries, self.by_measure)
        return {
            **page,
            "available": True,
            "wellbeing": {"href": links.to(WELLBEING), "count": len(wellbeing), "with_figures": sum(w["has_figures"] for w in wellbeing)},
            "by_vision": by_vision,
            "datasets": _datasets(table, with_measures=True),
            "returns": [] if returns is None else returns.fillna({"period": "", "agencies_missing": ""}).to_dict("records"),
            "gaps": [] if gaps is None else list(gaps["gap"]),
            "holdings": None if holdings is None else _holdings(holdings, links),
            "downloads": downloads,
        }

    def wellbeing(self) -> dict:
        page = self.common(WELLBEING, "Core wellbeing indicators", VISIONS, [(VISIONS, "Vision statements"), (WELLBEING, "Core wellbeing indicators")])
        links = page["links"]
        rows = [
            {**w, "measures": [{"title": self.titles[m], "href": links.measure(m)} for m in w["measures"]]}
            for w in wellbeing_indicators(self.inputs.frameworks, self.inputs.entries, self.by_measure)
        ]
        sides = [{"side": side, "indicators": [r for r in rows if r["side"] == side]} for side in dict.fromkeys(r["side"] for r in rows)]
        # The ids number the framework's indicators (CWI01 ...): the numbers missing are the ones not found.
        known = [int(found.group(1)) for r in rows if (found := re.fullmatch(r"CWI(\d+)", r["id"]))]
        not_found = [f"CWI{n:02d}" for n in range(1, max(known, default=0) + 1) if n not in known]
        return {**page, "sides": sides, "count": len(rows), "with_figures": sum(r["has_figures"] for r in rows), "not_found": not_found, "data_map": links.to(DATA_MAP)}

    def download(self, name: str, title: str) -> dict | None:
        """A file of the edition's downloads folder (``name`` relative to it), when the edition holds it."""
        path = self.edition_dir / DOWNLOADS_FOLDER / name
        return {"path": f"{DOWNLOADS_FOLDER}/{name}", "title": title, "bytes": path.stat().st_size} if path.exists() else None

    def measure_download(self, measure_id: str, title: str = "") -> dict | None:
        """A measure's CSV, named as the downloads name it, when the edition holds it."""
        rows = self.by_measure.get(measure_id)
        return None if rows is None else self.download(measure_download(self.inputs.edition, measure_id, rows["geography_code"]), title)

    def table_download(self, table: str) -> dict | None:
        """Another mart table's CSV, named as the downloads name it, when the edition holds it."""
        rows = self.inputs.mart.table(table)
        if rows is None:
            return None
        name = table_download(self.inputs.edition, table, rows)
        return self.download(name, download_title(name))

    def downloads(self) -> dict:
        page = self.common(DOWNLOADS, "Downloads", DOWNLOADS, [(DOWNLOADS, "Downloads")])
        folder = self.edition_dir / DOWNLOADS_FOLDER
        csv_name, spreadsheet_name = all_figures_downloads(self.inputs.edition, self.inputs.mart.published_measures["geography_code"])
        every_figure = [f for f in (self.download(spreadsheet_name, "Every published figure, as an accessible spreadsheet (one table per measure, with cover, contents and notes)"),
                                    self.download(csv_name, "Every published figure, as one tidy CSV file")) if f]
        measures = [f for e in self.inputs.entries.values() if (f := self.measure_download(e.id, e.title))]
        files = sorted(folder.glob("*.csv")) if folder.exists() else []
        tables = [{"path": f"{DOWNLOADS_FOLDER}/{f.name}", "title": download_title(f.name), "bytes": f.stat().st_size} for f in files if f.name != csv_name]
        subjects = [(SCOTLAND.name, self.place_report(SCOTLAND)), *((p.name, self.place_report(p)) for p in self.councils), *((o.name, self.report("organisations", o.slug)) for o in self.organisations)]
        report_rows = [{"name": name, **report} for name, report in subjects if report and report["pdf"]]
        return {**page, "every_figure": every_figure, "measures": measures, "tables": tables, "reports": report_rows}

    def pages(self) -> list[tuple[str, str, dict]]:
        """Every page but the downloads page: (path in the edition, template, context)."""
        pages = [
            (HOME, "site/home.html.j2", self.home()),
            (VISIONS, "site/visions.html.j2", self.vision_list()),
            *((vision_page(v["id"]), "site/vision.html.j2", self.vision(v)) for v in self.visions),
            (MEASURES, "site/measures.html.j2", self.measure_list()),
            *((measure_page(e.id), "site/measure.html.j2", self.measure(e)) for e in self.inputs.entries.values()),
            (PLACES, "site/places.html.j2", self.place_list()),
            *((place_page(p), "site/place.html.j2", self.place(p)) for p in [SCOTLAND, *self.councils]),
            (ORGANISATIONS, "site/organisations.html.j2", self.organisation_list()),
            *((organisation_page(o), "site/organisation.html.j2", self.organisation(o)) for o in self.organisations),
            (WELLBEING, "site/wellbeing.html.j2", self.wellbeing()),
            (ROUTE_MAPS, "site/route_maps.html.j2", self.theme_list()),
            *((theme_page(r["theme"]), "site/route_map.html.j2", self.theme(r)) for r in self.route_maps),
            (DATA_MAP, "site/data_map.html.j2", self.data_map()),
        ]
        return pages

    def downloads_page(self) -> tuple[str, str, dict]:
        """The downloads page (it gives each file's size, so it is written once they all are)."""
        return DOWNLOADS, "site/downloads.html.j2", self.downloads()


def _datasets(rows: pd.DataFrame, with_measures: bool = False) -> list[dict]:
    """One line per dataset on the map: who sends it, what is held, how recent (as ``mart.data_map`` has it)."""
    out = []
    for dataset, group in rows.dropna(subset=["dataset"]).groupby("dataset", sort=True):
        r = group.iloc[0]
        expected = text_of(r["agencies_expected"])
        out.append({
            "dataset": dataset,
            "name": text_of(r["dataset_name"]) or dataset.replace("_", " "),
            "sent_by": text_of(r["sent_by"]),
            "used_by": text_of(r["used_by"]),
            "agencies": f"{text_of(r['agencies_sent'])} of {expected}" if expected else text_of(r["agencies_sent"]),
            "periods": text_of(r["periods"]) or "none received",
            "latest": f"{text_of(r['latest_period'])} ({text_of(r['agencies_in_latest_period'])} of {expected})" if expected and text_of(r["latest_period"]) else text_of(r["latest_period"]),
            "last_received": "" if pd.isna(r["last_received"]) else f"{pd.Timestamp(r['last_received']):%d %B %Y}",
            "next_update_due": "" if pd.isna(r["next_update_due"]) else f"{pd.Timestamp(r['next_update_due']):%d %B %Y}",
            "measures": int(group["measure_id"].dropna().nunique()) if with_measures else 0,
        })
    return out


# What the Data Map says under each vision statement about the data organisations hold (``mart.data_map_findings`` kinds).
HELD_FINDINGS = (
    ("held_not_sent", "Held, but not sent to the Story of Progress"),
    ("collected_more_than_once", "Collected by more than one organisation"),
    ("nothing_held", "Nothing held"),
)
GAP_FINDINGS = ("gap_held_data_could_fill", "gap_nothing_held_would_fill")


def _findings_of(findings: pd.DataFrame | None, vision_id: int) -> list[dict] | None:
    """The vision statement's findings on held data, by kind, in the order above (``None`` when the table does not exist)."""
    if findings is None:
        return None
    mine = findings[findings["vision_id"] == vision_id]
    return [{"heading": heading, "findings": list(items)} for kind, heading in HELD_FINDINGS if len(items := mine.loc[mine["kind"] == kind, "finding"])]


def _with_what_is_held(gaps: list[str] | None, findings: pd.DataFrame | None, vision_id: int) -> list[str] | None:
    """Each gap of the vision statement as the findings complete it (whether data already held could fill it)."""
    if gaps is None or findings is None:
        return gaps
    verdicts = list(findings.loc[(findings["vision_id"] == vision_id) & findings["kind"].isin(GAP_FINDINGS), "finding"])
    return [next((v for v in verdicts if v.startswith(gap)), gap) for gap in gaps]


def _holdings(holdings: pd.DataFrame, links) -> list[dict]:
    """Every declared holding once, with the vision statements it informs (``mart.data_holdings`` has a row per vision)."""
    rows = []
    keys = ["organisation_name", "organisation_code", "what_is_recorded", "topic", "about_whom"]
    for _, group in holdings.groupby(keys, sort=True, dropna=False):
        r = group.iloc[0]
        visions = sorted(int(v) for v in group["vision_id"].dropna())
        rows.append({
            "organisation": text_of(r["organisation_name"]), "what": text_of(r["what_is_recorded"]), "about": text_of(r["about_whom"]).replace("_", " "),
            "kind": text_of(r["kind"]), "visions": [{"id": v, "href": links.vision(v)} for v in visions], "what_matters": text_of(r["what_matters"]),
            "places": text_of(r["places"]), "years": text_of(r["years"]), "frequency": text_of(r["frequency"]).replace("_", " "),
            "shared": text_of(r["shared"]).replace("_", " ") + (f": {text_of(r['shared_with'])}" if text_of(r["shared_with"]) else ""),
            "sent": f"yes, as {text_of(r['sent_as']).replace('_', ' ')}" if bool(r["sent"]) else f"no: named as {text_of(r['sent_as']).replace('_', ' ')}, but no file received" if text_of(r["sent_as"]) else "no",
        })
    return rows


def write_website(edition_dir: Path, inputs: EditionInputs, downloads_page: bool = True) -> list[Path]:
    """Write every page and the stylesheet into ``edition_dir``; returns the files written.
    Without ``downloads_page`` the downloads page is left for ``write_downloads_page``, once
    the downloads are all written."""
    env = environment()
    site = Website(edition_dir, inputs)
    written = _write_pages(env, edition_dir, [*site.pages(), *([site.downloads_page()] if downloads_page else [])])
    stylesheet = edition_dir / STYLESHEET
    stylesheet.write_text(env.get_template("site/story.css.j2").render(), encoding="utf-8")
    return [*written, stylesheet]


def write_downloads_page(edition_dir: Path, inputs: EditionInputs) -> list[Path]:
    """Write the website's downloads page (``write_website``'s ``downloads_page``)."""
    return _write_pages(environment(), edition_dir, [Website(edition_dir, inputs).downloads_page()])


def _write_pages(env, edition_dir: Path, pages: list[tuple[str, str, dict]]) -> list[Path]:
    written = []
    for path, template, context in pages:
        target = edition_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(template).render(**context), encoding="utf-8")
        written.append(target)
    return written
