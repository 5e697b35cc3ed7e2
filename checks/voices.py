"""Checks on what people said (community voice, Q1; organisations' accounts, Q3): nothing is
published without consent or with anything left for redaction to remove, theme counts are
disclosure controlled, and organisations are never ranked.

Each reads what landed in the mart, not the frame that was meant to.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from assets.disclosure.disclosure_control import DisclosureRule
from assets.model.outcome import CheckOutcome
from assets.publication.redaction import Lexicon, redact

LISTED = 50
RANKING_WORDS = ("rank", "score", "percentile", "league", "position")


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


def ranking_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if any(word in c.lower() for word in RANKING_WORDS)]


def no_disclosive_theme_counts(violations: list[str], rule: DisclosureRule) -> CheckOutcome:
    """Blocking: re-checking the published theme counts found no disclosure (``violations`` from ``verify_no_disclosure``)."""
    return CheckOutcome(passed=not violations, threshold=f"counts {rule.min_count}-{rule.max_suppressed_count} hidden", listed={"violations": violations[:LISTED]})


def quotes_consented_and_redacted(published: pd.DataFrame, evidence: pd.DataFrame, words: Lexicon) -> CheckOutcome:
    """Blocking: every quote in ``published`` (``mart.published_quotes``) was given with consent and redaction would leave it as it is."""
    unsafe = unsafe_texts(published["quote"], words)
    unconsented = quotes_without_consent(published, evidence, words)
    return CheckOutcome(
        passed=not unsafe and unconsented == 0,
        threshold="0 of each",
        seen={"quotes_needing_redaction": len(unsafe), "quotes_without_consent": unconsented},
    )


def accounts_consented_and_redacted(published: pd.DataFrame, accounts: pd.DataFrame, words: Lexicon, text_columns: Sequence[str]) -> CheckOutcome:
    """Blocking: every account in ``published`` (``mart.organisation_learning``) was given with consent, and no text in it needs redaction."""
    consented = accounts[accounts["consent_to_publish"] == "Y"][["organisation_code", "theme", "period"]].astype(str)
    without_consent = len(published.merge(consented, how="left", indicator=True).query("_merge == 'left_only'"))
    leftovers = sum(len(unsafe_texts(published[c], words)) for c in text_columns)
    return CheckOutcome(
        passed=without_consent == 0 and leftovers == 0,
        threshold="0 of each",
        seen={"accounts_without_consent": without_consent, "texts_needing_redaction": leftovers},
    )


def no_ranking(*published: pd.DataFrame) -> CheckOutcome:
    """Blocking: no rank, score or league column in the ``published`` tables, each in organisation-name order."""
    ranked = [c for table in published for c in ranking_columns(table)]
    in_name_order = all(t.organisation_name.is_monotonic_increasing for t in published)
    return CheckOutcome(
        passed=not ranked and in_name_order,
        threshold="no ranking column; rows in name order",
        seen={"ranking_columns": ", ".join(ranked) or "none", "ordered_by_name": in_name_order},
    )
