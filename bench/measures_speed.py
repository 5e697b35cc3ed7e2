"""Benchmark: compute every catalogue measure, then disclosure control, on a warehouse; print time and memory.

Prepare a warehouse at a scale once (the pipeline up to ``analysis/*``), then time the measures:

Method notes: docs/benchmarks.md, "Notes on `bench/measures_speed.py`".
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

from assets.disclosure.disclosure_control import WITHHELD, verify_no_disclosure
from assets.disclosure.intruder_audit import audit_disclosure
from assets.measures.catalogue import catalogue
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from assets.publication.mart import PUBLISHED_COLUMNS, RULE, control_measures, disclosure_declarations
from orchestration.settings import Settings

UP_TO_ANALYSIS = 'key:"raw/*" or key:"linkage/person_links" or key:"analysis/*"'


def prepare(scale: str, seed: int) -> None:
    settings = Settings.from_env()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "synthetic", "--scale", scale, "--seed", str(seed), "--out", str(settings.data_dir)], check=True)
    print(f"generated {scale} in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dagster", "asset", "materialize", "-m", "orchestration.definitions", "--select", UP_TO_ANALYSIS], check=True, stdout=subprocess.DEVNULL)
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
    entries = catalogue(settings.reference_dir, load_contracts(settings.contracts_dir))
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
    published, _ = control_measures(measures, entries, councils(settings.reference_dir).names, progress=print)
    controlled = time.perf_counter()
    public, compositions, balances = disclosure_declarations(entries)
    left_out = published["suppression"].eq(WITHHELD)
    # A figure left out of the edition counts as hidden for the exact check, and is absent for the audit.
    violations = verify_no_disclosure(published.assign(suppression=published["suppression"].replace(WITHHELD, "primary")), RULE, public, compositions, balances)
    verified = time.perf_counter()
    shown = published.loc[~left_out, list(PUBLISHED_COLUMNS)]
    audit = audit_disclosure(shown, measures, compositions=compositions, balances=balances, smallest_safe=RULE.max_suppressed_count + 1)
    audited = time.perf_counter()
    suppression = published["suppression"].value_counts().to_dict()
    print(f"warehouse: {settings.warehouse_path} ({os.path.getsize(settings.warehouse_path) / 1024**2:,.0f} MiB)")
    print(f"measures: {len(entries)}, figures: {len(measures):,} (primary {suppression.get('primary', 0):,}, secondary {suppression.get('secondary', 0):,}, left out {suppression.get(WITHHELD, 0):,})")
    print(information_loss(published))
    print(f"compute {computed - started:.1f} s, disclosure control {controlled - computed:.1f} s, verify {verified - controlled:.1f} s, violations {len(violations)}")
    budget = controlled - computed + audited - verified
    print(f"intruder audit {audited - verified:.1f} s: {audit.cells_audited:,} small hidden cells audited, {len(audit.failures):,} failing ({'met' if audit.passed else 'MISSED'}: target 0); narrowest: {audit.narrowest}")
    print(f"suppression + audit {budget:.1f} s (target < 60 s: {'met' if budget < 60 else 'MISSED'})")
    print(f"wall time {audited - started:.1f} s (target < 60 s), peak memory {peak_memory_gib():.2f} GiB (target < 4 GiB)")


def information_loss(published: pd.DataFrame) -> str:
    """Cells hidden and the share of all counted figures' total they hold, in one line."""
    counted = published["numerator"].notna()
    hidden = published["suppression"].ne("") & counted
    secondary = published["suppression"].isin(["secondary", WITHHELD]) & counted
    total = float(published.loc[counted, "numerator"].sum())
    return (
        f"information loss: {int(hidden.sum()):,} of {int(counted.sum()):,} counted cells hidden ({int(secondary.sum()):,} secondary or left out), "
        f"holding {published.loc[hidden, 'numerator'].sum() / total:.3%} of the counted total ({published.loc[secondary, 'numerator'].sum() / total:.3%} in secondary cells)"
    )


if __name__ == "__main__":
    main()
