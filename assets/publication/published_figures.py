"""Every published figure of an edition as one tidy table, in the shape the statistics world expects.

One row per figure of ``mart.published_measures``, one column per variable, the published
value only (``value_published``: never the raw numerator or value, which stay in the
warehouse). The value column stays numeric; where a figure is not shown its cell is empty
and the Analysis Function's shorthand says why in the ``status`` column:

``[c]`` confidential (hidden by disclosure control), ``[x]`` not available, ``[z]`` not
applicable (as ``value_display`` already says), and ``[r]`` revised: what is shown moved since
the previous edition (``mart.figure_revisions``, ``edition_revisions``), or the source's latest
release revised it (``mart.indicator_revisions``); ``published`` otherwise, so a status cell
is never blank.

Read by the edition's downloads: the "all published figures" CSV and the accessible
spreadsheet (``assets.publication.spreadsheet``) are both this table.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from assets.disclosure.disclosure_control import FIGURE_KEY

CONFIDENTIAL, NOT_AVAILABLE, NOT_APPLICABLE, REVISED = "[c]", "[x]", "[z]", "[r]"
PUBLISHED = "published"  # the status of a figure shown as first published
# What each shorthand means, in the Analysis Function's words; the spreadsheet's notes say so.
SHORTHAND = {
    CONFIDENTIAL: "confidential: hidden by disclosure control, so that no person can be identified (counts of 1 to 4, and figures that would let one be worked out)",
    NOT_AVAILABLE: "not available: no figure was supplied for this place and period",
    NOT_APPLICABLE: "not applicable: the measure has no figure of this kind",
    REVISED: "revised: the figure shown moved since the previous edition, or its source's latest release revised it",
}
COLUMNS = (
    "geography_code", "geography_name", "geography_level", "period", "measure_id", "measure_title",
    "breakdown", "category", "value", "lower", "upper", "unit", "vintage", "status",
)
ORDER = ["measure_id", "period", "geography_code", "breakdown", "category"]
_REVISION_KEY = ["measure_id", "geography_code", "period"]


def revised_figures(revisions: pd.DataFrame | None) -> pd.DataFrame:
    """The (measure, place, period) of each figure the latest release revised, from ``mart.indicator_revisions``."""
    if revisions is None or revisions.empty:
        return pd.DataFrame(columns=_REVISION_KEY)
    latest = revisions[revisions["is_latest"].astype(bool)] if "is_latest" in revisions else revisions
    return latest[_REVISION_KEY].astype(str).drop_duplicates()


def published_figures(
    measures: pd.DataFrame, revisions: pd.DataFrame | None, titles: Mapping[str, str], geography_names: Mapping[str, str], moved: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The tidy table of ``measures`` (rows of ``mart.published_measures``), in ``COLUMNS`` order;
    ``moved``: ``mart.figure_revisions`` (figures that moved since the previous edition).

    ``titles``: each measure's title by id; ``geography_names``: each place's name by code
    (Scotland and the councils). A measure or place missing from them is a wiring error, so
    it raises rather than publishing a blank name.
    """
    table = measures.astype({k: str for k in ["measure_id", "geography_code", "period"]}).reset_index(drop=True)
    missing = sorted((set(table["measure_id"]) - set(titles)) | (set(table["geography_code"]) - set(geography_names)))
    if missing:
        raise KeyError(f"no title or name for {', '.join(missing)}")
    display = table["value_display"].astype("string")
    symbol = display.where(display.isin([CONFIDENTIAL, NOT_AVAILABLE, NOT_APPLICABLE]), "")
    revised = pd.MultiIndex.from_frame(table[_REVISION_KEY]).isin(pd.MultiIndex.from_frame(revised_figures(revisions)))
    if moved is not None and not moved.empty:
        revised |= pd.MultiIndex.from_frame(table[FIGURE_KEY].astype(str)).isin(pd.MultiIndex.from_frame(moved[FIGURE_KEY].astype(str)))
    status = (symbol + pd.Series(revised).map({True: " " + REVISED, False: ""})).str.strip().replace("", PUBLISHED)
    tidy = pd.DataFrame({
        "geography_code": table["geography_code"],
        "geography_name": table["geography_code"].map(geography_names),
        "geography_level": table["geography_level"],
        "period": table["period"],
        "measure_id": table["measure_id"],
        "measure_title": table["measure_id"].map(titles),
        "breakdown": table["breakdown"],
        "category": table["category"],
        "value": table["value_published"].astype("Float64"),
        "lower": table["lower_published"].astype("Float64"),
        "upper": table["upper_published"].astype("Float64"),
        "unit": table["unit"],
        "vintage": table["vintage"],
        "status": status.astype(object),
    })
    return tidy.sort_values(ORDER, kind="stable", ignore_index=True)[list(COLUMNS)]
