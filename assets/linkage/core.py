"""Link records of people across agencies: deterministic keys first.

A plain function on a table of people with standard columns (forename, surname,
date_of_birth, sex, postcode, chi, scn; any may be missing), so it can be evaluated on any
data, not only inside the pipeline. Records are joined when they share a valid CHI (its
modulus-11 check digit holds), a Scottish Candidate Number, or the same normalised forename,
surname and date of birth; the connected groups are the people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

STANDARD_COLUMNS = ("forename", "surname", "date_of_birth", "sex", "postcode", "chi", "scn")
_NOT_LETTERS = re.compile(r"[^a-z]")


def chi_is_valid(chi: object) -> bool:
    if not isinstance(chi, str) or len(chi) != 10 or not chi.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(chi[:9], range(10, 1, -1)))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(chi[9])


def _normalise_name(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    cleaned = _NOT_LETTERS.sub("", name.lower())
    return cleaned or None


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class LinkageResult:
    """``clusters``: one row per input record (position, cluster, how it was linked).
    ``pairs``: the probabilistic pairs scored at or above the review floor, with weights."""

    clusters: pd.DataFrame
    deterministic_pairs: int
    pairs: pd.DataFrame | None = None


def link_deterministic(people: pd.DataFrame) -> LinkageResult:
    """Cluster records that share a valid CHI, an SCN or an exact normalised name and date of birth."""
    records = people.reset_index(drop=True)
    n = len(records)
    union = _UnionFind(n)
    keys = {
        "chi": records["chi"].where(records["chi"].map(chi_is_valid)) if "chi" in records else None,
        "scn": records["scn"].where(records["scn"].str.fullmatch(r"\d{9}", na=False)) if "scn" in records else None,
        "name_dob": (
            records["forename"].map(_normalise_name) + "|" + records["surname"].map(_normalise_name) + "|" + records["date_of_birth"].astype("string")
        ) if {"forename", "surname"} <= set(records) else None,
    }
    linked_by = np.full(n, "unlinked", dtype=object)
    pairs = 0
    for method, key in keys.items():
        if key is None:
            continue
        present = key.dropna()
        groups = present.groupby(present.to_numpy())
        first = pd.Series(present.index, index=present.index).groupby(present.to_numpy()).transform("first")
        shared = groups.transform("size") > 1
        for anchor, member in zip(first[shared].to_numpy(), first[shared].index.to_numpy()):
            if anchor != member:
                union.union(int(anchor), int(member))
                pairs += 1
        newly = shared[shared].index.to_numpy()
        linked_by[newly] = np.where(linked_by[newly] == "unlinked", method, linked_by[newly])
    roots = [union.find(i) for i in range(n)]
    clusters = pd.DataFrame({"record": range(n), "cluster": roots, "linked_by": linked_by})
    return LinkageResult(clusters=clusters, deterministic_pairs=pairs)


def link_people(people: pd.DataFrame, match_threshold: float | None = None) -> LinkageResult:
    """Deterministic keys first, then Splink's scored pairs at or above the threshold join clusters."""
    from assets.linkage.probabilistic import MATCH_THRESHOLD, score_pairs

    threshold = MATCH_THRESHOLD if match_threshold is None else match_threshold
    deterministic = link_deterministic(people)
    pairs = score_pairs(people)
    union = _UnionFind(len(people))
    for record, cluster in zip(deterministic.clusters["record"], deterministic.clusters["cluster"]):
        union.union(int(record), int(cluster))
    linked_by = deterministic.clusters["linked_by"].to_numpy().copy()
    accepted = pairs[pairs["match_probability"] >= threshold]
    for left, right in zip(accepted["record_l"].astype(int), accepted["record_r"].astype(int)):
        if union.find(left) != union.find(right):
            union.union(left, right)
        for record in (left, right):
            if linked_by[record] == "unlinked":
                linked_by[record] = "probabilistic"
    clusters = pd.DataFrame({"record": range(len(people)), "cluster": [union.find(i) for i in range(len(people))], "linked_by": linked_by})
    return LinkageResult(clusters=clusters, deterministic_pairs=deterministic.deterministic_pairs, pairs=pairs)
