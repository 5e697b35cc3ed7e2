"""Probabilistic linkage with Splink for records no shared identifier joins.

A Fellegi-Sunter model compares whichever of the standard columns a table fills (a column
that is missing or empty is left out of the comparisons and of the blocking):

Method notes: docs/linkage.md, "Notes on `assets/linkage/probabilistic.py`".
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.input_column import InputColumn
from splink.internals.term_frequencies import term_frequencies_for_single_column_sql

from assets.linkage.backends import LINKAGE_BACKENDS
from assets.linkage.core import STANDARD_COLUMNS, filled_columns

MATCH_THRESHOLD = 0.99
REVIEW_FLOOR = 0.5
# The share of the links it makes that the model must expect to be right (issue 31's target):
# the threshold (``match_threshold``) is the lowest probability that keeps it.
TARGET_PRECISION = 0.995
# Pairs sampled for u and blocked pairs used for EM: enough for every level to be observed at
# demo scale, and bounded so training takes the same time at national scale.
U_SAMPLE_PAIRS = 2_000_000
EM_MAX_PAIRS = 2_000_000
# Below this many records there are too few pairs to estimate u and m (a few hundred records
# give EM a handful of blocked pairs), so the stored default model scores them instead.
MIN_RECORDS_TO_TRAIN = 1_000
DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
# What Splink reads: the record's position, the compared columns and the parts of names and
# postcodes ``core.prepare_people`` derives for the comparisons. Every one is registered,
# empty where the table lacks it, so each comparison's SQL is the same whatever the table holds.
SPLINK_COLUMNS = (
    "record",
    *STANDARD_COLUMNS,
    "forename_first",
    "forename_last",
    "surname_first",
    "surname_last",
    "postcode_sector",
    "postcode_district",
    "postcode_area",
    "postcode_other",
    "forename_sound",
    "surname_sound",
    "forename_nicknames",
    "address_words",
)
# What share of true matches "the same forename, surname and date of birth" finds, when the
# trained model cannot say (``_expected_recall``): two records of a person agree on all three
# unless one has a typo, a variant spelling or a missing value (0.64 on our generator at tiny
# scale). Stating it a factor of two wrong moves every match weight by one bit.
NAME_RULE_RECALL = 0.6
IDENTIFIER_RULE_RECALL = 0.8
# A few records of which most pairs agree would make the prior near 1 (every pair a match
# before any evidence): a tenth still lets the evidence decide.
_SMALL_TABLE_PRIOR_CAP = 0.1
PAIR_COLUMNS = ("record_l", "record_r", "match_weight", "match_probability", "gamma_forename", "gamma_date_of_birth", "gamma_chi", "gamma_scn")

_TF_KEYS = ("tf_adjustment_column", "tf_adjustment_weight", "tf_minimum_u_value")
_TRANSPOSED = (
    "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4) "
    "AND substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2) "
    "AND substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)"
)
# Of the parts of a hyphenated or multi-part name (prepare_people keeps the first and last),
# one agrees: "smith-jones" and "jones", "mary anne" and "mary".
_PART_AGREES = "({c}_first_l = {c}_first_r OR {c}_first_l = {c}_last_r OR {c}_last_l = {c}_first_r OR {c}_last_l = {c}_last_r)"


class _NamesSwappedLevel(ComparisonLevelCreator):
    """Each record's forename is (nearly) the other's surname: the two fields were swapped.
    Written for each backend's Jaro-Winkler function (Splink's levels compare one column)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def create_sql(self, sql_dialect) -> str:
        jaro_winkler = sql_dialect.jaro_winkler_function_name
        return (
            f"{jaro_winkler}(forename_l, surname_r) >= {self.threshold} "
            f"AND {jaro_winkler}(surname_l, forename_r) >= {self.threshold}"
        )

    def create_label_for_charts(self) -> str:
        return f"Forename and surname swapped (Jaro-Winkler >= {self.threshold})"


class _NicknameLevel(ComparisonLevelCreator):
    """One forename is a nickname of the other, or both of one name ("bob", "robert"), by the
    list ``core.prepare_people`` puts in ``forename_nicknames`` (``LIKE`` reads the same in
    DuckDB and Spark)."""

    def create_sql(self, sql_dialect) -> str:
        return "(forename_nicknames_l LIKE '% ' || forename_r || ' %' OR forename_nicknames_r LIKE '% ' || forename_l || ' %')"

    def create_label_for_charts(self) -> str:
        return "Forename a nickname of the other"


class _FewEdits(cll.DamerauLevenshteinLevel):
    """Splink's Damerau-Levenshtein level, the same pairs found faster: every edit it counts is
    at most two of Levenshtein's (a transposition is two), so a pair more than twice the
    distance apart by Levenshtein cannot be within it. DuckDB computes Levenshtein about eight
    times faster, and most compared pairs are strangers that it rules out."""

    def create_sql(self, sql_dialect) -> str:
        col = self.col_expression
        col.sql_dialect = sql_dialect
        levenshtein = f"{sql_dialect.levenshtein_function_name}({col.name_l}, {col.name_r}) <= {2 * self.distance_threshold}"
        return f"{levenshtein} AND {super().create_sql(sql_dialect)}"


class _IdentifierEdits(cl.DamerauLevenshteinAtThresholds):
    """Exact or a few edits apart (``_FewEdits``), else different."""

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        return [cll.NullLevel(self.col_expression), cll.ExactMatchLevel(self.col_expression), *(_FewEdits(self.col_expression, t) for t in self.thresholds), cll.ElseLevel()]


def _name(column: str) -> cl.CustomComparison:
    """A swap of forename and surname is one event, weighed once: by the forename's comparison
    (its own level, weight estimated on its own); the surname's reads it as no evidence, as a
    missing value, so "Jack Ryan" and "Ryan Jack" are not two agreements. Then the
    errors people make, each its own level: a letter dropped, added, changed or two swapped
    (Damerau-Levenshtein 1), a nickname, one part of a multi-part name, the same sound
    (metaphone), two such slips, an initial for the name."""
    initial = f"(length({column}_l) = 1 OR length({column}_r) = 1) AND substr({column}_l, 1, 1) = substr({column}_r, 1, 1)"
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
            _NamesSwappedLevel(0.88).configure(is_null_level=column == "surname"),
            _FewEdits(column, 1),
            cll.JaroWinklerLevel(column, 0.92),
            *([_NicknameLevel()] if column == "forename" else []),
            cll.CustomLevel(_PART_AGREES.format(c=column), label_for_charts="One part of a multi-part name agrees"),
            cll.ExactMatchLevel(f"{column}_sound").configure(label_for_charts="Same sound (metaphone)"),
            _FewEdits(column, 2),
            cll.JaroWinklerLevel(column, 0.88),
            cll.CustomLevel(initial, label_for_charts="An initial for the name"),
            cll.JaroWinklerLevel(column, 0.7),
            cll.ElseLevel(),
        ],
    )


def _date_of_birth() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(_TRANSPOSED, label_for_charts="Day and month transposed"),
            _FewEdits("date_of_birth", 1),
            _FewEdits("date_of_birth", 2),
            cll.ElseLevel(),
        ],
    )


def _postcode() -> cl.CustomComparison:
    """UK parts are only filled for UK-shaped postcodes and ``postcode_other`` only for the rest,
    so a 4-digit code never agrees on a UK "area" of nothing."""
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode").configure(label_for_charts="Exact match on full postcode", tf_adjustment_column="postcode"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="Exact match on sector"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Exact match on district"),
            cll.ExactMatchLevel("postcode_area").configure(label_for_charts="Exact match on area"),
            _FewEdits("postcode_other", 1).configure(label_for_charts="Non-UK postcode one character apart"),
            cll.ElseLevel(),
        ],
    )


def _address() -> cl.CustomComparison:
    """Address and postcode as one comparison: both say where a person lives, and scoring
    them apart would count one fact twice (a household shares both; a person who moved
    changes both). The postcode speaks where the addresses cannot be compared or differ."""
    no_place = "(address_l IS NULL OR address_r IS NULL) AND (postcode_l IS NULL OR postcode_r IS NULL)"
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(no_place, label_for_charts="No address or postcode to compare").configure(is_null_level=True),
            cll.ExactMatchLevel("address").configure(label_for_charts="Same address"),
            # Jaro-Winkler rather than an edit distance: on strings this long an edit distance
            # made estimating u take 90 s for 10,000 records.
            cll.ExactMatchLevel("address_words").configure(label_for_charts="Same words, a part moved"),
            cll.JaroWinklerLevel("address", 0.95),
            cll.JaroWinklerLevel("address_words", 0.92),
            cll.JaroWinklerLevel("address", 0.88),
            cll.ExactMatchLevel("postcode").configure(label_for_charts="Same postcode, address differs or is missing", tf_adjustment_column="postcode"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="Same UK postcode sector"),
            _FewEdits("postcode_other", 1).configure(label_for_charts="Non-UK postcode one character apart"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Same UK postcode district"),
            cll.ElseLevel(),
        ],
    )


_COMPARISONS = {
    "forename": lambda: _name("forename"),
    "surname": lambda: _name("surname"),
    "date_of_birth": _date_of_birth,
    "sex": lambda: cl.ExactMatch("sex"),
    "postcode": _postcode,
    "address": _address,
    "chi": lambda: _IdentifierEdits("chi", 1),
    "scn": lambda: _IdentifierEdits("scn", 1),
}

# (the columns a rule needs, the rule): a rule is used when the table fills every column it needs.
_BLOCKING = (
    (("chi",), block_on("chi")),
    (("scn",), block_on("scn")),
    (("date_of_birth", "surname"), block_on("date_of_birth", "substr(surname, 1, 1)")),
    (("date_of_birth", "forename"), block_on("date_of_birth", "substr(forename, 1, 1)")),
    (("forename", "surname", "date_of_birth"), block_on("forename", "surname", "substr(date_of_birth, 1, 4)")),
    (("surname", "date_of_birth"), block_on("surname", "substr(date_of_birth, 6, 5)")),
    # Records carrying only a date of birth and an identifier (exclusions, custody): one
    # mistyped digit leaves one half of the number intact.
    (("date_of_birth", "scn"), block_on("date_of_birth", "substr(scn, 1, 5)")),
    (("date_of_birth", "scn"), block_on("date_of_birth", "substr(scn, 6, 4)")),
    (("date_of_birth", "chi"), block_on("date_of_birth", "substr(chi, 7, 2)")),
    (("date_of_birth", "chi"), block_on("date_of_birth", "substr(chi, 9, 2)")),
    (("forename", "surname"), "l.forename = r.surname AND l.surname = r.forename"),
    (
        ("forename", "surname", "date_of_birth"),
        "l.date_of_birth = r.date_of_birth AND substr(l.forename, 1, 1) = substr(r.surname, 1, 1) AND substr(l.surname, 1, 1) = substr(r.forename, 1, 1)",
    ),
    # Every pair with the same names where either date of birth is missing (all of them when
    # the table has no date of birth): the rules above need one.
    (("forename", "surname"), "l.forename = r.forename AND l.surname = r.surname AND (l.date_of_birth IS NULL OR r.date_of_birth IS NULL)"),
    (("surname", "postcode"), block_on("surname", "postcode")),
    (("forename", "postcode"), block_on("forename", "postcode")),
    (("address",), block_on("address")),
    # So that two fields wrong at once still leave a rule whole: the postcode with the date of
    # birth (both names wrong or swapped) or the initials (the date wrong too); names that
    # sound alike (a typo in each name) with one other field agreeing at least in part, so the
    # date and the postcode may be wrong too: a slip in a date (a digit, day and month
    # transposed) keeps its year or its day and month, as the rules on names and part of the
    # date above assume; a slip in a postcode seldom reaches its first character; an address
    # keeps its start (the house number). Where either date is missing, the sound alone.
    (("postcode", "date_of_birth"), block_on("postcode", "date_of_birth")),
    (("postcode", "forename", "surname"), block_on("postcode", "substr(forename, 1, 1)", "substr(surname, 1, 1)")),
    (("forename", "surname", "date_of_birth"), block_on("forename_sound", "surname_sound", "substr(date_of_birth, 1, 4)")),
    (("forename", "surname", "date_of_birth"), block_on("forename_sound", "surname_sound", "substr(date_of_birth, 6, 5)")),
    (("forename", "surname", "postcode"), block_on("forename_sound", "surname_sound", "substr(postcode, 1, 1)")),
    (("forename", "surname", "address"), block_on("forename_sound", "surname_sound", "substr(address, 1, 3)")),
    (
        ("forename", "surname"),
        "l.forename_sound = r.forename_sound AND l.surname_sound = r.surname_sound AND (l.date_of_birth IS NULL OR r.date_of_birth IS NULL)",
    ),
    (("address",), block_on("address_words")),
    # Both names and the date wrong: the start of the address (house number and street) in
    # the same postcode area.
    (("address", "postcode"), block_on("substr(address, 1, 12)", "substr(postcode, 1, 1)")),
)
# Blocking of the EM passes, in order of preference; a pass is run while it trains a comparison
# no earlier pass trained (a pass cannot train the comparisons it blocks on).
_EM_BLOCKING = (("date_of_birth",), ("forename", "surname"), ("postcode",), ("address",), ("surname",), ("forename",))
# (what the rules find, the columns of each rule, their stated recall or None for the recall
# the trained model expects), in order of preference: the first whose rules find at least one
# pair sets the prior. Identifiers keep the figure the pipeline was tuned with.
_PRIOR_RULES = (
    ("a shared CHI or SCN", (("chi",), ("scn",)), IDENTIFIER_RULE_RECALL),
    ("the same names and date of birth", (("forename", "surname", "date_of_birth"),), None),
    ("the same names and postcode or address", (("forename", "surname", "postcode"), ("forename", "surname", "address")), NAME_RULE_RECALL),
)


# The columns a comparison reads, where they are more than its own.
_READS = {"address": ("address", "postcode")}


def _compared(columns: Sequence[str]) -> list[str]:
    """The comparisons (by name) for ``columns``: one per column, the postcode inside the address's."""
    present = set(columns)
    return [column for column in STANDARD_COLUMNS if column in present and not (column == "postcode" and "address" in present)]


def _settings(columns: Sequence[str], prior: float = 0.0001) -> SettingsCreator:
    present = set(columns)
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record",
        probability_two_random_records_match=prior,
        comparisons=[_COMPARISONS[name]() for name in _compared(columns)],
        blocking_rules_to_generate_predictions=[rule for needs, rule in _BLOCKING if present.issuperset(needs)],
        retain_intermediate_calculation_columns=False,
    )


def model_columns(model: dict) -> tuple[str, ...]:
    """The columns a Splink model (JSON form) compares (its address comparison reads the postcode)."""
    read = {column for comparison in model["comparisons"] for column in _READS.get(comparison["output_column_name"], (comparison["output_column_name"],))}
    return tuple(column for column in STANDARD_COLUMNS if column in read)


def model_fingerprint(columns: Sequence[str]) -> str:
    """A digest of the comparisons and blocking for ``columns``: a stored model of those columns
    is reused only while it matches (its comparisons are today's)."""
    settings = json.dumps(_settings(columns).create_settings_dict("duckdb"), sort_keys=True, default=str)
    return hashlib.sha256(settings.encode("utf-8")).hexdigest()[:16]


def term_frequency_columns(model: dict) -> tuple[str, ...]:
    """The columns whose exact agreement ``model`` weighs by how common the value is."""
    return tuple(sorted({level["tf_adjustment_column"] for c in model["comparisons"] for level in c["comparison_levels"] if level.get("tf_adjustment_column")}))


def term_frequency_sql(column: str, table: str) -> str:
    """Splink's own term-frequency table of ``column`` over ``table`` (DuckDB SQL), so a run that
    scores a few records can weigh names by how common they are in every record."""
    return term_frequencies_for_single_column_sql(InputColumn(column, sqlglot_dialect_str="duckdb"), table_name=table)


def model_threshold(model: dict | None) -> float:
    """The lowest match probability at which the model expects at least ``TARGET_PRECISION`` of
    the pairs it links to be right, by its own m, u and prior (Fellegi and Sunter's upper
    threshold for a stated false-match rate): over every pattern of agreement its levels can
    form (missing values and term frequencies aside), taken from the most probable down, the
    probability (just above it) of the first pattern that would bring the expected precision
    below the target.
    Kept between 0.5 (a pair more likely two people than one is never linked) and
    ``MATCH_THRESHOLD`` (a pair at 0.99 always is). A function of the model alone, so a run
    scoring a few records links as a full run with the same model would."""
    if model is None:
        return MATCH_THRESHOLD
    m, u = np.ones(1), np.ones(1)
    for comparison in model["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        levels = [level for level in levels if isinstance(level.get("m_probability"), float) and isinstance(level.get("u_probability"), float)]
        if levels:
            m = np.multiply.outer(m, [level["m_probability"] for level in levels]).ravel()
            u = np.multiply.outer(u, [level["u_probability"] for level in levels]).ravel()
    prior = model["probability_two_random_records_match"]
    matches, strangers = prior * m, (1 - prior) * u
    order = np.argsort(-(matches / (matches + strangers)), kind="stable")
    matches, strangers = matches[order], strangers[order]
    # Adding patterns of ever lower probability only lowers the running precision.
    short = np.flatnonzero(np.cumsum(matches) < TARGET_PRECISION * np.cumsum(matches + strangers))
    first_left_out = float(matches[short[0]] / (matches[short[0]] + strangers[short[0]])) if short.size else 0.0
    # Just above it: a pair of exactly that pattern (no term frequency) is left out too.
    return min(MATCH_THRESHOLD, max(REVIEW_FLOOR, float(np.nextafter(first_left_out, 1.0))))


def blocking_rules(model: dict) -> list[str]:
    """The blocking rules of ``model`` as SQL conditions on records ``l`` and ``r``."""
    return [rule["blocking_rule"] for rule in model["blocking_rules_to_generate_predictions"]]


def _agreeing_pair(prepared: pd.DataFrame, columns: Sequence[str]) -> bool:
    keys = prepared[list(columns)].dropna()
    return bool(keys.duplicated().any())


def _prior_rules(prepared: pd.DataFrame, columns: Sequence[str]) -> tuple[str, list[tuple[str, ...]], float | None] | float:
    """The deterministic rules that will set the prior (what they find, their columns, their
    stated recall) or, when none finds a pair, a prior as if one had (an upper bound)."""
    present = set(columns)
    for label, rules, recall in _PRIOR_RULES:
        usable = [needs for needs in rules if present.issuperset(needs)]
        if any(_agreeing_pair(prepared, needs) for needs in usable):
            return label, usable, recall
    possible_pairs = len(prepared) * (len(prepared) - 1) / 2
    return min(0.5, 1 / (NAME_RULE_RECALL * possible_pairs))


def _expected_recall(model: dict, prepared: pd.DataFrame, needs: Sequence[str]) -> float:
    """The share of matches agreeing exactly on every column of ``needs``, by the trained
    model: both records fill them (taken as the share of records that do, squared) and each
    agrees exactly (the m of its exact level, the first after the null level); errors in
    different fields taken as independent, as the model takes them."""
    m_exact = {comparison["output_column_name"]: comparison["comparison_levels"][1].get("m_probability") for comparison in model["comparisons"]}
    if not all(isinstance(m_exact.get(column), float) for column in needs):
        return NAME_RULE_RECALL
    filled = float(prepared[list(needs)].notna().all(axis=1).mean())
    return max(1e-6, min(1.0, filled**2 * math.prod(m_exact[column] for column in needs)))


def _train(linker: Linker, prepared: pd.DataFrame, prior: tuple[str, list[tuple[str, ...]], float | None] | float, columns: Sequence[str], seed: int) -> list[str]:
    """Estimate the model without labels: the prior from deterministic rules (after EM when
    their recall is the one the trained model expects), u by random sampling, m by expectation
    maximisation in passes with different blocking. Returns what it says about the estimates."""
    notes = []

    def estimate_prior(label: str, rules: list[tuple[str, ...]], recall: float) -> None:
        linker.training.estimate_probability_two_random_records_match([block_on(*needs) for needs in rules], recall=recall)
        notes.append(f"prior from {label}, taken to find {recall:.0%} of matches")

    if isinstance(prior, float):
        notes.append(f"no two records share names and a date of birth or an identifier: prior set to {prior:.3g}, as if one pair had")
    elif prior[2] is not None:
        estimate_prior(*prior)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed, num_chunks=1, min_count_per_level=None)
    present, untrained = set(columns), set(_compared(columns))
    for blocking in _EM_BLOCKING:
        # A pass trains the comparisons that read none of its blocking columns.
        trains = {name for name in _compared(columns) if not set(_READS.get(name, (name,))) & set(blocking)}
        if present.issuperset(blocking) and trains & untrained:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*blocking), max_pairs=EM_MAX_PAIRS)
            untrained -= trains
    if untrained:
        notes.append(f"m of {', '.join(sorted(untrained))} not estimated (no other column to block on): Splink's defaults used")
    if isinstance(prior, tuple) and prior[2] is None:
        label, rules, _ = prior
        trained = linker.misc.save_model_to_json()
        estimate_prior(label, rules, max(_expected_recall(trained, prepared, needs) for needs in rules))
    if linker.misc.save_model_to_json()["probability_two_random_records_match"] >= 1:
        # Splink would score every pair as certain (an infinite weight its SQL cannot hold).
        raise ValueError("the deterministic rules find every pair a match: the records are too alike to learn from")
    return notes


def _prior_of_this_table(linker: Linker, records, model: dict, prepared: pd.DataFrame, columns: Sequence[str]) -> tuple[Linker, str]:
    """The default model with the prior of this table: a prior is a share of a table's pairs,
    so the one estimated on the default model's 60,000 records is far too small for a table of
    a few hundred. The same deterministic rules as training, their recall from the default
    model's m where no identifier is stated; at most ``_SMALL_TABLE_PRIOR_CAP``."""
    prior = _prior_rules(prepared, columns)
    if isinstance(prior, float):
        value, said = prior, f"no two records share names and a date of birth or an identifier: prior set to {prior:.3g}, as if one pair had"
    else:
        label, rules, recall = prior
        recall = recall if recall is not None else max(_expected_recall(model, prepared, needs) for needs in rules)
        said = f"prior of this table from {label}, taken to find {recall:.0%} of matches"
        try:
            linker.training.estimate_probability_two_random_records_match([block_on(*needs) for needs in rules], recall=recall)
            value = linker.misc.save_model_to_json()["probability_two_random_records_match"]
        except ValueError:  # Splink's refusal when the rules find more pairs than that recall allows
            value = 1.0
    if value > _SMALL_TABLE_PRIOR_CAP:
        value, said = _SMALL_TABLE_PRIOR_CAP, f"{said}, capped at {_SMALL_TABLE_PRIOR_CAP}"
    return Linker(records, {**model, "probability_two_random_records_match": value}), said


def default_model() -> dict:
    """The model trained on demo-scale synthetic data, for tables too small to train on."""
    stored = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    if stored["fingerprint"] != model_fingerprint(model_columns(stored["model"])):
        raise RuntimeError(f"{DEFAULT_MODEL_PATH.name} predates the current comparisons: rerun bench/linkage_default_model.py")
    return stored["model"]


def count_comparisons(prepared: pd.DataFrame) -> int:
    """How many record pairs the blocking rules send to scoring (counted exactly, for the bench)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    records = DuckDBAPI().register(prepared[list(SPLINK_COLUMNS)].copy(), dataset_display_name="people")
    counts = count_comparisons_from_blocking_rules(
        records,
        blocking_rules=_settings(filled_columns(prepared)).blocking_rules_to_generate_predictions,
        link_type="dedupe_only",
        unique_id_column_name="record",
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"]) if counts else 0


def splink_api(backend: str = "duckdb"):
    """The Splink database API for ``backend`` (one of ``LINKAGE_BACKENDS``): DuckDB in this
    process, or Spark through the session ``SparkSession.builder.getOrCreate()`` returns.

    The backends agree on every comparison but one detail: Splink's Jaro-Winkler for Spark
    counts an odd number of out-of-order letters as half a transposition where DuckDB rounds
    it down (``haper``/``harper``: 0.876 against 0.902), so a few name pairs (3 of 1,084 in a
    trial) land one similarity level lower on Spark.
    """
    if backend == "duckdb":
        return DuckDBAPI()
    if backend != "spark":
        raise ValueError(f"Unknown linkage backend {backend!r}: use one of {', '.join(LINKAGE_BACKENDS)}")
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError as error:
        raise RuntimeError(
            "STORY_LINKAGE_BACKEND=spark needs PySpark and Java: pip install pyspark==4.0.5 "
            "(the version pinned in pyproject.toml) and apt-get install default-jre-headless"
        ) from error
    spark = SparkSession.builder.getOrCreate()
    # Splink's Spark SQL calls Scala UDFs (jaro_winkler, damerau_levenshtein) from the jar it
    # ships; added to the running session, so a session configured elsewhere gets them too.
    spark.sql(f"ADD JAR '{similarity_jar_location()}'")
    return SparkAPI(spark_session=spark, break_lineage_method="persist")


def _register(api, prepared: pd.DataFrame):
    records = prepared[list(SPLINK_COLUMNS)].copy()
    if isinstance(api, DuckDBAPI):
        return api.register(records, dataset_display_name="people")
    # Spark cannot infer the type of a column that is entirely missing (no SCN in a batch): say it.
    schema = "record BIGINT, " + ", ".join(f"{column} STRING" for column in SPLINK_COLUMNS[1:])
    rows = records.astype(object).where(records.notna(), None)
    # A view name of Splink's prefix, so it cannot replace a table of the session's own and
    # ``_release`` drops it with the rest.
    return api.register(api.spark.createDataFrame(rows, schema=schema), dataset_display_name="people", table_name="__splink__people")


def _in_dialect(model: dict, dialect: str) -> dict:
    """``model`` with its SQL written for ``dialect`` (``duckdb`` or ``spark``).

    A model keeps its comparisons as SQL of the backend that trained it (DuckDB's
    ``jaro_winkler_similarity("forename_l", ...)`` is Spark's ``jaro_winkler(`forename_l`, ...)``),
    so the comparisons and blocking are rebuilt from ``_settings`` for ``dialect`` (the
    fingerprint guarantees they are the ones the model was trained with) and the trained
    parameters carried over level by level.
    """
    if model.get("sql_dialect", "duckdb") == dialect:
        return model
    rebuilt = _settings(model_columns(model)).create_settings_dict(dialect)
    structure = {"comparisons", "blocking_rules_to_generate_predictions", "sql_dialect"}
    rebuilt.update({key: value for key, value in model.items() if key not in structure})
    for comparison, trained in zip(rebuilt["comparisons"], model["comparisons"], strict=True):
        for level, trained_level in zip(comparison["comparison_levels"], trained["comparison_levels"], strict=True):
            if level.get("label_for_charts") != trained_level.get("label_for_charts"):
                raise RuntimeError(f"model level {trained_level.get('label_for_charts')!r} is not today's {level.get('label_for_charts')!r}")
            level.update({key: value for key, value in trained_level.items() if key != "sql_condition"})
            if "tf_adjustment_column" not in trained_level:  # scored without term frequencies (``_restricted``)
                for key in _TF_KEYS:
                    level.pop(key, None)
        comparison.update({key: value for key, value in trained.items() if key != "comparison_levels"})
    rules = zip(rebuilt["blocking_rules_to_generate_predictions"], model["blocking_rules_to_generate_predictions"], strict=True)
    rebuilt["blocking_rules_to_generate_predictions"] = [{key: rule[key] for key in stored if key in rule} for rule, stored in rules]
    return {**rebuilt, "sql_dialect": dialect}


def _usable(columns: Sequence[str], model: dict) -> list[str]:
    """``columns`` less those ``model`` has no comparison for (without an address comparison,
    the address is left out and the postcode compared on its own)."""
    names = {comparison["output_column_name"] for comparison in model["comparisons"]}
    usable = list(columns)
    while missing := [name for name in _compared(usable) if name not in names]:
        usable = [column for column in usable if column not in missing]
    return usable


def _restricted(model: dict, columns: Sequence[str], dialect: str, term_frequencies: bool) -> dict:
    """``model`` making only the comparisons for ``columns`` (``_usable`` ones), with the
    blocking for those columns, in ``dialect``. Leaving a comparison out is what the model does
    for a missing value. Without ``term_frequencies`` an exact name weighs the same whatever
    the name: in a table of a few records every name looks common."""
    own = model.get("sql_dialect", "duckdb")
    blocking = _settings(columns).create_settings_dict(own)["blocking_rules_to_generate_predictions"]
    names = set(_compared(columns))
    kept = [comparison for comparison in model["comparisons"] if comparison["output_column_name"] in names]
    restricted = _in_dialect({**model, "comparisons": kept, "blocking_rules_to_generate_predictions": blocking}, dialect)
    if term_frequencies:
        return restricted
    comparisons = [{**c, "comparison_levels": [{k: v for k, v in level.items() if k not in _TF_KEYS} for level in c["comparison_levels"]]} for c in restricted["comparisons"]]
    return {**restricted, "comparisons": comparisons}


def _release(api) -> None:
    """Drop the tables Splink made in the Spark session and empty its cache (dropping a view
    alone leaves the blocked pairs cached: Splink repartitions them after caching)."""
    if isinstance(api, DuckDBAPI):
        return
    for table in api.spark.catalog.listTables():
        if table.isTemporary and table.name.startswith("__splink__"):
            api.spark.catalog.dropTempView(table.name)
    api.spark.catalog.clearCache()


@dataclass(frozen=True)
class ScoredPairs:
    """``pairs``: ``PAIR_COLUMNS`` for every candidate pair at or above the review floor (the
    comparison levels the guards in ``core`` read are -1, "no value", where the column is not
    compared). ``model``: the Splink model used (JSON form, DuckDB's SQL), None when nothing
    could be scored. ``model_source``: ``trained``, ``given``, ``default`` or ``none``.
    ``notes``: what was left out or assumed, in plain words."""

    pairs: pd.DataFrame
    model: dict | None
    model_source: str
    notes: tuple[str, ...]


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="float64" if column.startswith("match") else "int64") for column in PAIR_COLUMNS})


def score_pairs(
    prepared: pd.DataFrame,
    review_floor: float = REVIEW_FLOOR,
    model: dict | None = None,
    seed: int = 20200205,
    backend: str = "duckdb",
    term_frequencies: Mapping[str, pd.DataFrame] | None = None,
) -> ScoredPairs:
    """Scored candidate pairs at or above ``review_floor`` from ``core.prepare_people`` output.

    ``model``: a model an earlier run trained (same ``model_fingerprint``); reusing it keeps
    the weights of pairs already seen unchanged when new files arrive, and skips training. It
    is used restricted to the columns the table fills, and set aside (with a note) when the
    table fills a column it does not compare. ``backend``: where Splink runs (``splink_api``).
    ``term_frequencies``: with ``model``, the term-frequency table of each column it weighs by
    frequency (``term_frequency_sql``) over a larger population than ``prepared``: a run that
    scores one file's neighbourhood weighs names as a run over every record would.
    """
    logging.getLogger("splink").setLevel(logging.WARNING)
    columns = filled_columns(prepared)
    if len(prepared) < 2 or not columns:
        why = "fewer than two records" if len(prepared) < 2 else "no column to compare"
        return ScoredPairs(_no_pairs(), None, "none", (f"{why}: no pairs scored",))
    notes: list[str] = []
    source = "given"
    if model is not None and _usable(columns, model) != list(columns):
        notes.append(f"the model given does not compare {', '.join(c for c in columns if c not in _usable(columns, model))}: not used")
        model = None
    if model is None and len(prepared) < MIN_RECORDS_TO_TRAIN:
        notes.append(f"{len(prepared):,} records are too few to train on (under {MIN_RECORDS_TO_TRAIN:,}): scored with the stored default model")
        model, source = default_model(), "default"
    api = splink_api(backend)
    dialect = api.sql_dialect.sql_dialect_str
    records = _register(api, prepared)
    if model is None:
        prior = _prior_rules(prepared, columns)
        linker = Linker(records, _settings(columns, prior if isinstance(prior, float) else 0.0001))
        try:
            notes += _train(linker, prepared, prior, columns, seed)
            source = "trained"
        except Exception as error:  # noqa: BLE001 - any failure of Splink's estimation (every record alike, no blocked pairs) falls back, and says why
            notes.append(f"training failed ({type(error).__name__}: {error}): scored with the stored default model")
            model, source = default_model(), "default"
    if model is not None:
        usable = _usable(columns, model)
        for column in columns:
            if column not in usable:
                notes.append(f"{column}: the default model has no parameters for it, so it is left out of the model and the blocking")
        if not usable:
            _release(api)
            return ScoredPairs(_no_pairs(), None, "none", (*notes, "no column the model compares: no pairs scored"))
        restricted = _restricted(model, usable, dialect, term_frequencies=bool(term_frequencies) or len(prepared) >= MIN_RECORDS_TO_TRAIN)
        linker = Linker(records, restricted)
        for column, table in (term_frequencies or {}).items():
            linker.table_management.register_term_frequency_lookup(api.register(table, table_name=f"tf_lookup_{column}"), column)
        if source == "default":
            linker, note = _prior_of_this_table(linker, records, restricted, prepared, usable)
            notes.append(note)
    predicted = linker.inference.predict(threshold_match_probability=review_floor)
    # Only the columns the decisions read: the pairs also carry both records' values, which at
    # national scale cost more to bring into pandas than scoring them.
    columns = [column for column in PAIR_COLUMNS if column in {c.unquote().name for c in predicted.columns}]
    pairs = linker.misc.query_sql(f"SELECT {', '.join(columns)} FROM {predicted.physical_name}", output_type="pandas")
    _release(api)
    for gamma in PAIR_COLUMNS[4:]:
        if gamma not in pairs:
            pairs[gamma] = -1
    if pairs.empty:
        notes.append("the blocking rules found no pair of records alike enough to score")
    # Kept in DuckDB's SQL whichever backend ran, so a stored model serves either next time.
    return ScoredPairs(pairs[list(PAIR_COLUMNS)], _in_dialect(linker.misc.save_model_to_json(), "duckdb"), source, tuple(notes))


@dataclass(frozen=True)
class Evidence:
    """One comparison of one pair as a reviewer reads it: the level the two values reached and
    its match weight (log2 of m over u: above 0 for the same person, below 0 against)."""

    pair: int
    comparison: str
    level: str
    match_weight: float


def pair_evidence(left: pd.DataFrame, right: pd.DataFrame, model: dict) -> list[Evidence]:
    """Each comparison's level and weight under ``model`` for each pair (row ``i`` of ``left``
    with row ``i`` of ``right``, both ``core.prepare_people`` rows): the evidence for and
    against that the clerical review page shows. Weighed before term-frequency adjustment (an
    exact name counts as any exact name would), so the parts can differ a little from the
    pair's overall weight. Scored by Splink on just these pairs (each pair blocked on its own)."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    count = len(left)
    both = pd.concat([left, right], ignore_index=True)[list(SPLINK_COLUMNS[1:])]
    both.insert(0, "record", np.arange(2 * count))
    both["review_pair"] = np.concatenate([np.arange(count), np.arange(count)])
    usable = _usable(filled_columns(both), model)
    if not count or not usable:
        return []
    restricted = _restricted(model, usable, "duckdb", term_frequencies=False)
    settings = {
        **restricted,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": "l.review_pair = r.review_pair", "sql_dialect": "duckdb"}],
        "retain_intermediate_calculation_columns": True,  # each comparison's weight, ``mw_<name>``
        "retain_matching_columns": True,  # and its level, ``gamma_<name>``
    }
    api = DuckDBAPI()
    linker = Linker(api.register(both, dataset_display_name="people"), settings)
    predicted = linker.inference.predict()
    scored = linker.misc.query_sql(f"SELECT * FROM {predicted.physical_name}", output_type="pandas")
    evidence = []
    for comparison in restricted["comparisons"]:
        name = comparison["output_column_name"]
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for pair, gamma, weight in zip(np.minimum(scored["record_l"], scored["record_r"]), scored[f"gamma_{name}"], scored[f"mw_{name}"]):
            if gamma < 0:
                evidence.append(Evidence(int(pair), name, "a value is missing", 0.0))
            else:
                evidence.append(Evidence(int(pair), name, levels[len(levels) - 1 - int(gamma)]["label_for_charts"], round(float(weight), 2)))
    return sorted(evidence, key=lambda item: (item.pair, -abs(item.match_weight)))
