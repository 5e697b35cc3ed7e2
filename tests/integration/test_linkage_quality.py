"""Linkage quality against the synthetic ground truth at tiny scale: the targets of issue 4."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from assets.linkage.core import link_people
from assets.linkage.person_links import person_dataset_columns
from assets.linkage.quality import pairwise_quality, people_with_truth
from assets.model.contracts import load_contracts
from tests.support.paths import CONTRACTS

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.98


@pytest.mark.slow
def test_linkage_meets_precision_and_recall_targets_at_tiny_scale(story_env: Path, tmp_path: Path) -> None:
    root = tmp_path / "synthetic"
    subprocess.run([sys.executable, "-m", "synthetic", "--scale", "tiny", "--seed", "11", "--out", str(root)], check=True, capture_output=True)
    people = people_with_truth(root, person_dataset_columns(load_contracts(CONTRACTS)))
    assert people["true_person_id"].notna().all()
    result = link_people(people)
    quality = pairwise_quality(pd.Series(result.clusters["cluster"]), people["true_person_id"])
    assert quality.precision >= PRECISION_TARGET, quality
    assert quality.recall >= RECALL_TARGET, quality
