"""Q1's qualitative evidence, ready to publish (the ``publication/community_voice`` asset).

The survey's shares positive are measures (``assets.measures.experience``) and reach the
mart through ``publication/published_measures``. This asset publishes the coded engagement
evidence beside them: how often each theme came up under each lens, and quotes.

Method notes: docs/publication.md, "Notes on `assets/publication/community_voice.py`".
"""

import pandas as pd

from assets.disclosure.disclosure_control import DisclosureRule, apply_disclosure_control, verify_no_disclosure
from assets.model.reference import SCOTLAND_CODE
from assets.publication.redaction import Lexicon, redact

RULE = DisclosureRule()
THEME_COLUMNS = ("vision_id", "lens", "theme", "period", "count_display", "count_published")
QUOTE_COLUMNS = ("vision_id", "lens", "theme", "period", "quote")
CHANGE_COLUMNS = (
    "measure_id", "vision_id", "geography_code", "geography_level", "breakdown", "category", "period", "value_published",
    "previous_period", "previous_value_published", "change_points", "intervals_overlap", "change_in_words",
)
FIGURE = ["measure_id", "geography_code", "breakdown", "category"]
EVIDENCE_SQL = "SELECT vision_id, lens, theme, _period AS period, quote, consent_to_quote FROM analysis.engagement_evidence"


def theme_counts(evidence: pd.DataFrame) -> pd.DataFrame:
    """Pieces of evidence per vision statement, lens, theme and period, as disclosure control expects them.

    Each vision statement and lens is its own table (``measure_id``), with themes as the
    categories of one breakdown and no total row, so no sum ties the counts together.
    """
    counts = evidence.groupby(["vision_id", "lens", "theme", "period"], as_index=False).size()
    return pd.DataFrame({
        "measure_id": "community_theme_vision_" + counts["vision_id"].astype(str) + "_" + counts["lens"],
        "period": counts["period"].astype(str),
        "geography_code": SCOTLAND_CODE,
        "geography_level": "scotland",
        "breakdown": "theme",
        "category": counts["theme"],
        "numerator": counts["size"].astype("Int64"),
        "denominator": pd.array([pd.NA] * len(counts), dtype="Float64"),
        "value": counts["size"].astype("Float64"),
        "unit": "pieces of evidence",
        "additive": True,
        "vision_id": counts["vision_id"].astype(int),
        "lens": counts["lens"],
    })


def community_themes(evidence: pd.DataFrame, rule: DisclosureRule = RULE) -> tuple[pd.DataFrame, list[str]]:
    """The published theme counts and any disclosure-control violations found on re-checking them."""
    counted = theme_counts(evidence)
    if counted.empty:
        return pd.DataFrame(columns=list(THEME_COLUMNS)), []
    # Each vision statement and lens is controlled on its own: its counts share nothing with
    # another's, and two tables that happen to hold the same counts must not be linked.
    tables = [apply_disclosure_control(table, rule) for _, table in counted.groupby("measure_id")]
    violations = [v for table in tables for v in verify_no_disclosure(table, rule)]
    published = pd.concat(tables, ignore_index=True)
    table = published.rename(columns={"category": "theme", "value_display": "count_display", "numerator_published": "count_published"})
    table = table[list(THEME_COLUMNS)].sort_values(["vision_id", "lens", "period", "theme"], ignore_index=True)
    return table, violations


def _change_in_words(row: pd.Series) -> str:
    if pd.isna(row["previous_period"]):
        return "first period"
    if pd.isna(row["change_points"]):
        return "not compared: a share is hidden"
    since = f"since {row['previous_period']}"
    change = round(float(row["change_points"]), 1)
    words = "no change" if change == 0 else f"{'up' if change > 0 else 'down'} {abs(change):.1f} points"
    chance = " (may be chance: the 95% intervals overlap)" if row["intervals_overlap"] is True and change != 0 else ""
    return f"{words} {since}{chance}"


def experience_change(published: pd.DataFrame, vision_of: dict[str, int]) -> pd.DataFrame:
    """Change since the last period for each published Q1 share (columns in the module doc).

    ``published`` is ``mart.published_measures`` (any rows; only ``vision_of``'s measures are
    used); every number here is a published one or a difference of two published ones.
    """
    shares = published[published["measure_id"].isin(list(vision_of))].copy()
    shares = shares.sort_values([*FIGURE, "period"], ignore_index=True)
    earlier = shares.groupby(FIGURE)[["period", "value_published", "lower_published", "upper_published"]].shift(1)
    shares["vision_id"] = shares["measure_id"].map(vision_of).astype(int)
    shares["previous_period"] = earlier["period"]
    shares["previous_value_published"] = earlier["value_published"].astype("Float64")
    shares["change_points"] = (shares["value_published"].astype("Float64") - shares["previous_value_published"]).round(1)
    compared = shares["change_points"].notna()
    overlap = (shares["lower_published"] <= earlier["upper_published"]) & (earlier["lower_published"] <= shares["upper_published"])
    shares["intervals_overlap"] = pd.array(overlap.where(compared, pd.NA), dtype="boolean")
    shares["change_in_words"] = shares.apply(_change_in_words, axis=1) if len(shares) else pd.Series(dtype=str)
    return shares[list(CHANGE_COLUMNS)].sort_values(["vision_id", "geography_code", "breakdown", "category", "period"], ignore_index=True)


def published_quotes(evidence: pd.DataFrame, words: Lexicon) -> tuple[pd.DataFrame, dict[str, int]]:
    """Consented quotes after redaction, and how many were withheld for each reason."""
    consented = evidence[(evidence["consent_to_quote"] == "Y") & evidence["quote"].fillna("").str.strip().ne("")]
    redacted = [redact(q, words) for q in consented["quote"]]
    withheld: dict[str, int] = {}
    for result in redacted:
        if result.text is None:
            withheld[result.withheld_because] = withheld.get(result.withheld_because, 0) + 1
    quotes = consented.assign(quote=[r.text for r in redacted]).dropna(subset=["quote"])
    quotes = quotes.assign(vision_id=quotes["vision_id"].astype(int), period=quotes["period"].astype(str))[list(QUOTE_COLUMNS)]
    return quotes.drop_duplicates().sort_values(list(QUOTE_COLUMNS), ignore_index=True), withheld


def write_mart_table(con, name: str, frame: pd.DataFrame) -> None:
    """Replace ``mart.<name>`` with ``frame``."""
    con.execute("CREATE SCHEMA IF NOT EXISTS mart")
    con.register("mart_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE mart.{name} AS SELECT * FROM mart_frame")
    finally:
        con.unregister("mart_frame")
