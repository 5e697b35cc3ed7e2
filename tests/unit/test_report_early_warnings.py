"""Which early warnings each report lists: the national picture nationally, a council's own locally."""

from __future__ import annotations

import pandas as pd

from assets.reports.evidence_sections import early_warnings
from assets.reports.places import SCOTLAND, Place

FIFE = Place("S12000047", "Fife", "council")
NAMES = {"S92000003": "Scotland", "S12000047": "Fife", "S12000049": "Glasgow City", "S12000036": "City of Edinburgh"}
WARNINGS = pd.DataFrame(
    [
        ("starts", "S92000003", "2024", "against_direction", "Scotland rose."),
        ("starts", "S12000047", "2024", "against_direction", "Fife rose."),
        ("starts", "S12000049", "2024", "against_direction", "Glasgow rose."),
        ("moves", "S12000049", "2024", "against_direction", "Glasgow moves rose."),
        ("starts", "S12000036", "2024", "data_overdue", "No return from Edinburgh since 2022."),
    ],
    columns=["measure_id", "geography_code", "period", "kind", "message"],
)


def test_national_report_lists_scotland_and_late_data_and_counts_the_councils():
    listed = early_warnings(WARNINGS, SCOTLAND, {"starts": "Starts"}, NAMES)
    assert [w["message"] for w in listed[:2]] == ["Scotland rose.", "No return from Edinburgh since 2022."]
    assert listed[2]["place"] == "2 councils"
    assert listed[2]["message"].startswith("3 warnings about single councils")
    assert len(listed) == 3


def test_council_report_lists_its_own_and_scotlands_only():
    listed = early_warnings(WARNINGS, FIFE, {"starts": "Starts"}, NAMES)
    assert sorted(w["message"] for w in listed) == ["Fife rose.", "Scotland rose."]


def test_no_table_yet_is_not_the_same_as_no_warnings():
    assert early_warnings(None, SCOTLAND, {}, NAMES) is None
    assert early_warnings(WARNINGS.iloc[:0], SCOTLAND, {}, NAMES) == []
