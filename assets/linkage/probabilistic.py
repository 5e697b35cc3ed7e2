"""Probabilistic linkage with Splink (DuckDB backend) for records no shared identifier joins.

A Fellegi-Sunter model compares forename, surname, date of birth (exact, day and month
transposed, one character apart), sex, postcode, and CHI and SCN (exact or one digit apart,
as a mistyped identifier still says a lot). Parameters are estimated
without labels: u by random sampling, m by expectation maximisation in two passes with
different blocking (so each comparison is trained where it is not the blocking column).
Blocking on date of birth, on forename and surname, on CHI, on SCN, and on surname with
birth year keeps comparisons to a few per record even at national scale.

Pairs at or above ``MATCH_THRESHOLD`` join clusters; pairs between ``REVIEW_FLOOR`` and the
threshold go to clerical review. 0.99 was chosen on the synthetic ground truth: it keeps
pairwise precision above 0.995 while recall passes 0.98 (see tests and bench).
"""

from __future__ import annotations

import logging

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

MATCH_THRESHOLD = 0.99
REVIEW_FLOOR = 0.5

_TRANSPOSED = (
    "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4) "
    "AND substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2) "
    "AND substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)"
)


def _settings() -> SettingsCreator:
    date_of_birth = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(_TRANSPOSED, label_for_charts="Day and month transposed"),
            cll.DamerauLevenshteinLevel("date_of_birth", 1),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record",
        comparisons=[
            cl.NameComparison("forename"),
            cl.NameComparison("surname"),
            date_of_birth,
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.DamerauLevenshteinAtThresholds("chi", 1),
            cl.DamerauLevenshteinAtThresholds("scn", 1),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("date_of_birth"),
            block_on("forename", "surname"),
            block_on("chi"),
            block_on("scn"),
            block_on("surname", "substr(date_of_birth, 1, 4)"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def score_pairs(people: pd.DataFrame, seed: int = 20200205) -> pd.DataFrame:
    """Scored candidate pairs (record_l, record_r, match_weight, match_probability) above the review floor."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    columns = ["record", "forename", "surname", "date_of_birth", "sex", "postcode", "chi", "scn"]
    table = people.reset_index(drop=True).assign(record=lambda t: range(len(t)))[columns]
    for column in columns[1:]:
        table[column] = table[column].astype("string")
    table["forename"] = table["forename"].str.lower()
    table["surname"] = table["surname"].str.lower()
    api = DuckDBAPI()
    records = api.register(table, dataset_display_name="people")
    linker = Linker(records, _settings())
    linker.training.estimate_probability_two_random_records_match([block_on("chi"), block_on("scn")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("forename", "surname"))
    pairs = linker.inference.predict(threshold_match_probability=REVIEW_FLOOR).as_pandas_dataframe()
    return pairs.rename(columns={"record_l": "record_l", "record_r": "record_r"})[["record_l", "record_r", "match_weight", "match_probability"]]
