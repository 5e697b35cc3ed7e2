"""Q1 share positive: the Wilson interval against published values, the positive rule, one measure per vision statement."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from assets.measures.catalogue import catalogue
from assets.measures.experience import measure_id_for, respondents_on_vision, wilson_interval
from assets.model.contracts import load_contracts
from tests.support.paths import CONTRACTS, REFERENCE, SHARED


def test_wilson_interval_matches_newcombe_1998() -> None:
    # Newcombe (1998), Statistics in Medicine 17: 857-872, Table II, method 3 (Wilson score, no continuity correction).
    positive = np.array([81, 15, 0, 1])
    total = np.array([263, 148, 20, 29])
    lower, upper = wilson_interval(positive, total)
    assert np.round(lower, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(upper, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]


def test_wilson_interval_stays_inside_zero_and_one() -> None:
    lower, upper = wilson_interval(np.array([0, 5]), np.array([5, 5]))
    assert lower[0] == 0.0 and upper[1] == 1.0
    assert 0.0 < upper[0] < 1.0 and 0.0 < lower[1] < 1.0


@pytest.mark.parametrize(
    ("answers", "positive"),
    [(["4", "5"], 1), (["5", "3"], 0), (["yes", "not_sure", "4"], 1), (["not_sure", "3", "2"], 0), (["yes"], 1), (["no", "1"], 0)],
)
def test_a_respondent_is_positive_when_most_answers_are(answers: list[str], positive: int) -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA analysis")
    frame = pd.DataFrame({"_period": "2024", "respondent_ref_key": "R1", "la_code": "S12000033", "respondent_group": "workforce", "vision_id": 1, "answer": answers})
    con.register("frame", frame)
    con.execute("CREATE TABLE analysis.experience_responses AS SELECT * FROM frame")
    assert con.execute(f"SELECT positive FROM {respondents_on_vision(1)}").fetchall() == [(positive,)]


def test_one_q1_measure_per_vision_statement_in_the_reference_table() -> None:
    visions = pd.read_csv(SHARED / "reference" / "vision_statements.csv")
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    for vision in visions.itertuples():
        entry = entries[measure_id_for(vision.vision_id)]
        assert (entry.question, entry.vision_id, entry.desired_direction) == ("Q1", vision.vision_id, "up")
        assert vision.short_title in entry.title
