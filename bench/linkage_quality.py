"""Benchmark: generate synthetic agencies at a scale, link every person dataset, print the figures.

    .venv/bin/python bench/linkage_quality.py --scale tiny|demo|national [--seed N]

Prints wall time and peak memory of the linkage (training included), the comparisons the
blocking rules make, and pairwise precision and recall against the synthetic ground truth.
Asserts nothing: the targets (issue 4) are precision >= 0.995, recall >= 0.98, under
5 minutes and 6 GiB on 2 cores at national scale. Records are read straight from the landing
files (the raw zone holds the same text), so ingestion time is not part of the figure.

Last national run (seed 11, 2 cores shared with other work, load average about 3), after the
comparisons, blocking, threshold and guards of issue 31: 598,397 records, 194.4 s wall (240.3 s
of CPU), peak 3,235 MiB, 28,591,006 comparisons, precision 0.9996, recall 0.9896 (848,015
predicted pairs, 856,524 true pairs: 8,868 missed, 359 wrongly joined). Before (issue 12):
132.6 s, 3,956 MiB, 11,763,107 comparisons, precision 0.9999, recall 0.9838 (13,841 missed,
117 wrongly joined).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from assets.linkage.core import link_people, prepare_people
from assets.linkage.person_links import person_dataset_columns
from assets.linkage.probabilistic import count_comparisons
from assets.linkage.quality import pairwise_quality, people_with_truth
from assets.model.contracts import load_contracts
from orchestration.settings import Settings


def _peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=("tiny", "demo", "national"))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "synthetic"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "synthetic", "--scale", args.scale, "--seed", str(args.seed), "--out", str(root)], check=True, capture_output=True)
        print(f"[1/4] generated {args.scale} synthetic agencies (seed {args.seed}) in {time.perf_counter() - started:.1f} s", flush=True)
        people = people_with_truth(root, person_dataset_columns(load_contracts(Settings.from_env().contracts_dir)))
    print(f"[2/4] read {len(people):,} person records from {people['dataset'].nunique()} datasets", flush=True)

    started, cpu_started = time.perf_counter(), time.process_time()
    result = link_people(people)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = _peak_memory_mib()
    print(f"[3/4] linked into {result.clusters['cluster'].nunique():,} persons in {seconds:.1f} s", flush=True)

    started = time.perf_counter()
    comparisons = count_comparisons(prepare_people(people))
    print(f"[4/4] counted comparisons in {time.perf_counter() - started:.1f} s", flush=True)

    quality = pairwise_quality(pd.Series(result.clusters["cluster"]), people["true_person_id"])
    methods = result.clusters["linked_by"].value_counts().to_dict()
    print(f"scale {args.scale}: {len(people):,} records")
    # CPU time beside wall time: on a shared machine the wall time says as much about the neighbours.
    print(f"wall time of linkage (training included): {seconds:.1f} s ({cpu_seconds:.1f} s of CPU over all threads)")
    print(f"peak memory of the linking process: {peak:,.0f} MiB")
    print(f"comparisons scored after blocking: {comparisons:,}")
    print(
        f"pairwise precision {quality.precision:.4f}, recall {quality.recall:.4f} ({quality.predicted_pairs:,} predicted pairs, "
        f"{quality.true_pairs:,} true pairs: {quality.missed_pairs:,} missed, {quality.false_pairs:,} wrongly joined)"
    )
    print(f"records by how they were linked: {methods}; pairs held back for review: {int((result.pairs['decision'] != 'match').sum()):,}")


if __name__ == "__main__":
    main()
