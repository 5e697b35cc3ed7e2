"""Pairwise precision and recall of person clusters against a ground truth (within one table,
or across two), an incremental linkage against the full relink it stands in for, and the
synthetic agencies' files read as the people the linkage sees (with their true person beside
each row)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assets.linkage.core import STANDARD_COLUMNS


@dataclass(frozen=True)
class PairwiseQuality:
    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def missed_pairs(self) -> int:
        return self.true_pairs - round(self.recall * self.true_pairs)

    @property
    def false_pairs(self) -> int:
        return self.predicted_pairs - round(self.precision * self.predicted_pairs)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def _quality(together: int, predicted_pairs: int, true_pairs: int) -> PairwiseQuality:
    return PairwiseQuality(
        precision=together / predicted_pairs if predicted_pairs else 1.0,
        recall=together / true_pairs if true_pairs else 1.0,
        predicted_pairs=predicted_pairs,
        true_pairs=true_pairs,
    )


def pairwise_quality(predicted: pd.Series, truth: pd.Series) -> PairwiseQuality:
    """``predicted`` and ``truth`` give each record's person; pairs are counted, never listed."""
    frame = pd.DataFrame({"predicted": predicted.to_numpy(), "truth": truth.to_numpy()}).dropna()
    together = _pairs(frame.groupby(["predicted", "truth"]).size())
    return _quality(together, _pairs(frame["predicted"].value_counts()), _pairs(frame["truth"].value_counts()))


def cross_table_quality(clusters: pd.DataFrame, left_truth: pd.Series, right_truth: pd.Series) -> PairwiseQuality:
    """Pairs of a left and a right row only (``core.link_two_tables``'s ``clusters``; each
    table's truth in row order): pairs within a table are another task."""
    left = (clusters["table"] == "left").to_numpy()
    row = clusters["row"].to_numpy()
    truth = np.empty(len(clusters), dtype=object)
    truth[left], truth[~left] = left_truth.to_numpy()[row[left]], right_truth.to_numpy()[row[~left]]
    frame = clusters.assign(truth=truth, left=left)

    def across(keys: list[str]) -> int:
        sides = frame.groupby([*keys, "left"]).size().unstack(fill_value=0).reindex(columns=[True, False], fill_value=0)
        return int((sides[True] * sides[False]).sum())

    return _quality(across(["cluster", "truth"]), across(["cluster"]), across(["truth"]))


def people_with_truth(root: Path, datasets: dict[str, list[str]]) -> pd.DataFrame:
    """Every landing row of ``datasets`` (dataset id -> its standard columns) under a synthetic
    ``root``, as text with missing columns as NA, plus ``dataset``, ``agency``, ``file``,
    ``row_number`` (1-based, as the ground truth counts) and ``true_person_id``.

    Read straight from the landing files rather than the raw zone, so quality can be measured
    without running ingestion; the identifier columns are the same text either way.
    """
    frames = []
    for dataset, columns in sorted(datasets.items()):
        for path in sorted((root / "landing").glob(f"*/{dataset}/*.csv")):
            rows = pd.read_csv(path, dtype="string", usecols=columns, keep_default_na=False).replace("", pd.NA)
            truth = pd.read_csv(root / "ground_truth" / path.relative_to(root / "landing"), dtype={"true_person_id": "string"})
            frames.append(rows.assign(dataset=dataset, agency=path.parent.parent.name, file=path.name, row_number=truth["row_number"], true_person_id=truth["true_person_id"]))
    people = pd.concat(frames, ignore_index=True)
    for column in STANDARD_COLUMNS:
        if column not in people:
            people[column] = pd.NA
    return people


@dataclass(frozen=True)
class RegistryAgreement:
    """How far an incremental linkage is from the full relink of the same records:
    ``different_person_id`` records hold another id (or are in one registry only), and the
    incremental persons' pairwise precision and recall taken against the full relink's."""

    records: int
    different_person_id: int
    pairwise: PairwiseQuality

    @property
    def different_share(self) -> float:
        return self.different_person_id / self.records if self.records else 0.0


def compare_registries(incremental: pd.DataFrame, full: pd.DataFrame) -> RegistryAgreement:
    """``incremental`` and ``full``: ``record_key``, ``person_id`` (``linkage.person_registry``)."""
    both = incremental[["record_key", "person_id"]].merge(full[["record_key", "person_id"]], on="record_key", how="outer", suffixes=("_incremental", "_full"))
    different = int((both["person_id_incremental"] != both["person_id_full"]).sum())
    return RegistryAgreement(len(both), different, pairwise_quality(both["person_id_incremental"], both["person_id_full"]))
