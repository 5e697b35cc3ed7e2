"""Benchmark: compute every catalogue measure, then disclosure control, on a warehouse; print time and memory.

Prepare a warehouse at a scale once (the pipeline up to ``analysis/*``), then time the measures:

    export STORY_DATA_DIR=/tmp/bench/data DAGSTER_HOME=/tmp/bench/home STORY_PSEUDONYMISATION_KEY=<hex>
    .venv/bin/python bench/measures_speed.py --prepare national   # generate and ingest (slow, once)
    .venv/bin/python bench/measures_speed.py                       # time measures + disclosure control

Prints figures; asserts nothing (the target in issue 5: under 60 s and 4 GiB at national scale).
The warehouse is opened read-only: measures are computed in memory, nothing is written.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import duckdb
import pandas as pd

from assets.measures.catalogue import catalogue
from assets.publication.disclosure_control import apply_disclosure_control, verify_no_disclosure
from assets.publication.mart import RULE, has_public_denominator
from assets.reference import councils
from orchestration.settings import Settings

UP_TO_ANALYSIS = 'key:"raw/*" or key:"linkage/person_links" or key:"analysis/*"'


def prepare(scale: str, seed: int) -> None:
    settings = Settings.from_env()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "synthetic", "--scale", scale, "--seed", str(seed), "--out", str(settings.data_dir)], check=True)
    print(f"generated {scale} in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    subprocess.run(["dagster", "asset", "materialize", "-m", "orchestration.definitions", "--select", UP_TO_ANALYSIS], check=True, stdout=subprocess.DEVNULL)
    print(f"pipeline up to analysis/* in {time.perf_counter() - started:.1f} s", flush=True)


def peak_memory_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", metavar="SCALE", help="generate agencies at this scale and run the pipeline up to analysis/* first")
    parser.add_argument("--seed", type=int, default=20200205)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.seed)
    settings = Settings.from_env()
    entries = catalogue()
    started = time.perf_counter()
    frames = []
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        for step, (measure_id, entry) in enumerate(entries.items(), start=1):
            began = time.perf_counter()
            frames.append(entry.compute(con))
            print(f"[{step}/{len(entries)}] {measure_id}: {len(frames[-1]):,} rows in {time.perf_counter() - began:.2f} s", flush=True)
    measures = pd.concat(frames, ignore_index=True)
    measures["numerator"] = measures["numerator"].astype("Int64")
    computed = time.perf_counter()
    public = {m for m, e in entries.items() if has_public_denominator(e)}
    published = apply_disclosure_control(measures, RULE, geography_names=councils(settings.reference_dir).names, public_denominators=public)
    controlled = time.perf_counter()
    violations = verify_no_disclosure(published, RULE, public)
    verified = time.perf_counter()
    suppression = published["suppression"].value_counts().to_dict()
    print(f"warehouse: {settings.warehouse_path} ({os.path.getsize(settings.warehouse_path) / 1024**2:,.0f} MiB)")
    print(f"measures: {len(entries)}, figures: {len(measures):,} (primary {suppression.get('primary', 0):,}, secondary {suppression.get('secondary', 0):,})")
    print(f"compute {computed - started:.1f} s, disclosure control {controlled - computed:.1f} s, verify {verified - controlled:.1f} s, violations {len(violations)}")
    print(f"wall time {verified - started:.1f} s (target < 60 s), peak memory {peak_memory_gib():.2f} GiB (target < 4 GiB)")


if __name__ == "__main__":
    main()
