"""Q1 evidence for publication: theme counts disclosure controlled, quotes consented and redacted, nothing else of the evidence leaks."""

from __future__ import annotations

import pandas as pd

from assets.publication.community_voice import (
    QUOTE_COLUMNS,
    THEME_COLUMNS,
    community_themes,
    experience_change,
    published_quotes,
)
from assets.publication.redaction import lexicon
from checks.voices import quotes_without_consent, unsafe_texts
from tests.support.paths import SHARED

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
    assert quotes.quote.tolist() == ["My worker [name] in [place] really listens to me."]
    assert sum(withheld.values()) == 1  # the one with a phone number, postcode, date and place: too much removed
    assert quotes_without_consent(quotes, evidence, WORDS) == 0
    assert unsafe_texts(quotes.quote, WORDS) == []


def test_the_consent_check_catches_a_quote_published_without_consent() -> None:
    evidence = _evidence([(3, "gaps", "Education", "2024", "Nobody told me why I had to move.", "N")])
    leaked = pd.DataFrame([{"vision_id": 3, "lens": "gaps", "theme": "Education", "period": "2024", "quote": "Nobody told me why I had to move."}])
    assert quotes_without_consent(leaked, evidence, WORDS) == 1
    assert unsafe_texts(pd.Series(["Mrs Smith was kind."]), WORDS) == ["Mrs Smith was kind."]


def test_change_since_last_period_uses_published_shares_only() -> None:
    def row(period: str, value: float | None, lower: float | None, upper: float | None, category: str = "total") -> dict:
        return {
            "measure_id": "experience_positive_vision_2", "period": period, "geography_code": "S92000003", "geography_level": "scotland",
            "breakdown": "total" if category == "total" else "respondent_group", "category": category,
            "value_published": value, "lower_published": lower, "upper_published": upper,
        }

    published = pd.DataFrame([
        row("2023", 40.0, 35.0, 45.0), row("2024", 52.5, 47.0, 58.0), row("2025", 50.0, 44.0, 56.0),
        row("2023", 30.0, 10.0, 60.0, "workforce"), row("2024", None, None, None, "workforce"), row("2025", 45.0, 20.0, 70.0, "workforce"),
    ]).astype({"value_published": "Float64", "lower_published": "Float64", "upper_published": "Float64"})

    change = experience_change(published, {"experience_positive_vision_2": 2}).set_index(["category", "period"])

    assert change.loc[("total", "2023"), "change_in_words"] == "first period"
    assert change.loc[("total", "2024"), "change_points"] == 12.5
    assert change.loc[("total", "2024"), "change_in_words"] == "up 12.5 points since 2023"  # intervals 35-45 and 47-58 do not overlap
    assert change.loc[("total", "2025"), "change_in_words"] == "down 2.5 points since 2024 (may be chance: the 95% intervals overlap)"
    # A hidden share is never compared, so neither neighbouring change gives it away.
    assert change.loc[("workforce", "2024"), "change_in_words"] == "not compared: a share is hidden"
    assert pd.isna(change.loc[("workforce", "2025"), "change_points"])
    assert (change["vision_id"] == 2).all()
