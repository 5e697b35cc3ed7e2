"""Pairwise precision and recall of person clusters against a ground truth."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class PairwiseQuality:
    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_quality(predicted: pd.Series, truth: pd.Series) -> PairwiseQuality:
    """``predicted`` and ``truth`` give each record's person; pairs are counted, never listed."""
    frame = pd.DataFrame({"predicted": predicted.to_numpy(), "truth": truth.to_numpy()}).dropna()
    together = _pairs(frame.groupby(["predicted", "truth"]).size())
    predicted_pairs, true_pairs = _pairs(frame["predicted"].value_counts()), _pairs(frame["truth"].value_counts())
    return PairwiseQuality(
        precision=together / predicted_pairs if predicted_pairs else 1.0,
        recall=together / true_pairs if true_pairs else 1.0,
        predicted_pairs=predicted_pairs,
        true_pairs=true_pairs,
    )
