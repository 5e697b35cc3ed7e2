"""Clusters of records that refuse to merge when their identifiers say they are different people.

A plain union-find chains links transitively: one wrong link between twins joins every record
of both. Each cluster here remembers the trusted CHI numbers and the SCNs of its records, and
a merge is refused when the two clusters hold different CHIs, or SCNs that differ in more than
one digit (one digit apart is a typing slip, not another child), or when a person judged two of their
records to be different people (``keep_apart``). Links are offered strongest first, so a weak
link never blocks a strong one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _digits_apart(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))


class ConflictAwareClusters:
    """Union-find over record positions 0..n-1 with a CHI and SCN conflict test on every merge."""

    def __init__(self, chi: Sequence[object], scn: Sequence[object]) -> None:
        self._parent = np.arange(len(chi))
        self._chi = {i: frozenset([c]) for i, c in enumerate(chi) if isinstance(c, str)}
        self._scn = {i: frozenset([s]) for i, s in enumerate(scn) if isinstance(s, str)}
        # A reviewer's "different people": the two records hold the two sides of one token
        # (``t`` and ``-t - 1``), and no cluster may hold both.
        self._apart: dict[int, frozenset[int]] = {}
        self._tokens = 0

    def keep_apart(self, a: int, b: int) -> bool:
        """Never merge the clusters of ``a`` and ``b`` from now on; False when they are one already."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        token, self._tokens = self._tokens, self._tokens + 1
        self._apart[root_a] = self._apart.get(root_a, frozenset()) | {token}
        self._apart[root_b] = self._apart.get(root_b, frozenset()) | {-token - 1}
        return True

    def kept_apart(self, root_a: int, root_b: int) -> bool:
        """Whether a reviewer's decision forbids merging these clusters (by their roots)."""
        apart_a, apart_b = self._apart.get(root_a), self._apart.get(root_b)
        return bool(apart_a and apart_b and any(-token - 1 in apart_b for token in apart_a))

    def find(self, item: int) -> int:
        parent = self._parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return int(root)

    def conflict(self, root_a: int, root_b: int) -> bool:
        chi_a, chi_b = self._chi.get(root_a), self._chi.get(root_b)
        if chi_a and chi_b and chi_a.isdisjoint(chi_b):
            return True
        scn_a, scn_b = self._scn.get(root_a), self._scn.get(root_b)
        return bool(scn_a and scn_b and min(_digits_apart(a, b) for a in scn_a for b in scn_b) > 1)

    def join(self, a: int, b: int, despite_identifiers: bool = False) -> bool:
        """Merge the clusters of ``a`` and ``b``; False (and nothing merged) when they conflict
        (``despite_identifiers``: only a reviewer's "different people" stops it, as for a
        reviewer's "same person")."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        if self.kept_apart(root_a, root_b) or (not despite_identifiers and self.conflict(root_a, root_b)):
            return False
        keep, gone = min(root_a, root_b), max(root_a, root_b)
        self._parent[gone] = keep
        for held in (self._chi, self._scn, self._apart):
            if gone in held:
                held[keep] = held.get(keep, frozenset()) | held.pop(gone)
        return True

    def labels(self) -> np.ndarray:
        """The root of every record's cluster (the smallest position in it)."""
        return np.array([self.find(i) for i in range(len(self._parent))], dtype=np.int64)
