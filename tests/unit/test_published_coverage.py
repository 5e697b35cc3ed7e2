"""What of the ingest ledger may be published (issue 33): nothing an agency wrote unless it is the
contract's own, nothing derived from a file's bytes, no time finer than the day."""

from __future__ import annotations

import pandas as pd

from assets.ingest.entries import ENTRY_COLUMNS, published_entries
from assets.model.contracts import load_contracts
from assets.privacy.identifier_scan import CHI_IN_TEXT, POSTCODE_IN_TEXT
from tests.support.paths import CONTRACTS

GLASGOW, FIFE = "S12000049", "S12000047"
ROWS = [
    # dataset, agency, period, file name, sha256, outcome, superseded_by, entry id
    ("looked_after_episodes", GLASGOW, "2023", "looked_after_episodes_S12000049_2023.csv", "1" * 64, "superseded", "2" * 64, "aaaa-aaaa-aaaa"),
    ("looked_after_episodes", GLASGOW, "2023", "looked_after_episodes_S12000049_2023 (copy).csv", "2" * 64, "accepted", None, "bbbb-bbbb-bbbb"),
    ("looked_after_episodes", FIFE, "1405062002", "looked_after_episodes_S12000047_1405062002.csv", "3" * 64, "refused", None, "cccc-cccc-cccc"),
    ("looked_after_episodes", "0101012349", None, "child EH1 2AB.csv", "4" * 64, "refused", None, "dddd-dddd-dddd"),
    ("school_exclusions", FIFE, "2024-25", "school_exclusions_S12000047_2024-25.csv", "5" * 64, "refused", None, "eeee-eeee-eeee"),
]


def _ledger() -> pd.DataFrame:
    ledger = pd.DataFrame(ROWS, columns=["dataset", "agency", "period", "file_name", "sha256", "outcome", "superseded_by", "entry_id"])
    return ledger.assign(received_at=pd.Timestamp("2026-11-30 14:03:07.123", tz="UTC"), processed_at=pd.Timestamp("2026-11-30 14:05:00", tz="UTC"), contract_version="1.0.0", problems="[]", bytes=123, rows=1)


def test_only_the_contracts_own_names_and_days_are_published():
    entries = published_entries(_ledger().to_dict("records"), load_contracts(CONTRACTS), frozenset({GLASGOW, FIFE}))
    assert all(tuple(e) == ENTRY_COLUMNS for e in entries)
    coverage = pd.DataFrame(entries).set_index("entry_id")
    assert coverage.loc["aaaa-aaaa-aaaa", "file_name"] == "looked_after_episodes_S12000049_2023.csv"
    assert coverage.loc["aaaa-aaaa-aaaa", "superseded_by"] == "bbbb-bbbb-bbbb"  # by its entry, not its hash
    assert pd.isna(coverage.loc["bbbb-bbbb-bbbb", "file_name"])  # a name the agency chose is not published
    assert coverage.loc["bbbb-bbbb-bbbb", "period"] == "2023"
    assert coverage.loc["cccc-cccc-cccc", ["agency", "period", "file_name"]].tolist() == [FIFE, None, None]
    assert coverage.loc["dddd-dddd-dddd", ["agency", "period", "file_name"]].tolist() == [None, None, None]
    assert coverage.loc["eeee-eeee-eeee", "file_name"] == "school_exclusions_S12000047_2024-25.csv"
    assert set(coverage["received_on"].astype(str)) == {"2026-11-30"}
    text = coverage.to_csv()
    assert not CHI_IN_TEXT.search(text) and not POSTCODE_IN_TEXT.search(text)
    assert not any(str(c) * 12 in text for c in range(1, 6)), "no file's hash"
    assert "14:03" not in text and "123" not in text
