"""Probabilistic linkage with Splink for records no shared identifier joins.

A Fellegi-Sunter model compares forename, surname, date of birth (exact, day and month
transposed, one character apart), sex, postcode, and CHI and SCN (exact or one digit apart,
as a mistyped identifier still says a lot). Parameters are estimated
without labels: u by random sampling, m by expectation maximisation in two passes with
different blocking (so each comparison is trained where it is not the blocking column). The
trained model is kept in the linkage zone and reused by later runs (see ``person_links``).
A table of fewer than ``MIN_RECORDS_TO_TRAIN`` records is scored with ``default_model.json``,
trained on demo-scale synthetic data by ``bench/linkage_default_model.py``.
Blocking keeps comparisons to a few per record even at national scale: CHI; SCN; date of
birth with the first letter of the surname or of the forename; forename and surname with the
birth year (a mistyped day or month); surname with day and month (a mistyped year); and date
of birth with either half of an SCN or a CHI serial (records with no names). Blocking on date
of birth alone made 40 million comparisons at national scale, most between strangers.

Pairs at or above ``MATCH_THRESHOLD`` join clusters (unless the twins guard or an identifier
conflict in ``core`` holds them back); pairs between ``REVIEW_FLOOR`` and the threshold go to
clerical review. The threshold was chosen on the synthetic ground truth (seed 11), pairwise
precision / recall of the final clusters:

    threshold   tiny (12k records)    demo (60k records)
    0.5         0.99989 / 0.99668     0.99975 / 0.99425
    0.9         1.00000 / 0.99614     0.99995 / 0.99294
    0.95        1.00000 / 0.99581     0.99999 / 0.99271
    0.99        1.00000 / 0.99576     1.00000 / 0.99161
    0.999       1.00000 / 0.99489     1.00000 / 0.98471

(measured with an earlier, wider blocking; with today's blocking, at 0.99: tiny 1.00000 /
0.99538, demo 1.00000 / 0.99143). 0.99 is the highest threshold that keeps recall well above
0.98 at every scale tried. Joining two children's histories is worse than missing a link (a missed link shows up as a lower
linkage rate; a false one silently corrupts both histories), so the conservative end of the
flat region is taken rather than 0.9, which buys 0.1-0.2 points of recall with the first false
merges. The floor of 0.5 keeps the review list to the pairs a person should look at (at demo
scale about 1,400 below the threshold) rather than every faint coincidence.

Splink runs on DuckDB in this process unless ``STORY_LINKAGE_BACKEND=spark`` (``Settings``),
which runs the same model through Splink's Spark backend for volumes beyond one machine, on
the session ``SparkSession.builder.getOrCreate()`` gives: the usual Spark configuration
(``spark-defaults.conf``, ``PYSPARK_SUBMIT_ARGS``) chooses the cluster, ``local[*]`` without
one. Splink's intermediate tables are cached in the session and dropped after scoring rather
than written to a checkpoint directory, so no identifiers outlive the run outside the linkage zone.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from orchestration.settings import LINKAGE_BACKENDS

MATCH_THRESHOLD = 0.99
REVIEW_FLOOR = 0.5
# Pairs sampled for u and blocked pairs used for EM: enough for every level to be observed at
# demo scale, and bounded so training takes the same time at national scale.
U_SAMPLE_PAIRS = 2_000_000
EM_MAX_PAIRS = 2_000_000
# Below this many records there are too few pairs to estimate u and m (a few hundred records
# give EM a handful of blocked pairs), so the stored default model scores them instead.
MIN_RECORDS_TO_TRAIN = 1_000
DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
_COLUMNS = ("record", "forename", "surname", "date_of_birth", "sex", "postcode", "chi", "scn")

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
            block_on("chi"),
            block_on("scn"),
            block_on("date_of_birth", "substr(surname, 1, 1)"),
            block_on("date_of_birth", "substr(forename, 1, 1)"),
            block_on("forename", "surname", "substr(date_of_birth, 1, 4)"),
            block_on("surname", "substr(date_of_birth, 6, 5)"),
            # Records carrying only a date of birth and an identifier (exclusions, custody): one
            # mistyped digit leaves one half of the number intact.
            block_on("date_of_birth", "substr(scn, 1, 5)"),
            block_on("date_of_birth", "substr(scn, 6, 4)"),
            block_on("date_of_birth", "substr(chi, 7, 2)"),
            block_on("date_of_birth", "substr(chi, 9, 2)"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def model_fingerprint() -> str:
    """A digest of the model's comparisons and blocking: a stored model is reused only while it matches."""
    settings = json.dumps(_settings().create_settings_dict("duckdb"), sort_keys=True, default=str)
    return hashlib.sha256(settings.encode("utf-8")).hexdigest()[:16]


def _train(linker: Linker, seed: int) -> None:
    """Estimate the model without labels: the prior from identifier agreement, u by random
    sampling, m by expectation maximisation in two passes with different blocking."""
    linker.training.estimate_probability_two_random_records_match([block_on("chi"), block_on("scn")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed, num_chunks=1, min_count_per_level=None)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"), max_pairs=EM_MAX_PAIRS)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("forename", "surname"), max_pairs=EM_MAX_PAIRS)


def default_model() -> dict:
    """The model trained on demo-scale synthetic data, for tables too small to train on."""
    stored = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    if stored["fingerprint"] != model_fingerprint():
        raise RuntimeError(f"{DEFAULT_MODEL_PATH.name} predates the current comparisons: rerun bench/linkage_default_model.py")
    return stored["model"]


def count_comparisons(prepared: pd.DataFrame) -> int:
    """How many record pairs the blocking rules send to scoring (counted exactly, for the bench)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    records = DuckDBAPI().register(prepared[list(_COLUMNS)].copy(), dataset_display_name="people")
    counts = count_comparisons_from_blocking_rules(
        records,
        blocking_rules=_settings().blocking_rules_to_generate_predictions,
        link_type="dedupe_only",
        unique_id_column_name="record",
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"])


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
    records = prepared[list(_COLUMNS)].copy()
    if isinstance(api, DuckDBAPI):
        return api.register(records, dataset_display_name="people")
    # Spark cannot infer the type of a column that is entirely missing (no SCN in a batch): say it.
    schema = "record BIGINT, " + ", ".join(f"{column} STRING" for column in _COLUMNS[1:])
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
    rebuilt = _settings().create_settings_dict(dialect)
    structure = {"comparisons", "blocking_rules_to_generate_predictions", "sql_dialect"}
    rebuilt.update({key: value for key, value in model.items() if key not in structure})
    for comparison, trained in zip(rebuilt["comparisons"], model["comparisons"], strict=True):
        for level, trained_level in zip(comparison["comparison_levels"], trained["comparison_levels"], strict=True):
            if level.get("label_for_charts") != trained_level.get("label_for_charts"):
                raise RuntimeError(f"model level {trained_level.get('label_for_charts')!r} is not today's {level.get('label_for_charts')!r}")
            level.update({key: value for key, value in trained_level.items() if key != "sql_condition"})
        comparison.update({key: value for key, value in trained.items() if key != "comparison_levels"})
    rules = zip(rebuilt["blocking_rules_to_generate_predictions"], model["blocking_rules_to_generate_predictions"], strict=True)
    rebuilt["blocking_rules_to_generate_predictions"] = [{key: rule[key] for key in stored if key in rule} for rule, stored in rules]
    return {**rebuilt, "sql_dialect": dialect}


def _release(api) -> None:
    """Drop the tables Splink made in the Spark session and empty its cache (dropping a view
    alone leaves the blocked pairs cached: Splink repartitions them after caching)."""
    if isinstance(api, DuckDBAPI):
        return
    for table in api.spark.catalog.listTables():
        if table.isTemporary and table.name.startswith("__splink__"):
            api.spark.catalog.dropTempView(table.name)
    api.spark.catalog.clearCache()


def score_pairs(
    prepared: pd.DataFrame,
    review_floor: float = REVIEW_FLOOR,
    model: dict | None = None,
    seed: int = 20200205,
    backend: str = "duckdb",
) -> tuple[pd.DataFrame, dict]:
    """Scored candidate pairs at or above ``review_floor`` from ``core.prepare_people`` output,
    and the trained model (Splink's JSON form).

    ``model``: a model an earlier run trained (same ``model_fingerprint``); reusing it keeps
    the weights of pairs already seen unchanged when new files arrive, and skips training.
    ``backend``: where Splink runs (``splink_api``).
    Pair columns: record_l, record_r, match_weight, match_probability, and the comparison
    levels the twins guard in ``core`` reads (gamma_forename, gamma_chi, gamma_scn).
    """
    logging.getLogger("splink").setLevel(logging.WARNING)
    api = splink_api(backend)
    dialect = api.sql_dialect.sql_dialect_str
    records = _register(api, prepared)
    linker = Linker(records, _in_dialect(model, dialect) if model is not None else _settings())
    if model is None and len(prepared) < MIN_RECORDS_TO_TRAIN:
        model = default_model()
        linker = Linker(records, _in_dialect(model, dialect))
    elif model is None:
        _train(linker, seed)
    pairs = linker.inference.predict(threshold_match_probability=review_floor).as_pandas_dataframe()
    _release(api)
    columns = ["record_l", "record_r", "match_weight", "match_probability", "gamma_forename", "gamma_chi", "gamma_scn"]
    # Kept in DuckDB's SQL whichever backend ran, so a stored model serves either next time.
    return pairs[columns], _in_dialect(linker.misc.save_model_to_json(), "duckdb")
