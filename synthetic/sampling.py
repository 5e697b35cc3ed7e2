"""Seeded random streams and the exact-count allocation helpers.

Every generator draws from its own stream, derived from the run seed and the
generator's name, so adding or changing one dataset never shifts the random
numbers another dataset sees: the same seed gives the same bytes.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent generator for one named part of the run."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def largest_remainder(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` that add up exactly.

    Each part first gets ``minimum`` (reduced if the total cannot cover it), then
    the rest is shared by the largest-remainder (Hamilton) method, ties going to
    the earlier part so the result is deterministic.
    """
    weights = np.asarray(weights, dtype=float)
    parts = len(weights)
    floor_each = min(minimum, total // parts) if parts else 0
    rest = total - floor_each * parts
    share = weights / weights.sum() * rest if weights.sum() > 0 else np.zeros(parts)
    counts = np.floor(share).astype(np.int64)
    remainder = share - counts
    short = rest - int(counts.sum())
    if short > 0:
        order = np.lexsort((np.arange(parts), -remainder))
        counts[order[:short]] += 1
    return counts + floor_each


def choose_by_probability(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row from a rows x categories probability matrix (rows need not sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    return (cumulative < u[:, None]).sum(axis=1)


def take_in_groups(
    rng: np.random.Generator,
    units: np.ndarray,
    log_weights: np.ndarray,
    groups: np.ndarray,
    quotas: np.ndarray,
) -> np.ndarray:
    """Pick exactly ``quotas[g]`` individuals in each group, whole units first.

    Units (brothers and sisters placed together) are ranked by a weighted random
    key (Gumbel top-k, i.e. weighted sampling without replacement) and taken
    whole; the unit that straddles the quota is split, which is how siblings come
    to be separated. Returns a boolean mask over individuals.
    """
    count = len(units)
    taken = np.zeros(count, dtype=bool)
    if count == 0:
        return taken
    _, unit_index = np.unique(units, return_inverse=True)
    members = np.bincount(unit_index)
    unit_log_weight = np.bincount(unit_index, weights=log_weights) / members
    key = (unit_log_weight + rng.gumbel(size=len(members)))[unit_index]
    order = np.lexsort((unit_index, -key, groups))
    sorted_groups = groups[order]
    first_of_group = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.arange(count) - first_of_group
    taken[order[rank < quotas[sorted_groups]]] = True
    return taken


def rank_within_runs(sorted_groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values in a sorted array."""
    if not len(sorted_groups):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], sorted_groups[1:] != sorted_groups[:-1]]))
    run_lengths = np.diff(np.concatenate([starts, [len(sorted_groups)]]))
    return np.arange(len(sorted_groups)) - np.repeat(starts, run_lengths)


def log_weight(weights: np.ndarray) -> np.ndarray:
    """Logs of weights, with a tiny floor so 'never' still lets an exact quota be met."""
    return np.log(np.maximum(np.asarray(weights, dtype=float), 1e-12))
