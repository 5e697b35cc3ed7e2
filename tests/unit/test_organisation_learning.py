"""Q3 accounts: published only with consent, redacted, withheld whole when a text cannot be made safe; never ranked."""

from __future__ import annotations

import pandas as pd

from assets.publication.organisation_progress import LEARNING_COLUMNS, organisation_learning, round_end
from assets.publication.redaction import lexicon
from checks.voices import ranking_columns
from tests.support.paths import SHARED

WORDS = lexicon(SHARED / "reference")


def _account(code: str, name: str, consent: str, tried: str, learned: str = "") -> dict:
    return {
        "organisation_code": code, "organisation_name": name, "organisation_type": "third_sector", "foundation": "Voice",
        "theme": "Listening", "period": "2025-H1", "what_is_being_tried": tried, "what_is_working": "",
        "what_has_been_learned": learned, "barriers": None, "consent_to_publish": consent,
    }


def test_only_consented_accounts_are_published_and_names_are_removed() -> None:
    accounts = pd.DataFrame([
        _account("ORG002", "Zeta Trust", "Y", "Testing a named worker for each family.", "Our worker Morag in Paisley showed us what works."),
        _account("ORG001", "Beta Network", "N", "Testing peer mentors with care experience."),
        _account("ORG003", "Alpha Council", "Y", "Testing plain-language plans with children."),
    ])

    published, withheld = organisation_learning(accounts, WORDS)

    assert list(published.columns) == list(LEARNING_COLUMNS)
    assert published.organisation_name.tolist() == ["Alpha Council", "Zeta Trust"]  # name order; Beta gave no consent
    assert withheld == 0
    learned = published.set_index("organisation_code").loc["ORG002", "what_has_been_learned"]
    assert "Morag" not in learned and "Paisley" not in learned and "[name]" in learned
    assert published.barriers.tolist() == ["", ""]


def test_an_account_with_a_text_that_cannot_be_made_safe_is_withheld_whole() -> None:
    accounts = pd.DataFrame([_account("ORG004", "Gamma Service", "Y", "Testing a new panel.", "Call 0141 496 0000 or visit 221 the high street.")])
    published, withheld = organisation_learning(accounts, WORDS)
    assert published.empty and withheld == 1


def test_round_ends_and_ranking_words() -> None:
    ends = round_end(pd.Series(["2025-H1", "2025-H2"]))
    assert ends.dt.strftime("%Y-%m-%d").tolist() == ["2025-06-30", "2025-12-31"]
    assert ranking_columns(pd.DataFrame(columns=["organisation_name", "overdue", "league_position", "rank"])) == ["league_position", "rank"]
