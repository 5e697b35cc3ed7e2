"""Benchmark: generate agencies at a scale, ingest, link, and print linkage quality, time and memory.

    .venv/bin/python bench/linkage_quality.py --scale national

Prints figures; asserts nothing (targets live in the issue: precision >= 0.995, recall >= 0.98).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from assets.ingest.contracts import load_contracts
from assets.ingest.raw_zone import raw_table
from assets.linkage.core import STANDARD_COLUMNS
from assets.linkage.person_links import assign_person_ids, person_datasets
from assets.linkage.quality import pairwise_quality


def ground_truth(root: Path) -> pd.DataFrame:
    frames = []
    for path in (root / "ground_truth").glob("*/*/*.csv"):
        dataset, agency = path.parent.name, path.parent.parent.name
        truth = pd.read_csv(path, dtype={"true_person_id": "string"})
        frames.append(truth.assign(dataset=dataset, _agency=agency, _period=path.stem[len(dataset) + len(agency) + 2 :]))
    return pd.concat(frames, ignore_index=True).rename(columns={"row_number": "_row_number"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        env = {**os.environ, "STORY_DATA_DIR": str(root)}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "synthetic", "--scale", args.scale, "--seed", str(args.seed), "--out", str(root)], check=True, env=env)
        print(f"[1/3] generated in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "orchestration.cli", "ingest"], check=False, env=env, stdout=subprocess.DEVNULL)
        print(f"[2/3] ingested in {time.perf_counter() - started:.1f} s", flush=True)
        frames = []
        with duckdb.connect(str(root / "linkage_zone.duckdb"), read_only=True) as con:
            for contract in person_datasets(load_contracts()):
                present = [c for c in STANDARD_COLUMNS if c in contract.column_names]
                frame = con.execute(f"SELECT {', '.join(present + ['_agency', '_period', '_file_sha256', '_row_number'])} FROM {raw_table(contract)}").df()
                frames.append(frame.assign(dataset=contract.id))
        people = pd.concat(frames, ignore_index=True)
        for column in STANDARD_COLUMNS:
            if column not in people:
                people[column] = pd.NA
        people["date_of_birth"] = people["date_of_birth"].astype("string")
        started = time.perf_counter()
        linked = assign_person_ids(people, b"benchmark-key-not-secret")
        seconds = time.perf_counter() - started
        joined = linked.merge(ground_truth(root), on=["dataset", "_agency", "_period", "_row_number"], how="left")
        quality = pairwise_quality(joined["person_id"], joined["true_person_id"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[3/3] linked {len(people):,} records into {linked['person_id'].nunique():,} persons in {seconds:.1f} s")
    print(f"pairwise precision {quality.precision:.4f}, recall {quality.recall:.4f} ({quality.predicted_pairs:,} predicted pairs, {quality.true_pairs:,} true pairs)")
    print(f"peak memory of the linking process: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
