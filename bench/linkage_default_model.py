"""Train the default Splink model on demo-scale synthetic data and store it beside the code.

    .venv/bin/python bench/linkage_default_model.py [--seed N]

``assets/linkage/default_model.json`` scores tables too small to train on (see
``probabilistic.MIN_RECORDS_TO_TRAIN``). Rerun this whenever the comparisons or blocking
rules change: the model carries the fingerprint of the settings it was trained with.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from assets.linkage.core import prepare_people
from assets.linkage.person_links import person_dataset_columns
from assets.linkage.probabilistic import DEFAULT_MODEL_PATH, model_columns, model_fingerprint, score_pairs
from assets.linkage.quality import people_with_truth
from assets.model.contracts import load_contracts
from orchestration.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "synthetic"
        subprocess.run([sys.executable, "-m", "synthetic", "--scale", "demo", "--seed", str(args.seed), "--out", str(root)], check=True, capture_output=True)
        print("[1/2] generated demo synthetic agencies", flush=True)
        people = people_with_truth(root, person_dataset_columns(load_contracts(Settings.from_env().contracts_dir)))
    scored = score_pairs(prepare_people(people))
    model = scored.model
    fingerprint = model_fingerprint(model_columns(model))
    DEFAULT_MODEL_PATH.write_text(json.dumps({"fingerprint": fingerprint, "model": model}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"[2/2] trained on {len(people):,} records ({'; '.join(scored.notes)}); wrote {DEFAULT_MODEL_PATH}")


if __name__ == "__main__":
    main()
