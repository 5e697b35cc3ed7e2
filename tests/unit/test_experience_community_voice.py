"""Q1 evidence for publication: theme counts disclosure controlled, quotes consented and redacted, nothing else of the evidence leaks."""

from __future__ import annotations

import pandas as pd

from assets.publication.community_voice import QUOTE_COLUMNS, THEME_COLUMNS, community_themes, published_quotes, quotes_without_consent, unsafe_texts
from assets.publication.redaction import lexicon
from tests.conftest import SHARED

WORDS = lexicon(SHARED / "reference")


def _evidence(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["vision_id", "lens", "theme", "period", "quote", "consent_to_quote"])


def test_theme_counts_of_one_to_four_are_hidden_and_five_is_shown() -> None:
    evidence = _evidence(
        [(1, "gaps", "Listening", "2024", "", "N")] * 5
        + [(1, "gaps", "Education", "2024", "", "N")] * 2
        + [(2, "gaps", "Education", "2024", "", "N")] * 2  # the same counts in another table: controlled on its own
    )
    themes, violations = community_themes(evidence)
    assert list(themes.columns) == list(THEME_COLUMNS) and violations == []
    shown = {(r.vision_id, r.theme): (r.count_display, r.count_published) for r in themes.itertuples()}
    assert shown[(1, "Listening")] == ("5", 5)
    assert shown[(1, "Education")][0] == "[c]" and pd.isna(shown[(1, "Education")][1])
    assert shown[(2, "Education")][0] == "[c]"


def test_only_consented_quotes_are_published_with_identifiers_removed() -> None:
    evidence = _evidence([
        (3, "whats_working", "Education", "2024", "My worker Sarah in Paisley really listens to me.", "Y"),
        (3, "gaps", "Education", "2024", "Nobody told me why I had to move.", "N"),
        (3, "gaps", "Listening", "2024", "Call me on 07700 900123 at EH1 1YZ on 3 March 2024, from Kirkwall.", "Y"),
        (4, "gaps", "Listening", "2025", None, "Y"),
    ])
    quotes, withheld = published_quotes(evidence, WORDS)
    assert list(quotes.columns) == list(QUOTE_COLUMNS)
    assert quotes.quote.tolist() == ["My worker [name] in [name] really listens to me."]
    assert sum(withheld.values()) == 1  # the one with a phone number, postcode, date and place: too much removed
    assert quotes_without_consent(quotes, evidence, WORDS) == 0
    assert unsafe_texts(quotes.quote, WORDS) == []


def test_the_consent_check_catches_a_quote_published_without_consent() -> None:
    evidence = _evidence([(3, "gaps", "Education", "2024", "Nobody told me why I had to move.", "N")])
    leaked = pd.DataFrame([{"vision_id": 3, "lens": "gaps", "theme": "Education", "period": "2024", "quote": "Nobody told me why I had to move."}])
    assert quotes_without_consent(leaked, evidence, WORDS) == 1
    assert unsafe_texts(pd.Series(["Mrs Smith was kind."]), WORDS) == ["Mrs Smith was kind."]
