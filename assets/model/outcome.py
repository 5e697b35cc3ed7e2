"""What a quality check saw and the threshold it held it to, with no Dagster in it.

Every check in ``checks/`` is a pure function returning a ``CheckOutcome``; the asset
factories attach it to their assets (``assets.check_results``), so the same judgement can be
tested on small inputs and read without the wiring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    threshold: str  # in words, with its figure: "0 rows", "32 councils"
    seen: Mapping[str, object] = field(default_factory=dict)  # figures and short text, by name
    listed: Mapping[str, Sequence[str]] = field(default_factory=dict)  # what failed, one line each, by name
    warn_only: bool = False  # advisory: a failure warns rather than errs
