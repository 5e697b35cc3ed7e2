"""The ``publication/community_voice`` asset: Q1's qualitative evidence, ready to publish.

The survey's shares positive are measures (``assets.measures.experience``) and reach the
mart through ``publication/published_measures``. This asset publishes the coded engagement
evidence beside them: how often each theme came up under each lens, and quotes.

``mart.community_themes``: one row per vision statement, lens, theme and year in which the
theme was raised. Columns:
``vision_id`` (integer), ``lens`` (``whats_working``, ``gaps``, ``experience_of_change``),
``theme`` (Plan 24-30 theme), ``period`` (collection year), ``count_display`` (the count as a
reader sees it: a whole number, or ``[c]`` for 1-4), ``count_published`` (the count, NA where
hidden), ``suppression`` ('' or 'primary'), ``suppression_reason``. The counts pass the same
disclosure control as every measure (``assets.publication.disclosure_control``). Totals per
vision and lens are not published, so no hidden count can be worked out by subtraction and
only primary suppression applies.

``mart.published_quotes``: one row per distinct quote. Columns: ``vision_id``, ``lens``,
``theme``, ``period``, ``quote``. Only quotes given with consent (``consent_to_quote = 'Y'``)
and only after ``assets.publication.redaction`` has removed names, places and identifiers;
a quote that cannot be made safe is withheld. Nothing else of the evidence is published:
not its id, source (which names places), date or summary; survey free text
(``experience_responses.free_text``) and respondent references are never published.
"""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.keys import COMMUNITY_VOICE, analysis_key
from assets.publication.disclosure_control import DisclosureRule, apply_disclosure_control, verify_no_disclosure
from assets.publication.redaction import Lexicon, lexicon, redact
from orchestration.resources import StoryFolders
from orchestration.settings import SCOTLAND_CODE

RULE = DisclosureRule()
THEME_COLUMNS = ("vision_id", "lens", "theme", "period", "count_display", "count_published", "suppression", "suppression_reason")
QUOTE_COLUMNS = ("vision_id", "lens", "theme", "period", "quote")
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


def unsafe_texts(texts: pd.Series, words: Lexicon) -> list[str]:
    """Published texts that redaction would still change or withhold: there should be none."""
    return [t for t in texts.dropna() if t and redact(t, words).text != t]


def quotes_without_consent(quotes: pd.DataFrame, evidence: pd.DataFrame, words: Lexicon) -> int:
    """Published quotes that no consented piece of evidence (same vision, lens, theme, year) redacts to."""
    consented = evidence[evidence["consent_to_quote"] == "Y"]
    allowed = {
        (int(r.vision_id), r.lens, r.theme, str(r.period), redact(r.quote, words).text)
        for r in consented.itertuples()
    }
    return sum((int(r.vision_id), r.lens, r.theme, str(r.period), r.quote) not in allowed for r in quotes.itertuples())


def write_mart_table(con, name: str, frame: pd.DataFrame) -> None:
    """Replace ``mart.<name>`` with ``frame``."""
    con.execute("CREATE SCHEMA IF NOT EXISTS mart")
    con.register("mart_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE mart.{name} AS SELECT * FROM mart_frame")
    finally:
        con.unregister("mart_frame")


@dg.asset(
    key=COMMUNITY_VOICE,
    group_name="publication",
    kinds={"duckdb"},
    deps=[analysis_key("engagement_evidence")],
    description="Q1 engagement evidence for publication: theme counts under each lens (disclosure controlled) and consented quotes with names, places and identifiers removed.",
    check_specs=[
        dg.AssetCheckSpec("no_disclosive_theme_counts", asset=COMMUNITY_VOICE, blocking=True, description="No published theme count is 1-4."),
        dg.AssetCheckSpec("quotes_consented_and_redacted", asset=COMMUNITY_VOICE, blocking=True, description="Every published quote was given with consent and has nothing left for redaction to remove."),
    ],
)
def community_voice(folders: StoryFolders, warehouse: DuckDBResource):
    words = lexicon(folders.settings.reference_dir)
    with warehouse.get_connection() as con:
        evidence = con.execute(EVIDENCE_SQL).df()
        themes, violations = community_themes(evidence)
        quotes, withheld = published_quotes(evidence, words)
        write_mart_table(con, "community_themes", themes)
        write_mart_table(con, "published_quotes", quotes)
        # Check what landed in the mart, not the frame that was meant to.
        landed = con.execute("SELECT * FROM mart.published_quotes").df()
    consented = evidence[evidence["consent_to_quote"] == "Y"]
    leftovers = unsafe_texts(landed["quote"], words)
    unconsented = quotes_without_consent(landed, evidence, words)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(themes) + len(quotes),
            "theme_rows": len(themes),
            "theme_counts_hidden": int((themes["suppression"] != "").sum()),
            "quotes_consented": int(consented["quote"].fillna("").str.strip().ne("").sum()),
            "quotes_published": len(quotes),
            "quotes_withheld": dg.MetadataValue.json(withheld),
        }
    )
    yield dg.AssetCheckResult(
        check_name="no_disclosive_theme_counts",
        passed=not violations,
        metadata={"violations": dg.MetadataValue.md("\n".join(f"- {v}" for v in violations[:50]) or "none"), "threshold": f"counts {RULE.min_count}-{RULE.max_suppressed_count} hidden"},
    )
    yield dg.AssetCheckResult(
        check_name="quotes_consented_and_redacted",
        passed=not leftovers and unconsented == 0,
        metadata={"quotes_needing_redaction": len(leftovers), "quotes_without_consent": unconsented, "threshold": "0 of each"},
    )
