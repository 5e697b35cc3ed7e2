"""Benchmark: the linkage's defaults on people unlike ours (``synthetic_external``), two-table and dedupe.

    .venv/bin/python bench/linkage_external.py [--rows 5000] [--seeds 1 2 3] [--locale-sets uk_ireland europe world]
        [--errors-per-duplicate 1 2 3] [--names-and-dates-only]

For every seed and set of locales: a two-table task (``--rows`` x ``--rows``, half of the
right table's people also in the left) linked by ``link_two_tables`` with its defaults, and a
dedupe task (about ``--rows`` records, people appearing one to four times) linked by
``link_people``. Both give the linkage forename, surname, date of birth, address and postcode:
no sex and no identifier. Each duplicate has one to three errors, each as likely
(``--errors-per-duplicate`` draws from other counts, to see how quality falls with them).
Prints pairwise precision, recall and F1 (across the two tables for the two-table task), the
pairs missed and wrongly joined, the time, and the notes the linkage returned;
``--names-and-dates-only`` adds a two-table run without address or postcode.
Target (issue 12): F1 >= 0.99 on the 5,000 x 5,000 two-table task, on every seed and set
(met or missed is printed for each run).
Nothing here is tuned to these people: run new seeds to see it hold.

Last runs (faker 40.54.0, 2 cores shared with other work, 10 to 65 s a run), ranges over
the runs:

    errors per duplicate      runs                 two-table F1     precision      recall         dedupe F1
    1 to 3 (the default)      seeds 1-3 x 3 sets   0.9639-0.9735    0.9774-0.9954  0.9444-0.9580  0.9496-0.9679
    exactly 1                 seeds 1-2 x 3 sets   0.9883-0.9914    0.9940-0.9988  0.9812-0.9876  0.9829-0.9900

The target is missed with the default errors and met in 3 of 6 runs with one error per
duplicate. What is missed: duplicates with two or three errors and a move (a name missing or
misspelt, the date of birth missing, a new address), whose evidence stays below the 0.99
threshold the pipeline keeps; short forenames mistyped ("Noe"/"Ne", "Iwo"/"wo") that the
twins guard holds back. What is wrongly joined: twins at one address whose forenames are
alike (Jaro-Winkler 0.7 or more) or missing in one record.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from assets.linkage.core import link_people, link_two_tables
from assets.linkage.quality import PairwiseQuality, cross_table_quality, pairwise_quality
from synthetic_external.corruption import ERRORS_PER_DUPLICATE
from synthetic_external.people import LOCALE_SETS
from synthetic_external.tasks import dedupe_task, two_table_task

F1_TARGET = 0.99
FULL = ["forename", "surname", "date_of_birth", "address", "postcode"]
NAMES_AND_DATES = ["forename", "surname", "date_of_birth"]


def _line(task: str, seed: int, locales: str, quality: PairwiseQuality, seconds: float, target: bool) -> str:
    verdict = f" [{'met' if quality.f1 >= F1_TARGET else 'MISSED'} F1 >= {F1_TARGET}]" if target else ""
    return (
        f"{task:<26} seed {seed:<3} {locales:<11} precision {quality.precision:.4f} recall {quality.recall:.4f} F1 {quality.f1:.4f} "
        f"({quality.true_pairs:,} true pairs, {quality.missed_pairs:,} missed, {quality.false_pairs:,} wrongly joined) {seconds:5.1f} s{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--locale-sets", nargs="+", default=list(LOCALE_SETS), choices=list(LOCALE_SETS))
    parser.add_argument("--errors-per-duplicate", type=int, nargs="+", default=list(ERRORS_PER_DUPLICATE))
    parser.add_argument("--names-and-dates-only", action="store_true")
    args = parser.parse_args()
    errors = {count: 1 / len(args.errors_per_duplicate) for count in args.errors_per_duplicate}
    print(f"errors per duplicate: {', '.join(map(str, args.errors_per_duplicate))}, each as likely", flush=True)
    results: list[tuple[str, PairwiseQuality]] = []
    for seed in args.seeds:
        for name in args.locale_sets:
            task = two_table_task(args.rows, args.rows, LOCALE_SETS[name], seed, errors_per_duplicate=errors)
            runs = [("two-table", FULL)] + ([("two-table, names and dates", NAMES_AND_DATES)] if args.names_and_dates_only else [])
            for label, columns in runs:
                started = time.perf_counter()
                linked = link_two_tables(task.left[columns], task.right[columns])
                quality = cross_table_quality(linked.clusters, task.left["person"], task.right["person"])
                print(_line(label, seed, name, quality, time.perf_counter() - started, columns == FULL), flush=True)
                print(f"    notes: {'; '.join(linked.notes)}", flush=True)
                results.append((label, quality))
            people = dedupe_task(args.rows, LOCALE_SETS[name], seed, errors_per_duplicate=errors)
            started = time.perf_counter()
            result = link_people(people[FULL])
            quality = pairwise_quality(pd.Series(result.clusters["cluster"]), people["person"])
            print(_line("dedupe", seed, name, quality, time.perf_counter() - started, False), flush=True)
            print(f"    notes: {'; '.join(result.notes)}", flush=True)
            results.append(("dedupe", quality))
    for label in dict.fromkeys(label for label, _ in results):
        f1 = [quality.f1 for task, quality in results if task == label]
        print(f"{label}: F1 from {min(f1):.4f} to {max(f1):.4f} over {len(f1)} runs")
    two_table = [quality.f1 for task, quality in results if task == "two-table"]
    print(f"target F1 >= {F1_TARGET} on every two-table run: {'met' if min(two_table) >= F1_TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
