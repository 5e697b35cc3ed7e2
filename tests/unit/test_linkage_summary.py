from __future__ import annotations

import pandas as pd

from assets.linkage.summary import linkage_rate, linked_without_names, method_counts, model_estimates, rate_fall_points, weight_distribution


def test_method_counts_group_identifiers_as_deterministic():
    records = pd.DataFrame({"dataset": ["a", "a", "a", "b", "b"], "linked_by": ["chi", "pupil_number", "unlinked", "probabilistic", "clerical"]})
    table = method_counts(records, "dataset")
    assert table.loc["a"].tolist() == [2, 0, 0, 1, 66.7]
    assert table.loc["b", "probabilistic"] == 1 and table.loc["b", "clerical"] == 1 and table.loc["b", "linked_percent"] == 100.0
    assert linkage_rate(records) == 80.0


def test_model_estimates_read_the_match_probabilities():
    pairs = pd.DataFrame({"match_probability": [0.99, 0.97, 0.6, 0.5], "decision": ["match", "match", "below_threshold", "forenames_differ"]})
    precision, recall = model_estimates(pairs)
    assert precision == 0.98 and recall == round(1.96 / 3.06, 4)
    assert model_estimates(pairs.iloc[:0]) == (None, None)


def test_rate_fall_and_weight_bands():
    assert rate_fall_points(70.0, 80.0) == 10.0
    assert rate_fall_points(80.0, 70.0) == 0.0 and rate_fall_points(80.0, None) == 0.0
    pairs = pd.DataFrame({"match_weight": [1.0, 4.9, 12.0], "decision": ["below_threshold", "match", "match"]})
    bands = weight_distribution(pairs)
    assert bands.to_dict("records") == [{"match_weight_from": 0, "accepted": 1, "held_back": 1}, {"match_weight_from": 10, "accepted": 1, "held_back": 0}]


def test_records_linked_without_names_are_counted_per_dataset():
    records = pd.DataFrame({
        "dataset": ["returns", "returns", "returns", "hearings", "hearings", "hearings"],
        "linked_by": ["scn", "probabilistic", "unlinked", "chi", "unlinked", "probabilistic"],
        "named": [False, False, False, True, False, False],
        "retired": [False, False, False, False, False, True],  # linked by name, then its identifiers destroyed
    })
    assert linked_without_names(records).to_dict() == {"hearings": 0, "returns": 2}
