"""Linkage quality a person can read: how records were linked, the weights, the rate over time.

Pure functions on the linked records and scored pairs, so the asset stays a thin wrapper and
the figures can be tested on small frames. ``deterministic`` means a trusted CHI or an SCN
joined the record; ``probabilistic`` that only Splink's score did (or, for a record an earlier
run linked and today's weights alone would not, that earlier run's decision); ``clerical`` that
a reviewer judged it the same person as another record; ``unlinked`` that no other record of
the person was found (often simply a person seen once).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METHODS = ("deterministic", "probabilistic", "clerical", "unlinked")
# Any other ``linked_by`` is an identifier column an agency's contract named: deterministic.
_METHOD_OF = {"probabilistic": "probabilistic", "earlier_run": "probabilistic", "clerical": "clerical", "unlinked": "unlinked"}
# A fall in the linkage rate of more than this many percentage points since the last run warns:
# new files move the rate by a point or two; a larger fall means identifiers went missing.
LINKAGE_RATE_TOLERANCE_POINTS = 5.0
_WEIGHT_BIN = 5


def method_counts(records: pd.DataFrame, by: str) -> pd.DataFrame:
    """Records linked deterministically, probabilistically and unlinked per value of ``by``,
    with the linkage rate (linked share, %)."""
    method = records["linked_by"].map(_METHOD_OF).fillna("deterministic")
    table = pd.crosstab(records[by], method).reindex(columns=list(METHODS), fill_value=0)
    table.columns.name = None
    table["linked_percent"] = (100 * (table.sum(axis=1) - table["unlinked"]) / table.sum(axis=1)).round(1)
    return table


def linked_without_names(records: pd.DataFrame) -> pd.Series:
    """Records joined to another record of the same person although they carry no name (neither forename
    nor surname: a return that holds none, such as the looked after collection, or a name left blank),
    per dataset: linked on CHI, SCN, date of birth and sex alone. ``records`` has ``named`` and ``retired``
    (its identifiers destroyed by retention after it was linked: not a record linked without names)."""
    linked = records[(records["linked_by"] != "unlinked") & ~records["named"].astype(bool) & ~records["retired"].astype(bool)]
    return linked.groupby("dataset").size().reindex(sorted(records["dataset"].unique()), fill_value=0).rename("linked_without_names")


def linkage_rate(records: pd.DataFrame) -> float:
    """Percentage of records joined to at least one other record of the same person."""
    return round(100 * float((records["linked_by"] != "unlinked").mean()), 2) if len(records) else 0.0


def weight_distribution(pairs: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs per match-weight band of ``_WEIGHT_BIN``, split into accepted and held back."""
    if pairs.empty:
        return pd.DataFrame(columns=["match_weight_from", "accepted", "held_back"])
    band = (np.floor(pairs["match_weight"] / _WEIGHT_BIN) * _WEIGHT_BIN).astype(int)
    accepted = pairs["decision"] == "match"
    table = pd.crosstab(band, accepted).reindex(columns=[True, False], fill_value=0)
    return pd.DataFrame({"match_weight_from": table.index, "accepted": table[True].to_numpy(), "held_back": table[False].to_numpy()})


def rate_fall_points(current: float, previous: float | None) -> float:
    """How many percentage points the linkage rate fell since the previous run (0 without one)."""
    return round(previous - current, 2) if previous is not None and previous > current else 0.0


def model_estimates(pairs: pd.DataFrame) -> tuple[float | None, float | None]:
    """The model's own estimate of its precision and recall on this run's scored pairs, from
    their match probabilities: the expected share of true matches among the pairs it linked
    (``decision`` ``match``), and the expected share of the true matches among the scored pairs
    it linked. Pairs below the review floor are not kept, so recall is of the pairs scored at
    or above it (a little high). None when nothing was scored or linked."""
    if pairs.empty:
        return None, None
    probability = pairs["match_probability"].to_numpy(dtype=float)
    linked = (pairs["decision"] == "match").to_numpy()
    expected = probability.sum()
    precision = round(float(probability[linked].mean()), 4) if linked.any() else None
    recall = round(float(probability[linked].sum() / expected), 4) if expected > 0 else None
    return precision, recall
