"""Backtest: Q1 share positive on a hand-made survey, against figures worked out by hand.

Eight respondents (R1-R8) answer items on vision statement 1; R1 also answers on vision 2,
which must not count. Aberdeen City is S12000033, Aberdeenshire S12000034; R6 gave no council.

2024, respondent: council, group, answers -> positive (more than half positive)?
  R1 Aberdeen City,  young_person_12_17, 4 5 2       -> 2 of 3 -> yes
  R2 Aberdeen City,  young_person_12_17, 5 1         -> 1 of 2 -> no (half is not most)
  R3 Aberdeen City,  parent_family,      yes no 4    -> 2 of 3 -> yes
  R4 Aberdeenshire,  parent_family,      1 2         -> 0 of 2 -> no
  R5 Aberdeenshire,  young_person_12_17, 5 5 5       -> yes
  R6 (none),         workforce,          4 not_sure  -> 1 of 2 -> no
  R7 Aberdeenshire,  workforce,          4 4         -> yes
2025: R8 Aberdeen City, child_8_11, 4 -> yes.
Wilson intervals (z = 1.96) worked out from the formula, in percent to one decimal place.
"""

from __future__ import annotations

import io

import duckdb
import pandas as pd

from assets.measures.experience import vision_measures
from tests.support.paths import REFERENCE

A, B, SCOTLAND = "S12000033", "S12000034", "S92000003"
SURVEY = [
    ("2024", "R1", A, "young_person_12_17", 1, ["4", "5", "2"]),
    ("2024", "R1", A, "young_person_12_17", 2, ["1", "1"]),
    ("2024", "R2", A, "young_person_12_17", 1, ["5", "1"]),
    ("2024", "R3", A, "parent_family", 1, ["yes", "no", "4"]),
    ("2024", "R4", B, "parent_family", 1, ["1", "2"]),
    ("2024", "R5", B, "young_person_12_17", 1, ["5", "5", "5"]),
    ("2024", "R6", None, "workforce", 1, ["4", "not_sure"]),
    ("2024", "R7", B, "workforce", 1, ["4", "4"]),
    ("2025", "R8", A, "child_8_11", 1, ["4"]),
]

EXPECTED = """period,geography_code,breakdown,category,numerator,denominator,value,lower,upper
2024,S12000033,respondent_group,parent_family,1,1,100.0,20.7,100.0
2024,S12000033,respondent_group,young_person_12_17,1,2,50.0,9.5,90.5
2024,S12000033,total,total,2,3,66.7,20.8,93.9
2024,S12000034,respondent_group,parent_family,0,1,0.0,0.0,79.3
2024,S12000034,respondent_group,workforce,1,1,100.0,20.7,100.0
2024,S12000034,respondent_group,young_person_12_17,1,1,100.0,20.7,100.0
2024,S12000034,total,total,2,3,66.7,20.8,93.9
2024,S92000003,respondent_group,parent_family,1,2,50.0,9.5,90.5
2024,S92000003,respondent_group,workforce,1,2,50.0,9.5,90.5
2024,S92000003,respondent_group,young_person_12_17,2,3,66.7,20.8,93.9
2024,S92000003,total,total,4,7,57.1,25.0,84.2
2025,S12000033,respondent_group,child_8_11,1,1,100.0,20.7,100.0
2025,S12000033,total,total,1,1,100.0,20.7,100.0
2025,S92000003,respondent_group,child_8_11,1,1,100.0,20.7,100.0
2025,S92000003,total,total,1,1,100.0,20.7,100.0
"""


def test_share_positive_matches_hand_worked_figures() -> None:
    rows = [
        {"_period": period, "respondent_ref_key": ref, "la_code": la, "respondent_group": group, "vision_id": vision, "answer": answer}
        for period, ref, la, group, vision, answers in SURVEY
        for answer in answers
    ]
    con = duckdb.connect()
    con.execute("CREATE SCHEMA analysis")
    con.register("survey", pd.DataFrame(rows))
    con.execute("CREATE TABLE analysis.experience_responses AS SELECT * FROM survey")

    [entry] = [m for m in vision_measures(REFERENCE, {}) if m.vision_id == 1]
    table = entry.compute(con)

    expected = pd.read_csv(io.StringIO(EXPECTED), dtype={"period": str})
    got = table[expected.columns].astype({c: float for c in ("numerator", "denominator", "value", "lower", "upper")})
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.astype({"numerator": float, "denominator": float}), check_dtype=False)
    assert set(table.geography_level[table.geography_code == SCOTLAND]) == {"scotland"}
    assert set(table.geography_level[table.geography_code != SCOTLAND]) == {"council"}
