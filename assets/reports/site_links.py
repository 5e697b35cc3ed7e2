"""Where each page of an edition's website lives, and how a page links to another.

The home page is the edition's ``index.html``; every other page sits in ``site/`` beside it,
next to the report folders (``national/``, ``councils/``, ``organisations/``) and
``downloads/``. Paths here are relative to the edition folder, so the same names serve to
write a page and to link to it; ``SiteLinks`` turns one into a link from a given page. Links
are relative, so an edition reads the same from ``published/<edition>/``, from
``published/latest/`` or copied to a laptop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assets.model.measures import Measure
from assets.reports.editions import EDITION_INDEX, SITE_FOLDER, SITE_STYLESHEET
from assets.reports.organisation_context import Organisation
from assets.reports.places import Place

HOME = EDITION_INDEX
SITE = SITE_FOLDER
STYLESHEET = SITE_STYLESHEET
VISIONS = f"{SITE}/visions.html"
MEASURES = f"{SITE}/measures.html"
PLACES = f"{SITE}/places.html"
ORGANISATIONS = f"{SITE}/organisations.html"
ROUTE_MAPS = f"{SITE}/route-maps.html"
DATA_MAP = f"{SITE}/data-map.html"
DOWNLOADS = f"{SITE}/downloads.html"
WELLBEING = f"{SITE}/wellbeing.html"  # the core wellbeing indicators, linked from the vision statements and the Data Map
# The main navigation, on every page, in this order.
NAVIGATION = ((HOME, "Home"), (VISIONS, "Vision statements"), (MEASURES, "Measures"), (PLACES, "Places"), (ROUTE_MAPS, "Route maps"), (ORGANISATIONS, "Organisations"), (DATA_MAP, "Data map"), (DOWNLOADS, "Downloads"))


def vision_page(vision_id: int) -> str:
    return f"{SITE}/vision-{int(vision_id)}.html"


def measure_page(measure_id: str) -> str:
    return f"{SITE}/measure-{measure_id}.html"


def place_page(place: Place) -> str:
    return f"{SITE}/place-{place.slug}.html"


def organisation_page(organisation: Organisation) -> str:
    return f"{SITE}/organisation-{organisation.slug}.html"


def theme_page(theme: str) -> str:
    """A Plan 24-30 theme's own page in this edition (never a link to the Plan 24-30 site, whose addresses move)."""
    return f"{SITE}/route-map-{re.sub(r'[^a-z0-9]+', '-', theme.lower()).strip('-')}.html"


def report_anchor(entry: Measure, vision_ids: set[int]) -> str | None:
    """Where a place's report shows the measure, or None where it does not: the report groups
    measures by vision statement, each Q2 measure in its own section (``partials/measure.html.j2``,
    prefix ``q2``) and the Q1 measures in one table, so a measure of no vision statement is not there."""
    if entry.vision_id not in vision_ids:
        return None
    return f"#q2-measure-{entry.id}" if entry.question == "Q2" else "#q1"


@dataclass(frozen=True)
class SiteLinks:
    """Links from one page: ``root`` leads from that page back to the edition folder."""

    root: str

    @classmethod
    def from_page(cls, path: str) -> SiteLinks:
        return cls("../" * path.count("/"))

    def to(self, path: str) -> str:
        return f"{self.root}{path}"

    def measure(self, measure_id: str) -> str:
        return self.to(measure_page(measure_id))

    def vision(self, vision_id: int) -> str:
        return self.to(vision_page(vision_id))

    def theme(self, theme: str) -> str:
        return self.to(theme_page(theme))


def navigation(current: str) -> list[dict]:
    """The main navigation for the page at ``current`` (the section it belongs to is marked)."""
    return [{"path": path, "label": label, "current": path == current} for path, label in NAVIGATION]


def breadcrumbs(*trail: tuple[str, str]) -> list[dict]:
    """Home, then each (path, label) down to the page itself (the last one)."""
    return [{"path": path, "label": label} for path, label in ((HOME, "Home"), *trail)]
