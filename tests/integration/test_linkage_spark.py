"""Linkage on Splink's Spark backend: the setting that chooses it, and a real run in local mode.

The same small table of people (fewer than ``MIN_RECORDS_TO_TRAIN``, so both backends score
with the stored default model) is linked on DuckDB and on Spark; both must find the same
pairs with the same weights and so the same people. Spark runs here as ``local[2]`` bound to
the loopback address, with two shuffle partitions; nothing is downloaded (the UDF jar ships
with Splink, Java with Debian's default-jre-headless).
"""

from __future__ import annotations

import secrets
import sys

import numpy as np
import pandas as pd
import pytest

from assets.linkage import probabilistic
from assets.linkage.core import prepare_people
from assets.linkage.person_links import identify_people
from assets.linkage.probabilistic import MATCH_THRESHOLD, MIN_RECORDS_TO_TRAIN, splink_api
from orchestration.settings import Settings
from synthetic import names
from synthetic.identifier_errors import change_one_digit, typo
from synthetic.identifiers import format_numbers, issue_chi, issue_scn


@pytest.fixture(scope="module")
def spark():
    """A small local Spark session for this module, stopped at the end.

    Tuned for a few hundred rows on two cores, where fixed costs dominate: adaptive query
    execution off (it ran 47 jobs per scoring instead of 6), no whole-stage code generation,
    and the JVM's quick compiler only. This halves the test; results do not depend on it.
    """
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("story-linkage-test")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _people(seed: int = 5, persons: int = 90) -> pd.DataFrame:
    """People with one to three records each, the later ones with the errors agencies make:
    a misspelt name, day and month transposed, a mistyped CHI or SCN, a missing postcode or
    CHI, or nothing but names and date of birth; and twins (same surname, birthday, sex and
    postcode, different forenames, one without a CHI)."""
    rng = np.random.default_rng(seed)
    male = rng.random(persons) < 0.5
    year = rng.integers(2004, 2020, persons)
    month = rng.integers(1, 13, persons)
    day = rng.integers(1, 29, persons)
    twins = np.arange(0, persons - 1, 15)  # person i + 1 is person i's twin
    for i in twins:
        year[i + 1], month[i + 1], day[i + 1], male[i + 1] = year[i], month[i], day[i], male[i]
    chi = format_numbers(issue_chi(rng, year, month, day, male.astype(np.int64)), 10)
    scn_numbers = issue_scn(rng, rng.random(persons) < 0.8)
    scn = format_numbers(scn_numbers, 9)
    forename = names.FORENAMES[names.draw_forenames(rng, male)]
    surname = np.array(names.SURNAMES, dtype=object)[names.draw_surnames(rng, persons)]
    postcode = np.array([f"EH{rng.integers(1, 55)} {rng.integers(1, 10)}{'ABDEFGHJ'[rng.integers(0, 8)]}{'LNPQRSTU'[rng.integers(0, 8)]}" for _ in range(persons)], dtype=object)
    for i in twins:
        surname[i + 1], postcode[i + 1], chi[i + 1] = surname[i], postcode[i], ""
    rows = []
    for person in range(persons):
        base = {
            "forename": forename[person],
            "surname": surname[person],
            "date_of_birth": f"{year[person]:04d}-{month[person]:02d}-{day[person]:02d}",
            "sex": "M" if male[person] else "F",
            "postcode": postcode[person],
            "chi": chi[person] or None,
            "scn": scn[person] or None,
        }
        rows.append(base)
        for _ in range(int(rng.integers(0, 3))):
            copy = dict(base)
            error = int(rng.integers(0, 9))
            if error == 0:
                copy["forename"] = typo(rng, copy["forename"].lower())
            elif error == 1:
                copy["surname"] = typo(rng, copy["surname"].lower())
            elif error == 2 and day[person] <= 12:
                copy["date_of_birth"] = f"{year[person]:04d}-{day[person]:02d}-{month[person]:02d}"
            elif error == 3 and copy["chi"]:
                copy["chi"] = format_numbers(change_one_digit(rng, np.array([int(copy["chi"])]), 10), 10)[0]
            elif error == 4 and copy["scn"]:
                copy["scn"] = format_numbers(change_one_digit(rng, np.array([scn_numbers[person]]), 9), 9)[0]
            elif error == 5:
                copy["postcode"] = None
            elif error == 6:
                copy["chi"] = None
            else:  # only names, date of birth and sex, perhaps a nickname or a misspelt forename
                copy.update(chi=None, scn=None, postcode=None)
                if error == 8:
                    copy["forename"] = typo(rng, copy["forename"].lower())
            rows.append(copy)
    people = pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    # As the pipeline's people tables hold them: the dataset and agency are part of a new person's id.
    return people.assign(record_key=[f"test|{row}" for row in range(len(people))], dataset="test", _agency="S12000049")


def test_the_backend_setting_defaults_to_duckdb_and_refuses_unknown_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORY_LINKAGE_BACKEND", raising=False)
    assert Settings.from_env().linkage_backend == "duckdb"
    assert isinstance(splink_api(Settings.from_env().linkage_backend), probabilistic.DuckDBAPI)
    monkeypatch.setenv("STORY_LINKAGE_BACKEND", " Spark ")
    assert Settings.from_env().linkage_backend == "spark"
    monkeypatch.setenv("STORY_LINKAGE_BACKEND", "postgres")
    with pytest.raises(ValueError, match=r"STORY_LINKAGE_BACKEND='postgres'.*duckdb, spark"):
        Settings.from_env()
    with pytest.raises(ValueError, match=r"'postgres'.*duckdb, spark"):
        splink_api("postgres")


def test_the_spark_backend_says_what_to_install_without_pyspark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import pyspark.sql now fails
    with pytest.raises(RuntimeError, match=r"pip install pyspark==.*default-jre-headless"):
        splink_api("spark")


def test_spark_finds_the_same_pairs_and_people_as_duckdb(spark, monkeypatch: pytest.MonkeyPatch) -> None:
    from splink.backends.spark import SparkAPI

    monkeypatch.setenv("STORY_LINKAGE_BACKEND", "spark")
    backend = Settings.from_env().linkage_backend
    api = splink_api(backend)
    assert isinstance(api, SparkAPI) and api.spark is spark  # the session getOrCreate gives

    people = _people()
    assert len(people) < MIN_RECORDS_TO_TRAIN  # both backends score with the stored default model
    # Keep the pairs score_pairs returns, with the comparison levels the result drops.
    scored: dict[str, pd.DataFrame] = {}
    real_score_pairs = probabilistic.score_pairs

    def keep_scores(*args, **kwargs):
        result = real_score_pairs(*args, **kwargs)
        scored[kwargs["backend"]] = result.pairs
        return result

    monkeypatch.setattr(probabilistic, "score_pairs", keep_scores)
    key = secrets.token_bytes(32)
    on_duckdb = identify_people(people, prepare_people(people), key)
    on_spark = identify_people(people, prepare_people(people), key, backend=backend)
    assert set(scored) == {"duckdb", "spark"}

    def by_pair(pairs: pd.DataFrame) -> pd.DataFrame:
        return pairs.set_index(["record_l", "record_r"]).sort_index()

    duck, sprk = by_pair(scored["duckdb"]), by_pair(scored["spark"])
    matched = duck.index[duck["match_probability"] >= MATCH_THRESHOLD]
    print(f"{len(duck)} pairs scored, {len(matched)} matched, largest weight difference {(sprk['match_weight'] - duck['match_weight']).abs().max():.2e}")
    assert len(matched) >= 50 and (duck["match_probability"] < MATCH_THRESHOLD).sum() >= 5  # both sides of the threshold
    assert sprk.index[sprk["match_probability"] >= MATCH_THRESHOLD].equals(matched)
    assert sprk.index.equals(duck.index)  # the same pairs above the review floor too
    np.testing.assert_allclose(sprk["match_weight"], duck["match_weight"], atol=1e-9)
    np.testing.assert_allclose(sprk["match_probability"], duck["match_probability"], atol=1e-12)
    gammas = ["gamma_forename", "gamma_chi", "gamma_scn"]
    assert (sprk[gammas].astype(int).to_numpy() == duck[gammas].astype(int).to_numpy()).all()
    # The same decisions, and so the same people and person ids.
    assert by_pair(on_spark.pairs)["decision"].equals(by_pair(on_duckdb.pairs)["decision"])
    assert on_spark.records["person_id"].equals(on_duckdb.records["person_id"])
    assert on_spark.records["linked_by"].equals(on_duckdb.records["linked_by"])
    # The model comes back in DuckDB's SQL from either backend, so a stored model serves both.
    assert on_spark.model == on_duckdb.model
    # A column no record fills (a batch without SCNs) still registers: Spark cannot infer its type.
    registered = probabilistic._register(api, prepare_people(people.drop(columns=["scn"])))
    assert registered.as_spark_dataframe().schema["scn"].dataType.simpleString() == "string"
    probabilistic._release(api)
    # Nothing Splink made or cached is left in the session.
    assert not [t.name for t in spark.catalog.listTables() if t.name.startswith("__splink__")]
    assert spark.sparkContext._jsc.getPersistentRDDs().isEmpty()
