"""The Data Map's held data, on hand-made returns: adding one holding makes each finding appear or change as it should."""

from __future__ import annotations

import pandas as pd

from assets.model.reference import councils, vision_statements
from assets.publication.data_holdings import HOLDING_COLUMNS, held_data, latest_returns
from tests.support.paths import REFERENCE

VISIONS = vision_statements(REFERENCE)
NAMES = {"S92000003": "Scotland", **councils(REFERENCE).names}
INVERCLYDE, RENFREWSHIRE, FIFE = "S12000018", "S12000038", "S12000047"
COVERAGE = pd.DataFrame(
    [("hearings_referrals", "SCRA", "2024", "accepted"), ("looked_after_episodes", INVERCLYDE, "2024", "accepted"), ("school_exclusions", "ORG001", "2024", "refused")],
    columns=["dataset", "agency", "period", "outcome"],
)
GAPS = pd.DataFrame(
    [(7, "", "", "no_indicator", "Vision 7 (Health): no indicator of Scotland's progress (question 2)."),
     (8, "", "", "no_indicator", "Vision 8 (Justice): no indicator of Scotland's progress (question 2)."),
     (None, "", "custody_under_18", "no_files", "Children in custody: no file has been received.")],
    columns=["vision_id", "measure_id", "dataset", "kind", "gap"],
).astype({"vision_id": "Int64"})


def holding(org: str, name: str, topic: str, visions: str, places: str, sent_as: str = "", kind: str = "records", first: int = 2015, last: str = "", period: str = "2025") -> dict:
    return {
        "organisation_code": org, "organisation_name": name, "holding_id": "H01", "what_is_recorded": f"{topic.capitalize()} of looked after children", "topic": topic,
        "about_whom": "looked_after_children", "kind": kind, "vision_ids": visions, "what_matters": "", "places": places, "first_year": first,
        "last_year": last, "frequency": "continuous", "shared": "on_request", "shared_with": "", "sent_as": sent_as, "_agency": org, "_period": period,
    }


BASE = [
    holding("SCRA", "Children's Reporter", "hearings", "1", "S92000003", sent_as="hearings_referrals"),
    holding("ORG001", "Inverclyde Children's Services", "placements", "1;2", INVERCLYDE, sent_as="looked_after_episodes"),
    holding("ORG001", "Inverclyde Children's Services", "physical_health", "7", INVERCLYDE),
    holding("ORG001", "Inverclyde Children's Services", "exclusions", "3", INVERCLYDE, sent_as="school_exclusions"),
]


def findings(rows: list[dict]) -> pd.DataFrame:
    return held_data(latest_returns(pd.DataFrame(rows)), COVERAGE, GAPS, VISIONS, NAMES, 2026)[1]


def of(table: pd.DataFrame, vision: int, kind: str) -> pd.DataFrame:
    return table[(table.vision_id == vision) & (table.kind == kind)]


def test_sent_means_an_accepted_file_from_the_organisation_or_a_council_it_covers():
    table, _ = held_data(pd.DataFrame(BASE), COVERAGE, GAPS, VISIONS, NAMES, 2026)
    assert list(table.columns) == list(HOLDING_COLUMNS)
    sent = table.drop_duplicates(["organisation_code", "topic"]).set_index("topic").sent
    # The council's own return carries its children's service's placements; a refused file carries nothing.
    assert sent.to_dict() == {"hearings": True, "placements": True, "physical_health": False, "exclusions": False}
    assert set(table.loc[table.topic == "placements", "vision_id"]) == {1, 2}, "one row per vision statement the holding informs"


def test_adding_a_holding_makes_held_not_sent_duplicate_and_gap_findings_appear_or_change():
    before = findings(BASE)
    assert set(of(before, 7, "held_not_sent").organisations) == {"Inverclyde Children's Services"}
    assert of(before, 7, "collected_more_than_once").empty
    assert len(of(before, 7, "gap_held_data_could_fill")) == 1, "vision 7's gap: the council's health records could fill it"
    assert len(of(before, 8, "gap_nothing_held_would_fill")) == 1 and len(of(before, 8, "nothing_held")) == 1
    assert before[before.finding.str.contains("custody", case=False)].empty, "a dataset's gap is about sending, not holding"

    # The health board covering Inverclyde and Renfrewshire keeps the same health assessments, and says they inform visions 7 and 8.
    board = holding("ORG006", "NHS Forth and Clyde", "physical_health", "7;8", f"{INVERCLYDE};{RENFREWSHIRE}", first=2019)
    after = findings([*BASE, board])
    assert set(of(after, 7, "held_not_sent").organisations) == {"Inverclyde Children's Services", "NHS Forth and Clyde"}
    assert set(of(after, 8, "held_not_sent").organisations) == {"NHS Forth and Clyde"}
    duplicate = of(after, 7, "collected_more_than_once")
    assert len(duplicate) == 1 and duplicate.organisations.iloc[0] == "Inverclyde Children's Services; NHS Forth and Clyde"
    assert "2 organisations collect physical health about looked after children" in duplicate.finding.iloc[0]
    assert of(after, 8, "gap_nothing_held_would_fill").empty and of(after, 8, "nothing_held").empty
    assert "NHS Forth and Clyde" in of(after, 8, "gap_held_data_could_fill").finding.iloc[0]


def test_no_duplicate_where_places_or_years_do_not_overlap_and_experience_fills_no_indicator_gap():
    elsewhere = holding("ORG002", "Fife Children's Services", "physical_health", "7;8", FIFE)
    earlier = holding("ORG006", "NHS Forth and Clyde", "physical_health", "7", INVERCLYDE, first=2005, last="2010")
    survey = holding("ORG009", "A Youth Voice Group", "views_of_children_and_families", "8", "S92000003", kind="experience")
    table = findings([*BASE, elsewhere, earlier, survey])
    assert of(table, 7, "collected_more_than_once").empty
    assert "Fife Children's Services" in of(table, 8, "gap_held_data_could_fill").organisations.iloc[0]
    assert "A Youth Voice Group" not in of(table, 8, "gap_held_data_could_fill").organisations.iloc[0], "a survey cannot make an indicator"


def test_only_each_organisations_latest_return_counts():
    old = holding("ORG006", "NHS Forth and Clyde", "physical_health", "8", INVERCLYDE, period="2024")
    newer = holding("ORG006", "NHS Forth and Clyde", "mental_health", "6", INVERCLYDE, period="2025")
    table = findings([*BASE, old, newer])
    assert of(table, 8, "held_not_sent").empty and len(of(table, 8, "nothing_held")) == 1


def test_an_empty_holdings_table_names_every_vision_as_nothing_held():
    empty = pd.DataFrame(columns=list(holding("X", "X", "t", "1", "S92000003")))
    table, found = held_data(latest_returns(empty), COVERAGE, GAPS, VISIONS, NAMES, 2026)
    assert table.empty and set(found.loc[found.kind == "nothing_held", "vision_id"]) == set(VISIONS.vision_id)
